from django.contrib import admin
from django.contrib.auth.views import PasswordResetView
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from agreements import urls as register
from agreements.accounts import urls as accounts
from agreements.accounts.views import SignInView
from agreements.imports import urls as imports
from agreements.reporting import urls as reporting
from agreements.views.public import HomeView
from symbiosis.caching import cache_public_page
from symbiosis.favicon import favicon
from symbiosis.health import healthz
from symbiosis.request_limits import small_form_only
from symbiosis.throttling import ThrottledPasswordResetForm

# The API answers an address no endpoint reads in JSON; every other address gets the site's page.
handler400 = "agreements.api.errors.bad_request"
handler404 = "agreements.api.errors.page_not_found"

admin.site.site_header = admin.site.site_title = _("Symbiosis Registry: administration")

# The register's pages, the reporting's and the import's share the addresses and URL names they
# always had; the register's catch-all agreement page comes last (see agreements/urls.py).
agreement_pages = [
    *register.urlpatterns,
    *reporting.agreement_patterns,
    *imports.agreement_patterns,
    *register.last_patterns,
]
park_pages = [*register.park_patterns, *accounts.park_patterns, *reporting.park_patterns]

urlpatterns = [
    path("", cache_public_page(HomeView.as_view()), name="home"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    # Before Django's own: its reset page, sending emails within the limits of throttling.py.
    path(
        "accounts/password_reset/",
        PasswordResetView.as_view(form_class=ThrottledPasswordResetForm),
        name="password_reset",
    ),
    # Signing in takes a second step for users with two-factor sign-in (accounts/); the rest of
    # the accounts pages (signing out, passwords) are Django's.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("agreements.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    # Choosing a language needs no CSRF token (a forged choice only changes a preference), so
    # that anonymous pages carry no per-visitor token and can be cached; being open to anyone,
    # it reads a small form only.
    path("i18n/setlang/", csrf_exempt(small_form_only(set_language)), name="set_language"),
    path("agreements/", include((agreement_pages, "agreements"))),
    path("parks/", include((park_pages, "parks"))),
    # The public read-only API, its schema and its documentation page (agreements/api/).
    path("api/", include("agreements.api.urls")),
    path("data/", include("agreements.open_data.urls")),
]
