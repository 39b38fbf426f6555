"""The officials' dashboard: what symbiosis exists in the parks they oversee, what it achieves,
and what needs their action. Every figure is computed by the database (aggregation, never a
Python loop over agreements), so the page costs the same number of queries for 1 agreement
or 100,000.

Counting rules (the footnotes on the page say the same):

- Counts of agreements cover every review state within the user's parks; active, expired and
  not-yet-started are derived from the dates (``AgreementQuerySet.active_condition``).
- Impact totals cover the flows of agreements that are verified and active today.
- A quantity is annualised by its period: per month x 12, per year x 1. A one-off quantity is
  not annual: it is totalled separately and never added to the annual figure.
- Quantities are summed per resource category *and unit*, so m³ are never added to tonnes.
- A mutual flow is one flow with one quantity (the quantity exchanged): it counts once, not
  once per direction, which would double it.
- t CO2e avoided = annual quantity x the resource's emission factor (kg CO2e per unit) / 1000,
  for resources that have a factor; the footnote names each factor with its source.
- Flows with no quantity are counted and reported, so nobody mistakes a partial sum for a total.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import ExtractYear

from agreements.impact import Impact, impact
from agreements.models import Agreement, AgreementQuerySet, Party, Resource, ResourceFlow
from parks.models import Organisation

ENDING_SOON_DAYS = 90
WORK_LIST_LIMIT = 50

State = Agreement.ReviewState
Period = ResourceFlow.Period


# Figures


def overview(agreements, *, today, ending_within=ENDING_SOON_DAYS):
    """The headline counts, in one query."""
    active = AgreementQuerySet.active_condition(today)
    return agreements.aggregate(
        total=Count("pk"),
        **{state.value: Count("pk", filter=Q(review_state=state)) for state in State},
        **{f"kind_{kind.value}": Count("pk", filter=Q(kind=kind)) for kind in Agreement.Kind},
        active=Count("pk", filter=active),
        expired=Count("pk", filter=AgreementQuerySet.expired_condition(today)),
        not_started=Count("pk", filter=Q(starts_on__gt=today)),
        open_ended=Count("pk", filter=active & Q(ends_on__isnull=True, terminated_on__isnull=True)),
        ending_soon=Count(
            "pk", filter=AgreementQuerySet.ending_condition(today, within_days=ending_within)
        ),
        active_verified=Count("pk", filter=active & Q(review_state=State.VERIFIED)),
        parks_with_active=Count("park", distinct=True, filter=active),
        without_signing_date=Count("pk", filter=Q(signed_on__isnull=True)),
    )


def by_state(figures):
    """(state, count) for every review state, in the workflow's order."""
    return [(state, figures[state.value]) for state in State]


def by_kind(figures):
    """(kind, count) for every kind, zeros included."""
    return [(kind, figures[f"kind_{kind.value}"]) for kind in Agreement.Kind]


def signed_per_year(agreements):
    """[{"year": 2023, "count": 1}, ..., {"year": None, "count": n}]: None is "not recorded"."""
    return list(
        agreements.annotate(year=ExtractYear("signed_on"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by(F("year").asc(nulls_last=True))
    )


def by_park(parks, agreements, *, today):
    """Each park in scope with its agreements and active ones, zeros included: the agreements
    are counted per park in the database, then set on the (few) parks."""
    counted = {
        row["park_id"]: row
        for row in agreements.values("park_id")
        .annotate(
            agreement_count=Count("pk"),
            active_count=Count("pk", filter=AgreementQuerySet.active_condition(today)),
        )
        .order_by()
    }
    rows = list(
        parks.only("slug", "name_en", "name_vi", "province").order_by("name_en", "name_vi", "pk")
    )
    for park in rows:
        figures = counted.get(park.pk, {})
        park.agreement_count = figures.get("agreement_count", 0)
        park.active_count = figures.get("active_count", 0)
    return rows


def by_category(flows):
    """(category, agreements sharing it, flows) for every category, zeros included."""
    counted = {
        row["resource__category"]: row
        for row in flows.values("resource__category")
        .annotate(agreement_count=Count("agreement", distinct=True), flow_count=Count("pk"))
        .order_by()
    }
    return [
        (
            category,
            counted.get(category, {}).get("agreement_count", 0),
            counted.get(category, {}).get("flow_count", 0),
        )
        for category in Resource.Category
    ]


def organisations_involved(agreements):
    """Distinct organisations that are a party (in any role) to the agreements, by kind."""
    parties = Party.objects.filter(
        organisation=OuterRef("pk"), agreement__in=agreements.values("pk")
    )
    counted = dict(
        Organisation.objects.filter(Exists(parties))
        .values("kind")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("kind", "count")
    )
    return {
        "total": sum(counted.values()),
        **{kind.value: counted.get(kind.value, 0) for kind in Organisation.Kind},
    }


# Work lists


def awaiting_verification(agreements, *, limit=WORK_LIST_LIMIT):
    return list(agreements.awaiting_verification().select_related("park")[:limit])


def ending_soon(agreements, *, today, within=ENDING_SOON_DAYS, limit=WORK_LIST_LIMIT):
    return list(agreements.ending_soon(today, within_days=within).select_related("park")[:limit])


def returned_not_resubmitted(agreements, *, limit=WORK_LIST_LIMIT):
    return list(agreements.returned_for_changes().select_related("park")[:limit])


# The whole page


@dataclass(frozen=True)
class Dashboard:
    today: datetime.date
    figures: dict
    by_state: list
    by_kind: list
    signed_per_year: list
    by_park: list
    by_category: list
    organisations: dict
    impact: Impact
    awaiting_verification: list
    ending_soon: list
    returned: list
    parks_in_scope: int

    ending_soon_days = ENDING_SOON_DAYS
    work_list_limit = WORK_LIST_LIMIT


def build(*, agreements, parks, filters, today):
    """Every figure for ``agreements`` (already limited to what the user oversees) in
    ``parks`` (the parks the user oversees), narrowed by ``filters``."""
    agreements = filters.agreements(agreements)
    flows = filters.flows(agreements)
    figures = overview(agreements, today=today)
    parks = by_park(filters.parks(parks), agreements, today=today)
    return Dashboard(
        today=today,
        figures=figures,
        by_state=by_state(figures),
        by_kind=by_kind(figures),
        signed_per_year=signed_per_year(agreements),
        by_park=parks,
        by_category=by_category(flows),
        organisations=organisations_involved(agreements),
        impact=impact(flows, today=today),
        awaiting_verification=awaiting_verification(agreements),
        ending_soon=ending_soon(agreements, today=today),
        returned=returned_not_resubmitted(agreements),
        parks_in_scope=len(parks),
    )
