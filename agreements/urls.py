"""The register's pages. ``symbiosis/urls.py`` composes the ``agreements`` namespace from
``urlpatterns``, the reporting pages and ``last_patterns``, and the ``parks`` namespace from
``park_patterns`` and the reporting's park page."""

from django.urls import path

from agreements.views import factors, measurements, merge, parks, public, staff
from symbiosis.caching import cache_public_page
from symbiosis.security_headers import allows_map_tiles

urlpatterns = [
    # Public pages: agreements.views.public
    path(
        "",
        cache_public_page(
            public.AgreementListView.as_view(),
            params=["q", "park", "kind", "category", "year", "status", "page"],
        ),
        name="list",
    ),
    path("resources/", cache_public_page(public.ResourceListView.as_view()), name="resource-list"),
    # Before the resource pages: no resource's slug is "new" (forms.RESERVED_RESOURCE_SLUGS).
    path("resources/new/", staff.resource_create, name="resource-create"),
    path(
        "resources/<slug:slug>/",
        cache_public_page(public.ResourceDetailView.as_view(), params=["page"]),
        name="resource-detail",
    ),
    path("resources/<slug:slug>/factor/", factors.resource_factor, name="resource-factor"),
    path("documents/<int:pk>/", public.document_download, name="document-download"),
    # Park staff and review: agreements.views.staff
    # (before any catch-all "<path:reference>/" pattern: references may contain slashes)
    path("mine/", staff.MyAgreementsView.as_view(), name="mine"),
    path("new/", staff.AgreementCreateView.as_view(), name="create"),
    path("organisations/search/", staff.organisation_search, name="organisation-search"),
    path("organisations/new/", staff.organisation_create, name="organisation-create"),
    # Officials merge duplicates: agreements.views.merge ("organisations" and "resources" are
    # reserved words of a reference, so no agreement's address can be these).
    path("merge/organisations/", merge.organisation_merge, name="organisation-merge"),
    path("merge/resources/", merge.resource_merge, name="resource-merge"),
    path("proposals/", staff.ProposalsView.as_view(), name="proposals"),
    path(
        "proposals/<str:kind>/<int:pk>/confirm/",
        staff.proposal_confirm,
        name="proposal-confirm",
    ),
    # Measured quantities: agreements.views.measurements ("quantities" is a reserved word of a
    # reference, so no agreement's address is this list's).
    path(
        "quantities/review/",
        measurements.QuantitiesReviewView.as_view(),
        name="quantities-review",
    ),
    path("<path:reference>/edit/", staff.AgreementUpdateView.as_view(), name="update"),
    path("<path:reference>/submit/", staff.submit, name="submit"),
    path("<path:reference>/review/", staff.ReviewView.as_view(), name="review"),
    path(
        "<path:reference>/documents/new/",
        staff.DocumentUploadView.as_view(),
        name="document-upload",
    ),
    path("<path:reference>/history/", staff.HistoryView.as_view(), name="history"),
    path(
        "<path:reference>/quantities/",
        measurements.QuantitiesView.as_view(),
        name="quantities",
    ),
]

# Last, after every other page under /agreements/ (the reporting pages included, which
# symbiosis/urls.py puts between): a reference may contain slashes ("HEZA/2023/01"), so the
# detail page takes the rest of the path and would hide any page listed after it.
last_patterns = [
    path(
        "<path:reference>/", cache_public_page(public.AgreementDetailView.as_view()), name="detail"
    )
]

# Under /parks/, namespace "parks".
park_patterns = [
    path("", cache_public_page(public.ParkListView.as_view(), params=["page"]), name="list"),
    # "map" is no park's slug (parks.models.RESERVED_PARK_SLUGS).
    path("map/", allows_map_tiles(cache_public_page(public.ParkMapView.as_view())), name="map"),
    path(
        "organisations/<slug:slug>/",
        cache_public_page(public.OrganisationDetailView.as_view(), params=["page", "flows_page"]),
        name="organisation-detail",
    ),
    # Officials maintaining parks: agreements.views.parks ("new" is no park's slug:
    # parks.models.RESERVED_PARK_SLUGS).
    path("new/", parks.ParkCreateView.as_view(), name="create"),
    path("<slug:slug>/edit/", parks.ParkUpdateView.as_view(), name="update"),
    path("<slug:slug>/history/", parks.ParkHistoryView.as_view(), name="history"),
]
