from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from parks.forms import OrganisationAdminForm, ParkAdminForm
from parks.models import Agency, AuthorityMembership, Company, Organisation, Park, ParkMembership
from symbiosis.search import FoldedSearchMixin

NAMES = ["name_vi", "name_en", "name_own", "name_own_language", "short_name", "aliases", "slug"]
WHERE = ["country", "vietnam_province", "province", "website"]
SECTOR = ["sector", "sector_code", "sector_classification"]


class OrganisationAdminBase(FoldedSearchMixin, admin.ModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name_en", "name_vi", "name_own", "short_name", "kind", "province", "country"]
    list_filter = ["kind", "level", "country", "sector", "province"]
    search_fields = ["name_en", "name_vi", "name_own", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["park", "successor"]
    list_select_related = ["park", "successor"]
    fieldsets = [
        (None, {"fields": ["kind", *NAMES]}),
        (_("Where"), {"fields": WHERE}),
        (_("Sector"), {"fields": SECTOR}),
        (_("Tenants of a park"), {"fields": ["park"]}),
        (_("Agencies"), {"fields": ["level", "jurisdiction"]}),
        (None, {"fields": ["successor"]}),
    ]

    def save_model(self, request, obj, form, change):
        if not change:  # an admin's organisation is confirmed as it is created, by them
            obj.mark_proposed(by=request.user, confirmed=True)
        super().save_model(request, obj, form, change)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationAdminBase):
    pass


@admin.register(Company)
class CompanyAdmin(OrganisationAdminBase):
    list_display = ["name_en", "name_vi", "short_name", "park", "sector", "province"]
    list_filter = ["park", "country", "sector", "province"]
    fieldsets = [
        (None, {"fields": NAMES}),
        (_("Where"), {"fields": ["park", *WHERE]}),
        (_("Sector"), {"fields": SECTOR}),
        (None, {"fields": ["successor"]}),
    ]


@admin.register(Agency)
class AgencyAdmin(OrganisationAdminBase):
    list_display = [
        "name_en",
        "name_vi",
        "short_name",
        "level",
        "jurisdiction",
        "successor",
        "officials_page",
    ]
    list_filter = ["level", "country", "province"]
    fieldsets = [
        (None, {"fields": NAMES}),
        (_("Where"), {"fields": ["level", "jurisdiction", *WHERE]}),
        (None, {"fields": ["successor", "officials_page"]}),
    ]
    readonly_fields = ["officials_page"]

    @admin.display(description=_("officials"))
    def officials_page(self, agency):
        """Where an admin appoints the agency's first official: its officials page, which
        sends the invitation (the page is the register's, named here by its URL only)."""
        if agency.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("accounts:agency-members", kwargs={"slug": agency.slug}),
            _("Invite officials"),
        )


class ParkMembershipInline(admin.TabularInline):
    model = ParkMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Park)
class ParkAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    """Its changes are kept (who, when, what), as the officials' edits are: its history page is
    simple-history's, the park history page (``parks:history``) reads the same records."""

    form = ParkAdminForm
    list_display = [
        "name_en",
        "name_vi",
        "kind",
        "province",
        "country",
        "developer",
        "managing_authority",
        "eip_status",
    ]
    list_filter = ["kind", "eip_status", "country", "province"]
    search_fields = ["name_en", "name_vi", "slug"]
    fieldsets = [
        (None, {"fields": ["name_vi", "name_en", "slug", "kind", "eip_status"]}),
        (
            _("Where"),
            {"fields": ["country", "vietnam_province", "province", "latitude", "longitude"]},
        ),
        (None, {"fields": ["developer", "managing_authority", "area_ha", "established_year"]}),
        (None, {"fields": ["website"]}),
    ]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["developer", "managing_authority"]
    list_select_related = ["developer", "managing_authority"]
    inlines = [ParkMembershipInline]


@admin.register(ParkMembership)
class ParkMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "park", "role", "created_at"]
    list_filter = ["role", "park"]
    search_fields = ["user__username", "user__email", "park__name_en", "park__name_vi"]
    autocomplete_fields = ["user", "park"]
    list_select_related = ["user", "park"]


@admin.register(AuthorityMembership)
class AuthorityMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "created_at"]
    list_filter = ["agency__level"]
    search_fields = ["user__username", "user__email", "agency__name_en", "agency__name_vi"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]
