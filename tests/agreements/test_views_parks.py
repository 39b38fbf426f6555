"""What a visitor sees on the park list and the organisation pages (the park page itself is the
reporting's: tests/agreements/reporting/test_park_page.py)."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement
from tests.factories import (
    make_agency,
    make_agreement,
    make_organisation,
    make_park,
    make_resource,
)

pytestmark = pytest.mark.django_db

# Public pages only read: they run outside ATOMIC_REQUESTS' transaction (see
# symbiosis.caching.cache_public_page), so no SAVEPOINT and RELEASE are counted.
TRANSACTION = 0


def text_of(response):
    return response.content.decode()


# Park list


def test_the_park_list_shows_each_parks_developer_authority_status_and_verified_agreements(
    client, demo
):
    make_agreement(demo.park, review_state=Agreement.ReviewState.DRAFT)

    response = client.get(reverse("parks:list"))

    parks = {park.slug: park for park in response.context["parks"]}
    assert parks["deep-c"].agreement_count == 1  # the founding one; the illustrative are drafts
    assert parks["nam-cau-kien"].agreement_count == 0
    page = text_of(response)
    assert "Deep C Industrial Park (Dinh Vu Industrial Park)" in page
    assert "Dinh Vu Industrial Park Joint Stock Company" in page
    assert "Hai Phong Economic Zone Authority" in page
    assert "Not assessed" in page  # the article states no park's EIP status
    assert "Transitioning to an eco-industrial park" not in page
    assert '<th scope="col">' in page


@pytest.mark.parametrize("rows", [1, 30])
def test_the_park_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    for _ in range(rows):
        make_agreement(make_park(developer=make_organisation(), managing_authority=make_agency()))

    with django_assert_num_queries(TRANSACTION + 2):  # count, page with developer and authority
        response = client.get(reverse("parks:list"))
    assert len(response.context["parks"]) == min(rows, 25)


# Organisation detail


def test_the_developers_page_lists_its_verified_agreements_and_flows(client, deep_c_network):
    demo = deep_c_network
    make_agreement(
        demo.park,
        title_en="Unverified sludge swap",
        review_state=Agreement.ReviewState.DRAFT,
        parties=[demo.parties.get(organisation__slug="dinh-vu-ip-jsc").organisation],
    )

    response = client.get(reverse("parks:organisation-detail", args=["dinh-vu-ip-jsc"]))

    page = text_of(response)
    assert {party.agreement.reference for party in response.context["parties"]} == set(
        Agreement.objects.public().values_list("reference", flat=True)
    )
    assert len(response.context["flows"]) == 5
    assert "Fire prevention, fire-fighting and rescue capacity" in page
    assert "Waste reused as filling material" in page  # received from Flat Vietnam
    assert "Company" in page
    assert "Deep C Industrial Park (Dinh Vu Industrial Park)" in page  # located in, developer of
    assert "Unverified sludge swap" not in page
    assert "(illustrative)" not in page


def test_an_agencys_page_shows_its_level_the_parks_it_manages_and_its_role_in_agreements(
    client, demo
):
    page = text_of(client.get(reverse("parks:organisation-detail", args=["heza"])))

    assert "Government agency · Provincial" in page
    assert "Managing authority of" in page
    assert "Nam Cau Kien Industrial Park" in page
    assert "Witness" in page
    assert 'lang="vi">Ban Quản lý Khu kinh tế Hải Phòng' in page


def test_a_merged_ministry_points_to_its_successor_and_back(client, demo):
    mpi = text_of(client.get(reverse("parks:organisation-detail", args=["mpi-dezm"])))
    mof = text_of(client.get(reverse("parks:organisation-detail", args=["ministry-of-finance"])))

    assert "Became" in mpi and "Ministry of Finance" in mpi
    assert "Successor of" in mof and "Ministry of Planning and Investment" in mof


def test_an_organisation_only_in_unverified_agreements_shows_none_of_them(client):
    organisation = make_organisation(name_en="Quiet Co")
    make_agreement(
        title_en="Hidden deal",
        review_state=Agreement.ReviewState.SUBMITTED,
        parties=[organisation, make_organisation()],
    )

    page = text_of(client.get(organisation.get_absolute_url()))

    assert "Quiet Co" in page
    assert "Hidden deal" not in page
    assert "It is party to no verified agreement yet." in page


@pytest.mark.parametrize("rows", [1, 30])
def test_the_organisation_page_runs_a_fixed_number_of_queries(
    client, django_assert_num_queries, rows
):
    hub = make_organisation()
    for _ in range(rows):
        other = make_organisation()
        make_agreement(parties=[hub, other], flows=[(make_resource(), hub, other)])
        make_park(developer=hub)

    # organisation; count and page of its parties; count and page of its flows; the avoided
    # emissions it claims; predecessors; parks it develops; parks it manages
    with django_assert_num_queries(TRANSACTION + 9):
        response = client.get(hub.get_absolute_url())
    assert len(response.context["flows"]) == min(rows, 25)
    assert len(response.context["parties"]) == min(rows, 25)


def test_an_organisation_in_thirty_agreements_lists_them_and_its_flows_25_a_page(client):
    hub = make_organisation()
    for number in range(30):
        other = make_organisation()
        make_agreement(
            reference=f"O-{number:02d}",
            starts_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=number),
            parties=[hub, other],
            flows=[(make_resource(), hub, other)],
        )

    first = client.get(hub.get_absolute_url())
    flows_second = client.get(hub.get_absolute_url(), {"page": "2", "flows_page": "2"})

    assert [p.agreement.reference for p in first.context["parties"]] == [
        f"O-{number:02d}" for number in range(29, 4, -1)
    ]
    assert [f.agreement.reference for f in flows_second.context["flows"]] == [
        f"O-{number:02d}" for number in range(4, -1, -1)
    ]
    assert [p.agreement.reference for p in flows_second.context["parties"]] == [
        f"O-{number:02d}" for number in range(4, -1, -1)
    ]
    page = text_of(first)
    # Each list pages by its own parameter and keeps the other's.
    assert 'href="?page=2#agreements"' in page
    assert 'href="?flows_page=2#flows"' in page
    assert 'href="?page=2&amp;flows_page=1#flows"' in text_of(
        client.get(hub.get_absolute_url(), {"page": "2", "flows_page": "2"})
    )
    assert 'aria-label="Pages of resource flows"' in page


def test_unknown_parks_and_organisations_answer_404(client, db):
    assert client.get(reverse("parks:detail", args=["nowhere"])).status_code == 404
    assert client.get(reverse("parks:organisation-detail", args=["nobody"])).status_code == 404
