"""Kinds of symbiosis of Circular 05/2025 (suggested, chosen by staff, confirmed by officials)
and the impact's method (baseline, claimant): the rule, the form, the review, the pages."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from agreements import impact, services
from agreements.forms import AgreementEntry
from agreements.models import Agreement, Resource, ResourceFlow, SymbiosisKind
from agreements.reporting import exports
from agreements.symbiosis_kinds import suggested_kind, suggested_kind_of
from tests.agreements.entry import edit_data, flow, new_agreement_data, party
from tests.agreements.world import make_world
from tests.factories import make_agreement, make_resource

pytestmark = pytest.mark.django_db
Kind = Agreement.Kind
Category = Resource.Category
State = Agreement.ReviewState


@pytest.fixture
def world(db):
    return make_world()


# The rule


@pytest.mark.parametrize(
    ("kind", "categories", "all_in_park", "expected"),
    [
        (Kind.INDUSTRIAL, {Category.MATERIAL}, True, SymbiosisKind.INPUT_OUTPUT_EXCHANGE),
        (Kind.INDUSTRIAL, {Category.ENERGY}, True, SymbiosisKind.INPUT_OUTPUT_EXCHANGE),
        (Kind.INDUSTRIAL, {Category.MATERIAL}, False, SymbiosisKind.OUTSIDE_THE_PARK),
        (Kind.INDUSTRIAL_URBAN, {Category.SERVICE}, True, SymbiosisKind.OUTSIDE_THE_PARK),
        (Kind.SHARED_SERVICE, {Category.ENERGY, Category.WATER}, True, "shared_infrastructure"),
        (Kind.SHARED_SERVICE, {Category.INFRASTRUCTURE}, True, "shared_infrastructure"),
        (Kind.SHARED_SERVICE, {Category.SERVICE}, True, SymbiosisKind.SHARED_SERVICES),
        (Kind.SHARED_SERVICE, {Category.WATER, Category.SERVICE}, True, "shared_services"),
        (Kind.SHARED_SERVICE, set(), True, SymbiosisKind.SHARED_SERVICES),
        (Kind.SHARED_SERVICE, {Category.WATER}, False, SymbiosisKind.OUTSIDE_THE_PARK),
        ("", {Category.WATER}, True, ""),
    ],
)
def test_the_suggested_kind_follows_the_agreement_kind_resources_and_location(
    kind, categories, all_in_park, expected
):
    assert suggested_kind(kind, categories, all_in_park=all_in_park) == expected


def test_an_agency_outside_the_park_exchanging_makes_it_symbiosis_outside_the_park(world):
    tenant, police = world.provider, world.receiver  # located in the park; an agency
    inside = make_agreement(world.park, parties=[tenant, world.witness])
    # Flows between the park's tenants, witnessed by the authority: still inside the park.
    witnessed = make_agreement(world.park, parties=[tenant, world.witness, world.agency])
    outside = make_agreement(world.park, parties=[tenant, police])

    assert suggested_kind_of(inside) == SymbiosisKind.INPUT_OUTPUT_EXCHANGE
    assert suggested_kind_of(witnessed) == SymbiosisKind.INPUT_OUTPUT_EXCHANGE
    assert suggested_kind_of(outside) == SymbiosisKind.OUTSIDE_THE_PARK


# The form and the service


def test_a_new_agreement_form_opens_with_the_suggestion_for_its_kind(world, client):
    client.force_login(world.staff)

    response = client.get(reverse("agreements:create") + "?kind=shared_service")

    form = response.context["entry"].form if "entry" in response.context else None
    form = form or response.context["form"]
    assert form["symbiosis_kind"].value() == SymbiosisKind.SHARED_SERVICES
    assert "Left as suggested, it is set when you save" in response.content.decode()

    # Sent as it was pre-filled, it is the suggestion for the rows saved with it.
    data = new_agreement_data(
        park=world.park,
        kind=Kind.SHARED_SERVICE,
        symbiosis_kind=SymbiosisKind.SHARED_SERVICES,
        parties=[party(world.provider), party(world.witness)],
        flows=[flow(make_resource(category=Category.WATER), world.provider, world.witness)],
    )
    response = client.post(reverse("agreements:create") + "?kind=shared_service", data)
    assert response.status_code == 302
    saved = Agreement.objects.get(reference=data["reference"])
    assert saved.symbiosis_kind == SymbiosisKind.SHARED_INFRASTRUCTURE


def test_a_new_agreement_left_as_suggested_is_saved_with_the_suggestion(world):
    data = new_agreement_data(
        park=world.park,
        kind=Kind.SHARED_SERVICE,
        parties=[party(world.provider), party(world.witness)],
        flows=[flow(make_resource(category=Category.ENERGY), world.provider, world.witness)],
    )
    entry = AgreementEntry(user=world.staff, data=data)
    assert entry.is_valid(), entry.form.errors

    agreement, _ = services.save_agreement(**entry.cleaned_data_for_service(), user=world.staff)

    agreement.refresh_from_db()
    assert agreement.symbiosis_kind == SymbiosisKind.SHARED_INFRASTRUCTURE
    assert agreement.symbiosis_kind_confirmed_at is None


def test_staff_choose_the_kind_and_a_flow_its_own_and_they_are_saved(world, client):
    client.force_login(world.staff)
    data = new_agreement_data(
        park=world.park,
        kind=Kind.INDUSTRIAL_URBAN,
        symbiosis_kind=SymbiosisKind.SHARED_SERVICES,
        parties=[party(world.provider), party(world.receiver)],
        flows=[
            flow(
                world.resource,
                world.provider,
                world.receiver,
                symbiosis_kind=SymbiosisKind.SHARED_INFRASTRUCTURE,
                baseline_en="Diesel generators",
                baseline_vi="Máy phát điện chạy dầu",
                claimed_by=ResourceFlow.Claimant.RECEIVER,
            )
        ],
    )

    response = client.post(reverse("agreements:create"), data)

    assert response.status_code == 302
    agreement = Agreement.objects.get(reference=data["reference"])
    assert agreement.symbiosis_kind == SymbiosisKind.SHARED_SERVICES
    saved = agreement.flows.get()
    assert (saved.symbiosis_kind, saved.baseline_en, saved.baseline_vi, saved.claimed_by) == (
        SymbiosisKind.SHARED_INFRASTRUCTURE,
        "Diesel generators",
        "Máy phát điện chạy dầu",
        ResourceFlow.Claimant.RECEIVER,
    )


def submitted(world, **fields):
    agreement = make_agreement(
        world.park,
        parties=[world.provider, world.witness],
        review_state=State.SUBMITTED,
        symbiosis_kind=SymbiosisKind.INPUT_OUTPUT_EXCHANGE,
        **fields,
    )
    agreement.parties.update(role="signatory")
    return agreement


def test_verifying_confirms_the_kind_and_changing_it_unconfirms_it(world):
    agreement = submitted(world)

    services.verify_agreement(agreement=agreement, user=world.official)

    agreement.refresh_from_db()
    assert agreement.symbiosis_kind_confirmed_by == world.official
    assert agreement.symbiosis_kind_confirmed_at is not None

    # A change of anything else keeps the confirmation of the kind ...
    entry = AgreementEntry(
        user=world.staff, instance=agreement, data=edit_data(agreement, title_en="Renamed")
    )
    assert entry.is_valid()
    services.save_agreement(**entry.cleaned_data_for_service(), user=world.staff)
    agreement.refresh_from_db()
    assert agreement.symbiosis_kind_confirmed_by == world.official

    # ... a change of the kind does not.
    entry = AgreementEntry(
        user=world.staff,
        instance=agreement,
        data=edit_data(agreement, symbiosis_kind=SymbiosisKind.SHARED_SERVICES),
    )
    assert entry.is_valid()
    services.save_agreement(**entry.cleaned_data_for_service(), user=world.staff)
    agreement.refresh_from_db()
    assert agreement.symbiosis_kind == SymbiosisKind.SHARED_SERVICES
    assert (agreement.symbiosis_kind_confirmed_at, agreement.symbiosis_kind_confirmed_by) == (
        None,
        None,
    )


def test_a_flow_given_its_own_kind_unconfirms_the_agreements(world):
    agreement = submitted(world)
    services.verify_agreement(agreement=agreement, user=world.official)
    agreement.refresh_from_db()
    data = edit_data(agreement)
    data["flows-0-symbiosis_kind"] = SymbiosisKind.SHARED_INFRASTRUCTURE

    entry = AgreementEntry(user=world.staff, instance=agreement, data=data)
    assert entry.is_valid()
    services.save_agreement(**entry.cleaned_data_for_service(), user=world.staff)

    agreement.refresh_from_db()
    assert agreement.symbiosis_kind_confirmed_at is None


def test_the_review_page_tells_a_suggested_kind_from_one_chosen_by_staff(world, client):
    suggested = submitted(world)
    chosen = submitted(world, title_en="Chosen")
    Agreement.objects.filter(pk=chosen.pk).update(symbiosis_kind=SymbiosisKind.SHARED_SERVICES)
    client.force_login(world.official)

    on_suggested = client.get(reverse("agreements:review", args=[suggested.reference]))
    on_chosen = client.get(reverse("agreements:review", args=[chosen.reference]))

    assert 'data-kind-origin="suggested"' in on_suggested.content.decode()
    page = on_chosen.content.decode()
    assert 'data-kind-origin="chosen"' in page
    assert "chosen by staff" in page
    assert "suggested: Exchange of inputs and outputs among the park&#x27;s enterprises" in page


def test_the_agreement_page_shows_the_kind_confirmed_or_not_yet_to_staff_only(world, client):
    agreement = make_agreement(
        world.park,
        parties=[world.provider, world.witness],
        symbiosis_kind=SymbiosisKind.INPUT_OUTPUT_EXCHANGE,
    )
    url = agreement.get_absolute_url()

    public = client.get(url).content.decode()
    client.force_login(world.staff)
    staff = client.get(url).content.decode()
    Agreement.objects.filter(pk=agreement.pk).update(
        symbiosis_kind_confirmed_at=timezone.now(), symbiosis_kind_confirmed_by=world.official
    )
    client.logout()
    confirmed = client.get(url).content.decode()

    assert 'id="symbiosis-kind"' not in public  # a suggestion nobody confirmed
    assert "not confirmed yet" in staff
    assert 'id="symbiosis-kind"' in confirmed
    assert "not confirmed yet" not in confirmed


def test_a_flow_of_another_kind_shows_its_own(world, client):
    agreement = make_agreement(
        world.park,
        parties=[world.provider, world.witness],
        symbiosis_kind=SymbiosisKind.INPUT_OUTPUT_EXCHANGE,
    )
    agreement.flows.update(symbiosis_kind=SymbiosisKind.SHARED_INFRASTRUCTURE)

    page = client.get(agreement.get_absolute_url()).content.decode()

    assert 'data-flow-kind="shared_infrastructure"' in page


# The impact's method and who claims it


@pytest.fixture
def split_claim(world):
    """Two flows of one verified agreement in force, between a park tenant (the provider) and
    another: 1,000 MWh a year of electricity at 500 kg CO2e per MWh (500 t), claimed by the
    provider, measured against the resource's baseline; 250 m³ a month of treated water at
    100 kg per m³ (3,000 m³ a year: 300 t), claimed by the receiver, against its own."""
    provider, receiver = world.provider, world.witness
    power = make_resource(
        category=Category.ENERGY,
        unit=Resource.Unit.MEGAWATT_HOUR,
        emission_factor=Decimal("500"),
        emission_factor_source="Grid factor",
        baseline_en="grid electricity",
        baseline_vi="điện lưới",
    )
    water = make_resource(
        emission_factor=Decimal("100"),
        emission_factor_source="Water factor",
        baseline_en="tap water",
        baseline_vi="nước máy",
    )
    agreement = make_agreement(
        world.park,
        parties=[provider, receiver],
        flows=[(power, provider, receiver), (water, provider, receiver)],
        starts_on=datetime.date(2020, 1, 1),
    )
    electricity, treated = agreement.flows.order_by("pk")
    electricity.quantity, electricity.period = Decimal("1000"), ResourceFlow.Period.YEARLY
    electricity.claimed_by = ResourceFlow.Claimant.PROVIDER
    electricity.save()
    treated.quantity, treated.period = Decimal("250"), ResourceFlow.Period.MONTHLY  # 3,000 m³
    treated.claimed_by = ResourceFlow.Claimant.RECEIVER
    treated.baseline_en, treated.baseline_vi = "river water", "nước sông"
    treated.save()
    return agreement, provider, receiver


def test_a_claim_split_between_provider_and_receiver_is_counted_once(world, split_claim, client):
    agreement, provider, receiver = split_claim
    today = timezone.localdate()
    flows = ResourceFlow.objects.public()

    # 1,000 MWh x 500 kg = 500 t; 3,000 m³ x 100 kg = 300 t.
    park_total = impact.impact(flows.filter(agreement__park=world.park), today=today)
    by_provider = impact.claimed_impact(flows, organisation=provider, today=today)
    by_receiver = impact.claimed_impact(flows, organisation=receiver, today=today)

    assert park_total.tonnes_co2e == Decimal("800")
    assert (by_provider.tonnes_co2e, by_provider.flows) == (Decimal("500"), 1)
    assert (by_receiver.tonnes_co2e, by_receiver.flows) == (Decimal("300"), 1)
    assert by_provider.tonnes_co2e + by_receiver.tonnes_co2e == park_total.tonnes_co2e

    provider_page = client.get(provider.get_absolute_url()).content.decode()
    receiver_page = client.get(receiver.get_absolute_url()).content.decode()
    assert 'data-claimed-tonnes="500' in provider_page
    assert 'data-claimed-tonnes="300' in receiver_page


def test_a_flow_no_party_claims_counts_in_the_park_but_for_no_organisation(world, split_claim):
    agreement, provider, receiver = split_claim
    agreement.flows.update(claimed_by="")
    today = timezone.localdate()
    flows = ResourceFlow.objects.public()

    assert impact.impact(flows, today=today).tonnes_co2e == Decimal("800")
    for party_ in (provider, receiver):
        claimed = impact.claimed_impact(flows, organisation=party_, today=today)
        assert (claimed.tonnes_co2e, claimed.claimed) == (None, 0)


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("en", ["grid electricity", "river water"], ["điện lưới", "nước sông"]),
        ("vi", ["điện lưới", "nước sông"], ["grid electricity", "river water"]),
    ],
)
def test_each_impact_figure_states_its_baseline_and_claimant_in_the_readers_language(
    world, split_claim, client, language, shown, not_shown
):
    agreement, provider, receiver = split_claim

    page = client.get(agreement.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    page = page.content.decode()

    # The resource's baseline for the electricity, the flow's own for the water.
    for text in shown:
        assert text in page
    for text in not_shown:
        assert text not in page
    assert provider.name_en in page
    assert 'data-claimed-by="provider"' in page
    assert 'data-claimed-by="receiver"' in page
    assert "Grid factor" in page  # and the factor that produced it


def test_the_export_states_kind_baseline_and_claimant(world, split_claim):
    agreement, provider, receiver = split_claim
    Agreement.objects.filter(pk=agreement.pk).update(
        symbiosis_kind=SymbiosisKind.INPUT_OUTPUT_EXCHANGE
    )
    agreement.flows.filter(claimed_by="receiver").update(
        symbiosis_kind=SymbiosisKind.SHARED_INFRASTRUCTURE
    )
    today = timezone.localdate()

    for language, expected in [
        (
            "en",
            [
                (
                    "Exchange of inputs and outputs among the park's enterprises",
                    "no",
                    "Exchange of inputs and outputs among the park's enterprises",
                    "grid electricity",
                    "the provider",
                ),
                (
                    "Exchange of inputs and outputs among the park's enterprises",
                    "no",
                    "Shared production infrastructure",
                    "river water",
                    "the receiver",
                ),
            ],
        ),
        ("vi", [("điện lưới", "bên cung cấp"), ("nước sông", "bên tiếp nhận")]),
    ]:
        with translation.override(language):
            header = exports.flow_header(today=today)
            rows = list(exports.flow_rows(Agreement.objects.filter(pk=agreement.pk), today=today))
        places = [
            header.index(name)
            for name in header
            if name
            in {
                _t(language, "Kind of symbiosis (Circular 05/2025)"),
                _t(language, "Kind of symbiosis confirmed"),
                _t(language, "Kind of symbiosis of the flow"),
                _t(language, "Baseline"),
                _t(language, "Avoided emissions claimed by"),
            }
        ]
        cells = [tuple(row[index] for index in places) for row in rows]
        if language == "vi":
            cells = [cell[-2:] for cell in cells]
        assert cells == expected


def _t(language, text):
    with translation.override(language):
        return translation.gettext(text)


def test_the_list_filters_by_confirmed_kind_of_the_agreement_or_a_flow(world, client):
    now = timezone.now()
    confirmed = {"symbiosis_kind_confirmed_at": now, "symbiosis_kind_confirmed_by": world.official}
    make_agreement(
        world.park, symbiosis_kind=SymbiosisKind.SHARED_SERVICES, title_en="Services", **confirmed
    )
    with_flow = make_agreement(
        world.park,
        symbiosis_kind=SymbiosisKind.INPUT_OUTPUT_EXCHANGE,
        title_en="Mixed",
        **confirmed,
    )
    with_flow.flows.update(symbiosis_kind=SymbiosisKind.SHARED_SERVICES)
    make_agreement(world.park, symbiosis_kind=SymbiosisKind.SHARED_SERVICES, title_en="Unconfirmed")
    make_agreement(
        world.park, symbiosis_kind=SymbiosisKind.OUTSIDE_THE_PARK, title_en="Other", **confirmed
    )

    response = client.get(reverse("agreements:list"), {"symbiosis_kind": "shared_services"})
    bad = client.get(reverse("agreements:list"), {"symbiosis_kind": "eco"})

    assert {a.title_en for a in response.context["agreements"]} == {"Services", "Mixed"}
    assert len(bad.context["agreements"]) == 4  # left out, and said so
    assert "Select a valid choice" in bad.content.decode()
