from django.urls import path  # noqa: F401

app_name = "agreements"

urlpatterns = [
    # Public pages: agreements.views.public
    # Park staff and review: agreements.views.staff
    # Officials' dashboard and exports: agreements.views.dashboard
]
