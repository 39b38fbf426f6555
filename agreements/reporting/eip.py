"""A park's symbiosis report for a year, for eco-industrial park certification (Decree 35/2022,
Circular 05/2025): the figures, computed by the database, that the printable page and the
workbook show alike, and the officials' overview of their parks on the dashboard.

- A **symbiosis activity** of the year is a verified agreement of the park in force on at least
  one day of the year (``in_force_during``); each of its flows is an exchange. Activities are
  grouped by kind of symbiosis: a flow's own kind, else its agreement's; blank is "kind not
  recorded". An agreement whose flows are of two kinds is listed under both, with its flows of
  each.
- Each flow shows its agreed quantity for a year (``agreements.impact.annual_quantity``) and the
  accepted measured quantity of the year (``ReportedQuantity``, months added up), both in its
  resource's unit, and the tonnes of CO2e each avoids by the resource's emission factor: the
  two are never added together.
- An activity **has evidence** when it has a document, or an accepted measured figure of the
  year with a document as its evidence.
- The park's **tenants** are the companies located in it (``Organisation.park``); one **takes
  part** when it is a party to one of the year's activities. The share is of the tenants.
- Each active ``ReportCriterion`` compares its indicator's figure with its threshold: met, not
  met, or not computable when there is no figure (a share of no tenants, or of no flows).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext_lazy as _

from agreements import units
from agreements.impact import QUANTITY, TONNES, ChoiceOf, rounded, tonnes_co2e_avoided
from agreements.models import (
    Agreement,
    Document,
    Party,
    ReportedQuantity,
    ResourceFlow,
    SymbiosisKind,
)
from agreements.reporting.models import ReportCriterion
from parks.models import Organisation
from symbiosis.bilingual import pick

Indicator = ReportCriterion.Indicator
NOT_RECORDED = ""  # the group of activities whose kind is not recorded
ACCEPTED = ReportedQuantity.ReviewState.ACCEPTED
HUNDRED = Decimal(100)
SHARE_PLACES = Decimal("0.1")


def last_year(today):
    """The year a report opens on: the last whole one."""
    return today.year - 1


def in_force_during(year, prefix=""):
    """Agreements in force on at least one day of ``year`` (``AgreementQuerySet.active_condition``
    over a year instead of a day): started by its end (or start unknown), not ended nor
    terminated before its first day."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        (Q(**{f"{prefix}starts_on__isnull": True}) | Q(**{f"{prefix}starts_on__lte": last}))
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": first}))
        & (
            Q(**{f"{prefix}terminated_on__isnull": True})
            | Q(**{f"{prefix}terminated_on__gt": first})
        )
    )


def activity_condition(year, prefix=""):
    """The year's symbiosis activities: verified agreements in force during it."""
    return Q(**{f"{prefix}review_state": Agreement.PUBLIC_STATE}) & in_force_during(year, prefix)


def effective_kind(prefix=""):
    """A flow's kind of symbiosis: its own, else its agreement's ("" for neither)."""
    return Coalesce(
        NullIf(F(f"{prefix}symbiosis_kind"), Value("")), F(f"{prefix}agreement__symbiosis_kind")
    )


# Measured quantities


def _ratio(part, unit_field):
    """The ``part`` (numerator or denominator) of the factor from the unit in ``unit_field``
    into its dimension's canonical unit (``agreements.units.TO_TOTALS_UNIT``)."""
    return ChoiceOf(
        unit_field,
        [
            (unit, Decimal(getattr(ratio, part)))
            for unit, ratio in units.TO_TOTALS_UNIT.items()
            if ratio != 1
        ],
        default=1,
        output_field=QUANTITY,
    )


def _reported_in_resource_unit():
    """A reported quantity (in its own unit) in its flow's resource's unit."""
    return rounded(
        ExpressionWrapper(
            F("quantity")
            * _ratio("numerator", "unit")
            * _ratio("denominator", "flow__resource__unit")
            / (_ratio("denominator", "unit") * _ratio("numerator", "flow__resource__unit")),
            output_field=QUANTITY,
        )
    )


def accepted_in_year(year, flow="pk"):
    """The accepted measured figures of the flow ``OuterRef(flow)`` for ``year``."""
    return ReportedQuantity.objects.filter(
        flow=OuterRef(flow), year=year, review_state=ACCEPTED
    ).order_by()


def measured_quantity(year, flow="pk"):
    """The accepted measured quantity of a flow in ``year`` (its months added up), in its
    resource's unit; NULL when none is accepted (a subquery)."""
    return Subquery(
        accepted_in_year(year, flow)
        .values("flow")
        .annotate(total=rounded(Sum(_reported_in_resource_unit())))
        .values("total")[:1],
        output_field=QUANTITY,
    )


def flows_of_the_year(year):
    """The flows a report lists, each with its impact (``with_impact``) and what was measured:
    ``measured_quantity`` and ``measured_tonnes`` (its tonnes of CO2e avoided by the
    resource's factor), ``has_measurement``, ``kind`` (``effective_kind``)."""
    return (
        ResourceFlow.objects.select_related("resource__current_factor", "provider", "receiver")
        .with_impact()
        .annotate(
            measured_quantity=measured_quantity(year),
            measured_tonnes=tonnes_co2e_avoided(F("measured_quantity")),
            has_measurement=Exists(accepted_in_year(year)),
            kind=effective_kind(),
        )
        .order_by("pk")
    )


# The report


@dataclass
class Activity:
    """An agreement under one kind, with its flows of that kind."""

    agreement: Agreement
    flows: list

    @property
    def has_evidence(self):
        return self.agreement.has_documents or self.agreement.has_measured_evidence


@dataclass
class KindGroup:
    kind: str
    activities: list = field(default_factory=list)

    @property
    def label(self):
        if self.kind == NOT_RECORDED:
            return _("Kind not recorded")
        return SymbiosisKind(self.kind).label


@dataclass
class CriterionResult:
    criterion: ReportCriterion
    figure: Decimal | None

    @property
    def text(self):
        return pick(self.criterion.text_en, self.criterion.text_vi)

    @property
    def computable(self):
        return self.figure is not None

    @property
    def met(self):
        """True (met), False (not met) or None (not computable)."""
        if self.figure is None:
            return None
        if self.criterion.comparison == ReportCriterion.Comparison.AT_MOST:
            return self.figure <= self.criterion.threshold
        return self.figure >= self.criterion.threshold

    @property
    def outcome(self):
        return {True: "met", False: "not_met", None: "not_computable"}[self.met]

    @property
    def outcome_label(self):
        return {
            True: _("met"),
            False: _("not met"),
            None: _("not computable"),
        }[self.met]


@dataclass
class ParkReport:
    park: object
    year: int
    groups: list
    activity_count: int
    activities_without_evidence: int
    flow_count: int
    measured_flow_count: int
    measured_share: Decimal | None
    measured_tonnes: Decimal | None
    tenants: list  # Organisations, each with ``takes_part``
    tenant_count: int
    taking_part: int
    tenant_share: Decimal | None
    criteria: list

    @property
    def indicators(self):
        return {
            Indicator.TENANT_SHARE: self.tenant_share,
            Indicator.ACTIVITIES: Decimal(self.activity_count),
            Indicator.MEASURED_SHARE: self.measured_share,
            Indicator.TONNES_AVOIDED: self.measured_tonnes,
        }


def share(part, whole):
    """``part`` of ``whole`` in per cent, to a tenth; None of nothing."""
    if not whole:
        return None
    return (HUNDRED * part / whole).quantize(SHARE_PLACES)


def activities(park, year):
    """The park's activities of ``year``, each with its parties, its flows (``flows_of_the_
    year``), its documents, ``has_documents`` and ``has_measured_evidence``: five queries."""
    return (
        Agreement.objects.filter(activity_condition(year), park=park)
        .annotate(
            has_documents=Exists(Document.objects.filter(agreement=OuterRef("pk"))),
            has_measured_evidence=Exists(
                ReportedQuantity.objects.filter(
                    flow__agreement=OuterRef("pk"),
                    year=year,
                    review_state=ACCEPTED,
                    evidence__isnull=False,
                )
            ),
        )
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation").order_by("role", "pk"),
            ),
            Prefetch("flows", queryset=flows_of_the_year(year)),
            Prefetch("documents", queryset=Document.objects.order_by("title", "pk")),
        )
        .order_by("reference")
    )


def baseline(flow):
    """What a flow's avoided emissions are measured against: its own baseline, else its
    resource's, in the reader's language ("" for none)."""
    return pick(flow.baseline_en, flow.baseline_vi) or pick(
        flow.resource.baseline_en, flow.resource.baseline_vi
    )


def grouped_by_kind(agreements):
    """``Activity`` rows grouped by kind (``KindGroup``), in the order of ``SymbiosisKind``,
    "kind not recorded" last."""
    groups = {}
    for agreement in agreements:
        by_kind = defaultdict(list)
        for flow in agreement.flows.all():
            flow.baseline_text = baseline(flow)
            by_kind[flow.kind or NOT_RECORDED].append(flow)
        if not by_kind:  # no flow: the agreement's own kind
            by_kind[agreement.symbiosis_kind or NOT_RECORDED] = []
        for kind, flows in by_kind.items():
            groups.setdefault(kind, KindGroup(kind)).activities.append(Activity(agreement, flows))
    order = [*SymbiosisKind.values, NOT_RECORDED]
    return [groups[kind] for kind in order if kind in groups]


def tenants(park):
    """The park's tenant companies, each with ``takes_part`` in one of the activities of the
    year (see ``tenant_figures``), by name."""
    return Organisation.objects.filter(park=park, kind=Organisation.Kind.COMPANY)


def _takes_part(year):
    return Exists(
        Party.objects.filter(
            activity_condition(year, "agreement__"),
            organisation=OuterRef("pk"),
            agreement__park=OuterRef("park"),
        )
    )


def tenant_list(park, year):
    return list(
        tenants(park)
        .annotate(takes_part=_takes_part(year))
        .only("slug", "kind", "name_en", "name_vi", "name_own", "park")
        .order_by("name_en", "name_vi", "pk")
    )


def tenant_counts(parks_condition, year):
    """Per park (``parks_condition`` filters organisations by their park): how many tenant
    companies, and how many take part. One query: {park id: (tenants, taking part)}."""
    rows = (
        Organisation.objects.filter(parks_condition, kind=Organisation.Kind.COMPANY)
        .values("park_id")
        .annotate(
            tenants=Count("pk"),
            taking_part=Count("pk", filter=Q(_takes_part(year))),
        )
        .order_by()
    )
    return {row["park_id"]: (row["tenants"], row["taking_part"]) for row in rows}


def flow_figures(park, year):
    """The year's flows of the park's activities: how many, how many have an accepted measured
    quantity, and the tonnes of CO2e those measured quantities avoid (one query)."""
    flows = ResourceFlow.objects.filter(
        activity_condition(year, "agreement__"), agreement__park=park
    )
    return flows.annotate(
        measured_tonnes=tonnes_co2e_avoided(measured_quantity(year)),
        has_measurement=Exists(accepted_in_year(year)),
    ).aggregate(
        flows=Count("pk"),
        measured=Count("pk", filter=Q(has_measurement=True)),
        tonnes=rounded(Sum("measured_tonnes", output_field=TONNES)),
        tonnes_flows=Count("measured_tonnes"),
    )


def park_report(park, year):
    """The report of ``park`` for ``year``: nine queries whatever its size."""
    agreements = list(activities(park, year))
    groups = grouped_by_kind(agreements)
    listed = tenant_list(park, year)
    tenant_count, taking_part = tenant_counts(Q(park=park), year).get(park.pk, (0, 0))
    flows = flow_figures(park, year)
    report = ParkReport(
        park=park,
        year=year,
        groups=groups,
        activity_count=len(agreements),
        activities_without_evidence=sum(
            1
            for agreement in agreements
            if not (agreement.has_documents or agreement.has_measured_evidence)
        ),
        flow_count=flows["flows"],
        measured_flow_count=flows["measured"],
        measured_share=share(flows["measured"], flows["flows"]),
        measured_tonnes=flows["tonnes"] if flows["tonnes_flows"] else None,
        tenants=listed,
        tenant_count=tenant_count,
        taking_part=taking_part,
        tenant_share=share(taking_part, tenant_count),
        criteria=[],
    )
    figures = report.indicators
    report.criteria = [
        CriterionResult(criterion, figures[criterion.indicator])
        for criterion in ReportCriterion.objects.filter(is_active=True)
    ]
    return report


# The officials' overview on the dashboard


@dataclass
class ParkOverview:
    park: object  # a dashboard.ParkCount
    tenants: int = 0
    taking_part: int = 0
    by_kind: list = field(default_factory=list)  # [(label, activities)]
    measured_flows: int = 0

    @property
    def tenant_share(self):
        return share(self.taking_part, self.tenants)


def overview(parks, *, year):
    """The parks ``parks`` (``dashboard.ParkCount`` rows: a page of them) with their figures of
    ``year``: tenants taking part, activities by kind and flows with an accepted measured
    quantity. Two queries, grouped by park in the database, whatever the number of parks."""
    rows = {park.pk: ParkOverview(park) for park in parks}
    if not rows:
        return []
    ids = list(rows)
    for park_id, (count, taking_part) in tenant_counts(Q(park_id__in=ids), year).items():
        rows[park_id].tenants, rows[park_id].taking_part = count, taking_part
    per_kind = (
        ResourceFlow.objects.filter(
            activity_condition(year, "agreement__"), agreement__park__in=ids
        )
        .values("agreement__park_id", kind=effective_kind())
        .annotate(
            activities=Count("agreement", distinct=True),
            measured=Count("pk", filter=Q(Exists(accepted_in_year(year)))),
        )
        .order_by("agreement__park_id", "kind")
    )
    order = {kind: number for number, kind in enumerate([*SymbiosisKind.values, NOT_RECORDED])}
    for row in per_kind:
        park = rows[row["agreement__park_id"]]
        kind = row["kind"] or NOT_RECORDED
        park.by_kind.append((order[kind], KindGroup(kind).label, row["activities"]))
        park.measured_flows += row["measured"]
    for park in rows.values():
        park.by_kind = [(label, count) for _order, label, count in sorted(park.by_kind)]
    return list(rows.values())
