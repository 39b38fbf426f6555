"""``/favicon.ico``, which browsers, feed readers and crawlers ask for whatever the page links:
sent on to the static icon (static/favicon.ico), so the request is not a 404 in the logs.

A temporary redirect kept for a day: the static file's name carries its hash, and a permanent
redirect would hold a browser to an old icon after a change."""

from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe


@require_safe
def favicon(request):
    response = HttpResponseRedirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
