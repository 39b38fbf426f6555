from django.urls import path

from agreements.caching import cache_public_page
from parks import views

app_name = "parks"

urlpatterns = [
    path("", cache_public_page(views.ParkListView.as_view(), params=["page"]), name="list"),
    path(
        "organisations/<slug:slug>/",
        cache_public_page(views.OrganisationDetailView.as_view(), params=["page", "flows_page"]),
        name="organisation-detail",
    ),
    path(
        "<slug:slug>/",
        cache_public_page(views.ParkDetailView.as_view(), params=["page"]),
        name="detail",
    ),
]
