"""The admin: every row can be read here, and every change to an agreement goes through
``agreements.services`` like the staff's and officials' pages. An agreement is saved with its
parties and flows by ``save_agreement`` (the same version check, a verified agreement changed
goes back to draft), documents are attached by ``attach_document``, and it is verified or
returned by the changelist's actions. Its review state and record cannot be typed in; its
parties and flows are edited on its page only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agreements import permissions, services
from agreements.documents import DocumentForm
from agreements.forms import (
    MAX_ROWS,
    AgreementForm,
    AgreementRowsFormSet,
    PartyRowsFormSet,
    ResourceFlowFormSet,
    ResourceForm,
    VersionCheckMixin,
    formset_rows,
)
from agreements.models import (
    Agreement,
    Document,
    EmissionFactor,
    Merge,
    Party,
    Resource,
    ResourceFlow,
)
from agreements.templatetags.quantities import quantity
from symbiosis.bilingual import mark_language
from symbiosis.date_hierarchy import BoundedDateHierarchyMixin
from symbiosis.partial_dates import PartialDatesFormMixin, format_partial
from symbiosis.people import display_name
from symbiosis.search import FoldedSearchMixin


@admin.register(Resource)
class ResourceAdmin(FoldedSearchMixin, admin.ModelAdmin):
    form = ResourceForm  # the rule for changing a resource's unit
    list_display = ["name_en", "name_vi", "category", "unit", "waste_code", "emission_factor"]
    list_filter = ["category", "unit"]
    search_fields = ["name_en", "name_vi", "slug", "waste_code"]
    prepopulated_fields = {"slug": ["name_en"]}
    # Set on the resource's factor page, which keeps every earlier factor
    # (``services.set_emission_factor``): read here, not typed in.
    readonly_fields = ["emission_factor_set_on_its_page"]

    @admin.display(description=_("emission factor"))
    def emission_factor_set_on_its_page(self, obj):
        if obj is None or obj.pk is None:
            return _("Set it on the resource's emission factor page once the resource is saved.")
        link = reverse("agreements:resource-factor", kwargs={"slug": obj.slug})
        if obj.emission_factor is None:
            return format_html('{} · <a href="{}">{}</a>', _("none"), link, _("Set it"))
        return format_html(
            '{} · {}: {} · <a href="{}">{}</a>',
            _("%(factor)s kg CO2e per %(unit)s")
            % {"factor": quantity(obj.emission_factor, 4), "unit": obj.get_unit_display()},
            _("source"),
            obj.emission_factor_source,
            link,
            _("Change it (its history is kept)"),
        )


@admin.register(EmissionFactor)
class EmissionFactorAdmin(admin.ModelAdmin):
    """Every factor ever set, to read: a factor is set on its resource's page (the service keeps
    the resource's current one and its history), and none is edited or deleted."""

    list_display = ["resource", "value", "unit", "source", "year", "set_by", "set_at"]
    list_filter = ["unit"]
    list_select_related = ["resource", "set_by"]
    search_fields = ["resource__name_en", "resource__name_vi", "source"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:  # an admin's resource is confirmed as it is created, by them
            obj.mark_proposed(by=request.user, confirmed=True)
        super().save_model(request, obj, form, change)


class RefusedSaveMixin:
    """For a ``ModelAdmin`` whose ``save_model``/``save_related`` call the services: when a
    service refuses after the form was valid (a save racing this one), ``refuse()`` undoes
    whatever this request wrote, and the admin says why instead of logging a change."""

    def refuse(self, request, message):
        transaction.set_rollback(True)
        request._symbiosis_refused = message

    def construct_change_message(self, request, form, formsets, add=False):
        if hasattr(request, "_symbiosis_refused"):
            return []
        return super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        if not hasattr(request, "_symbiosis_refused"):
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not hasattr(request, "_symbiosis_refused"):
            return super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if hasattr(request, "_symbiosis_refused"):
            self.message_user(request, request._symbiosis_refused, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if hasattr(request, "_symbiosis_refused"):
            self.message_user(request, request._symbiosis_refused, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)


class LanguageMarkedFieldsMixin:
    """Each field for text in one language marked with it, as on the staff's forms
    (``symbiosis.bilingual.mark_language``)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return field if field is None else mark_language(db_field.name, field)


class AgreementRowsInlineMixin:
    """An agreement's party or flow rows as the staff's page takes them: their counts checked
    (``AgreementRowsFormSet``), at most ``MAX_ROWS`` of them."""

    max_num = MAX_ROWS

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("validate_max", True)
        kwargs.setdefault("absolute_max", MAX_ROWS)
        return super().get_formset(request, obj, **kwargs)


class LabelledCellsMixin:
    """A tabular inline's fields each named by its column: in a table of rows a field has the
    column's header above it but no label of its own, and a screen reader announces it
    unnamed (WCAG 1.3.1 and 4.1.2). The autocomplete fields take the name to their Select2
    box (static/js/admin-labels.js)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", capfirst(field.label))
        return field

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs["aria-label"] = gettext("Delete")

        LabelledFormSet.__name__ = formset.__name__
        return LabelledFormSet


class PartyInline(
    LabelledCellsMixin, LanguageMarkedFieldsMixin, AgreementRowsInlineMixin, admin.TabularInline
):
    model = Party
    formset = PartyRowsFormSet
    extra = 0
    autocomplete_fields = ["organisation"]


class ResourceFlowInline(LanguageMarkedFieldsMixin, AgreementRowsInlineMixin, admin.StackedInline):
    model = ResourceFlow
    formset = ResourceFlowFormSet  # each flow's ends among the party rows saved with it
    extra = 0
    autocomplete_fields = ["resource", "provider", "receiver"]
    # Any flow by its number: the model checks that its provider receives it, in this park.
    raw_id_fields = ["made_from"]


class DocumentDownloadMixin:
    """A link to the file through the permission-checked download view (files are never
    served from MEDIA_URL), and who uploaded it."""

    @admin.display(description=_("download"))
    def download(self, document):
        if not document.pk:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', document.get_absolute_url(), document.original_name or _("file")
        )

    @admin.display(description=_("uploaded by"))
    def uploader(self, document):
        """Every stored document was uploaded by someone (``attach_document``): none recorded
        is an account deleted since."""
        if not document.pk:
            return "-"
        return display_name(document.uploaded_by)


def new_document_forms(formset):
    """The forms of a valid document formset that add a document."""
    return [
        form
        for form in formset.forms
        if form.instance.pk is None and form.has_changed() and not formset._should_delete_form(form)
    ]


class DocumentInlineFormSet(AgreementRowsFormSet):
    def clean(self):
        super().clean()
        agreement = self.instance
        if agreement.pk and not agreement.is_editable and new_document_forms(self):
            raise ValidationError(
                services.DOCUMENTS_AWAIT_VERIFICATION, code="awaiting_verification"
            )


class DocumentInline(LabelledCellsMixin, DocumentDownloadMixin, admin.TabularInline):
    model = Document
    form = DocumentForm  # the upload page's checks: type by content, size
    formset = DocumentInlineFormSet
    extra = 0
    fields = [
        "title",
        "download",
        "file",
        "is_public",
        "content_type",
        "size",
        "uploader",
        "uploaded_at",
    ]
    readonly_fields = ["download", "content_type", "size", "uploader", "uploaded_at"]


class AgreementAdminForm(PartialDatesFormMixin, VersionCheckMixin, forms.ModelForm):
    """The admin's agreement form: it carries the version it was opened on, like the staff's
    (see ``templates/admin/agreements/agreement/change_form.html``), and takes the signing and
    start dates typed as a year, a month or a day, like the staff's."""

    partial_date_fields = AgreementForm.partial_date_fields


class ReturnCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=5000,
        help_text=_("Required when you return it: say what needs changing."),
        error_messages={"required": _("Say what needs changing before you return it.")},
    )


@admin.register(Agreement)
class AgreementAdmin(
    LanguageMarkedFieldsMixin,
    RefusedSaveMixin,
    BoundedDateHierarchyMixin,
    FoldedSearchMixin,
    SimpleHistoryAdmin,
):
    form = AgreementAdminForm
    list_display = [
        "reference",
        "shown_title",
        "park",
        "kind",
        "review_state",
        "shown_signed_on",
        "shown_starts_on",
        "ends_on",
    ]
    list_filter = ["review_state", "kind", "park", "signed_on"]
    search_fields = ["reference", "title_en", "title_vi"]
    date_hierarchy = "signed_on"
    autocomplete_fields = ["park", "framework", "amends"]
    list_select_related = ["park"]
    # The review and who created it are recorded by the services, never typed in; the people
    # are shown by name, a deleted account as a former user (``reviewer``, ``creator``).
    readonly_fields = [
        *(name for name in services.REVIEW_FIELDS if name != "reviewed_by"),
        *services.KIND_CONFIRMATION_FIELDS,
        "reviewer",
        "creator",
        "created_at",
        "updated_at",
        "version_number",
    ]
    inlines = [PartyInline, ResourceFlowInline, DocumentInline]
    actions = ["verify_selected", "return_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "title_vi",
                    "title_en",
                    "kind",
                    "symbiosis_kind",
                    "park",
                    "summary_vi",
                    "summary_en",
                ]
            },
        ),
        (
            _("Dates"),
            {
                "fields": [
                    "signed_on",
                    "signed_at_vi",
                    "signed_at_en",
                    "starts_on",
                    "ends_on",
                    "terminated_on",
                ]
            },
        ),
        (_("Related agreements"), {"fields": ["framework", "amends", "amendment_kind"]}),
        (
            _("Review"),
            {
                "fields": [
                    "review_state",
                    "review_comment",
                    "submitted_at",
                    "reviewer",
                    "reviewed_at",
                    *services.KIND_CONFIRMATION_FIELDS,
                ]
            },
        ),
        (None, {"fields": ["creator", "created_at", "updated_at", "version_number"]}),
    ]

    @admin.display(description=_("title"), ordering="title_en")
    def shown_title(self, obj):
        """The title in the admin's language, falling back to the other."""
        return obj.title

    @admin.display(description=_("signed on"), ordering="signed_on")
    def shown_signed_on(self, obj):
        """The signing date to its precision ("1972"), never an invented day."""
        return format_partial(obj.signed_on, obj.signed_on_precision) or "-"

    @admin.display(description=_("starts on"), ordering="starts_on")
    def shown_starts_on(self, obj):
        return format_partial(obj.starts_on, obj.starts_on_precision) or _("start not recorded")

    @admin.display(description=_("version"))
    def version_number(self, obj):
        return obj.version if obj.pk else "-"

    @admin.display(description=_("reviewed by"))
    def reviewer(self, obj):
        """Whoever returned or verified it, once someone has."""
        if obj.reviewed_at is None:
            return self.get_empty_value_display()
        return display_name(obj.reviewed_by)

    @admin.display(description=_("created by"))
    def creator(self, obj):
        """Whoever created it, if its creation record names someone: the demo and synthetic
        data are created by commands, by nobody."""
        if obj.created_by_id is None and not (
            obj.pk and obj.history.filter(history_type="+", created_by_id__isnull=False).exists()
        ):
            return self.get_empty_value_display()
        return display_name(obj.created_by)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        """The inlines' formsets see each other (``AgreementRowsFormSet.saved_with``): the flows
        are checked against the party rows saved with them."""
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        kwargs["saved_with"] = vars(request).setdefault("_agreement_formsets", {})
        return kwargs

    # Saving: the agreement with its parties and flows, through the services

    def save_model(self, request, obj, form, change):
        """Nothing yet: ``save_related`` saves the agreement with its rows, in one step."""

    def save_related(self, request, form, formsets, change):
        agreement = form.instance
        formsets = {formset.model: formset for formset in formsets}
        try:
            saved, reverted = services.save_agreement(
                agreement=agreement if change else None,
                values={
                    name: value
                    for name, value in form.cleaned_data.items()
                    if name in services.CONTENT_FIELDS
                },
                parties=self.rows(agreement, formsets, Party, services.PARTY_FIELDS),
                flows=self.rows(agreement, formsets, ResourceFlow, services.FLOW_FIELDS),
                version=form.opened_version if change else None,
                user=request.user,
            )
            if Document in formsets:
                reverted |= self.save_documents(request, saved, formsets[Document])
        except (services.EditConflict, services.TransitionError) as error:
            message = str(error) or gettext(
                "Someone else saved this agreement at the same moment, so nothing is saved. "
                "Here is the current version: make your changes again."
            )
            self.refuse(request, message)
            return
        agreement.pk, agreement._state.adding = saved.pk, False
        agreement.refresh_from_db()
        for formset in formsets.values():
            describe_changes(formset)
        if reverted:
            self.message_user(
                request,
                services.BACK_TO_DRAFT % {"reference": saved.reference},
                messages.WARNING,
            )

    @staticmethod
    def rows(agreement, formsets, model, fields):
        """The rows of a formset, or the stored ones kept as they are when the page has none
        (the user may not see them)."""
        if model in formsets:
            return formset_rows(formsets[model], fields)
        if agreement.pk is None:
            return []
        return [
            {"id": pk}
            for pk in model.objects.filter(agreement=agreement).values_list("pk", flat=True)
        ]

    @staticmethod
    def save_documents(request, agreement, formset):
        """New documents through ``attach_document``; the others as edited. Whether a verified
        agreement went back to draft."""
        reverted = False
        for form in new_document_forms(formset):
            _, changed_state = services.attach_document(
                agreement=agreement, **form.cleaned_data_for_service(), user=request.user
            )
            reverted |= changed_state
        for form in formset.initial_forms:
            if formset._should_delete_form(form):
                form.instance.delete()
            elif form.has_changed():
                form.save()
        return reverted

    # The history: read only, since a revert would bring back an old review state

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # Verifying and returning: the officials' review page's steps

    @admin.action(description=_("Verify the selected agreements"), permissions=["change"])
    def verify_selected(self, request, queryset):
        self.review(
            request,
            queryset,
            services.verify_agreement,
            done=_("%(reference)s is verified: it is now on the public pages."),
        )

    @admin.action(
        description=_("Return the selected agreements with a comment"), permissions=["change"]
    )
    def return_selected(self, request, queryset):
        form = ReturnCommentForm(request.POST if "comment" in request.POST else None)
        if form.is_valid():
            self.review(
                request,
                queryset,
                services.return_agreement,
                done=_("%(reference)s is returned to the park staff with your comment."),
                comment=form.cleaned_data["comment"],
            )
            return None
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return the selected agreements with a comment"),
            "opts": self.opts,
            "agreements": queryset.order_by("reference"),
            "form": form,
            "action": "return_selected",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/agreements/return_agreements.html", context)

    def review(self, request, queryset, step, *, done, **arguments):
        """Take ``step`` on each agreement the user reviews, and say what became of each."""
        for agreement in queryset.order_by("reference"):
            if not permissions.reviews_park(request.user, agreement.park_id):
                reason = str(services.REVIEWED_BY_OVERSEEING_OFFICIALS)
            else:
                try:
                    step(
                        agreement=agreement,
                        user=request.user,
                        base_url=request.build_absolute_uri("/"),
                        **arguments,
                    )
                except services.TransitionError as error:
                    reason = str(error)
                else:
                    self.message_user(
                        request, done % {"reference": agreement.reference}, messages.SUCCESS
                    )
                    continue
            self.message_user(
                request,
                gettext("%(reference)s is unchanged. %(reason)s")
                % {"reference": agreement.reference, "reason": reason},
                messages.ERROR,
            )


def describe_changes(formset):
    """What the admin's change message reads of a formset the services saved (in place of
    ``formset.save()``)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.forms:
        if formset._should_delete_form(form):
            if form.instance.pk is not None:
                formset.deleted_objects.append(form.instance)
        elif form.has_changed():
            if form.instance.pk is None:
                formset.new_objects.append(form.instance)
            else:
                formset.changed_objects.append((form.instance, form.changed_data))


class ReadOnlyAdminMixin:
    """Rows edited on their agreement's page only, where they are saved with it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Merge)
class MergeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Merges are made on the merge pages (``agreements.merging``), and kept as they were."""

    list_display = ["duplicate_name", "kind", "kept", "merged_by", "merged_at"]
    list_filter = ["kind"]
    search_fields = ["duplicate_name", "duplicate_names", "duplicate_slug"]
    list_select_related = ["kept_organisation", "kept_resource", "merged_by"]


@admin.register(Party)
class PartyAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
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
class ResourceFlowAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "agreement",
        "provider",
        "resource",
        "receiver",
        "direction",
        "quantity",
        "unit",
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


class DocumentAdminForm(DocumentForm):
    """The upload page's checks (type by content, size), and no document added to an
    agreement awaiting verification."""

    def clean(self):
        cleaned = super().clean()
        agreement = cleaned.get("agreement")
        if self.instance.pk is None and agreement is not None and not agreement.is_editable:
            self.add_error(
                "agreement", ValidationError(services.DOCUMENTS_AWAIT_VERIFICATION, code="awaiting")
            )
        return cleaned


@admin.register(Document)
class DocumentAdmin(RefusedSaveMixin, DocumentDownloadMixin, admin.ModelAdmin):
    form = DocumentAdminForm
    fields = [
        "agreement",
        "title",
        "download",
        "file",
        "is_public",
        "original_name",
        "content_type",
        "size",
        "uploader",
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
        "uploader",
        "uploaded_at",
    ]

    def save_model(self, request, obj, form, change):
        """A new document through ``attach_document``, like the upload page's."""
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            document, reverted = services.attach_document(
                agreement=form.cleaned_data["agreement"],
                **form.cleaned_data_for_service(),
                user=request.user,
            )
        except services.TransitionError as error:
            self.refuse(request, str(error))
            return
        obj.pk, obj._state.adding = document.pk, False
        obj.refresh_from_db()
        if reverted:
            self.message_user(
                request,
                gettext(
                    "%(reference)s was verified: with this document it is a draft again and "
                    "leaves the public pages until an official verifies it. Submit it when it "
                    "is ready."
                )
                % {"reference": document.agreement.reference},
                messages.WARNING,
            )
