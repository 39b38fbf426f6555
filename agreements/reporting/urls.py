"""The reporting pages. ``symbiosis/urls.py`` places them in the register's URL namespaces
(``agreements:dashboard``, ``parks:detail``), where they have always been, without the register
importing this package."""

from django.urls import path

from agreements.reporting import report_views, views
from symbiosis.caching import cache_public_page

# Under /agreements/, namespace "agreements".
agreement_patterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/register.csv", views.CsvExportView.as_view(), name="export-csv"),
    path("dashboard/register.xlsx", views.XlsxExportView.as_view(), name="export-xlsx"),
]

# Under /parks/, namespace "parks": after the register's, whose "organisations/..." this
# catch-all slug would otherwise hide.
park_patterns = [
    # A park's symbiosis report (report_views): signed-in readers only, never cached.
    path(
        "<slug:slug>/report/", report_views.ParkReportRedirectView.as_view(), name="report-latest"
    ),
    path("<slug:slug>/report/<int:year>/", report_views.ParkReportView.as_view(), name="report"),
    path(
        "<slug:slug>/report/<int:year>/report.xlsx",
        report_views.ParkReportXlsxView.as_view(),
        name="report-xlsx",
    ),
    path(
        "<slug:slug>/",
        cache_public_page(views.ParkDetailView.as_view(), params=["page"]),
        name="detail",
    ),
]
