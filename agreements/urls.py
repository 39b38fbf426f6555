from django.urls import path

from agreements.caching import cache_public_page
from agreements.views import dashboard, public, staff

app_name = "agreements"

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
    path(
        "resources/<slug:slug>/",
        cache_public_page(public.ResourceDetailView.as_view(), params=["page"]),
        name="resource-detail",
    ),
    path("documents/<int:pk>/", public.document_download, name="document-download"),
    # Park staff and review: agreements.views.staff
    # (before any catch-all "<path:reference>/" pattern: references may contain slashes)
    path("mine/", staff.MyAgreementsView.as_view(), name="mine"),
    path("new/", staff.AgreementCreateView.as_view(), name="create"),
    path("organisations/search/", staff.organisation_search, name="organisation-search"),
    path("organisations/new/", staff.organisation_create, name="organisation-create"),
    path("<path:reference>/edit/", staff.AgreementUpdateView.as_view(), name="update"),
    path("<path:reference>/submit/", staff.submit, name="submit"),
    path("<path:reference>/review/", staff.ReviewView.as_view(), name="review"),
    path(
        "<path:reference>/documents/new/",
        staff.DocumentUploadView.as_view(),
        name="document-upload",
    ),
    path("<path:reference>/history/", staff.HistoryView.as_view(), name="history"),
    # Officials' dashboard and exports: agreements.views.dashboard
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/register.csv", dashboard.CsvExportView.as_view(), name="export-csv"),
    path("dashboard/register.xlsx", dashboard.XlsxExportView.as_view(), name="export-xlsx"),
]

# Last, whatever is added above: a reference may contain slashes ("HEZA/2023/01"), so the
# detail page takes the rest of the path and would hide any page listed after it.
urlpatterns.append(
    path(
        "<path:reference>/", cache_public_page(public.AgreementDetailView.as_view()), name="detail"
    )
)
