"""A form larger than a request may carry (``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields), shown again
instead of lost.

Django refuses such a request whole, with a bare "Bad Request (400)", and whatever the user typed
is gone. A view that can show its form again from the fields read so far says so with
``shows_cut_forms = True``: for it, ``CutFormMiddleware`` reads the first
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields of a URL-encoded form (as browsers send one without a
file) and marks the request ``form_cut``. Such a view must show the form again and save nothing
(the fields after the cut are missing). Every other view, and any other body, keeps Django's
refusal.

The middleware comes before ``CsrfViewMiddleware``, which reads the form first for its token: the
token is a form's first field, so it is among those read.
"""

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.http import QueryDict

URLENCODED = "application/x-www-form-urlencoded"


class CutFormMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        view = getattr(view_func, "view_class", view_func)
        if request.method != "POST" or not getattr(view, "shows_cut_forms", False):
            return None
        try:
            request.POST  # noqa: B018 (read here, or refused: Django's TooManyFieldsSent)
        except TooManyFieldsSent:
            if request.content_type != URLENCODED:
                raise
            request.POST = first_fields(request.body, settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
            request.form_cut = True
        return None


def first_fields(body, limit):
    """The first ``limit`` fields of a URL-encoded ``body``."""
    return QueryDict(b"&".join(body.split(b"&", limit)[:limit]))
