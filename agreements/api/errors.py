"""The API's answers to requests no endpoint reads: JSON, as its endpoints' own errors are, in the
reader's language (``symbiosis/urls.py`` names these as its ``handler400`` and ``handler404``; any
other address keeps the site's pages, ``templates/400.html`` and ``templates/404.html``)."""

import math

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response

API_PREFIX = "/api/v1/"


def _is_api(request):
    return request.path_info.startswith(API_PREFIX)


def bad_request(request, exception):
    """A request refused before any view (a NUL byte in its address: symbiosis/request_limits)."""
    if _is_api(request):
        message = _("The address holds characters that the API cannot read.")
        return JsonResponse({"detail": message}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    """An address that is no endpoint's (a slug with characters no slug has, say)."""
    if _is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


class TooManyRequests(exceptions.Throttled):
    """DRF's 429, saying how long to wait in the reader's language (DRF's own sentence is made
    of two untranslated halves)."""

    def __init__(self, wait=None):
        self.wait = math.ceil(wait) if wait is not None else None
        if self.wait is None:
            detail = _("Too many requests: ask again later.")
        else:
            detail = ngettext(
                "Too many requests: ask again in %(wait)d second.",
                "Too many requests: ask again in %(wait)d seconds.",
                self.wait,
            ) % {"wait": self.wait}
        exceptions.APIException.__init__(self, detail, code="throttled")


def exception_handler(exc, context):
    """DRF's answer to an error (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``), less its rollback: the
    API's views only read, outside any transaction of their own (``agreements/api/urls.py``), so
    the one transaction DRF could mark for rollback would be a caller's (a test's)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))  # not Django's English "No Park matches..."
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {"Retry-After": str(math.ceil(exc.wait))} if getattr(exc, "wait", None) else {}
    data = exc.detail if isinstance(exc.detail, list | dict) else {"detail": exc.detail}
    return Response(data, status=exc.status_code, headers=headers)
