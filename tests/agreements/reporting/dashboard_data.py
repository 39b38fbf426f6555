"""A small register built by hand, whose dashboard figures are worked out by hand below.

Day of reference: TODAY = 15 June 2025; "ending soon" reaches 13 September 2025.

HEZA manages parks A and B (Hai Phong); another authority manages park C (Quang Ninh).

ref  park kind              state      signed      starts      ends        terminated  on TODAY
A1   A    industrial        verified   2023-03-01  2023-03-01                          active
A2   A    industrial_urban  verified   2024-05-10  2024-05-10  2025-08-01              active
A3   B    industrial        verified   2021-06-01  2022-01-01              2024-12-31  expired
A4   B    shared_service    verified   2022-02-01  2022-02-01  2024-06-30              expired
A5   A    industrial        submitted              2025-01-01                          active
A6   B    industrial        submitted              2025-07-01                          not started
A7   A    industrial        returned   2023-12-20  2024-01-01                          active
A8   A    industrial        draft                  2025-03-01                          active
A9   B    industrial        verified   2023-07-15  2023-07-15                          active
A10  C    industrial        verified   2023-01-10  2023-01-10                          active
A11  B    shared_service    verified   2024-01-01  2024-01-01              2025-07-01  active

Resources: W water m³ (factor 0.5 kg/m³), E energy MWh (factor 400 kg/MWh), G energy GJ (no
factor), M material t (no factor), S service call-outs (no factor).

Flows: A1 W 100/month, E 50/year; A2 S 12/year mutual, W 300/year; A3 W 1000/month;
A4 M 7 one-off; A5 W 999/year; A6 E 5/year; A7 M 3/year; A8 none; A9 M 500 one-off,
M 20/month, G 10/year, W (no quantity); A10 W 5000/year; A11 E 10/month.

Parties: companies c1, c2, c3 (c4, c5 in park C), the police (an agency) and UNIDO (an
international organisation, witness of A9).
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from agreements.models import Agreement, Party, Resource, ResourceFlow
from parks.models import Organisation
from tests.factories import (
    make_agency,
    make_agreement,
    make_official,
    make_organisation,
    make_park,
    make_resource,
)

TODAY = datetime.date(2025, 6, 15)

State = Agreement.ReviewState
Kind = Agreement.Kind
Period = ResourceFlow.Period
MONTHLY, YEARLY, ONE_OFF = Period.MONTHLY, Period.YEARLY, Period.ONE_OFF


def at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def flow(agreement, resource, quantity, period=YEARLY, *, mutual=False):
    provider, receiver = [p.organisation for p in agreement.parties.order_by("pk")[:2]]
    return ResourceFlow.objects.create(
        agreement=agreement,
        resource=resource,
        provider=provider,
        receiver=receiver,
        quantity=None if quantity is None else Decimal(quantity),
        period=period,
        direction=ResourceFlow.Direction.MUTUAL if mutual else ResourceFlow.Direction.ONE_WAY,
    )


def build_register():
    heza = make_agency(name_en="Hai Phong Economic Zone Authority", slug="heza")
    other = make_agency(name_en="Quang Ninh authority", slug="qn-authority")
    national = make_agency(
        name_en="Ministry of Finance", slug="mof", level=Organisation.Level.NATIONAL
    )
    park_a = make_park(name_en="Alpha Park", slug="alpha", managing_authority=heza)
    park_b = make_park(name_en="Beta Park", slug="beta", managing_authority=heza)
    park_c = make_park(
        name_en="Gamma Park", slug="gamma", province="Quang Ninh", managing_authority=other
    )
    c1, c2, c3, c4, c5 = (make_organisation(name_en=f"Company {n}") for n in range(1, 6))
    police = make_agency(name_en="District Police", level=Organisation.Level.DISTRICT)
    unido = make_organisation(kind=Organisation.Kind.INTERNATIONAL, name_en="UNIDO")

    water = make_resource(
        name_en="Treated wastewater",
        category=Resource.Category.WATER,
        unit=Resource.Unit.CUBIC_METRE,
        emission_factor=Decimal("0.5"),
        emission_factor_source="Test factor for water",
    )
    electricity = make_resource(
        name_en="Solar electricity",
        category=Resource.Category.ENERGY,
        unit=Resource.Unit.MEGAWATT_HOUR,
        emission_factor=Decimal("400"),
        emission_factor_source="Test grid factor",
    )
    heat = make_resource(
        name_en="Waste heat", category=Resource.Category.ENERGY, unit=Resource.Unit.GIGAJOULE
    )
    slag = make_resource(
        name_en="Slag", category=Resource.Category.MATERIAL, unit=Resource.Unit.TONNE
    )
    rescue = make_resource(
        name_en="Fire rescue", category=Resource.Category.SERVICE, unit=Resource.Unit.CALL_OUT
    )

    def agreement(reference, park, parties, *, kind=Kind.INDUSTRIAL, state=State.VERIFIED, **f):
        return make_agreement(
            park,
            parties=parties,
            flows=[],
            reference=reference,
            title_en=f"Agreement {reference}",
            kind=kind,
            review_state=state,
            **f,
        )

    d = datetime.date
    a1 = agreement("A1", park_a, [c1, c2], signed_on=d(2023, 3, 1), starts_on=d(2023, 3, 1))
    a2 = agreement(
        "A2",
        park_a,
        [c1, police],
        kind=Kind.INDUSTRIAL_URBAN,
        signed_on=d(2024, 5, 10),
        starts_on=d(2024, 5, 10),
        ends_on=d(2025, 8, 1),
    )
    a3 = agreement(
        "A3",
        park_b,
        [c2, c3],
        signed_on=d(2021, 6, 1),
        starts_on=d(2022, 1, 1),
        terminated_on=d(2024, 12, 31),
    )
    a4 = agreement(
        "A4",
        park_b,
        [c3, c1],
        kind=Kind.SHARED_SERVICE,
        signed_on=d(2022, 2, 1),
        starts_on=d(2022, 2, 1),
        ends_on=d(2024, 6, 30),
    )
    a5 = agreement(
        "A5",
        park_a,
        [c1, c2],
        state=State.SUBMITTED,
        starts_on=d(2025, 1, 1),
        submitted_at=at(d(2025, 6, 1)),
    )
    a6 = agreement(
        "A6",
        park_b,
        [c2, c3],
        state=State.SUBMITTED,
        starts_on=d(2025, 7, 1),
        submitted_at=at(d(2025, 5, 1)),
    )
    a7 = agreement(
        "A7",
        park_a,
        [c1, c3],
        state=State.RETURNED,
        signed_on=d(2023, 12, 20),
        starts_on=d(2024, 1, 1),
        submitted_at=at(d(2025, 6, 2)),
        reviewed_at=at(d(2025, 6, 10)),
        review_comment="Please attach the signed agreement.",
    )
    a8 = agreement("A8", park_a, [c1, c2], state=State.DRAFT, starts_on=d(2025, 3, 1))
    a9 = agreement("A9", park_b, [c2, c3], signed_on=d(2023, 7, 15), starts_on=d(2023, 7, 15))
    Party.objects.create(agreement=a9, organisation=unido, role=Party.Role.WITNESS)
    a10 = agreement("A10", park_c, [c4, c5], signed_on=d(2023, 1, 10), starts_on=d(2023, 1, 10))
    a11 = agreement(
        "A11",
        park_b,
        [c3, c1],
        kind=Kind.SHARED_SERVICE,
        signed_on=d(2024, 1, 1),
        starts_on=d(2024, 1, 1),
        terminated_on=d(2025, 7, 1),
    )

    flow(a1, water, 100, MONTHLY)
    flow(a1, electricity, 50, YEARLY)
    flow(a2, rescue, 12, YEARLY, mutual=True)
    flow(a2, water, 300, YEARLY)
    flow(a3, water, 1000, MONTHLY)
    flow(a4, slag, 7, ONE_OFF)
    flow(a5, water, 999, YEARLY)
    flow(a6, electricity, 5, YEARLY)
    flow(a7, slag, 3, YEARLY)
    flow(a9, slag, 500, ONE_OFF)
    flow(a9, slag, 20, MONTHLY)
    flow(a9, heat, 10, YEARLY)
    flow(a9, water, None, YEARLY)
    flow(a10, water, 5000, YEARLY)
    flow(a11, electricity, 10, MONTHLY)

    return SimpleNamespace(
        heza=heza,
        other=other,
        national=national,
        parks=(park_a, park_b, park_c),
        park_a=park_a,
        park_b=park_b,
        park_c=park_c,
        resources=SimpleNamespace(
            water=water, electricity=electricity, heat=heat, slag=slag, rescue=rescue
        ),
        agreements={a.reference: a for a in (a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11)},
        heza_official=make_official(heza),
        other_official=make_official(other),
        national_official=make_official(national),
    )
