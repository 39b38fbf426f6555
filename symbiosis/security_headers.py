"""The headers that tell browsers what our pages may do: Content-Security-Policy (django-csp,
configured by ``CONTENT_SECURITY_POLICY`` in settings) and Permissions-Policy.

Our own pages load scripts and styles from our static files only: no inline script, event
handler, ``<style>`` block or ``style`` attribute, in the templates or in the SVG drawn in Python.
The Django admin's pages allow inline styles too (``ADMIN_POLICY_UPDATE``), for templates we do
not own: django-simple-history's history page styles its paginator with a ``style`` attribute,
and Django's change list writes a ``<style>`` block for a model admin that hides its actions.
Forking those templates to take them out would have to be redone at every upgrade, and an
inline style in the admin, whose output Django escapes and only admins see, risks little. The
admin's scripts are held to our rule: Django's admin has no inline script.
"""

from functools import cache, wraps
from urllib.parse import urlsplit

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.urls import reverse

ADMIN_POLICY_UPDATE = {"style-src": [UNSAFE_INLINE]}


@cache
def admin_prefix():
    return reverse("admin:index")


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's looser style rule on the admin's pages (unless
    a view's own decorator already updates the policy)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if parts.update is None and request.path_info.startswith(admin_prefix()):
            parts.update = ADMIN_POLICY_UPDATE
        return parts


def permissions_policy(features):
    """The header's value: ``{"camera": []}`` gives ``camera=()``, the feature off everywhere."""
    return ", ".join(
        f"{feature}=({' '.join(allowed)})" for feature, allowed in sorted(features.items())
    )


def tiles_origin(url):
    """The origin a tile address template loads from, as a CSP source: ``{s}.`` (the tile
    server's subdomains) stands for any subdomain."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1].lower()
    if host.startswith("{s}."):
        host = "*." + host[len("{s}.") :]
    return f"{parts.scheme}://{host}"


def allows_map_tiles(view):
    """A page with the tile map (``MAP_TILES_URL``) may load images from the tile server; no
    other page may, and none when it is unset."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if settings.MAP_TILES_URL:
            response._csp_update = {"img-src": [tiles_origin(settings.MAP_TILES_URL)]}
        return response

    return wrapper


class PermissionsPolicyMiddleware:
    """Sends ``PERMISSIONS_POLICY`` (feature: allowed origins) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response
