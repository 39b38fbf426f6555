"""Figures per year, in one place: what each flow was agreed to share in a year and what was
measured (accepted ``ReportedQuantity`` rows), side by side, with the tonnes of CO2e each avoids.
Every page that shows a year's figures takes them from here; every figure is computed by the
database, with the expressions of ``agreements.impact``.

- **Agreed:** a flow's annual quantity (``impact.annual_quantity``: per month x 12, per year x 1;
  a one-off or undisclosed quantity has none), counted whole in each year its agreement is in
  force for at least a day: from its start (its signing when the start is not recorded; neither
  recorded: in force from the first year shown, as ``AgreementQuerySet.active_condition`` says)
  to its end or termination. Partial dates count from the stored 1st of their month or
  1 January (``symbiosis.partial_dates``). A year the agreement covers in part counts the whole
  annual quantity: the agreement says how much a year, not how much a day.
- **Measured:** the accepted figures of a flow for a year: its whole-year row, or the sum of its
  months (a year is reported one way or the other, ``services``). Converted into the totals unit
  of the flow's resource's dimension (``impact.in_totals_unit``: kWh months add up in MWh).
  Only accepted figures count (``ReportedQuantity.PUBLIC_STATE``); submitted or returned ones
  never.
- **Tonnes of CO2e avoided** in a year, from either basis: the quantity in the totals unit x the
  emission factor *in force that year* / 1000: the resource's factor published latest in or
  before that year (``EmissionFactor.year``; the latest set first among those of one year);
  for a year before any factor with a year was published, the resource's current factor
  (``Resource.emission_factor``). A resource without a current factor has no tonnes, whatever
  its history (an official removed it, or never set one): nothing is estimated. Both bases of a
  year use that year's factor, so that agreed and measured compare.
- **Totals** (``yearly_totals``) count the flows of verified agreements, each exchange once
  (``ResourceFlowQuerySet.counted_once``: a framework's flow that one of its verified
  bilateral agreements records is the bilateral's; whatever the years, as the exchange belongs
  to the bilateral agreement). They are per year and per totals unit (one per dimension), and
  every total says its ``basis``, "agreed" or "measured": the two are never added into one
  figure. Where only some flows of a year have a measured figure, the year says so (measured
  for N of M flows) and shows the measured total of those N beside the agreed total of all M.
  M counts the flows in force that year, N those with an accepted figure for it.

The queries: one for the agreed figures (a column per year and figure, conditional sums) and
one for the measured ones, whatever the number of flows and years. The dashboard keeps them
with each park's figures (``yearly_groups`` per park, ``agreements.reporting.figures``) and adds
the parks' up (``merged_groups``, ``totals_of``), as it does its other figures.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce

from agreements import units
from agreements.impact import (
    KG_PER_TONNE,
    PERIODS_PER_YEAR,
    QUANTITY,
    TONNES,
    DecimalConstant,
    _into_totals_unit,
    annual_quantity,
    in_totals_unit,
    rounded,
    totals_unit,
)
from agreements.models import EmissionFactor, ReportedQuantity, Resource, ResourceFlow

AGREED = "agreed"
MEASURED = "measured"
BASES = (AGREED, MEASURED)

Source = ReportedQuantity.Source

# How many years the park, resource and dashboard pages show: this one and those before it
# (fewer where the first ones have nothing to show).
YEARS_SHOWN = 6


def years_up_to(today, count=YEARS_SHOWN):
    """The ``count`` years up to ``today``'s, oldest first: the years a page shows."""
    return list(range(today.year - count + 1, today.year + 1))


# The emission factor in force in a year


def _kg_per_totals_unit(value, unit_field):
    """``value``, kg CO2e per the unit ``unit_field`` holds, restated per its dimension's totals
    unit: a unit is numerator / denominator totals units (``units.TO_TOTALS_UNIT``)."""
    return (
        value
        * _into_totals_unit("denominator", unit_field)
        / _into_totals_unit("numerator", unit_field)
    )


def factor_in_year(year, resource="resource"):
    """The kg CO2e avoided per totals unit of the resource ``resource`` reaches (an outer
    reference's path), by the factor in force in ``year`` (an int, or an expression such as
    ``OuterRef("year")``): the latest published in or before it, else the resource's current
    one; NULL for a resource without a current factor."""
    published = (
        EmissionFactor.objects.filter(resource=OuterRef(resource), year__lte=year)
        .order_by("-year", "-set_at", "-pk")
        .annotate(per_totals_unit=_kg_per_totals_unit(F("value"), "unit"))
        .values("per_totals_unit")[:1]
    )
    current = _kg_per_totals_unit(F(f"{resource}__emission_factor"), f"{resource}__unit")
    return Coalesce(Subquery(published, output_field=QUANTITY), current, output_field=QUANTITY)


def tonnes_in_year(quantity, year, resource="resource"):
    """The tonnes of CO2e ``quantity`` (in its totals unit) avoids by the factor in force in
    ``year`` (see ``factor_in_year``), to the thousandth; NULL without a current factor."""
    return rounded(
        quantity * factor_in_year(year, resource) / DecimalConstant(KG_PER_TONNE),
    )


def _tonnes_field(expression):
    expression.output_field = TONNES
    return expression


# When an agreement is in force


def in_force_in_year(year, prefix="agreement__"):
    """Agreements in force on at least one day of ``year``: started (or, the start unknown,
    signed) by its 31 December, not ended before its 1 January, not terminated on or before it;
    ``prefix`` reaches the agreement from the rows filtered (a flow's ``agreement__``)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def q(**lookups):
        return Q(**{f"{prefix}{name}": value for name, value in lookups.items()})

    started = (
        q(starts_on__lte=last)
        | q(starts_on__isnull=True, signed_on__lte=last)
        | q(starts_on__isnull=True, signed_on__isnull=True)
    )
    return (
        started
        & (q(ends_on__isnull=True) | q(ends_on__gte=first))
        & (q(terminated_on__isnull=True) | q(terminated_on__gt=first))
    )


# Measured, per flow and year

# Reported figures of a resource that has an emission factor now (its history alone gives none).
MEASURED_WITH_FACTOR = Q(flow__resource__emission_factor__isnull=False)


def measured_quantity():
    """The accepted measured quantity of a group of reported figures (each in its own unit), in
    their totals unit: the sum of each converted (``in_totals_unit``), to the thousandth."""
    return rounded(Sum(in_totals_unit(F("quantity")), output_field=QUANTITY))


def measured_by_year(flows, *, years=None):
    """The accepted measured quantities of ``flows`` (a ResourceFlow queryset) per flow and
    year, as dicts {flow_id, year, quantity (in the totals unit), totals_unit, months (how many
    months were reported; 0 for a whole-year figure), sources (the sources among the year's
    figures, a list of ``ReportedQuantity.Source`` values), tonnes_co2e (by the factor in force
    that year, None without a factor)}, by flow and year; ``years``: only those. One query."""
    reported = ReportedQuantity.objects.filter(
        review_state=ReportedQuantity.PUBLIC_STATE, flow__in=flows.values("pk")
    )
    if years is not None:
        reported = reported.filter(year__in=list(years))
    rows = (
        reported.values("flow_id", "year", totals_unit=totals_unit("flow__"))
        .annotate(
            # Not named "quantity": the figures after it would read it for the column.
            measured=measured_quantity(),
            months=Count("month"),
            tonnes_co2e=_tonnes_field(
                rounded(
                    Sum(
                        tonnes_in_year(
                            in_totals_unit(F("quantity")), OuterRef("year"), "flow__resource"
                        ),
                        filter=MEASURED_WITH_FACTOR,
                        output_field=TONNES,
                    )
                )
            ),
            **{f"source_{source}": Count("pk", filter=Q(source=source)) for source in Source},
        )
        .order_by("flow_id", "year")
    )
    result = []
    for row in rows:
        row["quantity"] = row.pop("measured")
        row["sources"] = [source for source in Source if row.pop(f"source_{source}")]
        result.append(row)
    return result


# Agreed and measured, per year


@dataclass(frozen=True)
class Total:
    """A year's total of one basis: "agreed" or "measured", never both."""

    basis: str
    quantity: Decimal | None  # in the row's totals unit; None: nothing to add up
    tonnes_co2e: Decimal | None  # None: no flow with an emission factor
    flows: int  # how many flows it adds up

    @property
    def is_measured(self):
        return self.basis == MEASURED


@dataclass(frozen=True)
class YearRow:
    """One year of one totals unit (one dimension): the agreed total and the measured total."""

    year: int
    unit: str
    flows: int  # flows in force that year (counted in the agreed total)
    agreed: Total
    measured: Total

    @property
    def unit_label(self):
        return Resource.Unit(self.unit).label

    @property
    def dimension_label(self):
        return units.Dimension(units.dimension(self.unit)).label

    @property
    def measured_in_part(self):
        """Some flows of the year have a measured figure, not all: the totals stand apart."""
        return 0 < self.measured.flows < self.flows


@dataclass(frozen=True)
class YearTonnes:
    """One year's tonnes of CO2e avoided over every dimension, per basis."""

    year: int
    flows: int
    agreed: Total
    measured: Total

    @property
    def measured_in_part(self):
        return 0 < self.measured.flows < self.flows


@dataclass(frozen=True)
class YearlyTotals:
    years: list
    # Per totals unit, in the units' order: its rows, one per year, oldest first.
    by_unit: dict = field(default_factory=dict)
    tonnes: list = field(default_factory=list)  # YearTonnes, one per year

    @property
    def has_figures(self):
        return any(
            row.flows or row.measured.flows for rows in self.by_unit.values() for row in rows
        )

    @property
    def has_measured(self):
        return any(row.measured.flows for row in self.tonnes)


# The flows with an agreed quantity per year, and those whose resource has an emission factor.
ANNUAL = Q(quantity__isnull=False, period__in=list(PERIODS_PER_YEAR))
WITH_FACTOR = Q(resource__emission_factor__isnull=False)


def _agreed_by_year(flows, years, by=()):
    """Per each of ``by`` and totals unit, per year: the agreed annual quantity (totals unit),
    its tonnes by that year's factor, and the flows in force; one query, one column per year."""
    quantity = in_totals_unit(annual_quantity())
    aggregates = {}
    for year in years:
        in_force = in_force_in_year(year)
        aggregates[f"flows_{year}"] = Count("pk", filter=in_force)
        aggregates[f"quantity_{year}"] = rounded(
            Sum(quantity, filter=in_force & ANNUAL, output_field=QUANTITY)
        )
        aggregates[f"tonnes_{year}"] = _tonnes_field(
            rounded(
                Sum(
                    tonnes_in_year(quantity, year),
                    filter=in_force & ANNUAL & WITH_FACTOR,
                    output_field=TONNES,
                )
            )
        )
    return list(
        flows.values(*by, totals_unit=totals_unit())
        .annotate(**aggregates)
        .order_by(*by, "totals_unit")
    )


def _measured_totals(flows, years, by=()):
    """Per each of ``by``, totals unit and year: the accepted measured quantity, its tonnes and
    how many flows have a figure; one query."""
    tonnes = tonnes_in_year(in_totals_unit(F("quantity")), OuterRef("year"), "flow__resource")
    by = [f"flow__{name}" for name in by]
    return list(
        ReportedQuantity.objects.filter(
            review_state=ReportedQuantity.PUBLIC_STATE,
            flow__in=flows.values("pk"),
            year__in=list(years),
        )
        .values(*by, "year", totals_unit=totals_unit("flow__"))
        .annotate(
            measured=measured_quantity(),
            tonnes_co2e=_tonnes_field(
                rounded(Sum(tonnes, filter=MEASURED_WITH_FACTOR, output_field=TONNES))
            ),
            flows=Count("flow", distinct=True),
        )
        .order_by(*by, "totals_unit", "year")
    )


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def yearly_totals(flows, *, first_year, last_year, today=None, counted=True):
    """The agreed and the accepted measured totals of ``flows`` for each year from
    ``first_year`` to ``last_year``, per totals unit (one per dimension), and their tonnes of
    CO2e per year over all of them: a ``YearlyTotals``. ``counted``: only the flows the totals
    count (verified agreements, each exchange once); two queries whatever the number of flows
    and years. ``today`` is not needed (the years say when), and kept for the callers' sake."""
    years = list(range(first_year, last_year + 1))
    return totals_of(yearly_groups(flows, years=years, counted=counted))


def yearly_groups(flows, *, years, by=(), counted=True):
    """What ``yearly_totals`` adds up, as plain data (to keep, e.g. per park with
    ``by=("agreement__park_id",)``; groups of several sets of flows add up by ``totals_of``):
    {"years", "agreed": rows per each of ``by`` and totals unit, "measured": rows per each of
    ``by``, totals unit and year}. Two queries."""
    if counted:
        flows = flows.public().counted_once()
    return {
        "years": list(years),
        "agreed": _agreed_by_year(flows, years, by),
        "measured": _measured_totals(flows, years, by),
    }


# The figures of a group that are decimals, for those who keep groups as JSON.
GROUP_DECIMALS = ("measured", "tonnes_co2e")
GROUP_DECIMAL_PREFIXES = ("quantity_", "tonnes_")


def decoded_groups(groups):
    """``yearly_groups``' data read back from JSON (where its decimals became text)."""
    for row in [*groups["agreed"], *groups["measured"]]:
        for name, value in row.items():
            decimal = name in GROUP_DECIMALS or name.startswith(GROUP_DECIMAL_PREFIXES)
            if decimal and value is not None:
                row[name] = Decimal(value)
    return groups


def merged_groups(many):
    """Several ``yearly_groups`` of the same years as one, added up per totals unit (and year,
    for the measured): as small as one park's however many are merged (a national
    dashboard's sum of 200 parks is kept, read back and added up again at each visit)."""
    many = list(many)
    if not many:
        return None
    agreed = _summed(
        (row for groups in many for row in groups["agreed"]), lambda row: row["totals_unit"]
    )
    measured = _summed(
        (row for groups in many for row in groups["measured"]),
        lambda row: (row["totals_unit"], row["year"]),
    )
    return {
        "years": many[0]["years"],
        "agreed": [{"totals_unit": unit, **sums} for unit, sums in agreed.items()],
        "measured": [
            {"totals_unit": unit, "year": year, **sums} for (unit, year), sums in measured.items()
        ],
    }


def _summed(rows, key):
    """``rows`` added up per ``key`` (a function of a row): each figure summed, None + None
    staying None."""
    sums = {}
    for row in rows:
        into = sums.setdefault(key(row), {})
        for name, value in row.items():
            if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
                if name.endswith("_id") or name == "year":
                    continue
                into[name] = _add(into.get(name), value)
            elif value is None and name not in into:
                into[name] = None
    return sums


def totals_of(groups):
    """The ``YearlyTotals`` of ``yearly_groups``' data (merged or not)."""
    years = groups["years"]
    agreed = _summed(groups["agreed"], lambda row: row["totals_unit"])
    measured = _summed(groups["measured"], lambda row: (row["totals_unit"], row["year"]))
    found_units = set(agreed) | {unit for unit, _ in measured}
    order = list(units.Unit)
    by_unit = {}
    for unit in sorted(found_units - {None}, key=order.index):
        rows = []
        for year in years:
            a = agreed.get(unit, {})
            m = measured.get((unit, year), {})
            rows.append(
                YearRow(
                    year=year,
                    unit=unit,
                    flows=a.get(f"flows_{year}") or 0,
                    agreed=Total(
                        AGREED,
                        a.get(f"quantity_{year}"),
                        a.get(f"tonnes_{year}"),
                        a.get(f"flows_{year}") or 0,
                    ),
                    measured=Total(
                        MEASURED, m.get("measured"), m.get("tonnes_co2e"), m.get("flows") or 0
                    ),
                )
            )
        if any(row.flows or row.measured.flows for row in rows):
            by_unit[unit] = rows
    tonnes = []
    for index, year in enumerate(years):
        rows = [unit_rows[index] for unit_rows in by_unit.values()]
        agreed_tonnes = measured_tonnes = None
        for row in rows:
            agreed_tonnes = _add(agreed_tonnes, row.agreed.tonnes_co2e)
            measured_tonnes = _add(measured_tonnes, row.measured.tonnes_co2e)
        flows_in_force = sum(row.flows for row in rows)
        measured_flows = sum(row.measured.flows for row in rows)
        tonnes.append(
            YearTonnes(
                year=year,
                flows=flows_in_force,
                agreed=Total(AGREED, None, agreed_tonnes, flows_in_force),
                measured=Total(MEASURED, None, measured_tonnes, measured_flows),
            )
        )
    return YearlyTotals(years=years, by_unit=by_unit, tonnes=tonnes)


def totals_of_flow_years(figures, *, years):
    """The ``YearlyTotals`` of ``flow_years``' figures ({flow_id: FlowYears}, each flow once)
    for ``years``: what ``yearly_totals`` gives for those flows (the caller picks those it
    counts), with no query. Each flow's figures are rounded as its totals are (``rounded``),
    so that their sum is the total."""
    agreed, measured = [], []
    for flow in figures.values():
        row = {"totals_unit": flow.unit}
        for year in flow.years:
            if year.year not in years:
                continue
            row[f"flows_{year.year}"] = int(year.in_force)
            row[f"quantity_{year.year}"] = year.agreed.quantity
            row[f"tonnes_{year.year}"] = year.agreed.tonnes_co2e
            if year.measured.flows:
                measured.append(
                    {
                        "totals_unit": flow.unit,
                        "year": year.year,
                        "measured": year.measured.quantity,
                        "tonnes_co2e": year.measured.tonnes_co2e,
                        "flows": year.measured.flows,
                    }
                )
        agreed.append(row)
    return totals_of({"years": list(years), "agreed": agreed, "measured": measured})


def shown(totals):
    """``totals`` as a page shows them (``trimmed``), or None where no year has any figure."""
    return trimmed(totals) if totals.has_figures else None


def trimmed(totals):
    """``totals`` without its leading years that have nothing to show (no flow in force, no
    measured figure), keeping the last year: what a page draws."""
    keep = 0
    for index, row in enumerate(totals.tonnes):
        if row.flows or row.measured.flows:
            keep = index
            break
    else:
        keep = len(totals.years) - 1
    return YearlyTotals(
        years=totals.years[keep:],
        by_unit={unit: rows[keep:] for unit, rows in totals.by_unit.items()},
        tonnes=totals.tonnes[keep:],
    )


# One agreement's flows, year by year


@dataclass(frozen=True)
class FlowYear:
    year: int
    in_force: bool
    agreed: Total
    measured: Total
    months: int  # months reported (0: a whole-year figure, or none)
    sources: list


@dataclass(frozen=True)
class FlowYears:
    flow_id: int
    unit: str  # the totals unit its figures are in
    years: list  # FlowYear, oldest first

    @property
    def unit_label(self):
        return Resource.Unit(self.unit).label

    @property
    def has_measured(self):
        return any(year.measured.flows for year in self.years)


def agreed_in_force(year):
    """What ``_agreed_by_year`` adds up for ``year``, flow by flow, for flows whose agreement is
    in force that year (the caller's filter), as annotations of their rows: ``totals_unit``,
    ``agreed_quantity`` (totals unit; NULL without an annual quantity, as ``ANNUAL`` says) and
    ``agreed_tonnes`` (by that year's factor; NULL for a resource without one). Each is rounded
    as the sums are, so that a flow's figure is its sum's. For ``in_force_in_year_figures``."""
    quantity = in_totals_unit(annual_quantity())
    return {
        "totals_unit": totals_unit(),
        "agreed_quantity": quantity,
        "agreed_tonnes": Case(
            When(WITH_FACTOR, then=tonnes_in_year(quantity, year)), output_field=TONNES
        ),
    }


def in_force_in_year_figures(flows, *, year):
    """``flow_years`` for the one ``year`` of ``flows`` (instances annotated with
    ``agreed_in_force(year)``, of agreements in force that year): {flow_id: FlowYears}. One
    query, for the measured figures."""
    if not flows:
        return {}
    measured = {
        row["flow_id"]: row
        for row in measured_by_year(
            ResourceFlow.objects.filter(pk__in=[flow.pk for flow in flows]), years=[year]
        )
    }
    result = {}
    for flow in flows:
        m = measured.get(flow.pk, {})
        quantity = flow.agreed_quantity
        row = FlowYear(
            year=year,
            in_force=True,
            agreed=Total(AGREED, quantity, flow.agreed_tonnes, 0 if quantity is None else 1),
            measured=Total(MEASURED, m.get("quantity"), m.get("tonnes_co2e"), 1 if m else 0),
            months=m.get("months", 0),
            sources=m.get("sources", []),
        )
        result[flow.pk] = FlowYears(flow_id=flow.pk, unit=flow.totals_unit, years=[row])
    return result


def agreement_years(agreement, *, today, most=10):
    """The years an agreement's page shows: from its start (or signing) to its end, its
    termination or ``today``'s year, whichever comes first; the last ``most`` of them."""
    start = agreement.starts_on or agreement.signed_on
    ends = [day for day in (agreement.ends_on, agreement.terminated_on, today) if day]
    last = min(ends).year
    first = start.year if start else last
    first = max(first, last - most + 1)
    return list(range(first, last + 1))


def flow_years(flows, *, years, measured_outside=True):
    """Per flow of ``flows`` (an agreement's), per year of ``years``: whether its agreement is
    in force, the agreed quantity and the accepted measured one (totals unit), each with its
    tonnes of CO2e by that year's factor: {flow_id: FlowYears}. Years with a measured figure
    outside ``years`` are added, unless ``measured_outside`` is false. Two queries whatever the
    number of flows and years."""
    rows = measured_by_year(flows, years=None if measured_outside else years)
    measured = {(row["flow_id"], row["year"]): row for row in rows}
    years = sorted(set(years) | {year for _, year in measured})
    if not years:
        return {}
    agreed = {row["pk"]: row for row in _agreed_by_year(flows, years, by=("pk",))}
    result = {}
    for flow_id, row in agreed.items():
        flow_rows = []
        for year in years:
            m = measured.get((flow_id, year), {})
            in_force = bool(row[f"flows_{year}"])
            flow_rows.append(
                FlowYear(
                    year=year,
                    in_force=in_force,
                    agreed=Total(
                        AGREED,
                        row[f"quantity_{year}"],
                        row[f"tonnes_{year}"],
                        1 if in_force and row[f"quantity_{year}"] is not None else 0,
                    ),
                    measured=Total(
                        MEASURED,
                        m.get("quantity"),
                        m.get("tonnes_co2e"),
                        1 if m else 0,
                    ),
                    months=m.get("months", 0),
                    sources=m.get("sources", []),
                )
            )
        result[flow_id] = FlowYears(flow_id=flow_id, unit=row["totals_unit"], years=flow_rows)
    return result


def agreement_flow_years(agreement, flows, *, years):
    """``flow_years`` for an agreement's page: per flow of ``flows`` (``agreement``'s, read with
    ``ResourceFlowQuerySet.with_yearly_quantity``), per year of ``years`` and of its accepted
    measured figures: whether the agreement is in force (``Agreement.is_in_force_in_year``, the
    row's reading of ``in_force_in_year``), the agreed quantity and the accepted measured one,
    the figures of ``flow_years``, without the tonnes of CO2e and the sources the page does
    not draw (``tonnes_co2e`` None, ``sources`` empty): {flow_id: FlowYears}. No column per
    year to build: one small query whatever the number of flows and years."""
    flow_ids = [flow.pk for flow in flows]
    if not flow_ids:
        return {}
    measured = {
        (row["flow_id"], row["year"]): row
        for row in ReportedQuantity.objects.filter(
            review_state=ReportedQuantity.PUBLIC_STATE, flow__in=flow_ids
        )
        .values("flow_id", "year")
        .annotate(
            measured=measured_quantity(),
            months=Count("month"),
        )
        .order_by()
    }
    years = sorted(set(years) | {year for _, year in measured})
    in_force = {year: agreement.is_in_force_in_year(year) for year in years}
    result = {}
    for flow in flows:
        quantity = flow.annual_quantity_in_totals_unit
        flow_rows = []
        for year in years:
            m = measured.get((flow.pk, year))
            agreed = quantity if in_force[year] else None
            flow_rows.append(
                FlowYear(
                    year=year,
                    in_force=in_force[year],
                    agreed=Total(AGREED, agreed, None, 0 if agreed is None else 1),
                    measured=Total(MEASURED, m["measured"] if m else None, None, 1 if m else 0),
                    months=m["months"] if m else 0,
                    sources=[],
                )
            )
        result[flow.pk] = FlowYears(flow_id=flow.pk, unit=flow.totals_unit, years=flow_rows)
    return result


__all__ = [
    "AGREED",
    "MEASURED",
    "agreed_in_force",
    "agreement_flow_years",
    "agreement_years",
    "decoded_groups",
    "factor_in_year",
    "flow_years",
    "in_force_in_year",
    "in_force_in_year_figures",
    "measured_by_year",
    "merged_groups",
    "shown",
    "totals_of",
    "totals_of_flow_years",
    "trimmed",
    "yearly_groups",
    "yearly_totals",
    "years_up_to",
]
