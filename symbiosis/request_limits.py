"""What a request may carry before the registry reads it.

- No NUL byte in its address (``refuse_nul_bytes``): no page of the registry has one in its path
  or its query, and PostgreSQL refuses it in text, so it would reach the database as an error.
- A body of at most ``settings.REQUEST_BODY_MAX_BYTES`` (``limit_request_body``), judged by its
  declared length before a byte of it is read: one document with its form. Django bounds the
  fields of a form (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not its files.
- No file past ``settings.DOCUMENT_MAX_BYTES`` is kept (``DocumentSizeUploadHandler``): the
  registry accepts files only as documents, and the document form says which is too large.
- The language switch, which needs no CSRF token, takes a small form only (``small_form_only``).

A refused request gets a page in the visitor's language: ``templates/400.html`` for a request
no page can mean, ``templates/413.html`` for one too large.
"""

import functools
from urllib.parse import unquote

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string

# The language switch posts a language code and the address to return to.
LANGUAGE_SWITCH_MAX_BYTES = 4096


def refuse_nul_bytes(get_response):
    """Middleware: 400 for a NUL byte in the path or the query string, raw or as ``%00``."""

    def middleware(request):
        query = unquote(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path or "\x00" in query:
            raise BadRequest("A NUL byte in the address.")
        return get_response(request)

    return middleware


def limit_request_body(get_response):
    """Middleware: 413 for a body declared larger than ``settings.REQUEST_BODY_MAX_BYTES``,
    unread. (Without a declared length Django reads no body at all.)"""

    def middleware(request):
        if _declared_length(request) > settings.REQUEST_BODY_MAX_BYTES:
            return too_large(settings.REQUEST_BODY_MAX_BYTES)
        return get_response(request)

    return middleware


def small_form_only(view):
    """For a view that takes a small form sent without a CSRF token (the language switch): a
    body over ``LANGUAGE_SWITCH_MAX_BYTES`` is too large (413), refused before it is read; a
    file in a body within it is a bad request (400)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if _declared_length(request) > LANGUAGE_SWITCH_MAX_BYTES:
            return too_large(LANGUAGE_SWITCH_MAX_BYTES)
        if request.method == "POST" and request.FILES:
            raise BadRequest("A file sent to a page that takes a small form.")
        return view(request, *args, **kwargs)

    return wrapped


def too_large(limit):
    """The 413 page: what the registry accepts. Rendered without the request, like 400.html."""
    context = {
        "limit": filesizeformat(limit),
        "document_limit": filesizeformat(settings.DOCUMENT_MAX_BYTES),
    }
    return HttpResponse(render_to_string("413.html", context), status=413)


def _declared_length(request):
    # As Django reads it (WSGIRequest): a missing or unreadable length is no body.
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class DocumentSizeUploadHandler(FileUploadHandler):
    """First of ``FILE_UPLOAD_HANDLERS``: hands each file's bytes on to Django's handlers (memory,
    then a temporary file) until the file is larger than ``settings.DOCUMENT_MAX_BYTES``. Past
    that, its bytes are only counted (what the others kept, at most the limit, is never used and
    is deleted with the request), and the file arrives as an ``OversizedUpload`` of its size,
    which ``agreements.documents.validate_document`` refuses with its message ("This file is
    11.0 MB: the largest file accepted is 10.0 MB.")."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.oversized = False

    def receive_data_chunk(self, raw_data, start):
        if self.oversized:
            return None
        if start + len(raw_data) > settings.DOCUMENT_MAX_BYTES:
            self.oversized = True
            return None
        return raw_data

    def file_complete(self, file_size):
        if not self.oversized:
            return None  # the next handler's file is the upload
        return OversizedUpload(self.file_name, self.content_type, file_size, self.charset)


class OversizedUpload(UploadedFile):
    """A file larger than the registry keeps: its name, type and size, and none of its content.
    Reading it is a bad request (400), so that a form that forgot to check the size cannot save
    an empty file in its place."""

    def __init__(self, name, content_type, size, charset):
        super().__init__(_WithheldContent(), name, content_type, size, charset)


class _WithheldContent:
    mode = "rb"
    closed = False

    def close(self):
        self.closed = True

    def __getattr__(self, name):
        raise RequestDataTooBig("The content of a file over the document limit was not kept.")
