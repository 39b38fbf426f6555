"""Client errors in the request log: one line each, no traceback.

Django's ``django.request`` logger reports a refused request (``PermissionDenied``: 403; a
malformed one: 400) at WARNING with the exception's traceback, a screenful of the registry's
own frames for what is no fault of the code. ``ClientErrorsOnOneLine`` (settings.LOGGING)
rewrites such a record as "Forbidden (403): /path user=<id>" and drops the traceback; server
errors (5xx) keep theirs.
"""

import logging
from http.client import responses


def _user_id(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "-"
    return user.pk


class ClientErrorsOnOneLine(logging.Filter):
    def filter(self, record):
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if record.exc_info and request is not None and status and 400 <= status < 500:
            # Escaped as Django escapes it, so that a crafted path cannot forge a log line.
            path = request.path.encode("unicode_escape").decode("ascii")
            record.msg = "%s (%s): %s user=%s"
            record.args = (responses.get(status, "Client Error"), status, path, _user_id(request))
            record.exc_info = record.exc_text = None
        return True
