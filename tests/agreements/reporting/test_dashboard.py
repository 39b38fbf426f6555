"""The dashboard's figures on a register built by hand (see dashboard_data.py for the table
they are worked out from): every number here was computed by hand, not by the code."""

import datetime
from decimal import Decimal

import pytest

from agreements.models import Agreement, Resource
from agreements.permissions import overseen_parks, reviewable_agreements
from agreements.reporting import dashboard
from agreements.reporting.filters import DashboardFilterForm, Filters
from tests.agreements.reporting.dashboard_data import TODAY, build_register

State = Agreement.ReviewState
Kind = Agreement.Kind
Category = Resource.Category


@pytest.fixture
def register(db, django_capture_on_commit_callbacks):
    # Built as if committed: what a commit leaves to do (the parks' kept figures moving on) is
    # done, so that a later change in a test is the only one pending.
    with django_capture_on_commit_callbacks(execute=True):
        return build_register()


def figures_for(user, filters=None, *, today=TODAY):
    return dashboard.build(
        agreements=reviewable_agreements(user, Agreement.objects.all()),
        parks=overseen_parks(user),
        filters=filters or Filters(),
        today=today,
    )


def references(agreements):
    return [agreement.reference for agreement in agreements]


class TestHeadlineFigures:
    def test_an_official_counts_every_review_state_in_the_parks_their_agency_manages(
        self, register
    ):
        figures = figures_for(register.heza_official).figures

        assert figures["total"] == 10  # A1-A9 and A11; A10 is in another authority's park
        assert dict(figures_for(register.heza_official).by_state) == {
            State.DRAFT: 1,
            State.SUBMITTED: 2,
            State.VERIFIED: 6,
            State.RETURNED: 1,
        }

    def test_active_expired_and_not_started_come_from_the_dates(self, register):
        figures = figures_for(register.heza_official).figures

        # Active: A1 A2 A5 A7 A8 A9 A11; expired: A3 (terminated) A4 (ended); A6 starts later.
        assert figures["active"] == 7
        assert figures["expired"] == 2
        assert figures["not_started"] == 1
        assert figures["active"] + figures["expired"] + figures["not_started"] == 10
        assert figures["active_verified"] == 4  # A1 A2 A9 A11
        # Open-ended: no end and no termination (A11 is terminated on 1 July).
        assert figures["open_ended"] == 5  # A1 A5 A7 A8 A9

    def test_active_and_expired_agree_with_the_queryset_methods(self, register):
        agreements = Agreement.objects.filter(park__managing_authority=register.heza)
        figures = figures_for(register.heza_official).figures

        assert figures["active"] == agreements.active_on(TODAY).count()
        assert figures["expired"] == agreements.expired_on(TODAY).count()

    def test_an_agreement_is_still_active_on_its_last_day_and_not_on_its_termination_day(
        self, register
    ):
        on_a2_last_day = figures_for(register.heza_official, today=datetime.date(2025, 8, 1))
        on_a11_termination = figures_for(register.heza_official, today=datetime.date(2025, 7, 1))

        assert on_a2_last_day.figures["active"] == 7  # A11 gone, A6 started, A2 still in
        assert on_a11_termination.figures["active"] == 7  # A11 gone, A6 started

    def test_parks_with_an_active_agreement_and_organisations_involved(self, register):
        result = figures_for(register.heza_official)

        assert result.figures["parks_with_active"] == 2
        assert result.parks_in_scope == 2
        # c1, c2, c3, the police and UNIDO (a witness counts as involved); not c4, c5.
        assert result.organisations == {
            "total": 5,
            "company": 3,
            "public_utility": 0,
            "agency": 1,
            "association": 0,
            "research": 0,
            "international": 1,
            "sector": 0,
        }

    def test_a_national_official_sees_every_park(self, register):
        result = figures_for(register.national_official)

        assert result.figures["total"] == 11
        assert result.parks_in_scope == 3
        assert result.organisations["company"] == 5

    def test_agreements_signed_per_year_with_unknown_dates_apart(self, register):
        per_year = figures_for(register.heza_official).signed_per_year

        assert [(row["year"], row["count"]) for row in per_year] == [
            (2021, 1),  # A3
            (2022, 1),  # A4
            (2023, 3),  # A1 A7 A9
            (2024, 2),  # A2 A11
            (None, 3),  # A5 A6 A8 have no signing date
        ]


class TestBreakdowns:
    def test_by_park_includes_parks_without_agreements(self, register):
        by_service = figures_for(register.heza_official, Filters(category=Category.SERVICE))

        assert [
            (park.slug, park.agreement_count, park.active_count)
            for park in figures_for(register.heza_official).by_park
        ] == [("alpha", 5, 5), ("beta", 5, 2)]
        assert [(park.slug, park.agreement_count) for park in by_service.by_park] == [
            ("alpha", 1),
            ("beta", 0),
        ]

    def test_by_kind(self, register):
        assert dict(figures_for(register.heza_official).by_kind) == {
            Kind.INDUSTRIAL: 7,
            Kind.INDUSTRIAL_URBAN: 1,
            Kind.SHARED_SERVICE: 2,
        }

    def test_by_resource_category_counts_agreements_and_flows(self, register):
        by_category = {
            category: (agreements, flows)
            for category, agreements, flows in figures_for(register.heza_official).by_category
        }

        assert by_category == {
            Category.WATER: (5, 5),  # A1 A2 A3 A5 A9
            Category.ENERGY: (4, 4),  # A1 A6 A9 (heat) A11
            Category.MATERIAL: (3, 4),  # A4, A7, A9 twice
            Category.SERVICE: (1, 1),  # A2
            Category.INFRASTRUCTURE: (0, 0),
            Category.KNOWLEDGE: (0, 0),
        }


def thousandths(quantity):
    """A converted total to the thousandth: 10 GJ are 2.777... MWh, to as many decimals as the
    database divides to."""
    return None if quantity is None else quantity.quantize(Decimal("0.001"))


class TestImpact:
    """Flows of active verified agreements (A1 A2 A9 A11), annualised, per category and
    dimension, in the dimension's unit."""

    def impact_rows(self, impact):
        return {
            (row.category, row.unit): (
                row.flows,
                thousandths(row.annual_quantity),
                row.annual_flows,
                row.one_off_quantity,
                row.without_quantity,
                row.tonnes_co2e,
            )
            for row in impact.rows
        }

    def test_totals_per_category_add_up_each_dimension_in_its_unit(self, register):
        impact = figures_for(register.heza_official).impact

        assert self.impact_rows(impact) == {
            # A1 50 a year + A11 10 a month x 12 = 170 MWh; x 400 kg / 1000 = 68 t CO2e. A9's
            # waste heat: 10 GJ a year (10 / 3.6 = 2.778 MWh), no emission factor.
            ("energy", "MWh"): (3, Decimal("172.778"), 3, None, 0, Decimal(68)),
            # A9: 20 t a month x 12 = 240 t a year; its 500 t one-off is reported apart.
            ("material", "t"): (2, Decimal(240), 1, Decimal(500), 0, None),
            # A2's mutual rescue service: one flow, one quantity, counted once.
            ("service", "call_out"): (1, Decimal(12), 1, None, 0, None),
            # A1 100 a month x 12 + A2 300 a year = 1500 m³; A9's water has no quantity.
            ("water", "m3"): (3, Decimal(1500), 2, None, 1, Decimal("0.75")),
        }

    def test_the_footnote_figures(self, register):
        impact = figures_for(register.heza_official).impact

        assert impact.flows == 9
        assert impact.without_quantity == 1
        assert impact.one_off_flows == 1
        assert impact.mutual_flows == 1
        assert impact.tonnes_co2e == Decimal("68.75")
        assert impact.co2e_flows == 4
        # Heat, the monthly slag and the rescue service have an annual quantity but no factor.
        assert impact.annual_without_factor == 3
        assert [resource.name for resource in impact.factors] == [
            "Solar electricity",
            "Treated wastewater",
        ]

    def test_expired_unverified_and_other_authorities_agreements_add_nothing(self, register):
        impact = figures_for(register.heza_official).impact
        water = next(row for row in impact.rows if row.category == "water")

        # Not A3's 12,000 m³ (terminated), A5's 999 (submitted) or A10's 5,000 (park C).
        assert water.annual_quantity == Decimal(1500)

    def test_agreement_ending_today_still_counts_and_terminated_one_does_not(self, register):
        # On 1 July A11 is terminated: only A1's 50 MWh remain, with A9's 10 GJ of heat.
        impact = figures_for(register.heza_official, today=datetime.date(2025, 7, 1)).impact
        energy = next(row for row in impact.rows if row.unit == "MWh")

        assert thousandths(energy.annual_quantity) == Decimal("52.778")


class TestWorkLists:
    def test_awaiting_verification_oldest_submission_first(self, register):
        result = figures_for(register.heza_official)

        assert references(result.awaiting_verification) == ["A6", "A5"]

    def test_ending_in_the_next_90_days_soonest_first(self, register):
        result = figures_for(register.heza_official)

        # A11 is terminated on 1 July, A2 ends on 1 August.
        assert references(result.ending_soon) == ["A11", "A2"]
        assert [a.ending_on for a in result.ending_soon] == [
            datetime.date(2025, 7, 1),
            datetime.date(2025, 8, 1),
        ]
        assert result.figures["ending_soon"] == 2

    def test_an_agreement_ending_beyond_90_days_is_not_listed(self, register):
        later = figures_for(register.heza_official, today=datetime.date(2025, 4, 1))

        # From 1 April the horizon is 30 June: A11 (1 July) and A2 (1 August) are beyond it.
        assert later.ending_soon == []
        assert later.figures["ending_soon"] == 0

    def test_returned_and_not_resubmitted(self, register, django_capture_on_commit_callbacks):
        result = figures_for(register.heza_official)
        resubmitted = register.agreements["A7"]
        resubmitted.review_state = State.SUBMITTED
        with django_capture_on_commit_callbacks(execute=True):  # as the save's commit does
            resubmitted.save()

        assert references(result.returned) == ["A7"]
        assert figures_for(register.heza_official).returned == []


class TestFilters:
    def test_by_park(self, register):
        result = figures_for(register.heza_official, Filters(park="alpha"))

        assert result.figures["total"] == 5
        assert [park.slug for park in result.by_park] == ["alpha"]
        assert result.figures["parks_with_active"] == 1

    def test_by_province(self, register):
        result = figures_for(register.national_official, Filters(province="Quang Ninh"))

        assert result.figures["total"] == 1
        assert [park.slug for park in result.by_park] == ["gamma"]

    def test_by_kind(self, register):
        result = figures_for(register.heza_official, Filters(kind=Kind.SHARED_SERVICE))

        assert result.figures["total"] == 2  # A4 A11
        assert references(result.ending_soon) == ["A11"]

    def test_by_resource_category_narrows_agreements_and_flows(self, register):
        result = figures_for(register.heza_official, Filters(category=Category.MATERIAL))

        assert result.figures["total"] == 3  # A4 A7 A9
        assert {row.category for row in result.impact.rows} == {"material"}
        assert result.impact.flows == 2  # A9's two slag flows, not its water or heat
        assert {c: n for c, n, _flows in result.by_category}[Category.WATER] == 0

    def test_by_signing_dates(self, register):
        result = figures_for(
            register.heza_official,
            Filters(signed_from=datetime.date(2023, 1, 1), signed_to=datetime.date(2023, 12, 31)),
        )

        assert result.figures["total"] == 3  # A1 A7 A9
        assert [(row["year"], row["count"]) for row in result.signed_per_year] == [(2023, 3)]

    def test_park_and_year_together(self, register):
        result = figures_for(
            register.heza_official,
            Filters(
                park="beta",
                signed_from=datetime.date(2023, 1, 1),
                signed_to=datetime.date(2023, 12, 31),
            ),
        )

        assert result.figures["total"] == 1  # A9
        assert result.impact.flows == 4

    def test_an_official_cannot_filter_into_another_authoritys_park(self, register):
        parks = list(overseen_parks(register.heza_official))
        form = DashboardFilterForm({"park": "gamma"}, parks=parks)

        assert not form.is_valid()
        assert "park" in form.errors
        assert figures_for(register.heza_official, form.filters()).figures["total"] == 10


@pytest.mark.django_db
class TestFilterForm:
    def parks(self):
        return []

    def test_valid_filters_round_trip_through_the_url(self):
        filters = Filters(kind="industrial", signed_from=datetime.date(2023, 1, 1))
        form = DashboardFilterForm(
            dict(item.split("=") for item in filters.query_string().split("&")),
            parks=self.parks(),
        )

        assert form.filters() == filters

    def test_an_invalid_date_is_reported_and_the_rest_still_applies(self):
        form = DashboardFilterForm(
            {"signed_from": "2023-02-30", "kind": "industrial"}, parks=self.parks()
        )

        assert form.filters() == Filters(kind="industrial")
        assert form.errors["signed_from"] == [
            "This date could not be read: type it as yyyy-mm-dd, for example 2023-09-12."
        ]
        assert form.ignored_labels == ["Signed from"]

    def test_a_reversed_date_range_is_reported(self):
        form = DashboardFilterForm(
            {"signed_from": "2024-01-01", "signed_to": "2023-01-01"}, parks=self.parks()
        )

        assert form.filters() == Filters(signed_from=datetime.date(2024, 1, 1))
        assert form.errors["signed_to"] == [
            "The end of the date range must not be before its start."
        ]

    def test_an_unknown_kind_is_reported(self):
        form = DashboardFilterForm({"kind": "<script>"}, parks=self.parks())

        assert form.filters() == Filters()
        assert "kind" in form.errors

    def test_no_filters_is_valid(self):
        assert DashboardFilterForm({}, parks=self.parks()).filters() == Filters()
