from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from agreements.caching import cache_public_page
from agreements.views.public import HomeView
from symbiosis.health import healthz

admin.site.site_header = admin.site.site_title = _("Symbiosis Registry: administration")

urlpatterns = [
    path("", cache_public_page(HomeView.as_view()), name="home"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # Choosing a language needs no CSRF token (a forged choice only changes a preference), so
    # that anonymous pages carry no per-visitor token and can be cached.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("agreements/", include("agreements.urls")),
    path("parks/", include("parks.urls")),
]
