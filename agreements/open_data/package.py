"""Building the open data package and finding the build to serve.

A build is a folder of the ``open_data`` storage, ``builds/<id>/``: one CSV per table
(``tables.TABLES``), ``datapackage.json`` describing them, and ``build.json`` (when it was built,
the content generation it was built from, each table's rows and bytes), written last, so that
a folder without it is a build still being written and is never served. Every table is read
in one snapshot of the database (``read_snapshot``: REPEATABLE READ on PostgreSQL), so every
file of a build shows the same state of the register, and its descriptor gives each file's
size and sha256.

A build is due when the register changed since it was made (``symbiosis.caching``'s content
generation moved on) and it is at least ``OPEN_DATA_REBUILD_MINUTES`` old. The request that
finds it due builds it, holding a lock in the shared cache; every other request meanwhile is
served the previous build. ``manage.py build_open_data`` does the same from cron, so that no
reader waits. The two newest builds are kept (a reader may still be downloading the older one);
older ones are deleted.
"""

import datetime
import hashlib
import json
import logging
import posixpath
import secrets
import tempfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements.open_data.tables import TABLES, cell
from agreements.reporting.exports import csv_stream, read_snapshot
from symbiosis.caching import generation

BUILDS = "builds"
INFO = "build.json"
DESCRIPTOR = "datapackage.json"
CACHE_KEY = "open-data-build"
# How long a process trusts the build it last found, before looking in the storage again:
# another process (with the per-process cache) may have built a newer one.
CACHE_SECONDS = 60
LOCK_KEY = "open-data-building"
LOCK_SECONDS = 30 * 60  # a build that died holding the lock blocks no other for longer
KEPT_BUILDS = 2
CHUNK_SIZE = 2000  # rows read from the database at a time
NAME = "symbiosis-registry"
PROFILE = "tabular-data-package"

logger = logging.getLogger(__name__)


def storage():
    return storages["open_data"]


@dataclass(frozen=True)
class Build:
    id: str
    generation: int
    created: datetime.datetime
    tables: dict = field(default_factory=dict)  # name -> {"rows": n, "bytes": n}

    def path(self, name):
        return posixpath.join(BUILDS, self.id, name)

    def as_dict(self):
        return {
            "id": self.id,
            "generation": self.generation,
            "created": self.created.isoformat(),
            "tables": self.tables,
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            id=data["id"],
            generation=data["generation"],
            created=datetime.datetime.fromisoformat(data["created"]),
            tables=data["tables"],
        )


def _finished_builds():
    """The ids of the builds in the storage that are complete, oldest first."""
    try:
        folders, _files = storage().listdir(BUILDS)
    except FileNotFoundError:
        return []
    return sorted(name for name in folders if storage().exists(posixpath.join(BUILDS, name, INFO)))


def latest(*, refresh=False):
    """The newest complete build, or None if there is none yet."""
    data = None if refresh else cache.get(CACHE_KEY)
    if data is None:
        finished = _finished_builds()
        if not finished:
            return None
        with storage().open(posixpath.join(BUILDS, finished[-1], INFO), "rb") as handle:
            data = json.load(handle)
        cache.set(CACHE_KEY, data, CACHE_SECONDS)
    return Build.from_dict(data)


def is_due(build, *, now):
    """Whether the register changed since ``build`` and it is old enough to be made again."""
    if build is None:
        return True
    if build.generation == generation():
        return False
    interval = datetime.timedelta(minutes=settings.OPEN_DATA_REBUILD_MINUTES)
    return now - build.created >= interval


def current_build(*, now=None):
    """The build to serve: the newest one, made again first if it is due and nobody else is
    making it (the others are served the newest build meanwhile)."""
    now = now or timezone.now()
    build = latest()
    if not is_due(build, now=now):
        return build
    locked = cache.add(LOCK_KEY, now.isoformat(), LOCK_SECONDS)
    if not locked and build is not None:
        return build
    # Without a build yet, a reader waits for one even while another process makes its own.
    try:
        return make_build(now=now)
    except Exception:
        if build is None:
            raise
        # Readers keep the last build rather than an error; the next request tries again.
        logger.exception("The open data package could not be built again.")
        return build
    finally:
        if locked:
            cache.delete(LOCK_KEY)


def open_file(build, name):
    """(the build, its file ``name`` opened for reading; the caller, a FileResponse, closes
    it). Should ``build`` have been deleted since this process last looked (two newer builds
    were made), the newest build's file."""
    try:
        return build, storage().open(build.path(name), "rb")
    except FileNotFoundError:
        build = latest(refresh=True)
        return build, storage().open(build.path(name), "rb")


def make_build(*, now=None):
    """Build the package from one snapshot of the register and make it the one served."""
    # Read before the snapshot: a change committing while the files are written moves the
    # generation past the build's, so the next build is due.
    content_generation = generation()
    now = now or timezone.now()
    build_id = f"{now:%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"
    provisional = Build(id=build_id, generation=content_generation, created=now)
    resources, counts = [], {}
    with read_snapshot():
        for table in TABLES:
            resource, counts[table.name] = _write_table(provisional, table)
            resources.append(resource)
    build = Build(id=build_id, generation=content_generation, created=now, tables=counts)
    text = json.dumps(descriptor(build, resources), ensure_ascii=False, indent=2)
    storage().save(build.path(DESCRIPTOR), ContentFile(text.encode()))
    info = json.dumps(build.as_dict()).encode()
    storage().save(build.path(INFO), ContentFile(info))
    cache.set(CACHE_KEY, build.as_dict(), CACHE_SECONDS)
    _delete_old_builds()
    return build


def _converters(table):
    """The places of a table's cells whose values need writing as Table Schema's formats."""
    return [
        index for index, column in enumerate(table.fields) if column.type in {"boolean", "datetime"}
    ]


def _rows(table):
    places = _converters(table)
    for row in table.values(chunk_size=CHUNK_SIZE):
        if places:
            row = list(row)
            for index in places:
                row[index] = cell(row[index])
        yield row


def _write_table(build, table):
    """Write ``table``'s CSV into ``build``: its resource descriptor and its counts."""
    digest, size, rows = hashlib.sha256(), 0, 0

    def counted(values):
        nonlocal rows
        for row in values:
            rows += 1
            yield row

    with tempfile.TemporaryFile() as output:
        for text in csv_stream(table.header(), counted(_rows(table)), byte_order_mark=False):
            data = text.encode()
            digest.update(data)
            size += len(data)
            output.write(data)
        output.seek(0)
        storage().save(build.path(table.path), File(output, name=table.path))
    with translation.override("en"):
        resource = {
            "name": table.name,
            "path": table.path,
            "profile": "tabular-data-resource",
            "title": str(table.title),
            "description": str(table.description),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": size,
            "hash": f"sha256:{digest.hexdigest()}",
            "schema": table.schema(),
        }
    with translation.override("vi"):
        resource["vi"] = {"title": str(table.title), "description": str(table.description)}
    return resource, {"rows": rows, "bytes": size}


def licence():
    """The package's licence as the Data Package specification writes it."""
    identifier = settings.OPEN_DATA_LICENCE
    path, title = settings.OPEN_DATA_LICENCES[identifier]
    return {"name": identifier, "path": path, "title": title}


def _title():
    return _("Symbiosis Registry: the verified register")


def _description():
    return _(
        "The verified industrial symbiosis agreements of the Symbiosis Registry, their "
        "parties and resource flows, the accepted measured quantities of those flows, and the "
        "parks, organisations and resources they name. Drafts, agreements awaiting "
        "verification and reference data not yet confirmed are never in it."
    )


def descriptor(build, resources):
    """The Data Package descriptor (v1, Tabular Data Package) of a build."""
    with translation.override("en"):
        package = {
            "profile": PROFILE,
            "name": NAME,
            "id": f"{NAME}/{build.id}",
            "title": _title(),
            "description": _description(),
            "created": build.created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "licenses": [licence()],
            "sources": [{"title": _("Symbiosis Registry")}],
            "keywords": ["industrial symbiosis", "eco-industrial parks", "circular economy"],
        }
    # Vietnamese beside the English, as an added property (the specification allows them).
    with translation.override("vi"):
        package["vi"] = {"title": _title(), "description": _description()}
    package["resources"] = resources
    return package


def _delete_old_builds():
    """Keep the newest builds, delete the rest (also a folder a failed build left behind that
    is older than them)."""
    try:
        folders, _files = storage().listdir(BUILDS)
    except FileNotFoundError:
        return
    for name in sorted(folders)[:-KEPT_BUILDS]:
        folder = posixpath.join(BUILDS, name)
        _subfolders, files = storage().listdir(folder)
        for file_name in files:
            storage().delete(posixpath.join(folder, file_name))
        # The folder itself, where the storage has folders (a bucket has none to delete).
        storage().delete(folder)
