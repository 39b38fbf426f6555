"""Caching that is safe by construction.

Two kinds, both keyed by a *content generation* that every committed change to what pages show
moves on, so nothing stale outlives a change (with a shared cache: Redis in production):

- ``cache_public_page``: the whole page of an anonymous visitor, per URL and language. Only
  anonymous GET/HEAD requests that end in a 200, carry no flash message and used no CSRF token
  are stored or served: a signed-in user's page is never cached, nor served to someone else.
- ``cached_data``: figures computed in the database (home page counts, the dashboard), keyed by
  what they depend on (for the dashboard: the official's scope and filters), never by user.

The generation moves on through ``content_changed()``, called after commit by the model signals
that each app connects in its ``ready()`` with ``drop_cached_pages_on_change`` (so admin edits,
services and commands are all covered), and after bulk writes, which send no signals, through
``bulk_written()`` (``agreements/sample_data/synthetic.py``).
"""

import functools
import hashlib
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.http import HttpResponse
from django.utils.translation import get_language

GENERATION_KEY = "content-generation"
CHANGED_AT_KEY = "content-changed-at"
PAGE_TIMEOUT = 10 * 60
DATA_TIMEOUT = 10 * 60


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY, 0)
    return value


def changed_at():
    """When the content last changed (a POSIX timestamp), as far as the cache knows: when the
    generation last moved on, or, when the cache has forgotten it, when this was first asked
    since (later than the truth, never earlier). The API's Last-Modified (agreements/api/)."""
    value = cache.get(CHANGED_AT_KEY)
    if value is None:
        cache.add(CHANGED_AT_KEY, time.time(), None)
        value = cache.get(CHANGED_AT_KEY) or time.time()
    return value


def _move_on():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache (evicted, or a fresh cache): start a new one
        cache.set(GENERATION_KEY, time.time_ns(), None)
    cache.set(CHANGED_AT_KEY, time.time(), None)


def content_changed(**_signal_kwargs):
    """Forget every cached page and figure once the current transaction commits (once per
    transaction, however many rows it writes)."""
    connection = transaction.get_connection()
    # Django keeps the pending callbacks as (savepoint ids, callback, robust) and drops them
    # on rollback, so this asks whether this transaction already has one.
    if not any(entry[1] is _move_on for entry in connection.run_on_commit):
        transaction.on_commit(_move_on)


# Sent once a bulk write has committed. Bulk writes send no model signals, so what keeps
# figures derived from the rows (agreements/reporting/figures.py) listens to this instead.
bulk_changed = Signal()


def bulk_written():
    """Inside the transaction of a bulk write: once it commits, every cached page and figure
    is stale, and ``bulk_changed`` is sent."""
    content_changed()
    transaction.on_commit(lambda: bulk_changed.send(sender=None))


def drop_cached_pages_on_change(*models):
    """Cache invalidation, not a domain step: every write to what pages show, whatever its path
    (services, admin, commands), makes cached pages and figures stale."""
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(content_changed, sender=model, dispatch_uid=f"cache-{model.__name__}")


def _key(kind, *parts):
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"{kind}:{generation()}:{digest}"


def cached_data(name, *parts, compute, timeout=DATA_TIMEOUT):
    """``compute()``'s result, kept until the content changes; ``parts`` are all it depends
    on besides the content (the language is not one: keep labels lazy)."""
    key = _key("data", name, *parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def _cacheable_request(request):
    return (
        request.method in {"GET", "HEAD"}
        and not request.user.is_authenticated
        and not len(getattr(request, "_messages", ()))
    )


def cache_public_page(view, *, params=()):
    """Serve anonymous visitors a stored copy of the page, per URL and language.

    ``params``: the query parameters the page reads. A request with any other parameter is
    served but not stored, so made-up parameters cannot fill the cache or bypass it at will.

    Public pages only read, so they run outside ATOMIC_REQUESTS' transaction: a stored page is
    served without touching the database at all."""
    known = frozenset(params)

    @transaction.non_atomic_requests
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request) or not known.issuperset(request.GET):
            return view(request, *args, **kwargs)
        query = sorted((name, value) for name in request.GET for value in request.GET.getlist(name))
        key = _key("page", get_language(), request.path, query)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)

        def store(rendered):
            if (
                rendered.status_code == 200
                and not rendered.streaming
                and not rendered.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            ):
                cache.set(key, (rendered.content, rendered["Content-Type"]), PAGE_TIMEOUT)

        if hasattr(response, "add_post_render_callback"):
            response.add_post_render_callback(store)
        else:
            store(response)
        return response

    return wrapper
