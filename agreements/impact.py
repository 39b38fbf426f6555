"""Impact figures: a flow's annual quantity and the tonnes of CO2e it avoids each year.

A figure exists only where the resource has an emission factor (with its source) and the flow a
disclosed, recurring quantity; nothing is estimated.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When

from agreements.models import Agreement, AgreementQuerySet, Resource, ResourceFlow

State = Agreement.ReviewState
Period = ResourceFlow.Period


@dataclass(frozen=True)
class FlowImpact:
    flow: object  # the ResourceFlow
    annual_quantity: Decimal
    tonnes_co2e_avoided: Decimal
    emission_factor: Decimal  # kg CO2e avoided per unit of the resource
    source: str  # where the emission factor comes from


def flow_impact(flow):
    """The impact of one flow (its resource loaded), or None when it cannot be computed."""
    tonnes = flow.annual_tonnes_co2e_avoided
    if tonnes is None:
        return None
    return FlowImpact(
        flow=flow,
        annual_quantity=flow.annual_quantity,
        tonnes_co2e_avoided=tonnes,
        emission_factor=flow.resource.emission_factor,
        source=flow.resource.emission_factor_source,
    )


def flow_impacts(flows):
    """The impacts of the flows that have one, in the flows' order."""
    return [impact for impact in map(flow_impact, flows) if impact is not None]


def total_tonnes_avoided(impacts):
    """The sum of the impacts' tonnes of CO2e avoided per year, or None if there is none."""
    if not impacts:
        return None
    return sum((impact.tonnes_co2e_avoided for impact in impacts), Decimal(0))


# Room for any sum of quantities (16 digits, 3 decimals) over many flows.
QUANTITY = DecimalField(max_digits=28, decimal_places=3)
TONNES = DecimalField(max_digits=28, decimal_places=3)


def annual_quantity(prefix=""):
    """The database's version of ``ResourceFlow.annual_quantity``: the quantity per year,
    NULL for a one-off or undisclosed quantity."""
    return Case(
        *[
            When(
                **{f"{prefix}period": period},
                then=ExpressionWrapper(F(f"{prefix}quantity") * factor, output_field=QUANTITY),
            )
            for period, factor in ResourceFlow.PERIODS_PER_YEAR.items()
        ],
        default=Value(None, output_field=QUANTITY),
        output_field=QUANTITY,
    )


def annual_tonnes_co2e_avoided(prefix=""):
    """The database's version of ``ResourceFlow.annual_tonnes_co2e_avoided``."""
    return ExpressionWrapper(
        annual_quantity(prefix) * F(f"{prefix}resource__emission_factor") / Value(Decimal(1000)),
        output_field=TONNES,
    )


def counted_in_impact(today, prefix=""):
    """Flows whose agreement is verified and active on ``today``: those the impact totals add."""
    return Q(**{f"{prefix}agreement__review_state": State.VERIFIED}) & (
        AgreementQuerySet.active_condition(today, prefix=f"{prefix}agreement__")
    )


# Impact


@dataclass(frozen=True)
class ImpactRow:
    category: str
    unit: str
    flows: int
    annual_quantity: Decimal | None
    annual_flows: int
    one_off_quantity: Decimal | None
    one_off_flows: int
    without_quantity: int
    tonnes_co2e: Decimal | None
    co2e_flows: int

    @property
    def category_label(self):
        return Resource.Category(self.category).label

    @property
    def unit_label(self):
        return Resource.Unit(self.unit).label


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


def impact(flows, *, today):
    """Annualised totals of the flows of verified agreements active on ``today``, per resource
    category and unit; three queries whatever the number of flows."""
    counted = flows.filter(counted_in_impact(today))
    has_quantity = Q(quantity__isnull=False)
    annual = has_quantity & Q(period__in=list(ResourceFlow.PERIODS_PER_YEAR))
    one_off = has_quantity & Q(period=Period.ONE_OFF)
    with_factor = annual & Q(resource__emission_factor__isnull=False)
    measures = {
        "flows": Count("pk"),
        "without_quantity": Count("pk", filter=~has_quantity),
        "one_off_flows": Count("pk", filter=one_off),
        "co2e_flows": Count("pk", filter=with_factor),
        "tonnes_co2e": Sum(annual_tonnes_co2e_avoided(), filter=with_factor),
    }
    rows = [
        ImpactRow(
            category=row["resource__category"],
            unit=row["resource__unit"],
            **{name: row[name] for name in ImpactRow.__dataclass_fields__ if name in row},
        )
        for row in counted.values("resource__category", "resource__unit")
        .annotate(
            **measures,
            annual_quantity=Sum(annual_quantity(), filter=annual),
            annual_flows=Count("pk", filter=annual),
            one_off_quantity=Sum("quantity", filter=one_off, output_field=QUANTITY),
        )
        .order_by("resource__category", "resource__unit")
    ]
    totals = counted.aggregate(
        **measures,
        mutual_flows=Count("pk", filter=Q(direction=ResourceFlow.Direction.MUTUAL)),
        annual_without_factor=Count(
            "pk", filter=annual & Q(resource__emission_factor__isnull=True)
        ),
    )
    factors = list(
        Resource.objects.filter(
            pk__in=counted.values("resource_id"), emission_factor__isnull=False
        ).order_by("category", "name_en", "name_vi")
    )
    return Impact(rows=rows, factors=factors, **totals)
