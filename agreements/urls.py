from django.urls import path

from agreements.views import staff

app_name = "agreements"

urlpatterns = [
    # Public pages: agreements.views.public
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
]
