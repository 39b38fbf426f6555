"""The open data pages: ``/data/`` explains the package, ``/data/datapackage.json`` and
``/data/<table>.csv`` are its files, all from the same build (``package.current_build``).

The files are served from the build's stored files (a ``FileResponse`` reads them in blocks:
memory stays flat for any size, and no request queries the database unless it is the one that
makes a due build). Each answer carries the build's id as its ETag and its time as
Last-Modified, so a reader asking again with ``If-None-Match`` gets a 304 until the next build.
The views run outside ATOMIC_REQUESTS' transaction, so that a build they start reads its
snapshot in a transaction of its own."""

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from agreements.open_data import package
from agreements.open_data.tables import BY_NAME, TABLES


@require_safe
@transaction.non_atomic_requests
def index(request):
    build = package.current_build()
    tables = [
        {
            "table": table,
            "url": reverse("open_data:table", kwargs={"name": table.name}),
            **build.tables.get(table.name, {"rows": 0, "bytes": 0}),
        }
        for table in TABLES
    ]
    package_url = request.build_absolute_uri(reverse("open_data:datapackage"))
    return render(
        request,
        "open_data/index.html",
        {
            "build": build,
            "licence": package.licence(),
            "tables": tables,
            "package_url": package_url,
            "rebuild_minutes": settings.OPEN_DATA_REBUILD_MINUTES,
        },
    )


def _validators(build):
    return f'"{build.id}"', int(build.created.timestamp())


def _serve(request, build, name, content_type):
    etag, last_modified = _validators(build)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        build, file = package.open_file(build, name)
        etag, last_modified = _validators(build)
        response = FileResponse(file, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Readers may keep a copy for a minute; after that they ask again (a 304 until a new build).
    patch_cache_control(response, public=True, max_age=60)
    return response


@require_safe
@transaction.non_atomic_requests
def datapackage(request):
    build = package.current_build()
    return _serve(request, build, package.DESCRIPTOR, "application/json")


@require_safe
@transaction.non_atomic_requests
def table(request, name):
    if name not in BY_NAME:
        raise Http404
    build = package.current_build()
    return _serve(request, build, BY_NAME[name].path, "text/csv; charset=utf-8")
