"""The impact rule, in one place: what a flow shares in a year, the tonnes of CO2e that avoids,
and which flows the impact totals count. Every page and export takes its figures from here.

- A flow's annual quantity is its quantity annualised by its period (``PERIODS_PER_YEAR``: per
  month x 12, per year x 1); a one-off or undisclosed quantity has none.
- A flow's quantity is in the unit it was entered in (``ResourceFlow.unit``); the totals add up
  the quantities of each resource category and dimension in the dimension's canonical unit
  (MWh, t, m³, m², hours; a count in its own unit), converted by the factors of
  ``agreements.units``.
- t CO2e avoided per year = annual quantity, converted into the resource's unit, x the
  resource's emission factor (kg CO2e per unit of the resource) / 1000, where the resource has
  an emission factor (with its source); nothing is estimated. The factor is the resource's
  current one (``Resource.current_factor``, set by an official with its unit, source and year),
  which ``services.set_emission_factor`` keeps restated per the resource's unit in
  ``Resource.emission_factor``: the figures read that column, with no join.
- The totals count the flows of agreements that are verified and in force today, each exchange
  once: a framework agreement's flow is not counted when a bilateral agreement made under it
  (``Agreement.framework``) that the totals count records the same provider -> resource ->
  receiver; the bilateral agreement's flow, which usually says how much, is counted instead.
  Only the framework's own bilateral agreements count for this (one level: a framework under
  another framework is judged against its own bilaterals). Amendments need no rule: an
  agreement renewed or replaced is ended by its dates. The exchange belongs to the bilateral
  agreement whatever a page filters by (kind, signing dates): a dashboard narrowed to the
  framework alone does not count it. Two bilateral agreements of one framework recording the
  same exchange both count (they are two agreements). The park network draws each exchange
  once by the same rule (``recorded_by_a_bilateral``), and the exports say row by row which
  flows the totals count.

- Each figure states its method: the emission factor that produced it (value, source, year:
  ``Resource.current_factor``), the baseline it is measured against (``baseline``: the flow's
  own, else its resource's, in the reader's language) and which party claims the avoided
  emissions (``ResourceFlow.claimed_by``: the provider, the receiver, or not stated). A park's,
  a resource's and the dashboard's totals count each flow once whoever claims it; an
  organisation's total counts only the flows whose emissions it claims (``claimed_by``), so a
  provider and a receiver never both count the same tonnes, and a flow no party claims counts
  for no organisation.

The rule is written once, as database expressions: ``annual_quantity``, ``annual_tonnes_co2e_
avoided`` and ``counted_in_impact``. The aggregate (``impact``) sums them in the database, and
a page that shows flow by flow annotates its flows with the same expressions
(``ResourceFlowQuerySet.with_impact``), so a row and a total can never follow two rules.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, Round

from agreements import units
from agreements.models import Agreement, AgreementQuerySet, Resource, ResourceFlow
from symbiosis.bilingual import pick, picked

State = Agreement.ReviewState
Period = ResourceFlow.Period

# How many times a year a flow's quantity comes round, by its period; a period not here (one-off)
# has no annual quantity.
PERIODS_PER_YEAR = {Period.MONTHLY: 12, Period.YEARLY: 1}

# Room for any sum of quantities (16 digits, 3 decimals) over many flows.
QUANTITY = DecimalField(max_digits=28, decimal_places=3)
TONNES = DecimalField(max_digits=28, decimal_places=3)


class DecimalConstant(Value):
    """A decimal constant that divides as a decimal on every database. SQLite keeps a whole
    decimal as an integer and divides two integers as integers (817200 / 1000 = 817), so there
    it is written as a float, as SQLite keeps every other decimal."""

    def __init__(self, value):
        super().__init__(Decimal(value), output_field=DecimalField())

    def as_sqlite(self, compiler, connection, **extra_context):
        return "CAST(%s AS REAL)", [str(self.value)]


KG_PER_TONNE = 1000


# Units: a flow's quantity converted by the database, with the exact factors of agreements/units.py
# (times the numerator, divided by the denominator: 36 GJ make 10 MWh, not 9.9999).


class ChoiceOf(Expression):
    """``CASE <field> WHEN key THEN value ... ELSE default END``: a constant chosen by the value
    of one column, e.g. a unit's conversion factor by the flow's unit. Django's ``Case`` of
    ``When(unit=...)`` resolves a lookup for each choice, and a page's impact query held some
    eight hundred of them to resolve; this resolves its one column. Decimal values are written
    as ``DecimalConstant`` writes them (a float on SQLite, so that they divide as decimals)."""

    def __init__(self, field, choices, *, default, output_field):
        super().__init__(output_field=output_field)
        self.source = F(field)
        self.choices = tuple(choices)
        self.default = default

    def get_source_expressions(self):
        return [self.source]

    def set_source_expressions(self, expressions):
        (self.source,) = expressions

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.source)
        sql = [f"CASE {column}"]
        params = list(params)
        for key, value in self.choices:
            sql.append(f"WHEN %s THEN {self._placeholder(value, connection)}")
            params.extend([self._param(key, connection), self._param(value, connection)])
        if self.default is None:
            sql.append("ELSE NULL END")
        else:
            sql.append(f"ELSE {self._placeholder(self.default, connection)} END")
            params.append(self._param(self.default, connection))
        return " ".join(sql), params

    @staticmethod
    def _placeholder(value, connection):
        is_number = isinstance(value, (int, Decimal))
        return "CAST(%s AS REAL)" if is_number and connection.vendor == "sqlite" else "%s"

    @staticmethod
    def _param(value, connection):
        if isinstance(value, (int, Decimal)):
            return str(value) if connection.vendor == "sqlite" else Decimal(value)
        return str(value)  # a choice's value ("MWh"), not the enum member


def _converted(quantity, field):
    """``quantity`` (an expression) times the factor that converts the unit ``field`` holds
    into its dimension's canonical unit (1 for a count: it stays itself), to the thousandth
    (``rounded``)."""
    return rounded(
        ExpressionWrapper(
            quantity
            * _into_totals_unit("numerator", field)
            / _into_totals_unit("denominator", field),
            output_field=QUANTITY,
        )
    )


# Decimals a converted quantity, a tonnage, and their sums keep: a quantity's own (a kWh in MWh,
# a kg in t).
PLACES = 3


def rounded(expression):
    """``expression`` to ``PLACES`` decimals. A converted quantity (10 GJ are 2.777... MWh) or a
    tonnage is rounded flow by flow, and so is their sum: then the sum of several sets of flows
    (each park's kept figures) is the sum of all of them, on PostgreSQL's exact decimals and on
    SQLite's floating-point numbers alike."""
    return Round(expression, PLACES, output_field=expression.output_field)


def in_totals_unit(quantity, prefix=""):
    """``quantity``, in its flow's unit, converted into the unit the totals add it up in
    (``units.totals_unit``: its dimension's canonical unit)."""
    return _converted(quantity, f"{prefix}unit")


def in_resource_unit(quantity, prefix=""):
    """``quantity``, in its flow's unit, converted into its resource's unit (the unit the
    resource's emission factor is per): through their dimension's canonical unit, as the flow's
    factor into it divided by the resource's, so that the expression holds one choice per unit
    rather than one per pair of units (a page's query stays small to build and to plan)."""
    flow, resource = f"{prefix}unit", f"{prefix}resource__unit"
    return rounded(
        ExpressionWrapper(
            quantity
            * _into_totals_unit("numerator", flow)
            * _into_totals_unit("denominator", resource)
            / (_into_totals_unit("denominator", flow) * _into_totals_unit("numerator", resource)),
            output_field=QUANTITY,
        )
    )


def _into_totals_unit(part, field):
    """The ``part`` (numerator or denominator) of the factor that converts a quantity in the
    unit ``field`` holds into its dimension's canonical unit (1 for a count: it stays itself)."""
    return ChoiceOf(
        field,
        [
            (unit, Decimal(getattr(ratio, part)))
            for unit, ratio in units.TO_TOTALS_UNIT.items()
            if ratio != 1
        ],
        default=1,
        output_field=QUANTITY,
    )


def totals_unit(prefix=""):
    """The unit the totals add a flow's quantity up in, from its resource's unit (a flow's own
    unit is of the same dimension), as an expression to group by."""
    return ChoiceOf(
        f"{prefix}resource__unit",
        [(unit, units.totals_unit(unit)) for unit in units.Unit],
        default=None,
        output_field=CharField(),
    )


# The rule


def annual_quantity(prefix=""):
    """A flow's quantity per year, NULL for a one-off or undisclosed quantity; ``prefix``
    reaches the flow through a relation (``"flows__"`` from an agreement)."""
    return ExpressionWrapper(
        F(f"{prefix}quantity")
        * ChoiceOf(
            f"{prefix}period",
            list(PERIODS_PER_YEAR.items()),
            default=None,
            output_field=QUANTITY,
        ),
        output_field=QUANTITY,
    )


def annual_tonnes_co2e_avoided(prefix=""):
    """The tonnes of CO2e a flow avoids each year: its annual quantity in its resource's unit x
    its resource's emission factor (kg per unit) / 1000; NULL without an annual quantity or an
    emission factor."""
    return tonnes_co2e_avoided(in_resource_unit(annual_quantity(prefix), prefix), prefix)


def tonnes_co2e_avoided(quantity, prefix=""):
    """The tonnes of CO2e that ``quantity``, in its flow's resource's unit, avoids: times the
    resource's emission factor (kg per unit) / 1000."""
    return rounded(
        ExpressionWrapper(
            quantity * F(f"{prefix}resource__emission_factor") / DecimalConstant(KG_PER_TONNE),
            output_field=TONNES,
        )
    )


def agreement_counted_in_impact(today, prefix=""):
    """Agreements whose flows the impact totals count: verified and in force on ``today``;
    ``prefix`` reaches the agreement through a relation."""
    return Q(
        **{f"{prefix}review_state": Agreement.PUBLIC_STATE}
    ) & AgreementQuerySet.active_condition(today, prefix=prefix)


def recorded_by_a_bilateral(condition, prefix=""):
    """Flows of a framework agreement whose exchange (provider, resource, receiver) a flow
    meeting ``condition`` of one of its bilateral agreements records too: those that count
    once, as the bilateral's (a subquery, by the flows' index of agreements' frameworks);
    ``prefix`` reaches the flow through a relation (``"flows__"`` from an agreement)."""
    return Exists(
        ResourceFlow.objects.filter(
            condition,
            agreement__framework=OuterRef(f"{prefix}agreement"),
            provider=OuterRef(f"{prefix}provider"),
            resource=OuterRef(f"{prefix}resource"),
            receiver=OuterRef(f"{prefix}receiver"),
        )
    )


def counted_in_impact(today):
    """Flows that the impact totals count: those of agreements verified and in force on
    ``today``, less a framework's flows that one of its counted bilateral agreements records
    (``recorded_by_a_bilateral``)."""
    return _counted(today, flow="", agreement="agreement__")


def flows_counted_in_impact(today):
    """``counted_in_impact`` on agreements joined to their flows (``flows__``), as the exports
    read them: one row per flow, the agreement's columns beside it."""
    return _counted(today, flow="flows__", agreement="")


def _counted(today, *, flow, agreement):
    in_force = agreement_counted_in_impact(today, prefix="agreement__")
    return agreement_counted_in_impact(today, prefix=agreement) & ~Q(
        recorded_by_a_bilateral(in_force, flow)
    )


def not_in_force(today, prefix=""):
    """Agreements not in force on ``today``: not started yet, ended or terminated (the
    complement of ``AgreementQuerySet.active_condition``, written without a negation). An
    unknown start (NULL) is not "after today", so such an agreement is not in force only once it
    has ended or been terminated, as ``active_condition`` says."""
    return Q(**{f"{prefix}starts_on__gt": today}) | AgreementQuerySet.expired_condition(
        today, prefix=prefix
    )


def as_boolean(condition):
    """A condition as a true/false column, to annotate rows with."""
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def flow_annotations(today=None):
    """What ``ResourceFlowQuerySet.with_impact`` annotates each flow with: ``annual_quantity``,
    ``annual_tonnes_co2e_avoided`` and, given ``today``, ``counted_in_impact``."""
    annotations = {
        "annual_quantity": annual_quantity(),
        "annual_quantity_in_resource_unit": in_resource_unit(F("annual_quantity")),
        # The same expression as ``annual_tonnes_co2e_avoided()``, built on the one above.
        "annual_tonnes_co2e_avoided": tonnes_co2e_avoided(F("annual_quantity_in_resource_unit")),
    }
    if today is not None:
        annotations["counted_in_impact"] = as_boolean(counted_in_impact(today))
    return annotations


# The method: the baseline and who claims the avoided emissions


def baseline(flow):
    """What a flow's avoided emissions are measured against, in the reader's language: the
    flow's own baseline, else its resource's ("" when neither has one)."""
    return pick(flow.baseline_en, flow.baseline_vi) or pick(
        flow.resource.baseline_en, flow.resource.baseline_vi
    )


def baseline_expression(prefix=""):
    """``baseline`` as a database expression, for the language active when it is made (the
    exports); ``prefix`` reaches the flow through a relation."""
    return Coalesce(
        NullIf(picked(f"{prefix}baseline_en", f"{prefix}baseline_vi"), Value("")),
        picked(f"{prefix}resource__baseline_en", f"{prefix}resource__baseline_vi"),
    )


Claimant = ResourceFlow.Claimant


def claimed_by(organisation, prefix=""):
    """Flows whose avoided emissions ``organisation`` claims: as the provider of a flow its
    provider claims, or as the receiver of one its receiver claims."""
    return Q(**{f"{prefix}claimed_by": Claimant.PROVIDER, f"{prefix}provider": organisation}) | Q(
        **{f"{prefix}claimed_by": Claimant.RECEIVER, f"{prefix}receiver": organisation}
    )


def claimant(flow):
    """The party (an Organisation) that claims a flow's avoided emissions, None if not stated."""
    if flow.claimed_by == Claimant.PROVIDER:
        return flow.provider
    if flow.claimed_by == Claimant.RECEIVER:
        return flow.receiver
    return None


@dataclass(frozen=True)
class Claimed:
    """The avoided emissions an organisation claims: t CO2e per year (None if none) from
    ``flows`` flows the totals count, of the ``claimed`` it claims among them."""

    tonnes_co2e: Decimal | None
    flows: int
    claimed: int


def claimed_impact(flows, *, organisation, today):
    """What ``organisation`` claims of ``flows``' avoided emissions, among the flows the
    totals count (``counted_in_impact``): one query."""
    with_factor = Q(
        quantity__isnull=False,
        period__in=list(PERIODS_PER_YEAR),
        resource__emission_factor__isnull=False,
    )
    figures = flows.filter(claimed_by(organisation), counted_in_impact(today)).aggregate(
        tonnes=rounded(Sum(annual_tonnes_co2e_avoided(), filter=with_factor)),
        flows=Count("pk", filter=with_factor),
        claimed=Count("pk"),
    )
    return Claimed(
        tonnes_co2e=figures["tonnes"], flows=figures["flows"], claimed=figures["claimed"]
    )


# One flow at a time, for the pages that list them


@dataclass(frozen=True)
class FlowImpact:
    flow: object  # the ResourceFlow, annotated by ``with_impact``
    annual_quantity: Decimal  # in the flow's unit
    annual_quantity_in_resource_unit: Decimal
    tonnes_co2e_avoided: Decimal
    emission_factor: Decimal  # kg CO2e avoided per unit of the resource
    source: str  # where the emission factor comes from
    # The factor as it was set (its value per its own unit, the year it was published), None
    # for one recorded before factors had a history.
    factor: object
    baseline: str  # what it is measured against, in the reader's language ("" if not stated)
    claimant: object  # the Organisation that claims it, None if not stated

    @property
    def counted(self):
        """Whether the totals count this flow (None when the flow was annotated without a
        day to judge by)."""
        return getattr(self.flow, "counted_in_impact", None)


def flow_impact(flow):
    """The impact of one flow (annotated by ``ResourceFlowQuerySet.with_impact``, its resource
    loaded with its ``current_factor``), or None when it has none."""
    tonnes = flow.annual_tonnes_co2e_avoided
    if tonnes is None:
        return None
    return FlowImpact(
        flow=flow,
        annual_quantity=flow.annual_quantity,
        annual_quantity_in_resource_unit=flow.annual_quantity_in_resource_unit,
        tonnes_co2e_avoided=tonnes,
        emission_factor=flow.resource.emission_factor,
        source=flow.resource.emission_factor_source,
        factor=flow.resource.current_factor,
        baseline=baseline(flow),
        claimant=claimant(flow),
    )


def flow_impacts(flows):
    """The impacts of the flows that have one, in the flows' order."""
    return [impact for impact in map(flow_impact, flows) if impact is not None]


def total_tonnes_avoided(impacts):
    """The sum of the rows ``impacts`` (the figures a table shows, computed by the database),
    for the Total row under them; None if there is none."""
    if not impacts:
        return None
    return sum((impact.tonnes_co2e_avoided for impact in impacts), Decimal(0))


# The aggregate: what the dashboard, the park and the resource pages show


@dataclass(frozen=True)
class ImpactRow:
    category: str
    unit: str  # the unit its quantities are added up in (``units.totals_unit``)
    flows: int
    annual_quantity: Decimal | None
    annual_flows: int
    one_off_quantity: Decimal | None
    one_off_flows: int
    without_quantity: int
    tonnes_co2e: Decimal | None
    co2e_flows: int
    mutual_flows: int
    annual_without_factor: int

    @property
    def category_label(self):
        return Resource.Category(self.category).label

    @property
    def unit_label(self):
        return Resource.Unit(self.unit).label

    @property
    def dimension_label(self):
        return units.Dimension(units.dimension(self.unit)).label

    @property
    def converts(self):
        """Whether the row's quantities are converted into its unit (a count's never are)."""
        return units.dimension(self.unit) != units.Dimension.COUNT


@dataclass(frozen=True)
class Impact:
    rows: list
    flows: int
    without_quantity: int
    one_off_flows: int
    mutual_flows: int
    tonnes_co2e: Decimal | None
    co2e_flows: int
    annual_without_factor: int
    factors: list  # Resources with an emission factor among the counted flows
    # What the totals leave out, among the flows given:
    not_in_force: int  # flows of verified agreements not in force (ended, or not started)
    unverified: int  # flows of agreements not verified (none among public flows)


# The figures of a row that its table's total row adds up.
ADDED_UP = [
    "flows",
    "without_quantity",
    "one_off_flows",
    "mutual_flows",
    "co2e_flows",
    "annual_without_factor",
]


def impact_groups(flows, *, today, by=()):
    """The impact figures of ``flows`` added up by the database per resource category and totals
    unit (``totals_unit``: one per dimension, one per count unit), and per each of ``by``, e.g.
    ``("agreement__park_id",)``, as dicts: the rows ``impact_of`` assembles. One query.

    The database groups the flows by whether the totals count them too (``counted_in_impact``,
    written once in the query rather than in each figure's filter: it holds the subquery of the
    bilateral rule, costly to build), and the counted group gives the figures of the totals."""
    has_quantity = Q(quantity__isnull=False)
    annual = has_quantity & Q(period__in=list(PERIODS_PER_YEAR))
    one_off = has_quantity & Q(period=Period.ONE_OFF)
    with_factor = annual & Q(resource__emission_factor__isnull=False)
    verified = Q(agreement__review_state=Agreement.PUBLIC_STATE)
    keys = [*by, "resource__category", "totals_unit"]
    rows = (
        flows.values(
            *by,
            "resource__category",
            totals_unit=totals_unit(),
            counted=as_boolean(counted_in_impact(today)),
        )
        .annotate(
            flows=Count("pk"),
            annual_quantity=rounded(Sum(in_totals_unit(annual_quantity()), filter=annual)),
            annual_flows=Count("pk", filter=annual),
            one_off_quantity=rounded(Sum(in_totals_unit(F("quantity")), filter=one_off)),
            one_off_flows=Count("pk", filter=one_off),
            without_quantity=Count("pk", filter=Q(quantity__isnull=True)),
            tonnes_co2e=rounded(Sum(annual_tonnes_co2e_avoided(), filter=with_factor)),
            co2e_flows=Count("pk", filter=with_factor),
            mutual_flows=Count("pk", filter=Q(direction=ResourceFlow.Direction.MUTUAL)),
            annual_without_factor=Count(
                "pk", filter=annual & Q(resource__emission_factor__isnull=True)
            ),
            not_in_force=Count("pk", filter=verified & not_in_force(today, "agreement__")),
            unverified=Count("pk", filter=~verified),
        )
        .order_by(*keys, "counted")
    )
    groups = {}
    for row in rows:
        group = groups.setdefault(tuple(row[key] for key in keys), dict(UNCOUNTED))
        counted = row.pop("counted")
        for name, value in row.items():
            if counted or name not in UNCOUNTED or name in NOT_COUNTED_SUMS:
                group[name] = _add(group.get(name), value) if name in GROUP_SUMS else value
    return list(groups.values())


def factor_resources(flows, *, today):
    """The resources with an emission factor among the flows the totals count (a subquery)."""
    return flows.filter(counted_in_impact(today), resource__emission_factor__isnull=False).values(
        "resource_id"
    )


# The figures of a group that are sums (the others are its category and totals unit, and what
# it was grouped by besides).
GROUP_SUMS = [
    "flows",
    "annual_quantity",
    "annual_flows",
    "one_off_quantity",
    "one_off_flows",
    "without_quantity",
    "tonnes_co2e",
    "co2e_flows",
    "mutual_flows",
    "annual_without_factor",
    "not_in_force",
    "unverified",
]
# Those that are counts of flows the totals leave out (every other one is of the counted flows),
# and what the others are for a group with no counted flow.
NOT_COUNTED_SUMS = {"not_in_force", "unverified"}
UNCOUNTED = {
    name: None if name in {"annual_quantity", "one_off_quantity", "tonnes_co2e"} else 0
    for name in GROUP_SUMS
}


def _add(a, b):
    """A sum that stays None (nothing to add up) only when both sides are None."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def merge_groups(groups):
    """Groups of several sets of flows (e.g. one set per park) added up per category and
    totals unit, in ``impact_groups``' order: the groups of all those flows together."""
    merged = {}
    for group in groups:
        key = (group["resource__category"], group["totals_unit"])
        into = merged.setdefault(key, {"resource__category": key[0], "totals_unit": key[1]})
        for name in GROUP_SUMS:
            into[name] = _add(into.get(name), group[name])
    return [merged[key] for key in sorted(merged)]


def impact_of(groups, *, factors):
    """The ``Impact`` of the flows that ``groups`` (from ``impact_groups``, merged if need be)
    add up, with ``factors``: the resources with an emission factor among them."""
    rows = [
        ImpactRow(
            category=group["resource__category"],
            unit=group["totals_unit"],
            **{name: group[name] for name in ImpactRow.__dataclass_fields__ if name in group},
        )
        for group in groups
        if group["flows"]
    ]
    with_tonnes = [row.tonnes_co2e for row in rows if row.co2e_flows]
    return Impact(
        rows=rows,
        **{name: sum(getattr(row, name) for row in rows) for name in ADDED_UP},
        tonnes_co2e=sum(with_tonnes, Decimal(0)) if with_tonnes else None,
        factors=list(factors),
        not_in_force=sum(group["not_in_force"] for group in groups),
        unverified=sum(group["unverified"] for group in groups),
    )


def impact(flows, *, today):
    """The impact of ``flows``: annualised totals of those of verified agreements in force on
    ``today``, per resource category and dimension (each in its canonical unit; each count unit
    apart), with how many the totals leave out; two queries whatever the number of flows.

    The database adds up each category and totals unit (one row each, a few dozen at most); the
    totals are the sums of those rows, so they cannot disagree with them."""
    return impact_of(
        impact_groups(flows, today=today),
        factors=Resource.objects.filter(pk__in=factor_resources(flows, today=today))
        .select_related("current_factor")
        .order_by("category", "name_en", "name_vi"),
    )
