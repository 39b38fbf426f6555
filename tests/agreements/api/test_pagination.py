"""Lists come 25 rows a page (``page_size`` up to 100), with the count and the neighbouring
pages' addresses; a page out of range is the nearest one, as on the site's lists."""

import pytest
from django.urls import reverse

from tests.factories import make_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(db):
    return [make_organisation(name_en=f"Firm {n:03}") for n in range(130)]


def test_a_list_comes_in_pages_of_25(client, organisations):
    first = client.get(reverse("api:organisation-list")).json()

    assert first["count"] == 130
    assert len(first["results"]) == 25
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [row["name"] for row in second["results"]][:2] == ["Firm 025", "Firm 026"]
    assert second["previous"].startswith("http://testserver/api/v1/organisations/")


def test_a_client_chooses_up_to_100_a_page(client, organisations):
    url = reverse("api:organisation-list")

    assert len(client.get(url, {"page_size": 40}).json()["results"]) == 40
    assert len(client.get(url, {"page_size": 1000}).json()["results"]) == 100


def test_a_page_out_of_range_is_the_nearest_page(client, organisations):
    url = reverse("api:organisation-list")

    last = client.get(url, {"page": 99, "page_size": 50}).json()
    not_a_number = client.get(url, {"page": "last-one"}).json()

    assert [row["name"] for row in last["results"]][-1] == "Firm 129"
    assert last["next"] is None
    assert not_a_number["results"][0]["name"] == "Firm 000"
