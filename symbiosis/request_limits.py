"""What a request may carry before the registry reads it.

- No NUL byte in its address (``refuse_nul_bytes``): no page of the registry has one in its path
  or its query, and PostgreSQL refuses it in text, so it would reach the database as an error.

A refused request gets a page in the visitor's language: ``templates/400.html`` for a request
no page can mean.
"""

from urllib.parse import unquote

from django.core.exceptions import BadRequest


def refuse_nul_bytes(get_response):
    """Middleware: 400 for a NUL byte in the path or the query string, raw or as ``%00``."""

    def middleware(request):
        query = unquote(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path or "\x00" in query:
            raise BadRequest("A NUL byte in the address.")
        return get_response(request)

    return middleware
