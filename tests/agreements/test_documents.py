"""Uploaded documents: PDF, PNG or JPEG by their content, at most 10 MB, stored under a
generated name; a refused file leaves nothing behind, on the upload page and in the admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.db import transaction
from django.urls import reverse

from agreements import services
from agreements.documents import DocumentForm
from agreements.models import Agreement, Document
from tests.agreements.world import make_world
from tests.factories import make_agreement
from tests.pages import admin_form_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("Signed agreement.pdf", PDF, "application/pdf", ".pdf"),
        ("photo.png", PNG, "image/png", ".png"),
        ("scan.jpeg", JPEG, "image/jpeg", ".jpg"),
        # The name says PNG, the content says PDF: the content wins.
        ("misnamed.png", PDF, "application/pdf", ".pdf"),
    ],
)
def test_an_allowed_document_is_stored_under_a_generated_name(
    settings, name, content, content_type, extension
):
    agreement = make_agreement()
    form = DocumentForm({"title": "Scan"}, {"file": upload(name, content, "text/plain")})

    assert form.is_valid(), form.errors
    document = form.save(commit=False)
    document.agreement = agreement
    document.save()

    assert document.original_name == name
    assert document.content_type == content_type
    assert document.size == len(content)
    assert document.file.name.startswith("documents/")
    assert document.file.name.endswith(extension)
    assert name.rsplit(".", 1)[0] not in document.file.name
    assert [path.read_bytes() for path in stored_files(settings)] == [content]


def test_the_title_defaults_to_the_file_name():
    form = DocumentForm({"title": ""}, {"file": upload("Quy che phoi hop.pdf", PDF)})

    assert form.is_valid()
    assert form.cleaned_data["title"] == "Quy che phoi hop"


def test_a_title_over_two_hundred_characters_is_refused():
    form = DocumentForm({"title": "x" * 201}, {"file": upload("scan.pdf", PDF)})

    assert form.errors["title"] == ["Ensure this value has at most 200 characters (it has 201)."]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("agreement.pdf", EXE, "This file is not a PDF, PNG or JPEG document"),
        ("agreement.pdf", b"<html><script>alert(1)</script></html>", "is not a PDF"),
        ("agreement.pdf", b"", "The submitted file is empty."),
    ],
)
def test_a_file_that_is_not_an_allowed_document_is_refused(name, content, message):
    form = DocumentForm({"title": "Scan"}, {"file": upload(name, content)})

    assert not form.is_valid()
    assert message in form.errors["file"][0]


def test_a_file_over_ten_megabytes_is_refused(settings):
    content = PDF + b"0" * (11 * 1024 * 1024)
    form = DocumentForm({"title": "Scan"}, {"file": upload("big.pdf", content)})

    assert not form.is_valid()
    assert [error.replace("\xa0", " ") for error in form.errors["file"]] == [
        "This file is 11.0 MB: the largest file accepted is 10.0 MB."
    ]


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.staff)
    return client


def upload_url(agreement):
    return reverse("agreements:document-upload", kwargs={"reference": agreement.reference})


def test_staff_upload_a_pdf_from_the_upload_page(staff_client, world, settings):
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)

    response = staff_client.post(
        upload_url(agreement),
        {"title": "Signed agreement", "file": upload("signed.pdf", PDF), "is_public": "on"},
        follow=True,
    )

    document = agreement.documents.get()
    assert (document.title, document.is_public, document.uploaded_by) == (
        "Signed agreement",
        True,
        world.staff,
    )
    assert "“Signed agreement” is added to" in response.content.decode()
    assert len(stored_files(settings)) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (EXE, "This file is not a PDF, PNG or JPEG document"),
        (PDF + b"0" * (11 * 1024 * 1024), "This file is 11.0 MB"),
    ],
    ids=["renamed-executable", "eleven-megabytes"],
)
def test_a_refused_upload_shows_why_and_saves_nothing(
    staff_client, world, settings, content, message
):
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)

    response = staff_client.post(
        upload_url(agreement),
        {"title": "My typed title", "file": upload("agreement.pdf", content)},
    )

    assert response.status_code == 200
    html = response.content.decode().replace("\xa0", " ")
    assert message in html
    assert 'value="My typed title"' in html
    assert not Document.objects.exists()
    assert stored_files(settings) == []


class CountingTemporaryFileHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, counting the bytes it writes to disk."""

    written = 0

    def receive_data_chunk(self, raw_data, start):
        CountingTemporaryFileHandler.written += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


def test_a_file_over_the_limit_stops_being_kept_at_the_limit(staff_client, world, settings):
    settings.FILE_UPLOAD_HANDLERS = [
        f"{__name__}.CountingTemporaryFileHandler" if "Temporary" in handler else handler
        for handler in settings.FILE_UPLOAD_HANDLERS
    ]
    CountingTemporaryFileHandler.written = 0
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)

    response = staff_client.post(
        upload_url(agreement),
        {
            "title": "My typed title",
            "file": upload("agreement.pdf", PDF + b"0" * (11 * 1024 * 1024)),
            "is_public": "on",
        },
    )

    html = response.content.decode().replace("\xa0", " ")
    assert "This file is 11.0 MB: the largest file accepted is 10.0 MB." in html
    assert 'value="My typed title"' in html
    assert "checked" in html.split('name="is_public"')[1].split(">")[0]
    assert 0 < CountingTemporaryFileHandler.written <= settings.DOCUMENT_MAX_BYTES
    assert not Document.objects.exists()


def test_the_admin_refuses_a_file_over_the_limit_with_the_same_message(client, world):
    agreement = make_agreement(world.park)
    client.force_login(world.admin)

    response = client.post(
        reverse("admin:agreements_document_add"),
        {
            "agreement": agreement.pk,
            "title": "Scan",
            "file": upload("agreement.pdf", PDF + b"0" * (11 * 1024 * 1024)),
        },
    )

    assert response.status_code == 200
    assert "This file is 11.0 MB" in response.content.decode().replace("\xa0", " ")
    assert not Document.objects.exists()


def test_the_admin_refuses_a_renamed_executable_too(client, world, settings):
    agreement = make_agreement(world.park)
    client.force_login(world.admin)

    response = client.post(
        reverse("admin:agreements_document_add"),
        {"agreement": agreement.pk, "title": "Scan", "file": upload("agreement.pdf", EXE)},
    )

    assert response.status_code == 200
    assert "This file is not a PDF, PNG or JPEG document" in response.content.decode()
    assert not Document.objects.exists()


def test_the_admin_records_what_it_stores(client, world):
    agreement = make_agreement(world.park)
    client.force_login(world.admin)

    client.post(
        reverse("admin:agreements_document_add"),
        {"agreement": agreement.pk, "title": "Scan", "file": upload("signed.pdf", PDF)},
    )

    document = Document.objects.get()
    assert (document.original_name, document.content_type, document.size) == (
        "signed.pdf",
        "application/pdf",
        len(PDF),
    )
    assert document.uploaded_by == world.admin


# Documents in S3-compatible storage (DJANGO_DOCUMENTS_STORAGE=s3), on a local S3 server

PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


def test_an_upload_is_kept_as_a_private_object_in_the_bucket(
    staff_client, world, settings, s3_documents
):
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)

    staff_client.post(
        upload_url(agreement),
        {"title": "Signed agreement", "file": upload("signed.pdf", PDF), "is_public": "on"},
    )

    document = agreement.documents.get()
    assert s3_documents.keys() == [document.file.name]
    assert stored_files(settings) == []
    grants = s3_documents.client.get_object_acl(Bucket=s3_documents.bucket, Key=document.file.name)
    assert {grant["Grantee"].get("URI") for grant in grants["Grants"]}.isdisjoint(PUBLIC_GRANTEES)
    # Nothing hands out a storage URL; one made anyway is signed and expires.
    assert "X-Amz-Signature=" in document.file.url
    assert "X-Amz-Expires=300" in document.file.url


def test_a_document_in_the_bucket_downloads_through_the_permission_checked_view(
    client, staff_client, world, s3_documents
):
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)
    staff_client.post(
        upload_url(agreement), {"title": "Minutes", "file": upload("minutes.pdf", PDF)}
    )
    document = agreement.documents.get()
    assert s3_documents.keys() == [document.file.name]

    response = staff_client.get(document.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"

    client.logout()
    assert client.get(document.get_absolute_url()).status_code == 404


def test_a_document_missing_from_the_bucket_answers_404(staff_client, world, s3_documents):
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)
    staff_client.post(
        upload_url(agreement), {"title": "Minutes", "file": upload("minutes.pdf", PDF)}
    )
    document = agreement.documents.get()
    s3_documents.client.delete_object(Bucket=s3_documents.bucket, Key=document.file.name)

    assert staff_client.get(document.get_absolute_url()).status_code == 404


# --- Erased with their rows ------------------------------------------------------------------


def uploaded(world, agreement=None, *, content=PDF):
    """A document uploaded by the park's staff, its file stored in MEDIA_ROOT (tmp_path)."""
    agreement = agreement or make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)
    document, _ = services.attach_document(
        agreement=agreement,
        title="Confidential",
        file=upload("signed.pdf", content),
        user=world.staff,
    )
    return document


def stored_path(settings, document):
    return settings.MEDIA_ROOT / document.file.name


def test_a_document_deleted_in_the_admin_is_erased_from_disk_once_that_commits(
    client, world, settings, django_capture_on_commit_callbacks
):
    document = uploaded(world)
    client.force_login(world.admin)
    page = reverse("admin:agreements_document_delete", args=[document.pk])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page, {"post": "yes"})
        # Not before the deletion is committed: a rolled-back one must find its file.
        assert stored_path(settings, document).exists()

    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_a_document_removed_on_its_agreements_admin_page_is_erased(
    client, world, settings, django_capture_on_commit_callbacks
):
    document = uploaded(world)
    agreement = Agreement.objects.get(pk=document.agreement_id)
    client.force_login(world.admin)
    page = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    data = admin_form_data(client.get(page))
    data["documents-0-DELETE"] = "on"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, data)

    assert response.status_code == 302
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_deleting_an_agreement_erases_its_documents_files(
    world, settings, django_capture_on_commit_callbacks
):
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)
    uploaded(world, agreement)
    uploaded(world, agreement, content=PNG)
    kept = uploaded(world)

    with django_capture_on_commit_callbacks(execute=True):
        Agreement.objects.filter(pk=agreement.pk).delete()

    assert stored_files(settings) == [stored_path(settings, kept)]


def test_a_deletion_rolled_back_keeps_the_file(world, settings, django_capture_on_commit_callbacks):
    document = uploaded(world)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        document.agreement.delete()
        raise RuntimeError("refused after the delete")

    assert Document.objects.filter(pk=document.pk).exists()
    assert stored_path(settings, document).read_bytes() == PDF


def test_a_file_replaced_in_the_admin_is_erased_once_that_commits(
    client, world, settings, django_capture_on_commit_callbacks
):
    document = uploaded(world)
    old = stored_path(settings, document)
    client.force_login(world.admin)
    page = reverse("admin:agreements_document_change", args=[document.pk])
    data = {**admin_form_data(client.get(page)), "file": upload("corrected.png", PNG)}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, data)
        assert old.exists()

    assert response.status_code == 302
    document.refresh_from_db()
    assert [path.read_bytes() for path in stored_files(settings)] == [PNG]
    assert stored_path(settings, document).exists()


def test_a_replacement_rolled_back_keeps_the_old_file(
    world, settings, django_capture_on_commit_callbacks
):
    document = uploaded(world)
    old = stored_path(settings, document)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        document.file = upload("corrected.png", PNG)
        document.save()
        raise RuntimeError("refused after the save")

    document.refresh_from_db()
    assert stored_path(settings, document) == old
    assert old.read_bytes() == PDF
