from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from agreements.views.public import HomeView
from symbiosis.health import healthz

admin.site.site_header = admin.site.site_title = _("Symbiosis Registry: administration")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("agreements/", include("agreements.urls")),
    path("parks/", include("parks.urls")),
]
