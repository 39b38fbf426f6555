"""Impact figures: a flow's annual quantity and the tonnes of CO2e it avoids each year.

A figure exists only where the resource has an emission factor (with its source) and the flow a
disclosed, recurring quantity; nothing is estimated.
"""

from dataclasses import dataclass
from decimal import Decimal


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
