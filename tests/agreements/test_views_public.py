"""What a visitor sees on the public pages: home, agreements, resources and document downloads."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Document, Party, Resource, ResourceFlow
from agreements.views.public import RELATED_LIMIT
from parks.models import Organisation, Park
from symbiosis.pagination import CappedPaginator
from tests.factories import (
    make_agency,
    make_agreement,
    make_official,
    make_organisation,
    make_park,
    make_park_staff,
    make_resource,
)
from tests.pages import Page, chosen

FOUNDING = "DEEPC-2023-IUS-01"
DRAFT = Agreement.ReviewState.DRAFT
SUBMITTED = Agreement.ReviewState.SUBMITTED

pytestmark = pytest.mark.django_db

# Public pages only read: they run outside ATOMIC_REQUESTS' transaction (see
# symbiosis.caching.cache_public_page), so no SAVEPOINT and RELEASE are counted.
TRANSACTION = 0


def text_of(response):
    return response.content.decode()


def listed_references(response):
    return [agreement.reference for agreement in response.context["agreements"]]


def demo_organisation(slug):
    return Organisation.objects.get(slug=slug)


def demo_resource(slug):
    return Resource.objects.get(slug=slug)


def add_document(agreement, *, is_public, title="Signed agreement", name="signed.pdf"):
    document = Document(
        agreement=agreement,
        title=title,
        original_name=name,
        content_type="application/pdf",
        size=9,
        is_public=is_public,
    )
    document.file.save(name, ContentFile(b"%PDF-1.4\n"), save=False)
    document.save()
    return document


# Home


def test_home_shows_what_the_registry_is_its_figures_and_the_latest_verified_agreements(
    client, demo
):
    make_agreement(demo.park, review_state=DRAFT, title_en="A draft nobody may see")

    response = client.get(reverse("home"))

    # The demo's four illustrative drafts count for nothing: only the founding one is verified.
    figures = {str(label): value for label, value in response.context["figures"]}
    assert figures == {
        "parks": 2,
        "organisations in verified agreements": 9,
        "verified agreements": 1,
        "active agreements": 1,
        "resources shared": 1,
    }
    page = text_of(response)
    assert "Who shares what with whom" in page
    assert demo.title_en in page
    assert "A draft nobody may see" not in page
    assert "(illustrative)" not in page
    assert f'action="{reverse("agreements:list")}"' in page
    assert f"{reverse('parks:detail', args=['deep-c'])}#network" in page


@pytest.mark.parametrize("rows", [1, 30])
def test_home_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    for _ in range(rows):
        make_agreement()

    # parks, organisations, agreements, active ones, resources; latest with parties and flows;
    # parks with their agreement counts
    with django_assert_num_queries(TRANSACTION + 9):
        client.get(reverse("home"))


# Agreement list: search


@pytest.mark.parametrize("query", ["hai an", "Hải An", "HAI AN", "cong an", "Công an"])
def test_search_finds_the_founding_agreement_whatever_the_accents_and_case(client, demo, query):
    response = client.get(reverse("agreements:list"), {"q": query})

    assert FOUNDING in listed_references(response)


def test_search_looks_at_reference_title_party_and_resource_names(client, demo):
    dinh_vu, shin_etsu = demo_organisation("dinh-vu-ip-jsc"), demo_organisation("shin-etsu-vietnam")
    make_agreement(
        demo.park,
        reference="DEEPC-SOLAR",
        title_en="Rooftop solar",
        parties=[dinh_vu, shin_etsu],
        flows=[(demo_resource("rooftop-solar-electricity"), dinh_vu, shin_etsu)],
    )
    water = make_organisation()
    make_agreement(
        demo.park,
        reference="DEEPC-WATER",
        title_en="Water reuse",
        parties=[dinh_vu, water],
        flows=[(demo_resource("treated-wastewater"), dinh_vu, water)],
    )

    def found(query):
        return listed_references(client.get(reverse("agreements:list"), {"q": query}))

    assert found("deepc-2023-ius") == [FOUNDING]  # reference
    assert found("cứu nạn") == [FOUNDING]  # title and resource, accents kept
    assert found("shin-etsu") == ["DEEPC-SOLAR"]  # party
    assert found("nuoc thai") == ["DEEPC-WATER"]  # resource, in Vietnamese
    assert found("illustrative") == []  # the demo's drafts are not public
    assert found("no such thing") == []


def test_unverified_agreements_are_never_listed_nor_found(client, demo):
    staff = make_park_staff(demo.park)
    make_agreement(demo.park, review_state=DRAFT, title_en="Hai An draft")
    make_agreement(demo.park, review_state=SUBMITTED, title_en="Hai An submitted")

    for user in [None, staff]:
        if user:
            client.force_login(user)
        response = client.get(reverse("agreements:list"), {"q": "hai an"})
        assert listed_references(response) == [FOUNDING]
        assert "Hai An draft" not in text_of(response)


# Agreement list: filters


@pytest.fixture
def two_parks():
    """Two parks with agreements of different kinds, resources, years and dates."""
    today = timezone.localdate()
    north, south = make_park(name_en="North Park"), make_park(name_en="South Park")
    water = make_resource(category=Resource.Category.WATER)
    energy = make_resource(category=Resource.Category.ENERGY)
    company_a, company_b = make_organisation(), make_organisation()
    make_agreement(
        north,
        reference="N-WATER",
        kind=Agreement.Kind.INDUSTRIAL,
        signed_on=datetime.date(2021, 3, 1),
        starts_on=datetime.date(2021, 3, 1),
        parties=[company_a, company_b],
        flows=[(water, company_a, company_b)],
    )
    make_agreement(
        south,
        reference="S-ENERGY-OLD",
        kind=Agreement.Kind.SHARED_SERVICE,
        signed_on=datetime.date(2019, 5, 1),
        starts_on=datetime.date(2019, 5, 1),
        ends_on=today - datetime.timedelta(days=1),
        parties=[company_a, company_b],
        flows=[(energy, company_b, company_a)],
    )
    make_agreement(
        south,
        reference="S-WATER-ENDED",
        kind=Agreement.Kind.INDUSTRIAL,
        signed_on=datetime.date(2021, 6, 1),
        starts_on=datetime.date(2021, 6, 1),
        terminated_on=today,
        parties=[company_a, company_b],
        flows=[(water, company_b, company_a)],
    )
    return north, south


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"park": "__north__"}, ["N-WATER"]),
        ({"kind": "shared_service"}, ["S-ENERGY-OLD"]),
        ({"category": "water"}, ["S-WATER-ENDED", "N-WATER"]),
        ({"year": "2021"}, ["S-WATER-ENDED", "N-WATER"]),
        ({"status": "active"}, ["N-WATER"]),
        ({"status": "expired"}, ["S-WATER-ENDED", "S-ENERGY-OLD"]),
        ({"park": "__south__", "category": "water", "status": "expired"}, ["S-WATER-ENDED"]),
    ],
)
def test_filters_narrow_the_list(client, two_parks, params, expected):
    north, south = two_parks
    params = {
        key: {"__north__": north.slug, "__south__": south.slug}.get(value, value)
        for key, value in params.items()
    }

    response = client.get(reverse("agreements:list"), params)

    assert listed_references(response) == expected


def test_the_filter_form_is_labelled_and_offers_the_years_from_the_last_signing_to_the_first(
    client, two_parks
):
    response = client.get(reverse("agreements:list"))
    page = text_of(response)

    for field in ["q", "park", "kind", "category", "year", "status"]:
        assert f'for="id_{field}"' in page
    # Signed in 2021 and 2019: 2020, between them, is offered too (and finds none).
    assert list(response.context["form"].fields["year"].choices) == [
        ("", "Any year"),
        (2021, "2021"),
        (2020, "2020"),
        (2019, "2019"),
    ]
    assert 'role="search"' in page


def test_a_list_longer_than_the_count_limit_says_more_and_shows_its_first_pages(
    client, two_parks, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "count_limit", 2)

    response = client.get(reverse("agreements:list"))

    page = text_of(response)
    assert "More than 2 agreements found" in page
    assert "These pages show the first 2." in page
    assert response.context["paginator"].count == 2


def test_a_list_within_the_count_limit_gives_its_exact_count(client, two_parks, monkeypatch):
    total = Agreement.objects.public().count()
    monkeypatch.setattr(CappedPaginator, "count_limit", total)

    page = text_of(client.get(reverse("agreements:list")))

    assert f"{total} agreements found" in page
    assert "More than" not in page


def test_a_filter_that_cannot_be_read_is_reported_and_the_others_still_apply(client, two_parks):
    response = client.get(reverse("agreements:list"), {"year": "twenty", "kind": "industrial"})

    assert response.status_code == 200
    assert listed_references(response) == ["S-WATER-ENDED", "N-WATER"]
    page = text_of(response)
    assert "Some filters could not be read and were left out" in page
    assert "Select a valid choice" in page
    assert 'value="industrial" selected' in page  # what the visitor chose is kept


def test_an_empty_result_says_so_and_how_to_widen_it(client, two_parks):
    north, _south = two_parks

    response = client.get(
        reverse("agreements:list"), {"park": north.slug, "kind": "shared_service"}
    )

    page = text_of(response)
    assert "0 agreements found" in page
    assert "No verified agreement matches your search and filters." in page
    assert "remove a filter" in page
    assert 'href="?kind=shared_service"' in page  # remove the park filter
    assert f'href="?park={north.slug}"' in page  # remove the kind filter
    assert f'href="{reverse("agreements:list")}">clear all filters' in page


def test_the_park_filter_offers_every_park_by_name_and_keeps_the_one_chosen(client, two_parks):
    north, south = two_parks

    page = Page(client.get(reverse("agreements:list"), {"park": south.slug}).content)

    options = page.find("select", name="park").find_all("option")
    assert [(option.attrs["value"], option.text) for option in options] == [
        ("", "All parks"),
        (north.slug, "North Park"),
        (south.slug, "South Park"),
    ]
    assert chosen(page, "park") == [south.slug]
    assert "form-select" in page.find("select", name="park").classes


def test_twenty_five_agreements_a_page_and_the_filters_survive_paging(client):
    park = make_park()
    for number in range(30):
        make_agreement(park, reference=f"P-{number:02d}", kind=Agreement.Kind.INDUSTRIAL)
    make_agreement(kind=Agreement.Kind.SHARED_SERVICE)  # filtered out

    first = client.get(reverse("agreements:list"), {"kind": "industrial", "park": park.slug})
    assert len(first.context["agreements"]) == 25
    next_link = f'href="?kind=industrial&amp;park={park.slug}&amp;page=2"'
    assert next_link in text_of(first)

    second = client.get(
        reverse("agreements:list"), {"kind": "industrial", "park": park.slug, "page": "2"}
    )
    assert len(second.context["agreements"]) == 5
    assert second.context["form"].cleaned_data["kind"] == "industrial"
    assert not set(listed_references(first)) & set(listed_references(second))


def test_a_page_number_out_of_range_shows_the_last_page(client):
    for _ in range(26):
        make_agreement()

    response = client.get(reverse("agreements:list"), {"page": "9"})

    assert response.status_code == 200
    assert response.context["page_obj"].number == 2


@pytest.mark.parametrize("rows", [1, 30])
def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    park = make_park()
    for _ in range(rows):
        make_agreement(park)

    # years, count, page, parties, flows, the park choices
    with django_assert_num_queries(TRANSACTION + 6):
        client.get(reverse("agreements:list"))
    # and the chosen park (the category is read from each agreement's own copy)
    with django_assert_num_queries(TRANSACTION + 7):
        client.get(
            reverse("agreements:list"),
            {"q": "agreement", "park": park.slug, "category": "water", "status": "active"},
        )


# Agreement detail


def test_the_founding_agreement_shows_its_parties_by_role_its_shared_service_and_dates(
    client, demo
):
    response = client.get(demo.get_absolute_url())

    assert response.status_code == 200
    groups = {
        str(heading): [party.organisation.slug for party in members]
        for heading, members in response.context["party_groups"]
    }
    assert groups["Signatories"] == ["dinh-vu-ip-jsc", "hai-an-district-police"]
    assert set(groups["Witnesses"]) == {
        "mpi-dezm",
        "unido",
        "heza",
        "hai-phong-city-police",
        "hai-phong-fire-police",
        "hai-phong-military-command",
        "hai-an-peoples-committee",
    }
    page = text_of(response)
    assert "Dinh Vu Industrial Park Joint Stock Company" in page
    assert "Hai An District Police" in page
    assert "represented by Bui Ngoc Hai" in page
    assert "Fire prevention, fire-fighting and rescue capacity" in page
    assert reverse("agreements:resource-detail", args=["fire-fighting-rescue-capacity"]) in page
    assert "↔" in page and "mutual" in page  # the service is shared both ways
    assert "quantity not disclosed" in page
    assert "Sept. 12, 2023, Hai Phong" in page
    assert "open-ended" in page
    assert "Active" in page
    assert f"{reverse('parks:detail', args=['deep-c'])}#network" in page


def test_the_founding_agreement_links_to_others_sharing_its_resource_or_signed_by_its_parties(
    client, demo
):
    fire = demo_resource("fire-fighting-rescue-capacity")
    police = demo_organisation("hai-an-district-police")
    dinh_vu = demo_organisation("dinh-vu-ip-jsc")
    a, b = make_organisation(), make_organisation()
    make_agreement(make_park(), reference="ELSEWHERE-FIRE", parties=[a, b], flows=[(fire, a, b)])
    make_agreement(
        demo.park,
        reference="DEEPC-WATER",
        signed_on=datetime.date(2024, 5, 1),
        parties=[dinh_vu, a],
    )
    make_agreement(
        make_park(),
        reference="POLICE-TRAINING",
        signed_on=datetime.date(2024, 1, 1),
        parties=[b, police],
    )
    make_agreement(reference="DRAFT-FIRE", review_state=DRAFT, parties=[police, a])

    response = client.get(demo.get_absolute_url())

    assert [a.reference for a in response.context["same_resource"]] == ["ELSEWHERE-FIRE"]
    # Newest first; the demo's illustrative drafts with Dinh Vu are not public, so not listed.
    assert [a.reference for a in response.context["same_parties"]] == [
        "DEEPC-WATER",
        "POLICE-TRAINING",
    ]
    page = text_of(response)
    assert "DRAFT-FIRE" not in page
    assert "(illustrative)" not in page


def test_a_reference_with_slashes_has_its_own_page(client):
    agreement = make_agreement(reference="HEZA/2023/01")

    response = client.get(agreement.get_absolute_url())

    assert agreement.get_absolute_url() == "/agreements/HEZA/2023/01/"
    assert response.context["agreement"] == agreement


def test_an_expired_agreement_says_so(client):
    agreement = make_agreement(
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1)
    )

    assert '<span class="badge text-bg-secondary">Expired</span>' in text_of(
        client.get(agreement.get_absolute_url())
    )


@pytest.fixture
def unverified():
    authority = make_agency()
    park = make_park(managing_authority=authority)
    return make_agreement(park, review_state=SUBMITTED, title_en="Pending water reuse")


def test_an_unverified_agreement_is_not_found_by_visitors_nor_staff_of_other_parks(
    client, unverified
):
    assert client.get(unverified.get_absolute_url()).status_code == 404
    client.force_login(make_park_staff(make_park()))
    assert client.get(unverified.get_absolute_url()).status_code == 404
    client.force_login(make_official(make_agency()))
    assert client.get(unverified.get_absolute_url()).status_code == 404


def test_its_park_staff_and_officials_see_an_unverified_agreement_with_its_state(
    client, unverified
):
    staff = make_park_staff(unverified.park)
    official = make_official(unverified.park.managing_authority)
    for user in [staff, official]:
        client.force_login(user)
        response = client.get(unverified.get_absolute_url())

        assert response.status_code == 200
        page = text_of(response)
        assert "Submitted for verification · not public" in page
        assert "This agreement is not public" in page


def test_impact_shows_the_annual_quantity_and_tonnes_avoided_with_the_factors_source(client):
    resource = make_resource(
        category=Resource.Category.ENERGY,
        unit=Resource.Unit.MEGAWATT_HOUR,
        emission_factor=Decimal("681.0"),
        emission_factor_source="Viet Nam grid emission factor 2022, MONRE",
    )
    a, b = make_organisation(), make_organisation()
    agreement = make_agreement(parties=[a, b], flows=[])
    ResourceFlow.objects.create(
        agreement=agreement,
        resource=resource,
        provider=a,
        receiver=b,
        quantity=Decimal("100"),
        period=ResourceFlow.Period.MONTHLY,
    )
    ResourceFlow.objects.create(
        agreement=agreement,
        resource=resource,
        provider=b,
        receiver=a,
        quantity=Decimal("5"),
        period=ResourceFlow.Period.ONE_OFF,
    )

    response = client.get(agreement.get_absolute_url())

    [impact] = response.context["impacts"]
    assert impact.annual_quantity == Decimal("1200")
    assert impact.tonnes_co2e_avoided == Decimal("817.2")
    page = text_of(response)
    assert "1,200 MWh" in page
    assert "817.2" in page
    assert "681 kg CO2e per MWh" in page
    assert "Viet Nam grid emission factor 2022, MONRE" in page
    assert "100 MWh per month" in page
    assert "5 MWh one-off" in page


def test_an_agreement_without_emission_factor_shows_no_impact_figure(client, demo):
    response = client.get(demo.get_absolute_url())

    assert response.context["impacts"] == []
    assert "No impact figure" in text_of(response)


@pytest.mark.parametrize("rows", [1, 30])
def test_the_detail_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    park = make_park()
    resource = make_resource()
    hub = make_organisation()
    others = [make_organisation() for _ in range(rows)]
    agreement = make_agreement(
        park, parties=[hub, *others], flows=[(resource, hub, other) for other in others]
    )
    for _ in range(rows):
        other = make_organisation()
        # signed by the same party, sharing the same resource
        make_agreement(park, parties=[hub, other], flows=[(resource, hub, other)])
        add_document(agreement, is_public=True)
    # ... and made under it, as bilateral agreements of a framework
    Agreement.objects.exclude(pk=agreement.pk).update(framework=agreement)

    # agreement, parties, flows, documents; the agreements nesting with it; agreements sharing
    # a resource, with their shared flows; agreements signed by the same party, with their
    # shared parties; each flow's measured figures per year (its agreed ones come with the
    # flows: one query fewer than before)
    with django_assert_num_queries(TRANSACTION + 10):
        response = client.get(agreement.get_absolute_url())
    assert len(response.context["bilaterals"]) == rows
    assert len(response.context["same_parties"]) == min(rows, RELATED_LIMIT)
    assert len(response.context["same_resource"]) == min(rows, RELATED_LIMIT)
    assert len(response.context["documents"]) == rows


def signed_on_successive_days(count, *, parties, resource=None):
    """``count`` verified agreements signed a day apart, the newest last: each between
    ``parties()`` (a new pair of organisations per call), sharing ``resource`` if given."""
    agreements = []
    for number in range(count):
        pair = parties()
        agreements.append(
            make_agreement(
                signed_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=number),
                parties=pair,
                flows=[(resource or make_resource(), *pair)],
            )
        )
    return agreements


def test_an_agreement_page_lists_the_ten_latest_sharing_its_resource_and_links_to_the_rest(
    client,
):
    water = make_resource(name_en="Treated wastewater")
    a, b = make_organisation(), make_organisation()
    agreement = make_agreement(parties=[a, b], flows=[(water, a, b)])
    others = signed_on_successive_days(
        30, parties=lambda: [make_organisation(), make_organisation()], resource=water
    )

    response = client.get(agreement.get_absolute_url())

    listed = [other.reference for other in response.context["same_resource"]]
    assert listed == [other.reference for other in reversed(others[-RELATED_LIMIT:])]
    page = text_of(response)
    assert "Only the 10 most recent are listed." in page
    more = page[page.index('id="more-same-resource"') :]
    assert f'<a href="{water.get_absolute_url()}">Treated wastewater</a>' in more
    assert response.context["same_parties"] == []


def test_an_agreement_page_lists_the_ten_latest_signed_by_its_parties_and_links_to_the_rest(
    client,
):
    hub = make_organisation(name_en="Hub Steel")
    agreement = make_agreement(parties=[hub, make_organisation()])
    others = signed_on_successive_days(30, parties=lambda: [hub, make_organisation()])

    response = client.get(agreement.get_absolute_url())

    listed = [other.reference for other in response.context["same_parties"]]
    assert listed == [other.reference for other in reversed(others[-RELATED_LIMIT:])]
    page = text_of(response)
    more = page[page.index('id="more-same-parties"') :]
    assert f'<a href="{hub.get_absolute_url()}">Hub Steel</a>' in more


def test_a_short_list_of_related_agreements_is_complete_and_says_nothing_more(client, demo):
    page = text_of(client.get(demo.get_absolute_url()))

    assert "most recent are listed" not in page


# Documents


def test_visitors_see_and_download_the_public_documents_of_a_verified_agreement(client, demo):
    public = add_document(demo, is_public=True, title="Signed text", name="Quy chế phối hợp.PDF")
    internal = add_document(demo, is_public=False, title="Internal minutes")

    page = text_of(client.get(demo.get_absolute_url()))
    assert "Signed text" in page
    assert "Internal minutes" not in page

    response = client.get(public.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Quy_ch%E1%BA%BF_ph%E1%BB%91i_h%E1%BB%A3p.pdf" in disposition
    assert client.get(internal.get_absolute_url()).status_code == 404


def test_a_download_name_cannot_carry_a_path_or_quotes(client, demo):
    document = add_document(demo, is_public=True, name='../../etc/"passwd".pdf')

    disposition = client.get(document.get_absolute_url())["Content-Disposition"]

    assert disposition == 'attachment; filename="passwd.pdf"'


def test_documents_of_an_unverified_agreement_cannot_be_downloaded_by_visitors(client, unverified):
    document = add_document(unverified, is_public=True)

    assert client.get(document.get_absolute_url()).status_code == 404
    client.force_login(make_park_staff(make_park()))
    assert client.get(document.get_absolute_url()).status_code == 404


def test_park_staff_see_and_download_internal_documents_marked_as_such(client, unverified):
    document = add_document(unverified, is_public=False, title="Draft minutes")
    client.force_login(make_park_staff(unverified.park))

    page = text_of(client.get(unverified.get_absolute_url()))
    response = client.get(document.get_absolute_url())

    assert "Draft minutes" in page and "internal" in page
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_document_whose_file_is_missing_answers_404(client, demo):
    document = add_document(demo, is_public=True)
    document.file.delete(save=False)
    Document.objects.filter(pk=document.pk).update(file=document.file.name or "gone.pdf")

    assert client.get(document.get_absolute_url()).status_code == 404


def test_a_download_can_only_be_read(client, demo):
    document = add_document(demo, is_public=True)

    assert client.post(document.get_absolute_url()).status_code == 405


# Resources


def test_the_resource_list_groups_resources_by_category_with_their_verified_agreements(
    client, demo
):
    make_agreement(
        demo.park,
        review_state=DRAFT,
        flows=[
            (
                Resource.objects.get(slug="treated-wastewater"),
                *[make_organisation(), make_organisation()],
            )
        ],
        parties=[],
    )

    dinh_vu, shin_etsu = demo_organisation("dinh-vu-ip-jsc"), demo_organisation("shin-etsu-vietnam")
    make_agreement(
        demo.park,
        parties=[dinh_vu, shin_etsu],
        flows=[(demo_resource("rooftop-solar-electricity"), dinh_vu, shin_etsu)],
    )

    response = client.get(reverse("agreements:resource-list"))

    # The demo's illustrative drafts and the draft above count for nothing.
    groups = {
        str(label): [(r.slug, r.agreement_count) for r in members]
        for label, members in response.context["groups"]
    }
    assert groups == {
        "Energy": [("rooftop-solar-electricity", 1), ("wind-electricity", 0)],
        "Water": [("treated-wastewater", 0)],
        "Material or by-product": [("waste-as-filling-material", 0)],
        "Service": [("fire-fighting-rescue-capacity", 1)],
    }
    assert '<h2 id="category-1" class="h4">Energy</h2>' in text_of(response)


def test_the_service_resource_lists_the_founding_agreement_and_its_flow(client, demo):
    response = client.get(
        reverse("agreements:resource-detail", args=["fire-fighting-rescue-capacity"])
    )

    [agreement] = response.context["agreements"]
    assert agreement.reference == FOUNDING
    assert [(f.provider.slug, f.receiver.slug) for f in agreement.resource_flows] == [
        ("dinh-vu-ip-jsc", "hai-an-district-police")
    ]
    page = text_of(response)
    assert demo.title_en in page
    assert "Service" in page
    assert "1 verified agreement shares it" in page
    assert reverse("parks:detail", args=["deep-c"]) in page


def test_a_resource_page_leaves_out_unverified_agreements(client, unverified):
    resource = unverified.flows.get().resource

    response = client.get(resource.get_absolute_url())

    assert list(response.context["agreements"]) == []
    assert "Pending water reuse" not in text_of(response)
    assert "No verified agreement shares this resource yet." in text_of(response)


def test_a_resource_page_adds_up_the_impact_of_its_flows_across_parks(client):
    resource = make_resource(emission_factor=Decimal("0.5"), emission_factor_source="Study X")
    for quantity in ["1000", "3000"]:
        a, b = make_organisation(), make_organisation()
        agreement = make_agreement(parties=[a, b], flows=[])
        ResourceFlow.objects.create(
            agreement=agreement, resource=resource, provider=a, receiver=b, quantity=quantity
        )

    response = client.get(resource.get_absolute_url())

    assert response.context["impact"].tonnes_co2e == Decimal("2")
    assert "Study X" in text_of(response)


@pytest.mark.parametrize("rows", [1, 30])
def test_resource_pages_run_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    resource = make_resource()
    for _ in range(rows):
        a, b = make_organisation(), make_organisation()
        make_agreement(parties=[a, b], flows=[(resource, a, b)])
        make_resource()

    with django_assert_num_queries(TRANSACTION + 1):
        client.get(reverse("agreements:resource-list"))
    # resource; count, page and flows of the agreements sharing it; their impact in all (its
    # rows, then the emission factors they use); agreed and measured per year (two)
    with django_assert_num_queries(TRANSACTION + 8):
        response = client.get(resource.get_absolute_url())
    assert len(response.context["agreements"]) == min(rows, 25)


def test_a_resource_shared_by_thirty_agreements_lists_them_25_a_page_the_latest_first(client):
    resource = make_resource(emission_factor=Decimal("0.5"), emission_factor_source="Study X")
    for number in range(30):
        a, b = make_organisation(), make_organisation()
        agreement = make_agreement(
            reference=f"R-{number:02d}",
            signed_on=datetime.date(2020, 1, 1) + datetime.timedelta(days=number),
            parties=[a, b],
            flows=[],
        )
        ResourceFlow.objects.create(
            agreement=agreement, resource=resource, provider=a, receiver=b, quantity="1000"
        )

    first = client.get(resource.get_absolute_url())
    second = client.get(resource.get_absolute_url(), {"page": "2"})

    assert listed_references(first) == [f"R-{number:02d}" for number in range(29, 4, -1)]
    assert listed_references(second) == [f"R-{number:02d}" for number in range(4, -1, -1)]
    page = text_of(first)
    assert "30 verified agreements share it" in page
    assert 'href="?page=2#agreements"' not in page  # the main list needs no fragment
    assert 'href="?page=2"' in page
    # The impact of all 30, though the flow-by-flow table shows the 25 on this page, with no
    # total row of its own.
    assert first.context["impact"].tonnes_co2e == Decimal("15")
    assert first.context["impact"].flows == 30
    assert len(first.context["impacts"]) == 25
    assert "data-flow-impact-total" not in page


def test_impact_totals_count_only_agreements_in_force_today(client):
    resource = make_resource(emission_factor=Decimal("1000"), emission_factor_source="Study X")
    in_force, ended = (
        (make_organisation(), make_organisation()),
        (make_organisation(), make_organisation()),
    )
    current = make_agreement(parties=in_force, flows=[])
    terminated = make_agreement(parties=ended, flows=[], terminated_on=datetime.date(2024, 1, 1))
    for agreement, (a, b) in ((current, in_force), (terminated, ended)):
        ResourceFlow.objects.create(
            agreement=agreement, resource=resource, provider=a, receiver=b, quantity="7"
        )

    on_resource = client.get(resource.get_absolute_url())
    on_terminated = text_of(client.get(terminated.get_absolute_url()))

    assert on_resource.context["impact"].tonnes_co2e == Decimal("7")
    assert on_resource.context["impact"].not_in_force == 1
    assert "This agreement is not in force today" in on_terminated
    assert "This agreement is not in force today" not in text_of(
        client.get(current.get_absolute_url())
    )


def test_unknown_pages_answer_404(client, demo):
    assert client.get("/agreements/NO-SUCH-REF/").status_code == 404
    assert client.get("/agreements/resources/no-such-resource/").status_code == 404
    assert client.get("/agreements/documents/999/").status_code == 404
    assert Park.objects.exists() and Party.objects.exists()


class TestStepsOnTheAgreementPage:
    """The detail page offers each signed-in user the steps they may take, and no others."""

    def test_park_staff_see_edit_submit_and_history_on_their_draft(self, client):
        park = make_park()
        draft = make_agreement(park, review_state=DRAFT)
        client.force_login(make_park_staff(park))

        page = text_of(client.get(draft.get_absolute_url()))

        assert reverse("agreements:update", kwargs={"reference": draft.reference}) in page
        assert reverse("agreements:submit", kwargs={"reference": draft.reference}) in page
        assert reverse("agreements:history", kwargs={"reference": draft.reference}) in page
        assert reverse("agreements:review", kwargs={"reference": draft.reference}) not in page

    def test_the_managing_official_sees_review_on_a_submitted_agreement(self, client):
        agency = make_agency()
        submitted = make_agreement(make_park(managing_authority=agency), review_state=SUBMITTED)
        client.force_login(make_official(agency))

        page = text_of(client.get(submitted.get_absolute_url()))

        assert reverse("agreements:review", kwargs={"reference": submitted.reference}) in page
        assert reverse("agreements:update", kwargs={"reference": submitted.reference}) not in page

    def test_staff_of_another_park_see_no_steps_on_a_verified_agreement(self, client):
        verified = make_agreement()
        client.force_login(make_park_staff(make_park()))

        page = text_of(client.get(verified.get_absolute_url()))

        assert "/edit/" not in page
        assert "/history/" not in page

    def test_staff_see_the_reviewers_comment_on_a_returned_agreement(self, client):
        park = make_park()
        returned = make_agreement(
            park,
            review_state=Agreement.ReviewState.RETURNED,
            review_comment="Attach the signed scan, please.",
        )
        client.force_login(make_park_staff(park))

        assert "Attach the signed scan, please." in text_of(client.get(returned.get_absolute_url()))


class TestNavigation:
    def test_visitors_see_the_public_sections_only(self, client):
        page = text_of(client.get(reverse("home")))

        assert reverse("agreements:list") in page
        assert reverse("agreements:mine") not in page
        assert reverse("agreements:dashboard") not in page

    def test_park_staff_see_my_agreements_but_not_the_dashboard(self, client):
        client.force_login(make_park_staff(make_park()))

        page = text_of(client.get(reverse("home")))

        assert reverse("agreements:mine") in page
        assert reverse("agreements:dashboard") not in page

    def test_officials_see_the_dashboard(self, client):
        client.force_login(make_official(make_agency()))

        page = text_of(client.get(reverse("home")))

        assert reverse("agreements:dashboard") in page
