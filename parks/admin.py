from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from parks.models import Agency, AuthorityMembership, Company, Organisation, Park, ParkMembership
from symbiosis.search import FoldedSearchMixin


class OrganisationAdminBase(FoldedSearchMixin, admin.ModelAdmin):
    list_display = ["name_en", "name_vi", "short_name", "kind", "province", "country"]
    list_filter = ["kind", "level", "country", "province"]
    search_fields = ["name_en", "name_vi", "short_name", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["park", "successor"]
    list_select_related = ["park", "successor"]
    fieldsets = [
        (None, {"fields": ["kind", "name_vi", "name_en", "short_name", "slug"]}),
        (_("Where"), {"fields": ["country", "province", "website"]}),
        (_("Companies"), {"fields": ["sector_code", "sector_classification", "park"]}),
        (_("Agencies"), {"fields": ["level", "jurisdiction"]}),
        (None, {"fields": ["successor"]}),
    ]


@admin.register(Organisation)
class OrganisationAdmin(OrganisationAdminBase):
    pass


@admin.register(Company)
class CompanyAdmin(OrganisationAdminBase):
    list_display = ["name_en", "name_vi", "short_name", "park", "sector_code", "province"]
    list_filter = ["park", "country", "province"]
    fieldsets = [
        (None, {"fields": ["name_vi", "name_en", "short_name", "slug"]}),
        (_("Where"), {"fields": ["park", "country", "province", "website"]}),
        (_("Sector"), {"fields": ["sector_code", "sector_classification"]}),
        (None, {"fields": ["successor"]}),
    ]


@admin.register(Agency)
class AgencyAdmin(OrganisationAdminBase):
    list_display = ["name_en", "name_vi", "short_name", "level", "jurisdiction", "successor"]
    list_filter = ["level", "country", "province"]
    fieldsets = [
        (None, {"fields": ["name_vi", "name_en", "short_name", "slug"]}),
        (_("Where"), {"fields": ["level", "jurisdiction", "country", "province", "website"]}),
        (None, {"fields": ["successor"]}),
    ]


class ParkMembershipInline(admin.TabularInline):
    model = ParkMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Park)
class ParkAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = [
        "name_en",
        "name_vi",
        "province",
        "developer",
        "managing_authority",
        "eip_status",
    ]
    list_filter = ["eip_status", "country", "province"]
    search_fields = ["name_en", "name_vi", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["developer", "managing_authority"]
    list_select_related = ["developer", "managing_authority"]
    inlines = [ParkMembershipInline]


@admin.register(ParkMembership)
class ParkMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "park", "created_at"]
    list_filter = ["park"]
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
