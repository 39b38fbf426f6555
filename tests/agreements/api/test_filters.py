"""The agreement list's filters and search, as query parameters, give what the list page gives:
the API reads the page's own filter form."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, Resource, SymbiosisKind
from tests.factories import make_agreement, make_park, make_resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(hidden):
    """Agreements of other kinds, years, parks, categories and ends, beside Deep C's."""
    park = make_park(name_en="Second park", slug="second-park")
    energy = make_resource(category=Resource.Category.ENERGY)
    make_agreement(park, kind=Agreement.Kind.SHARED_SERVICE, signed_on=datetime.date(2019, 5, 1))
    make_agreement(
        park,
        title_en="Steam to the brewery",
        signed_on=datetime.date(2021, 1, 1),
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2022, 1, 1),
        symbiosis_kind=SymbiosisKind.SHARED_SERVICES,
    )
    ended = make_agreement(park, signed_on=datetime.date(2021, 3, 3))
    ended.flows.update(resource=energy)
    Agreement.objects.filter(pk=ended.pk).keep_linked_copies()
    confirmed = make_agreement(park, symbiosis_kind=SymbiosisKind.SHARED_SERVICES)
    confirmed.symbiosis_kind_confirmed_at = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    confirmed.save()


QUERIES = [
    {},
    {"q": "steam"},
    {"q": "Dinh Vu"},
    {"q": "dinh vu"},
    {"park": "second-park"},
    {"kind": "shared_service"},
    {"kind": "industrial_urban"},
    {"symbiosis_kind": "shared_services"},
    {"category": "energy"},
    {"category": "water", "park": "deep-c"},
    {"year": "2021"},
    {"status": "active"},
    {"status": "expired"},
    {"q": "hidden"},
]


def api_references(client, params):
    url, references = reverse("api:agreement-list"), []
    response = client.get(url, {**params, "page_size": 3})
    while True:
        assert response.status_code == 200
        page = response.json()
        references += [row["reference"] for row in page["results"]]
        if not page["next"]:
            return references
        response = client.get(page["next"])


@pytest.mark.parametrize("params", QUERIES, ids=[str(q) for q in QUERIES])
def test_the_api_lists_what_the_list_page_lists(client, varied, params):
    page = client.get(reverse("agreements:list"), params)
    shown = [agreement.reference for agreement in page.context["agreements"]]

    assert api_references(client, params) == shown


def test_the_filters_narrow_the_list(client, varied):
    everything = api_references(client, {})
    assert len(api_references(client, {"year": "2021"})) == 2 < len(everything)
    assert api_references(client, {"q": "hidden"}) == []


def test_an_invalid_filter_is_refused_with_its_message_in_the_readers_language(client, varied):
    response = client.get(
        reverse("api:agreement-list"),
        {"kind": "nonsense", "park": "no-such-park", "year": "x"},
        HTTP_ACCEPT_LANGUAGE="vi",
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"kind", "park", "year"}
    assert "Hãy chọn" in errors["kind"][0]  # Django's "Select a valid choice", in Vietnamese
