"""Clients poll cheaply: every answer has an ETag and a Last-Modified, asking again with either
answers 304 Not Modified without a query, and any change to the register makes a new ETag."""

import pytest
from django.urls import reverse
from django.utils.http import http_date

from agreements.models import Agreement
from tests.factories import make_agreement

pytestmark = pytest.mark.django_db

ADDRESSES = [
    ("api:agreement-list", {}),
    ("api:agreement-detail", {"reference": "DEEPC-2023-IUS-01"}),
    ("api:park-list", {}),
    ("api:park-detail", {"slug": "deep-c"}),
    ("api:organisation-list", {}),
    ("api:organisation-detail", {"slug": "hai-an-district-police"}),
    ("api:resource-list", {}),
    ("api:resource-detail", {"slug": "treated-wastewater"}),
    ("api:flow-list", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), ADDRESSES, ids=[name for name, _ in ADDRESSES])
def test_an_unchanged_answer_is_not_modified_to_its_etag(
    client, demo, real_cache, django_assert_num_queries, name, kwargs
):
    url = reverse(name, kwargs=kwargs)
    first = client.get(url)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60"

    with django_assert_num_queries(0):
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


def test_an_unchanged_list_is_not_modified_since_its_last_modified(client, demo, real_cache):
    url = reverse("api:agreement-list")
    first = client.get(url)

    again = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304


# Committed for real: the generation moves on once a change commits (symbiosis.caching).
@pytest.mark.django_db(transaction=True)
def test_a_change_makes_a_new_etag(client, demo, real_cache):
    url = reverse("api:agreement-list")
    first = client.get(url)

    make_agreement(demo.park, reference="NEW-1", review_state=Agreement.ReviewState.VERIFIED)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert "NEW-1" in {row["reference"] for row in again.json()["results"]}
    assert client.get(url, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304


def test_an_old_date_is_modified(client, demo, real_cache):
    url = reverse("api:agreement-list")

    response = client.get(url, HTTP_IF_MODIFIED_SINCE=http_date(0))

    assert response.status_code == 200


def test_each_language_and_query_has_its_own_etag(client, demo, real_cache):
    url = reverse("api:agreement-list")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    filtered = client.get(url, {"kind": "industrial"}, HTTP_ACCEPT_LANGUAGE="en")

    assert len({english["ETag"], vietnamese["ETag"], filtered["ETag"]}) == 3
    answer = client.get(url, HTTP_ACCEPT_LANGUAGE="vi", HTTP_IF_NONE_MATCH=english["ETag"])
    assert answer.status_code == 200
