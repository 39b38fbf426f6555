"""What a request may carry: a NUL byte in the address is a bad request, answered in the
visitor's language before any page reads it (PostgreSQL refuses NUL in text, so it would
otherwise end as a server error); a body over the limit is refused unread, and the language
switch, open to anyone, takes a small form only."""

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agreements.models import Agreement
from symbiosis.request_limits import OversizedUpload
from tests.agreements.world import make_world
from tests.factories import make_agreement

pytestmark = pytest.mark.django_db

VI = {"HTTP_ACCEPT_LANGUAGE": "vi"}


@pytest.fixture
def world(db):
    return make_world()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("anonymous", "/agreements/A%00B/"),
        ("staff", "/agreements/A%00B/edit/"),
        ("staff", "/agreements/A%00B/history/"),
        ("staff", "/agreements/A%00B/documents/new/"),
        ("staff", "/agreements/new/?park=%00"),
        ("staff", "/agreements/organisations/search/?q=a%00b"),
        ("anonymous", "/agreements/?q=%00"),
        ("admin", "/admin/agreements/agreement/?q=%00"),
        ("admin", "/admin/agreements/agreement/?review_state__exact=%00"),
        ("admin", "/admin/parks/organisation/?country__exact=a%00"),
    ],
)
def test_a_nul_byte_in_the_address_is_a_bad_request_in_the_visitors_language(
    client, world, who, url
):
    if who != "anonymous":
        client.force_login(world.user(who))

    english = client.get(url)
    vietnamese = client.get(url, **VI)

    assert english.status_code == 400
    assert "<h1>Bad request</h1>" in english.content.decode()
    assert vietnamese.status_code == 400
    assert '<html lang="vi">' in vietnamese.content.decode()
    assert vietnamese["Content-Language"] == "vi"


def test_a_nul_byte_in_a_form_sent_by_post_is_the_forms_own_error(client, world):
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)
    client.force_login(world.staff)

    response = client.post(
        reverse("agreements:document-upload", kwargs={"reference": agreement.reference}),
        {"title": "Scan\x00"},
    )

    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


def test_an_address_without_nul_bytes_is_served_as_before(client, world):
    agreement = make_agreement(world.park, reference="HEZA/2023/01")

    assert client.get("/agreements/HEZA/2023/01/").status_code == 200
    assert client.get(agreement.get_absolute_url() + "?q=%2500").status_code == 200


# Bodies


# Over the limit: one document (10 MB) with its form's fields (2.5 MB).
OVER_THE_LIMIT = 13 * 1024 * 1024


def was_read(response):
    return response.wsgi_request.environ["wsgi.input"].read_started


def test_a_body_over_the_limit_is_refused_unread_in_the_visitors_language(client, world):
    agreement = make_agreement(world.park, review_state=Agreement.ReviewState.DRAFT)
    client.force_login(world.staff)
    too_large = b"%PDF-1.7\n" + b"0" * OVER_THE_LIMIT

    response = client.post(
        reverse("agreements:document-upload", kwargs={"reference": agreement.reference}),
        {"title": "Scan", "file": SimpleUploadedFile("scan.pdf", too_large)},
        **VI,
    )

    assert response.status_code == 413
    assert not was_read(response)
    assert '<html lang="vi">' in response.content.decode()
    assert not agreement.documents.exists()


def test_the_413_page_says_what_is_accepted(client):
    response = client.post(
        reverse("login"),
        {"file": SimpleUploadedFile("big.bin", b"0" * OVER_THE_LIMIT)},
    )

    page = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 413
    assert "at most 12.5 MB in one request, and documents of at most 10.0 MB" in page


def test_the_language_switch_refuses_a_file_upload_unread(client):
    response = client.post(
        reverse("set_language"),
        {"language": "vi", "next": "/", "file": SimpleUploadedFile("a.bin", b"0" * 200_000)},
    )

    assert response.status_code == 413
    assert not was_read(response)
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_language_switch_refuses_even_a_small_file(client):
    response = client.post(
        reverse("set_language"),
        {"language": "vi", "next": "/", "file": SimpleUploadedFile("a.bin", b"0" * 100)},
    )

    assert response.status_code == 400
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_language_switch_refuses_a_form_of_more_than_a_few_kilobytes_unread(client):
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/" + "a" * 5000})

    assert response.status_code == 413
    assert not was_read(response)
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_language_switch_takes_its_own_form(client):
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/parks/"})

    assert response.status_code == 302
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "vi"


def test_the_content_of_a_file_over_the_limit_cannot_be_read_by_mistake():
    upload = OversizedUpload("scan.pdf", "application/pdf", 11 * 1024 * 1024, None)

    assert upload.size == 11 * 1024 * 1024
    with pytest.raises(RequestDataTooBig):
        upload.read()
    upload.close()
