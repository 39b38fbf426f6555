"""Units that convert (agreements/units.py): each unit has a dimension, quantities keep the unit
they were entered in, and every total adds up one dimension in its canonical unit, converted
with pint's factors: 1000 kWh + 2 MWh + 36 GJ are 13 MWh, on the dashboard, the park page, the
exports and the t CO2e alike."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from agreements import units
from agreements.forms import ResourceForm
from agreements.impact import impact
from agreements.models import Agreement, Resource, ResourceFlow
from agreements.permissions import overseen_parks, reviewable_agreements
from agreements.reporting.dashboard import from_agreements, from_park_figures
from agreements.reporting.filters import Filters
from agreements.services import set_emission_factor
from tests.agreements.reporting.dashboard_data import TODAY, build_register
from tests.agreements.reporting.test_park_figures import comparable
from tests.agreements.test_impact_totals import (
    assert_the_total_row_adds_up_its_rows,
    csv_rows,
    export_totals,
    impact_table,
    page_totals,
)
from tests.factories import make_agreement, make_organisation, make_park, make_resource, make_user

Unit = units.Unit
Period = ResourceFlow.Period


# The units themselves


def test_every_unit_has_a_dimension_and_the_factors_come_from_pint():
    assert units.dimension("kWh") == units.dimension("TJ") == units.Dimension.ENERGY
    assert units.dimension("kg") == units.Dimension.MASS
    assert units.dimension("L") == units.Dimension.VOLUME
    assert units.dimension("m2") == units.Dimension.AREA
    assert units.dimension("h") == units.Dimension.TIME
    assert units.dimension("vehicle") == units.Dimension.COUNT
    # Exact fractions: 1 GJ = 1e9 J / 3.6e9 J per MWh.
    assert units.factor("GJ", "MWh") == Fraction(5, 18)
    assert units.factor("TJ", "MWh") == Fraction(2500, 9)
    assert units.factor("kWh", "MWh") == Fraction(1, 1000)
    assert units.factor("GWh", "MWh") == 1000
    assert units.factor("L", "m3") == Fraction(1, 1000)
    assert units.factor("kg", "t") == Fraction(1, 1000)
    assert units.convert(Decimal(36), "GJ", "MWh") == Decimal(10)


def test_the_units_stored_before_keep_their_meaning_and_the_new_ones_are_offered():
    assert {"m3", "t", "MWh", "GJ", "h", "call_out", "person_day", "session"} <= set(Unit.values)
    assert {"kWh", "GWh", "TJ", "kg", "L", "m2", "vehicle"} <= set(Unit.values)
    assert Resource.Unit is Unit


def test_each_measured_dimension_adds_up_in_its_canonical_unit_and_counts_never_mix():
    assert [units.totals_unit(unit) for unit in ["kWh", "GJ", "kg", "L", "m2", "h"]] == [
        "MWh",
        "MWh",
        "t",
        "m3",
        "m2",
        "h",
    ]
    # Call-outs and vehicles are different things: each count is its own unit for totals.
    assert units.totals_unit("call_out") == "call_out"
    assert not units.convertible("call_out", "vehicle")
    assert not units.convertible("person_day", "h")
    with pytest.raises(ValueError):
        units.factor("t", "m3")


def test_unit_labels_in_both_languages():
    """Needs the Vietnamese catalogue compiled with i13-vi.json's new entries."""
    with translation.override("en"):
        assert [str(units.label(unit)) for unit in ["m3", "h", "vehicle", "call_out"]] == [
            "m³",
            "hours",
            "vehicles",
            "call-outs",
        ]
    with translation.override("vi"):
        assert [str(units.label(unit)) for unit in ["t", "h", "vehicle", "L"]] == [
            "tấn",
            "giờ",
            "phương tiện",
            "lít",
        ]
        assert str(units.Dimension.ENERGY.label) == "năng lượng"


# A flow's unit


def electricity(**fields):
    fields.setdefault("emission_factor", Decimal(500))
    fields.setdefault("emission_factor_source", "Grid factor")
    return make_resource(
        name_en="Electricity", category=Resource.Category.ENERGY, unit=Unit.MEGAWATT_HOUR, **fields
    )


def flow_of(resource, **fields):
    a, b = make_organisation(), make_organisation()
    agreement = make_agreement(parties=[a, b], flows=[])
    return ResourceFlow(agreement=agreement, resource=resource, provider=a, receiver=b, **fields)


@pytest.mark.django_db
def test_a_flow_given_no_unit_is_in_its_resources_unit():
    flow = flow_of(electricity(), quantity=Decimal(5))
    flow.save()

    assert ResourceFlow.objects.get(pk=flow.pk).unit == "MWh"


@pytest.mark.django_db
def test_a_flow_in_a_unit_of_another_dimension_is_refused_with_the_units_it_may_use():
    flow = flow_of(electricity(), quantity=Decimal(5), unit=Unit.TONNE)

    with pytest.raises(ValidationError) as error:
        flow.full_clean()

    [message] = error.value.message_dict["unit"]
    assert message == (
        "Electricity is measured in MWh: give the quantity in one of these units: "
        "kWh, MWh, GWh, GJ, TJ."
    )


@pytest.mark.django_db
def test_a_count_accepts_only_its_own_unit():
    rescue = make_resource(category=Resource.Category.SERVICE, unit=Unit.CALL_OUT)
    flow = flow_of(rescue, quantity=Decimal(2), unit=Unit.VEHICLE)

    with pytest.raises(ValidationError) as error:
        flow.full_clean()
    assert "unit" in error.value.message_dict


# Totals across kWh, MWh and GJ


@pytest.fixture
def mixed(db):
    """One electricity resource (MWh, 500 kg CO2e/MWh) shared in three units by verified
    agreements in force in one park: 1000 kWh + 2 MWh + 36 GJ a year = 1 + 2 + 10 = 13 MWh,
    x 500 kg / 1000 = 6.5 t CO2e."""
    today = timezone.localdate()
    park = make_park(name_en="Mixed Park", slug="mixed")
    resource = electricity()
    for quantity, unit in [(1000, Unit.KILOWATT_HOUR), (2, Unit.MEGAWATT_HOUR), (36, "GJ")]:
        a, b = make_organisation(), make_organisation()
        agreement = make_agreement(
            park, parties=[a, b], flows=[], starts_on=today - datetime.timedelta(days=30)
        )
        ResourceFlow.objects.create(
            agreement=agreement,
            resource=resource,
            provider=a,
            receiver=b,
            quantity=Decimal(quantity),
            unit=unit,
            period=Period.YEARLY,
        )
    return {
        "park": park,
        "resource": resource,
        "admin": make_user(is_superuser=True, is_staff=True),
    }


HAND_CONVERTED = {
    "flows": 3,
    "without-quantity": 0,
    "annual-quantity": Decimal(13),  # 1000 kWh / 1000 + 2 MWh + 36 GJ / 3.6
    "one-off-quantity": None,
    "tonnes": Decimal("6.5"),  # 13 MWh x 500 kg / 1000
}


def test_the_impact_adds_up_kwh_mwh_and_gj_in_mwh(mixed):
    figures = impact(ResourceFlow.objects.all(), today=timezone.localdate())

    [row] = figures.rows
    assert (row.unit, row.annual_quantity, row.tonnes_co2e) == ("MWh", Decimal(13), Decimal("6.5"))
    assert figures.tonnes_co2e == Decimal("6.5")


def test_the_dashboard_and_park_page_give_the_hand_converted_sum(client, mixed):
    on_park = impact_table(client.get(mixed["park"].get_absolute_url()))
    client.force_login(mixed["admin"])
    on_dashboard = impact_table(client.get(reverse("agreements:dashboard")))
    on_resource = impact_table(client.get(mixed["resource"].get_absolute_url()))
    csv_file = csv_rows(client.get(reverse("agreements:export-csv")))

    for rows, total, _left_out in (on_park, on_dashboard, on_resource):
        assert rows == {("energy", "MWh"): HAND_CONVERTED}
        assert_the_total_row_adds_up_its_rows(rows, total)
    assert export_totals(csv_file) == page_totals(*on_dashboard[:2])
    # Each exported row keeps the unit it was entered in.
    assert sorted(row["Unit"] for row in csv_file) == ["GJ", "MWh", "kWh"]


def test_the_page_says_the_totals_are_converted(client, mixed):
    text = " ".join(client.get(mixed["park"].get_absolute_url()).content.decode().split())

    assert "all energy quantities converted to MWh" in text
    assert "energy in MWh, mass in t, volume in m³" in text


def test_a_flow_row_shows_its_own_unit_and_its_quantity_in_the_resources_unit(client, mixed):
    flow = ResourceFlow.objects.get(unit="GJ")
    text = " ".join(client.get(flow.agreement.get_absolute_url()).content.decode().split())

    assert "36 GJ per year" in text
    assert "= 10 MWh, the unit of its emission factor" in text


@pytest.mark.django_db
def test_kept_figures_equal_the_computed_ones_with_flows_in_other_units(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        register = build_register()
        a1, a9 = register.agreements["A1"], register.agreements["A9"]
        for agreement, resource, quantity, unit in [
            (a1, register.resources.electricity, 1500, Unit.KILOWATT_HOUR),
            (a1, register.resources.electricity, 7, "GJ"),
            (a9, register.resources.heat, 1, Unit.TERAJOULE),
            (a9, register.resources.slag, 250, Unit.KILOGRAM),
        ]:
            provider, receiver = [p.organisation for p in agreement.parties.order_by("pk")[:2]]
            ResourceFlow.objects.create(
                agreement=agreement,
                resource=resource,
                provider=provider,
                receiver=receiver,
                quantity=Decimal(quantity),
                unit=unit,
                period=Period.MONTHLY,
            )
    user = register.national_official

    def board(source):
        return source(
            agreements=reviewable_agreements(user, Agreement.objects.all()),
            parks=overseen_parks(user),
            filters=Filters(),
            today=TODAY,
        )

    computed = comparable(board(from_agreements))
    assert comparable(board(from_park_figures)) == computed
    assert comparable(board(from_park_figures)) == computed  # kept, then read back
    energy = next(row for row in computed["impact"]["rows"] if row["category"] == "energy")
    # A1 50 + A11 120 MWh, 1.5 x 12 = 18 MWh in kWh, 7 x 12 GJ = 23.333 MWh; A9's heat
    # 10 GJ = 2.778 MWh, and 12 TJ = 3333.333 MWh.
    assert energy["annual_quantity"] == Decimal("3547.444")


# Changing a resource's unit


def resource_form(resource, **changes):
    data = {
        "name_vi": resource.name_vi,
        "name_en": resource.name_en,
        "slug": resource.slug,
        "category": resource.category,
        "unit": resource.unit,
        "description": resource.description,
        "waste_code": resource.waste_code,
        **changes,
    }
    return ResourceForm(data, instance=resource)


@pytest.mark.django_db
def test_a_resource_no_flow_uses_changes_unit_with_its_emission_factor_converted():
    resource = electricity()

    form = resource_form(resource, unit=Unit.KILOWATT_HOUR)

    assert form.is_valid(), form.errors
    form.save()
    resource.refresh_from_db()
    assert (resource.unit, resource.emission_factor) == ("kWh", Decimal("0.5"))


@pytest.mark.django_db
def test_a_resource_with_an_emission_factor_keeps_a_unit_of_its_dimension():
    # The factor is set by an official on its own page (issue 14), no longer typed in here: a
    # unit it cannot apply to is refused while the resource has one.
    resource = electricity()

    form = resource_form(resource, unit=Unit.TONNE)

    assert not form.is_valid()
    assert form.errors["unit"] == ["A factor per MWh cannot apply to a resource measured in t."]
    assert resource_form(electricity(emission_factor=None), unit=Unit.TONNE).is_valid()


@pytest.mark.django_db
def test_a_unit_change_restates_the_factor_from_the_one_an_official_set():
    resource = electricity(emission_factor=None)
    set_emission_factor(
        resource=resource,
        value="0.681",
        unit=Unit.KILOWATT_HOUR,
        source="MONRE",
        year=2022,
        by=None,
    )
    resource.refresh_from_db()
    assert resource.emission_factor == Decimal("681")

    form = resource_form(resource, unit=Unit.GIGAJOULE)
    assert form.is_valid(), form.errors
    form.save()

    resource.refresh_from_db()
    # 0.681 kg per kWh, as set, is 189.1667 kg per GJ (1 GJ = 277.78 kWh).
    assert (resource.unit, resource.emission_factor) == ("GJ", Decimal("189.1667"))
    assert (resource.current_factor.value, resource.current_factor.unit) == (
        Decimal("0.681"),
        "kWh",
    )


@pytest.mark.django_db
def test_a_resource_in_use_cannot_change_into_another_dimension():
    resource = electricity()
    flow_of(resource, quantity=Decimal(1)).save()

    form = resource_form(resource, unit=Unit.TONNE, change_unit="on")

    assert not form.is_valid()
    assert form.errors["unit"] == [
        "Flows use this resource in MWh, which do not convert into t: its unit can change only "
        "into one of the same dimension, or once no flow uses it."
    ]
    resource.refresh_from_db()
    assert resource.unit == "MWh"


@pytest.mark.django_db
def test_a_resource_in_use_changes_unit_only_when_asked_and_its_flows_keep_theirs():
    resource = electricity()
    flow = flow_of(resource, quantity=Decimal(3))
    flow.save()

    refused = resource_form(resource, unit="GJ")
    assert not refused.is_valid()
    assert refused.errors["change_unit"] == [
        "Flows use this resource: tick this box to change its unit from MWh to GJ."
    ]

    # 500 kg per MWh is 138.8888... kg per GJ, kept to four decimals (one part in 10,000 at
    # most: the factor is restated for the figures, no longer typed in again).
    accepted = resource_form(resource, unit="GJ", change_unit="on")
    assert accepted.is_valid(), accepted.errors
    accepted.save()
    resource.refresh_from_db()
    assert resource.emission_factor == Decimal("138.8889")
    flow.refresh_from_db()
    assert (flow.quantity, flow.unit) == (Decimal(3), "MWh")
    # The flow's 3 MWh a year still avoid 1.5 t: 10.8 GJ x 138.8889 kg / 1000.
    figures = impact(ResourceFlow.objects.all(), today=timezone.localdate())
    assert figures.rows[0].annual_quantity == Decimal(3)
