from django.contrib import admin
from django.urls import include, path

from agreements.views.public import HomeView
from symbiosis.health import healthz

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("agreements/", include("agreements.urls")),
    path("parks/", include("parks.urls")),
]
