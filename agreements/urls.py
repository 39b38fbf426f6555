from django.urls import path

from agreements.views import dashboard

app_name = "agreements"

urlpatterns = [
    # Public pages: agreements.views.public
    # Park staff and review: agreements.views.staff
    # Officials' dashboard and exports: agreements.views.dashboard
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/register.csv", dashboard.CsvExportView.as_view(), name="export-csv"),
    path("dashboard/register.xlsx", dashboard.XlsxExportView.as_view(), name="export-xlsx"),
]
