"""What a visitor sees on the park and organisation pages, the network diagram included."""

import re

import pytest
from django.urls import reverse

from agreements.models import Agreement, ResourceFlow
from tests.conftest import (
    make_agency,
    make_agreement,
    make_organisation,
    make_park,
    make_park_staff,
    make_resource,
)

pytestmark = pytest.mark.django_db

# Public pages only read: they run outside ATOMIC_REQUESTS' transaction (see
# agreements.caching.cache_public_page), so no SAVEPOINT and RELEASE are counted.
TRANSACTION = 0
DEEP_C_FLOW_ORGANISATIONS = {
    "dinh-vu-ip-jsc",
    "hai-an-district-police",
    "flat-vietnam",
    "shin-etsu-vietnam",
}


def text_of(response):
    return response.content.decode()


def svg_node_keys(page):
    return set(re.findall(r'<g class="node" data-key="([^"]+)"', page))


# Park list


def test_the_park_list_shows_each_parks_developer_authority_status_and_verified_agreements(
    client, demo
):
    make_agreement(demo.park, review_state=Agreement.ReviewState.DRAFT)

    response = client.get(reverse("parks:list"))

    parks = {park.slug: park for park in response.context["parks"]}
    assert parks["deep-c"].agreement_count == 5
    assert parks["nam-cau-kien"].agreement_count == 0
    page = text_of(response)
    assert "Deep C Industrial Park (Dinh Vu Industrial Park)" in page
    assert "Dinh Vu Industrial Park Joint Stock Company" in page
    assert "Hai Phong Economic Zone Authority" in page
    assert "Transitioning to an eco-industrial park" in page
    assert '<th scope="col">' in page


@pytest.mark.parametrize("rows", [1, 30])
def test_the_park_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    for _ in range(rows):
        make_agreement(make_park(developer=make_organisation(), managing_authority=make_agency()))

    with django_assert_num_queries(TRANSACTION + 2):  # count, page with developer and authority
        response = client.get(reverse("parks:list"))
    assert len(response.context["parks"]) == min(rows, 25)


# Park detail


def test_the_deep_c_page_draws_a_node_for_each_organisation_in_its_flows(client, demo):
    response = client.get(reverse("parks:detail", args=["deep-c"]))

    page = text_of(response)
    assert svg_node_keys(page) == DEEP_C_FLOW_ORGANISATIONS
    assert page.count('class="flow"') == 5
    assert 'role="img"' in page
    assert "Symbiosis network of Deep C Industrial Park" in page
    assert 'id="network"' in page


def test_the_network_has_a_text_alternative_listing_the_same_flows(client, demo):
    response = client.get(reverse("parks:detail", args=["deep-c"]))

    page = text_of(response)
    table = page[page.index('id="network-flows"') : page.index("</table>")]
    for flow in ResourceFlow.objects.select_related("agreement", "resource"):
        assert f">{flow.agreement.reference}</a>" in table
        assert flow.resource.name_en in table
    assert table.count("<tr>") == 1 + 5
    assert "both ways" in table  # the fire-fighting service is mutual


def test_the_park_page_shows_its_developer_authority_status_agreements_and_tenants(client, demo):
    response = client.get(reverse("parks:detail", args=["deep-c"]))

    page = text_of(response)
    assert "Dinh Vu Industrial Park Joint Stock Company" in page
    assert "Hai Phong Economic Zone Authority" in page
    assert "Transitioning to an eco-industrial park" in page
    assert {a.reference for a in response.context["agreements"]} == set(
        Agreement.objects.values_list("reference", flat=True)
    )
    assert "Flat Vietnam Co., Ltd." in page


def test_unverified_agreements_and_their_flows_stay_off_the_park_page(client, demo):
    newcomer = make_organisation(slug="newcomer", name_en="Newcomer Steel")
    dinh_vu = demo.parties.get(organisation__slug="dinh-vu-ip-jsc").organisation
    make_agreement(
        demo.park,
        title_en="Secret slag deal",
        review_state=Agreement.ReviewState.SUBMITTED,
        parties=[dinh_vu, newcomer],
    )
    client.force_login(make_park_staff(demo.park))  # even its own staff: the page is public

    page = text_of(client.get(reverse("parks:detail", args=["deep-c"])))

    assert "newcomer" not in svg_node_keys(page)
    assert "Newcomer Steel" not in page
    assert "Secret slag deal" not in page


def test_a_park_without_verified_flows_says_so(client, demo):
    page = text_of(client.get(reverse("parks:detail", args=["nam-cau-kien"])))

    assert "<svg" not in page
    assert "No verified agreement of this park records a resource flow yet." in page


@pytest.mark.parametrize("rows", [1, 30])
def test_the_park_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    park = make_park(developer=make_organisation(), managing_authority=make_agency())
    resource = make_resource()
    hub = make_organisation(park=park)
    for _ in range(rows):
        other = make_organisation(park=park)
        make_agreement(park, parties=[hub, other], flows=[(resource, hub, other)])

    # park; agreements with parties and flows; the network's flows; tenants
    with django_assert_num_queries(TRANSACTION + 6):
        response = client.get(park.get_absolute_url())
    assert len(svg_node_keys(text_of(response))) == rows + 1


# Organisation detail


def test_the_developers_page_lists_its_verified_agreements_and_flows(client, demo):
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

    # organisation; parties; flows; predecessors; parks it develops; parks it manages
    with django_assert_num_queries(TRANSACTION + 6):
        response = client.get(hub.get_absolute_url())
    assert len(response.context["flows"]) == rows


def test_unknown_parks_and_organisations_answer_404(client, db):
    assert client.get(reverse("parks:detail", args=["nowhere"])).status_code == 404
    assert client.get(reverse("parks:organisation-detail", args=["nobody"])).status_code == 404
