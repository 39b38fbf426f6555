"""Backups that restore: one archive with the database, the uploaded documents and a manifest
of what both must be.

``make_backup`` writes ``symbiosis-YYYYmmdd-HHMMSS.tar.gz`` holding

- the database: PostgreSQL through ``pg_dump`` (custom format, run with the connection of
  ``DATABASES["default"]``), SQLite through its online backup API; every table, the history
  tables of django-simple-history included, but no sign-in sessions (below);
- the documents, read through the storage (``default_storage``), so that a folder and a bucket
  of S3-compatible storage are backed up alike, under ``media/``;
- ``manifest.json``: the rows of each table and the sha256 of the database file and of each
  document.

The row counts are those of the dump itself: on PostgreSQL they are counted in the snapshot
``pg_dump`` reads (``--snapshot``), on SQLite in the copy. The documents are read after the
database: they are never changed or deleted once stored, so every document the dump refers
to is in the archive (one uploaded meanwhile is there too, unreferenced, and harmless).

``restore_backup`` reads the archive whole and checks it against its manifest before touching
anything; it refuses a database with rows (on PostgreSQL, with any table) and a storage with
files; then it restores the database, the documents, and checks both again against the
manifest: the rows of every table, the checksum of every document read back from the storage.

Sessions are left out: after a restore everyone signs in again (a restore follows an incident,
when old sign-ins should end anyway), and an archive holds no session that could be replayed.
The cache is not in the database (Redis or per process): it fills again by itself.
"""

import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
# Tables whose rows an archive never holds (their tables are kept, empty).
ROWS_NOT_KEPT = ["django_session"]
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
ARCHIVE_NAME = re.compile(r"symbiosis-\d{8}-\d{6}\.tar\.gz")
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on: the message says why, and what to do."""


@dataclass(frozen=True)
class Summary:
    archive: Path
    tables: int
    rows: int
    documents: int

    def __str__(self):
        return (
            f"{self.archive}: {self.tables} tables, {self.rows:,} rows, "
            f"{self.documents:,} document{'' if self.documents == 1 else 's'}"
        )


# Backup


def make_backup(*, directory, keep=None):
    """Write an archive of the database and the documents into ``directory`` and return its
    ``Summary``; with ``keep``, then delete all but the ``keep`` newest archives there."""
    if keep is not None and keep < 1:
        raise BackupError("--keep must be at least 1: the archive just written is kept.")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"symbiosis-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
    if target.exists():
        raise BackupError(f"{target} exists already: wait a second and run the backup again.")
    partial = target.with_name(f".{target.name}.partial")
    try:
        with tempfile.TemporaryDirectory() as work:
            database, tables = _dump_database(Path(work))
            # Only its owner may read the archive: it holds password hashes and documents.
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                with database.open("rb") as handle:
                    database_sha256 = _add(tar, database.name, handle, database.stat().st_size)
                documents = _add_documents(tar, default_storage)
                manifest = {
                    "format": FORMAT,
                    "created_at": timezone.now().isoformat(),
                    "database": {
                        "engine": connection.vendor,
                        "file": database.name,
                        "sha256": database_sha256,
                        "rows_not_kept": ROWS_NOT_KEPT,
                    },
                    "tables": tables,
                    "media": documents,
                }
                content = json.dumps(manifest, indent=2, sort_keys=True).encode()
                _add(tar, MANIFEST, io.BytesIO(content), len(content))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    if keep is not None:
        archives = sorted(path for path in directory.iterdir() if ARCHIVE_NAME.fullmatch(path.name))
        for old in archives[:-keep]:
            old.unlink()
    return Summary(target, len(tables), sum(tables.values()), len(documents))


def _dump_database(work):
    """The database as one file in ``work``, and the rows of each table in that file."""
    if connection.in_atomic_block:
        raise BackupError("Run the backup outside a transaction.")
    if connection.vendor == "postgresql":
        return _dump_postgresql(work)
    if connection.vendor == "sqlite":
        return _dump_sqlite(work)
    raise BackupError(f"Backups know PostgreSQL and SQLite, not {connection.vendor}.")


def _dump_postgresql(work):
    path = work / DATABASE_FILES["postgresql"]
    pg_dump = _client_program("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        # One snapshot for the counts and the dump: pg_dump reads exactly what was counted.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        tables = _row_counts(cursor, _tables(cursor))
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                *(f"--exclude-table-data={table}" for table in ROWS_NOT_KEPT),
                f"--file={path}",
            ]
        )
    return path, {table: 0 if table in ROWS_NOT_KEPT else rows for table, rows in tables.items()}


def _dump_sqlite(work):
    path = work / DATABASE_FILES["sqlite"]
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        names = _tables(cursor)
        for table in ROWS_NOT_KEPT:
            if table in names:
                cursor.execute(f'DELETE FROM "{table}"')
        copy.commit()
        # Deleted rows leave no trace in the file's free pages.
        copy.execute("VACUUM")
        tables = _row_counts(cursor, names)
    finally:
        copy.close()
    return path, tables


def _add_documents(tar, storage):
    """Add every file of the storage under ``media/``; return their sha256 by name."""
    checksums = {}
    for name in stored_files(storage):
        try:
            with storage.open(name, "rb") as handle:
                checksums[name] = _add(tar, MEDIA + name, handle, storage.size(name))
        except (OSError, tarfile.TarError) as error:
            raise BackupError(f"The document {name} could not be read: {error}.") from None
    return checksums


def _add(tar, name, handle, size):
    """Add ``size`` bytes read from ``handle`` as the file ``name``; return their sha256."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(timezone.now().timestamp())
    hashing = _Hashing(handle)
    tar.addfile(info, hashing)
    return hashing.hexdigest()


# Restore


def restore_backup(*, archive):
    """Restore an archive into the empty database and documents' storage of the settings;
    return its ``Summary``. Raises ``BackupError``, having changed nothing, when the archive
    differs from its manifest or the database or the storage is not empty."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file. Nothing was restored.")
    with tempfile.TemporaryDirectory() as work, _open_archive(archive) as tar:
        try:
            manifest, members = _read_manifest(tar, archive)
            database = _check_archive(tar, manifest, members, Path(work))
            _refuse_unless_empty(default_storage)
        except BackupError as error:
            raise BackupError(f"{error} Nothing was restored.") from None
        _restore_database(database, manifest)
        _restore_documents(tar, manifest, members, default_storage)
    tables = manifest["tables"]
    return Summary(archive, len(tables), sum(tables.values()), len(manifest["media"]))


def _open_archive(archive):
    try:
        return tarfile.open(archive, mode="r:gz")
    except (OSError, EOFError, zlib.error, tarfile.TarError) as error:
        raise BackupError(
            f"{archive} is not a backup archive ({error}). Nothing was restored."
        ) from None


def _read_manifest(tar, archive):
    """The manifest, and the archive's members by name once they are those it lists."""
    try:
        members = tar.getmembers()
    except (OSError, EOFError, zlib.error, tarfile.TarError) as error:
        raise BackupError(f"{archive} is damaged: {error}.") from None
    by_name = {}
    for member in members:
        if member.name in by_name or not member.isfile():
            raise BackupError(f"{archive}: {member.name} is not a plain file, or twice there.")
        by_name[member.name] = member
    if MANIFEST not in by_name:
        raise BackupError(f"{archive} has no {MANIFEST}: it is not a backup of this registry.")
    try:
        manifest = json.load(tar.extractfile(by_name[MANIFEST]))
        engine, file = manifest["database"]["engine"], manifest["database"]["file"]
        tables, media = manifest["tables"], manifest["media"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"{archive}: its {MANIFEST} cannot be read ({error}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is of format {manifest.get('format')!r}, not {FORMAT}.")
    if engine != connection.vendor:
        raise BackupError(
            f"{archive} holds a {engine} database, and DATABASE_URL points at {connection.vendor}."
        )
    if (
        file not in DATABASE_FILES.values()
        or not isinstance(tables, dict)
        or not all(isinstance(rows, int) for rows in tables.values())
        or not isinstance(media, dict)
    ):
        raise BackupError(f"{archive}: its {MANIFEST} cannot be read.")
    for name in media:
        if not _is_safe_name(name):
            raise BackupError(f"{archive}: the document name {name!r} is not a plain path.")
    expected = {MANIFEST, file} | {MEDIA + name for name in media}
    if unexpected := sorted(set(by_name) - expected):
        raise BackupError(f"{archive} holds files its manifest does not list: {unexpected[:5]}.")
    if missing := sorted(expected - set(by_name)):
        raise BackupError(f"{archive} lacks files its manifest lists: {missing[:5]}.")
    return manifest, by_name


def _check_archive(tar, manifest, members, work):
    """Check every file of the archive against the manifest's checksum, reading them in the
    archive's order; return the database file, copied into ``work``."""
    database_member = manifest["database"]["file"]
    database = work / PurePosixPath(database_member).name
    for member_name, member in members.items():
        if member_name == database_member:
            with database.open("wb") as copy:
                digest = _copy(tar.extractfile(member), copy)
            if digest != manifest["database"]["sha256"]:
                raise BackupError(
                    "The database file differs from the manifest's checksum: the archive is "
                    "damaged or was changed."
                )
        elif member_name != MANIFEST:
            name = member_name.removeprefix(MEDIA)
            if _copy(tar.extractfile(member)) != manifest["media"][name]:
                raise BackupError(
                    f"The document {name} differs from the manifest's checksum: the archive "
                    f"is damaged or was changed."
                )
    return database


def _refuse_unless_empty(storage):
    """Refuse a database with rows (or, on PostgreSQL, with tables, which pg_restore would
    collide with) and a storage with files: a restore never overwrites anything."""
    with connection.cursor() as cursor:
        tables = _tables(cursor)
        filled = [table for table in tables if _has_rows(cursor, table)]
    database = connection.settings_dict["NAME"]
    if filled:
        raise BackupError(
            f"The database {database} is not empty: {', '.join(filled[:5])}"
            f"{' and others' if len(filled) > 5 else ''} have rows. Restore into a new, empty "
            f"database (create it, and do not run migrate on it)."
        )
    if tables and connection.vendor == "postgresql":
        raise BackupError(
            f"The database {database} has tables ({', '.join(tables[:5])}), empty but in the "
            f"way of the restored ones. Restore into a new, empty database (create it, and do "
            f"not run migrate on it)."
        )
    if files := stored_files(storage):
        raise BackupError(
            f"The documents' storage is not empty: it holds {len(files)} files ({files[0]}, ...). "
            f"Restore into an empty folder (DJANGO_MEDIA_ROOT) or bucket."
        )


def _restore_database(database, manifest):
    if connection.in_atomic_block:
        raise BackupError("Run the restore outside a transaction.")
    if connection.vendor == "postgresql":
        _run(
            [
                _client_program("pg_restore"),
                f"--dbname={connection.settings_dict['NAME']}",
                "--single-transaction",
                "--exit-on-error",
                # Owned by, and granted as, the role of DATABASE_URL, whatever they were.
                "--no-owner",
                "--no-acl",
                str(database),
            ]
        )
    else:
        connection.ensure_connection()
        archived = sqlite3.connect(database)
        try:
            archived.backup(connection.connection)
        finally:
            archived.close()
    with connection.cursor() as cursor:
        found = _row_counts(cursor, _tables(cursor))
    if found != manifest["tables"]:
        differences = [
            f"{table}: {manifest['tables'].get(table, 'no table')} in the manifest, "
            f"{found.get(table, 'no table')} restored"
            for table in sorted(set(found) | set(manifest["tables"]))
            if found.get(table) != manifest["tables"].get(table)
        ]
        raise BackupError(
            "The restored database differs from the manifest: "
            + "; ".join(differences[:5])
            + ". Do not use it: drop it, and restore another archive."
        )


def _restore_documents(tar, manifest, members, storage):
    for member_name, member in members.items():
        if not member_name.startswith(MEDIA):
            continue
        name = member_name.removeprefix(MEDIA)
        with tar.extractfile(member) as handle:
            saved = storage.save(name, File(handle, name=posixpath.basename(name)))
        if saved != name:
            raise BackupError(f"The document {name} was stored as {saved}.")
    for name, expected in manifest["media"].items():
        with storage.open(name, "rb") as handle:
            if _copy(handle) != expected:
                raise BackupError(
                    f"The document {name} read back from the storage differs from the "
                    f"manifest's checksum."
                )


# Shared by both


def stored_files(storage, directory=""):
    """The names of every file in ``storage`` (in a folder or a bucket alike), sorted."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [posixpath.join(directory, name) for name in files]
    for subdirectory in directories:
        names += stored_files(storage, posixpath.join(directory, subdirectory))
    return sorted(names)


def _row_counts(cursor, tables):
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        (counts[table],) = cursor.fetchone()
    return counts


def _has_rows(cursor, table):
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {connection.ops.quote_name(table)})")
    return bool(cursor.fetchone()[0])


def _tables(cursor):
    """The database's tables, but SQLite's own (``sqlite_sequence``, ``sqlite_stat1``)."""
    return [
        table
        for table in connection.introspection.table_names(cursor)
        if not table.startswith("sqlite_")
    ]


def _is_safe_name(name):
    """A relative path of plain names: nothing a restore could write outside its storage."""
    if not isinstance(name, str) or not name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and str(path) == name and ".." not in path.parts


def _client_program(name):
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client of the server's major "
            f"version (Debian: postgresql-client-15 for PostgreSQL 15)."
        )
    return program


def _run(command):
    """Run a PostgreSQL client with the connection of DATABASES["default"] (PGHOST, PGPORT,
    PGUSER, PGDATABASE, PGPASSWORD and the SSL options, never on the command line)."""
    settings = connection.settings_dict
    _, client_environment = connection.client.settings_to_cmd_args_env(settings, [])
    environment = {**os.environ, **(client_environment or {})}
    for variable, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGDATABASE", "NAME"),
    ]:
        if settings.get(key):
            environment[variable] = str(settings[key])
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed: {result.stderr.strip() or result.returncode}")


def _copy(source, target=None):
    """Read ``source`` to its end (into ``target`` if given); return the sha256 of it."""
    digest = hashlib.sha256()
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        if target is not None:
            target.write(chunk)
    return digest.hexdigest()


class _Hashing:
    """A file read through, its sha256 kept."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk

    def hexdigest(self):
        return self.digest.hexdigest()
