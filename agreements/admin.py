from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agreements.documents import DocumentForm
from agreements.models import Agreement, Document, Party, Resource, ResourceFlow
from parks.admin import FoldedSearchMixin


@admin.register(Resource)
class ResourceAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name_en", "name_vi", "category", "unit", "waste_code", "emission_factor"]
    list_filter = ["category", "unit"]
    search_fields = ["name_en", "name_vi", "slug", "waste_code"]
    prepopulated_fields = {"slug": ["name_en"]}


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    autocomplete_fields = ["organisation"]


class ResourceFlowInline(admin.StackedInline):
    model = ResourceFlow
    extra = 0
    autocomplete_fields = ["resource", "provider", "receiver"]


class DocumentDownloadMixin:
    """A link to the file through the permission-checked download view (files are never
    served from MEDIA_URL)."""

    @admin.display(description=_("download"))
    def download(self, document):
        if not document.pk:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', document.get_absolute_url(), document.original_name or _("file")
        )


class DocumentInline(DocumentDownloadMixin, admin.TabularInline):
    model = Document
    form = DocumentForm  # the upload page's checks: type by content, size
    extra = 0
    fields = [
        "title",
        "download",
        "file",
        "is_public",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = ["download", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(Agreement)
class AgreementAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    list_display = [
        "reference",
        "shown_title",
        "park",
        "kind",
        "review_state",
        "signed_on",
        "starts_on",
        "ends_on",
    ]
    list_filter = ["review_state", "kind", "park", "signed_on"]
    search_fields = ["reference", "title_en", "title_vi"]
    date_hierarchy = "signed_on"
    autocomplete_fields = ["park", "created_by", "reviewed_by"]
    list_select_related = ["park"]
    readonly_fields = ["version", "created_at", "updated_at", "submitted_at", "reviewed_at"]
    inlines = [PartyInline, ResourceFlowInline, DocumentInline]
    fieldsets = [
        (None, {"fields": ["reference", "title_vi", "title_en", "kind", "park", "summary"]}),
        (
            _("Dates"),
            {"fields": ["signed_on", "signed_at", "starts_on", "ends_on", "terminated_on"]},
        ),
        (
            _("Review"),
            {
                "fields": [
                    "review_state",
                    "review_comment",
                    "submitted_at",
                    "reviewed_by",
                    "reviewed_at",
                ]
            },
        ),
        (None, {"fields": ["created_by", "created_at", "updated_at", "version"]}),
    ]

    @admin.display(description=_("title"), ordering="title_en")
    def shown_title(self, obj):
        """The title in the admin's language, falling back to the other."""
        return obj.title

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is Document:
            for document_form in formset.forms:
                if document_form.instance.pk is None:
                    document_form.instance.uploaded_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["agreement", "organisation", "role", "representative_name"]
    list_filter = ["role"]
    search_fields = [
        "agreement__reference",
        "organisation__name_en",
        "organisation__name_vi",
        "representative_name",
    ]
    autocomplete_fields = ["agreement", "organisation"]
    list_select_related = ["agreement", "organisation"]


@admin.register(ResourceFlow)
class ResourceFlowAdmin(SimpleHistoryAdmin):
    list_display = [
        "agreement",
        "provider",
        "resource",
        "receiver",
        "direction",
        "quantity",
        "period",
    ]
    list_filter = ["direction", "period", "resource__category"]
    search_fields = [
        "agreement__reference",
        "resource__name_en",
        "resource__name_vi",
        "provider__name_en",
        "provider__name_vi",
        "receiver__name_en",
        "receiver__name_vi",
    ]
    autocomplete_fields = ["agreement", "resource", "provider", "receiver"]
    list_select_related = ["agreement", "resource", "provider", "receiver"]


@admin.register(Document)
class DocumentAdmin(DocumentDownloadMixin, admin.ModelAdmin):
    form = DocumentForm  # the upload page's checks: type by content, size
    fields = [
        "agreement",
        "title",
        "download",
        "file",
        "is_public",
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_display = ["title", "agreement", "content_type", "size", "is_public", "uploaded_at"]
    list_filter = ["is_public", "content_type"]
    search_fields = ["title", "agreement__reference", "original_name"]
    autocomplete_fields = ["agreement"]
    list_select_related = ["agreement"]
    readonly_fields = [
        "download",
        "content_type",
        "size",
        "original_name",
        "uploaded_by",
        "uploaded_at",
    ]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
