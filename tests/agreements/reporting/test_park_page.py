"""What a visitor sees on a park's page (served by the reporting): its agreements, tenants, impact
and symbiosis network."""

import datetime
import re

import pytest
from django.urls import reverse

from agreements.models import Agreement
from agreements.reporting.views import PARK_AGREEMENTS_PER_PAGE
from tests.conftest import DEEP_C_FLOW_ORGANISATIONS
from tests.factories import (
    make_agency,
    make_agreement,
    make_organisation,
    make_park,
    make_park_staff,
    make_resource,
)

pytestmark = pytest.mark.django_db

# Public pages only read: they run outside ATOMIC_REQUESTS' transaction (see
# symbiosis.caching.cache_public_page), so no SAVEPOINT and RELEASE are counted.
TRANSACTION = 0


def text_of(response):
    return response.content.decode()


def svg_node_keys(page):
    return set(re.findall(r"<g class='node[^']*' data-key='([^']+)'", page))


def wide_drawing(page):
    """The network's drawing for a screen (the page has one for a phone too, of the same
    nodes and flows)."""
    return page[page.index("class='network-diagram network-wide'") : page.index("</svg>")]


def drawn_flows(page):
    return wide_drawing(page).count("class='flow'")


# Park detail


def test_the_demo_alone_draws_only_the_founding_agreements_parties(client, demo):
    response = client.get(reverse("parks:detail", args=["deep-c"]))

    page = text_of(response)
    assert svg_node_keys(page) == {"dinh-vu-ip-jsc", "hai-an-district-police"}
    assert drawn_flows(page) == 1
    table = page[page.index('id="network-flows"') : page.index("</table>")]
    assert "Dinh Vu Industrial Park Joint Stock Company" in table
    assert "Shin-Etsu Vietnam" not in table


def test_the_deep_c_page_draws_a_node_for_each_organisation_in_its_flows(client, deep_c_network):
    response = client.get(reverse("parks:detail", args=["deep-c"]))

    page = text_of(response)
    assert svg_node_keys(page) == DEEP_C_FLOW_ORGANISATIONS
    # Five flows, four links: the rooftop solar and the wind power are both energy from
    # Dinh Vu to Shin-Etsu, one line standing for two agreements.
    assert drawn_flows(page) == 4
    assert (
        "Dinh Vu Industrial Park Joint Stock Company → Energy → Shin-Etsu Vietnam: 2 agreements"
        in page
    )
    assert "role='group'" in page
    assert "Symbiosis network of Deep C Industrial Park" in page
    assert 'id="network"' in page


def test_the_network_has_a_text_alternative_listing_the_same_links(client, deep_c_network):
    response = client.get(reverse("parks:detail", args=["deep-c"]))

    page = text_of(response)
    table = page[page.index('id="network-flows"') : page.index("</table>")]
    rows = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split("<tr>")[2:]
    ]
    assert rows == [
        "Dinh Vu Industrial Park Joint Stock Company Water Flat Vietnam Co., Ltd. "
        "provider to receiver 1",
        "Dinh Vu Industrial Park Joint Stock Company Service Hai An District Police both ways 1",
        "Dinh Vu Industrial Park Joint Stock Company Energy Shin-Etsu Vietnam provider to "
        "receiver 2",
        "Flat Vietnam Co., Ltd. Material or by-product Dinh Vu Industrial Park Joint Stock "
        "Company provider to receiver 1",
    ]


def test_the_park_page_shows_its_developer_authority_status_agreements_and_tenants(client, demo):
    response = client.get(reverse("parks:detail", args=["deep-c"]))

    page = text_of(response)
    assert "Dinh Vu Industrial Park Joint Stock Company" in page
    assert "Hai Phong Economic Zone Authority" in page
    assert "Not assessed" in page
    assert [a.reference for a in response.context["agreements"]] == [demo.reference]
    assert "(illustrative)" not in page  # the illustrative records are drafts
    assert "Flat Vietnam Co., Ltd." in page  # a tenant


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

    # park; count and page of its agreements with their parties and flows; the park's kept
    # figures (its impact, its agreed and measured per year and its network), computed and
    # kept the first time (the dashboard's eleven queries, the flow diagrams' bands among them,
    # and the upsert; the network's
    # organisations, links and chains of flows, and their update); tenants (no resource has
    # an emission factor to read)
    with django_assert_num_queries(TRANSACTION + 23):
        response = client.get(park.get_absolute_url())
    assert len(svg_node_keys(text_of(response))) == rows + 1
    assert len(response.context["agreements"]) == min(rows, PARK_AGREEMENTS_PER_PAGE)
    # Then read from the row the first visit (or the dashboard) kept: the network too.
    with django_assert_num_queries(TRANSACTION + 7):
        response = client.get(park.get_absolute_url())
    assert len(svg_node_keys(text_of(response))) == rows + 1


def test_the_network_kept_with_the_parks_figures_follows_every_change(
    client, django_capture_on_commit_callbacks
):
    # Each change commits, as on the site (the test's own transaction never does).
    with django_capture_on_commit_callbacks(execute=True):
        park = make_park()
        resource = make_resource()
        hub = make_organisation(slug="hub", name_en="Hub")
        partner = make_organisation(slug="partner", name_en="Partner")
        make_agreement(park, parties=[hub, partner], flows=[(resource, hub, partner)])

    def drawn():
        page = text_of(client.get(park.get_absolute_url()))
        return svg_node_keys(page), page[page.index('id="network-flows"') :]

    assert drawn()[0] == {"hub", "partner"}  # computed, and kept with the park's figures
    newcomer = make_organisation(slug="newcomer", name_en="Newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        late = make_agreement(park, parties=[hub, newcomer], flows=[(resource, newcomer, hub)])
    assert drawn()[0] == {"hub", "partner", "newcomer"}

    # The organisations' names are kept too: a new one moves its parks' figures on.
    newcomer.name_en = "Newcomer Renamed"
    with django_capture_on_commit_callbacks(execute=True):
        newcomer.save()
    assert "Newcomer Renamed" in drawn()[1]

    late.review_state = Agreement.ReviewState.RETURNED
    with django_capture_on_commit_callbacks(execute=True):
        late.save()
    assert drawn()[0] == {"hub", "partner"}


def test_a_large_park_lists_its_agreements_10_a_page_the_latest_first(client):
    park = make_park()
    for number in range(25):
        make_agreement(
            park,
            reference=f"P-{number:02d}",
            signed_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=number),
        )

    first = client.get(park.get_absolute_url())
    last = client.get(park.get_absolute_url(), {"page": "3"})

    assert [a.reference for a in first.context["agreements"]] == [
        f"P-{number:02d}" for number in range(24, 14, -1)
    ]
    assert [a.reference for a in last.context["agreements"]] == [
        f"P-{number:02d}" for number in range(4, -1, -1)
    ]
    page = text_of(first)
    assert 'href="?page=2#agreements"' in page
    assert first.context["paginator"].count == 25


def test_the_network_draws_the_fifty_organisations_with_the_most_flows_and_says_how_many_more(
    client,
):
    park = make_park()
    resource = make_resource()
    hub = make_organisation(slug="hub", name_en="Hub")
    # 59 partners of the hub: the first ten with two flows each, the others with one.
    partners = [make_organisation(slug=f"p-{n:02d}", name_en=f"Partner {n:02d}") for n in range(59)]
    for number, partner in enumerate(partners):
        flows = [(resource, hub, partner)] + ([(resource, partner, hub)] if number < 10 else [])
        make_agreement(park, parties=[hub, partner], flows=flows)

    response = client.get(park.get_absolute_url())

    page = text_of(response)
    drawn = svg_node_keys(page)
    # The hub, the ten with two flows, then 39 of the 49 with one, by name: ties are settled
    # the same way every time.
    assert drawn == {"hub"} | {f"p-{n:02d}" for n in range(49)}
    assert response.context["network_hidden"] == 10
    assert "Only the organisations with the most flows are drawn: 10 more" in page
    # Links only among drawn organisations, in the drawing and in its table alike.
    assert drawn_flows(page) == 10 * 2 + 39
    assert len(response.context["network_links"]) == 10 * 2 + 39
    assert "Partner 58" not in page[page.index('id="network-flows"') :]


def test_the_network_draws_the_links_standing_for_the_most_agreements_and_says_so(
    client, monkeypatch
):
    monkeypatch.setattr("agreements.reporting.views.NETWORK_MAX_LINKS", 3)
    park = make_park()
    resource = make_resource()
    hub = make_organisation(slug="hub")
    for number in range(5):
        partner = make_organisation(slug=f"p-{number}")
        for _ in range(number + 1):
            make_agreement(park, parties=[hub, partner], flows=[(resource, hub, partner)])

    response = client.get(park.get_absolute_url())

    page = text_of(response)
    assert sorted(link["agreements"] for link in response.context["network_links"]) == [3, 4, 5]
    assert drawn_flows(page) == 3
    assert "only the 3 links standing for the most agreements are drawn" in page


def test_a_park_lists_fifty_of_the_organisations_located_in_it_and_counts_the_others(client):
    park = make_park()
    for number in range(53):
        make_organisation(park=park, name_en=f"Tenant {number:02d}")

    response = client.get(park.get_absolute_url())

    assert [o.name for o in response.context["tenants"]] == [
        f"Tenant {number:02d}" for number in range(50)
    ]
    assert "and 3 more organisations." in text_of(response)


def test_a_network_kept_in_an_older_form_is_drawn_again_and_kept_anew(client):
    from agreements.reporting.figures import NETWORK_KEPT
    from agreements.reporting.models import ParkFigures

    park = make_park()
    resource = make_resource()
    hub = make_organisation(slug="hub", name_en="Hub")
    partner = make_organisation(slug="partner", name_en="Partner")
    make_agreement(park, parties=[hub, partner], flows=[(resource, hub, partner)])
    client.get(park.get_absolute_url())
    kept = ParkFigures.objects.get(park=park)
    # As kept before the network was kept drawn: its rows only, drawn on every visit.
    ParkFigures.objects.filter(park=park).update(network=kept.network["rows"])

    page = text_of(client.get(park.get_absolute_url()))

    assert svg_node_keys(page) == {"hub", "partner"}
    assert drawn_flows(page) == 1
    network = ParkFigures.objects.get(park=park).network
    assert network["kept"] == NETWORK_KEPT
    assert set(network["drawings"]) == {"en", "vi"}


def test_the_kept_drawing_is_read_in_the_visitors_language_without_drawing_it(
    client, django_assert_num_queries, monkeypatch
):
    park = make_park(name_en="Deep C Industrial Park", name_vi="Khu công nghiệp Deep C")
    resource = make_resource()
    hub = make_organisation(slug="hub", name_en="Hub", name_vi="Trung tâm")
    partner = make_organisation(slug="partner", name_en="Partner", name_vi="Đối tác")
    make_agreement(park, parties=[hub, partner], flows=[(resource, hub, partner)])
    client.get(park.get_absolute_url())  # computed and kept, in both languages

    def not_drawn(*args, **kwargs):
        raise AssertionError("a kept network is read, not drawn")

    monkeypatch.setattr("agreements.reporting.views.render_network", not_drawn)
    with django_assert_num_queries(TRANSACTION + 7):
        page = text_of(client.get(park.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="vi"))

    drawing = wide_drawing(page)
    assert "Mạng lưới cộng sinh của Khu công nghiệp Deep C" in drawing
    assert ">Đối tác<" in drawing and "Partner" not in drawing
    # Each organisation a link to its page.
    assert f"href='{partner.get_absolute_url()}' aria-label='Đối tác'" in drawing
