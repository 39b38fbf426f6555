"""What a request may carry: a NUL byte in the address is a bad request, answered in the
visitor's language before any page reads it (PostgreSQL refuses NUL in text, so it would
otherwise end as a server error)."""

import pytest
from django.urls import reverse

from agreements.models import Agreement
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
