"""Each endpoint runs a fixed number of queries whatever the number of rows: the same with one
more park of agreements, each with parties and flows chained to another's."""

import pytest
from django.urls import reverse

from agreements.models import Agreement
from tests.factories import make_agreement, make_organisation, make_park, make_resource

pytestmark = pytest.mark.django_db

# (endpoint, its arguments, its queries): a list counts its rows, reads a page, then each
# relation it nests (prefetched); the agreement list also reads the parks its filter offers.
ENDPOINTS = [
    ("api:agreement-list", {}, 5),
    ("api:agreement-detail", {"reference": "DEEPC-2023-IUS-01"}, 3),
    ("api:park-list", {}, 2),
    ("api:park-detail", {"slug": "deep-c"}, 1),
    ("api:organisation-list", {}, 2),
    ("api:organisation-detail", {"slug": "dinh-vu-ip-jsc"}, 1),
    ("api:resource-list", {}, 2),
    ("api:resource-detail", {"slug": "treated-wastewater"}, 1),
    ("api:flow-list", {}, 2),
]


def more_rows(demo, count):
    """``count`` more verified agreements in a new park, three parties and two flows each (the
    second made from the first), all made under the founding agreement."""
    park = make_park()
    for _ in range(count):
        a, b, c = (make_organisation() for _ in range(3))
        agreement = make_agreement(
            park,
            parties=[a, b, c],
            flows=[(make_resource(), a, b), (make_resource(), b, c)],
            review_state=Agreement.ReviewState.VERIFIED,
        )
        first, second = agreement.flows.order_by("pk")
        second.made_from = first
        second.save()
    Agreement.objects.filter(park=park).update(framework=demo)


@pytest.mark.parametrize(("name", "kwargs", "queries"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_an_endpoint_runs_the_same_queries_with_more_rows(
    client, demo, django_assert_num_queries, name, kwargs, queries
):
    url = reverse(name, kwargs=kwargs)
    more_rows(demo, 2)
    with django_assert_num_queries(queries):
        few = client.get(url)
    more_rows(demo, 10)
    with django_assert_num_queries(queries):
        many = client.get(url)

    assert few.status_code == many.status_code == 200
    if "results" in few.json():
        assert len(many.json()["results"]) > len(few.json()["results"])


def test_a_flow_runs_one_query(client, demo, django_assert_num_queries):
    flow = demo.flows.first()
    with django_assert_num_queries(1):
        response = client.get(reverse("api:flow-detail", kwargs={"pk": flow.pk}))

    assert response.status_code == 200
