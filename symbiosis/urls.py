from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from symbiosis.health import healthz

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("agreements/", include("agreements.urls")),
    path("parks/", include("parks.urls")),
]
