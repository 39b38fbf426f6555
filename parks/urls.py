from django.urls import path

from parks import views

app_name = "parks"

urlpatterns = [
    path("", views.ParkListView.as_view(), name="list"),
    path(
        "organisations/<slug:slug>/",
        views.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path("<slug:slug>/", views.ParkDetailView.as_view(), name="detail"),
]
