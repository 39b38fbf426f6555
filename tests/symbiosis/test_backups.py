"""`manage.py backup` writes one archive that `manage.py restore` brings back, row for row and
byte for byte, into an empty database and an empty documents' storage; it refuses any other
target, and an archive that differs from its manifest, before changing anything.

The backup runs in the test's process on the test database (SQLite, or PostgreSQL when
DATABASE_URL points at it); the restore runs as `make restore` does, in a process of its own,
into a new empty database."""

import gzip
import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from agreements import services
from agreements.models import Agreement, Document
from agreements.sample_data.demo import load_demo
from tests.factories import make_agreement, make_park_staff
from tests.storage import run_manage, s3_environment

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32


@pytest.fixture
def registry(client):
    """The demo, a draft with two documents, an edit (history rows) and a signed-in user."""
    load_demo()
    agreement = Agreement.objects.get(reference="DEEPC-2023-IUS-01")
    staff = make_park_staff(agreement.park)
    draft = make_agreement(agreement.park, review_state=Agreement.ReviewState.DRAFT)
    for name, content in [("signed.pdf", PDF), ("photo.png", PNG)]:
        services.attach_document(
            agreement=draft,
            title=name,
            file=SimpleUploadedFile(name, content),
            is_public=True,
            user=staff,
        )
    draft.title_en = "Treated wastewater for cooling (corrected)"
    draft._history_user = staff
    draft.save()
    client.force_login(staff)
    return agreement


def backup(tmp_path, *args):
    call_command("backup", "--dir", str(tmp_path / "backups"), *args, stdout=io.StringIO())
    (archive,) = (tmp_path / "backups").glob("symbiosis-*.tar.gz")
    return archive


def restore(archive, database_url, media_root, **env):
    return run_manage(
        "restore",
        str(archive),
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(media_root),
        **env,
    )


def source_rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
        return cursor.fetchall()


def source_counts():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return {table: len(source_rows(table)) for table in tables}


class Restored:
    """What a database URL holds, read with the plain driver, not through the project."""

    def __init__(self, url):
        if url.startswith("postgres"):
            import psycopg2

            self.connection = psycopg2.connect(url)
            self.tables_query = (
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        else:
            # Read with the converters Django's SQLite backend registers, as the source is.
            self.connection = sqlite3.connect(
                url.removeprefix("sqlite:///"),
                detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
            )
            self.tables_query = (
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY 1"
            )

    def tables(self):
        cursor = self.connection.cursor()
        cursor.execute(self.tables_query)
        return [name for (name,) in cursor.fetchall()]

    def rows(self, table):
        cursor = self.connection.cursor()
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        return cursor.fetchall()

    def counts(self):
        return {table: len(self.rows(table)) for table in self.tables()}

    def close(self):
        self.connection.close()


def checksums(folder):
    folder = Path(folder)
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def rewrite(archive, change):
    """Write the archive again with ``change(name, content)`` applied to each file's content
    (None leaves a file out); the manifest is kept as it was."""
    with tarfile.open(archive, "r:gz") as tar:
        files = [(member.name, tar.extractfile(member).read()) for member in tar.getmembers()]
    with tarfile.open(archive, "w:gz") as tar:
        for name, content in files:
            content = change(name, content)
            if content is not None:
                info = tarfile.TarInfo(name)
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))


def manifest_of(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


# The round trip


def test_a_backup_restores_every_row_history_and_document_into_an_empty_database(
    registry, settings, tmp_path, empty_database
):
    archive = backup(tmp_path)

    result = restore(archive, empty_database, tmp_path / "restored-media")

    assert result.returncode == 0, result.stderr
    assert f"Restored {archive}" in result.stdout
    restored = Restored(empty_database)
    try:
        expected = source_counts()
        # Sign-ins are not kept: after a restore everyone signs in again.
        assert expected["django_session"] >= 1
        assert restored.counts() == {**expected, "django_session": 0}
        history = [table for table in expected if "_historical" in table]
        assert "agreements_historicalagreement" in history
        for table in history:
            assert restored.rows(table) == source_rows(table), table
    finally:
        restored.close()
    documents = checksums(settings.MEDIA_ROOT)
    assert len(documents) == Document.objects.count() == 2
    assert checksums(tmp_path / "restored-media") == documents


def test_the_manifest_lists_the_rows_of_each_table_and_the_checksum_of_each_document(
    registry, settings, tmp_path
):
    archive = backup(tmp_path)

    manifest = manifest_of(archive)
    assert manifest["tables"] == {**source_counts(), "django_session": 0}
    assert manifest["media"] == checksums(settings.MEDIA_ROOT)
    assert archive.stat().st_mode & 0o077 == 0  # only its owner may read it


def test_documents_in_a_bucket_are_backed_up_and_restored_into_an_empty_bucket(
    s3_documents, s3_server, tmp_path, empty_database
):
    draft = make_agreement(review_state=Agreement.ReviewState.DRAFT)
    services.attach_document(
        agreement=draft,
        title="Kept in the bucket",
        file=SimpleUploadedFile("bucket.pdf", PDF),
        user=None,
    )
    (key,) = s3_documents.keys()
    archive = backup(tmp_path)
    assert manifest_of(archive)["media"] == {key: hashlib.sha256(PDF).hexdigest()}

    target = s3_environment(s3_server, bucket=f"{s3_documents.bucket}-restored")
    s3_documents.client.create_bucket(Bucket=target["AWS_STORAGE_BUCKET_NAME"])
    result = restore(archive, empty_database, tmp_path / "unused", **target)

    assert result.returncode == 0, result.stderr
    restored = s3_documents.client.get_object(Bucket=target["AWS_STORAGE_BUCKET_NAME"], Key=key)
    assert restored["Body"].read() == PDF


# Refusals: nothing is changed


def changed_document(name, content):
    return content + b"tampered" if name.startswith("media/") and name.endswith(".png") else content


def changed_database(name, content):
    return content[:-1] + bytes([content[-1] ^ 1]) if name.startswith("database.") else content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (changed_document, "differs from the manifest's checksum"),
        (changed_database, "The database file differs from the manifest's checksum"),
        (lambda name, content: None if name.endswith(".pdf") else content, "lacks files"),
    ],
    ids=["changed-document", "changed-database", "missing-document"],
)
def test_an_archive_that_differs_from_its_manifest_is_refused_and_nothing_is_restored(
    registry, tmp_path, empty_database, change, message
):
    archive = backup(tmp_path)
    rewrite(archive, change)

    result = restore(archive, empty_database, tmp_path / "restored-media")

    assert result.returncode != 0
    assert message in result.stderr
    assert "Nothing was restored." in result.stderr
    restored = Restored(empty_database)
    try:
        assert restored.tables() == []
    finally:
        restored.close()
    assert not (tmp_path / "restored-media").exists()


def test_a_restored_database_whose_rows_differ_from_the_manifest_is_an_error(
    registry, tmp_path, empty_database
):
    archive = backup(tmp_path)
    agreements = manifest_of(archive)["tables"]["agreements_agreement"]

    def one_more_agreement(name, content):
        if name != "manifest.json":
            return content
        manifest = json.loads(content)
        manifest["tables"]["agreements_agreement"] += 1
        return json.dumps(manifest).encode()

    rewrite(archive, one_more_agreement)

    result = restore(archive, empty_database, tmp_path / "restored-media")

    assert result.returncode != 0
    assert (
        f"The restored database differs from the manifest: agreements_agreement: "
        f"{agreements + 1} in the manifest, {agreements} restored. Do not use it"
    ) in result.stderr


def test_a_file_that_is_not_an_archive_is_refused(tmp_path, empty_database):
    bogus = tmp_path / "symbiosis-20240101-000000.tar.gz"
    bogus.write_bytes(gzip.compress(b"not a tar file at all")[:20])

    result = restore(bogus, empty_database, tmp_path / "restored-media")

    assert result.returncode != 0
    assert str(bogus) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_restore_into_a_database_with_rows_is_refused_and_changes_nothing(
    registry, settings, tmp_path
):
    archive = backup(tmp_path)
    Agreement.objects.filter(reference="DEEPC-2023-IUS-01").update(title_en="Changed since")
    before, documents = source_counts(), checksums(settings.MEDIA_ROOT)

    with pytest.raises(CommandError, match="is not empty: .* have rows"):
        call_command("restore", str(archive))

    assert source_counts() == before
    assert Agreement.objects.get(reference="DEEPC-2023-IUS-01").title_en == "Changed since"
    assert checksums(settings.MEDIA_ROOT) == documents


def test_a_restore_into_a_folder_with_documents_is_refused_and_changes_nothing(
    registry, tmp_path, empty_database
):
    archive = backup(tmp_path)
    media = tmp_path / "restored-media"
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "someone-elses.pdf").write_bytes(PDF)

    result = restore(archive, empty_database, media)

    assert result.returncode != 0
    assert "The documents' storage is not empty: it holds 1 files" in result.stderr
    assert checksums(media) == {"documents/someone-elses.pdf": hashlib.sha256(PDF).hexdigest()}
    restored = Restored(empty_database)
    try:
        assert restored.tables() == []
    finally:
        restored.close()


# Keeping N


def test_keep_deletes_all_but_the_newest_archives(registry, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    for name in ["symbiosis-20240101-000000.tar.gz", "symbiosis-20240102-000000.tar.gz"]:
        (folder / name).write_bytes(b"an older archive")
    (folder / "notes.txt").write_text("not an archive: never deleted")

    call_command("backup", "--dir", str(folder), "--keep", "2", stdout=io.StringIO())

    names = sorted(path.name for path in folder.iterdir())
    assert names[0] == "notes.txt"
    assert names[1] == "symbiosis-20240102-000000.tar.gz"
    assert names[2].startswith("symbiosis-20") and names[2] > names[1]
    assert len(names) == 3
