"""An export imported into an empty registry gives back its agreements, parties and flows: a few
dozen agreements with chains of flows, framework agreements and amendments, exported through
the dashboard's own views, in both formats and both languages."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agreements.models import Agreement, ImportBatch, Party, Resource, ResourceFlow, SymbiosisKind
from parks.models import Organisation
from symbiosis.partial_dates import Precision
from tests.agreements.world import make_world
from tests.factories import make_organisation, make_resource

State = Agreement.ReviewState
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


@pytest.fixture
def world(db):
    return make_world()


def build_registry(world):
    """32 agreements of the world's park: parties with every role, flows in several units and
    periods, a framework with bilaterals under it, an amendment and a renewal, chains of flows
    within an agreement and across two."""
    park = world.park
    companies = [
        make_organisation(name_en=f"Round Trip Company {n}", slug=f"rt-company-{n}")
        for n in range(6)
    ]
    companies.append(make_organisation(name_vi="Công ty Nước sạch Hải Phòng", slug="rt-water"))
    companies.append(
        make_organisation(name_own="Asnæs Kraftværk", name_own_language="da", slug="rt-asnaes")
    )
    resources = [
        make_resource(name_en="RT Treated wastewater", slug="rt-ww", category="water", unit="m3"),
        make_resource(name_en="RT Steam", slug="rt-steam", category="energy", unit="GJ"),
        make_resource(name_en="RT Electricity", slug="rt-power", category="energy", unit="MWh"),
        make_resource(name_vi="Tro bay", slug="rt-ash", category="material", unit="t"),
    ]
    kinds = itertools.cycle(Agreement.Kind.values)
    periods = itertools.cycle(ResourceFlow.Period.values)
    symbiosis = itertools.cycle(SymbiosisKind.values)
    agreements = []
    for n in range(32):
        signed_precision = [Precision.DAY, Precision.MONTH, Precision.YEAR][n % 3]
        signed = {
            Precision.DAY: datetime.date(2020, 1 + n % 12, 1 + n % 28),
            Precision.MONTH: datetime.date(2020, 1 + n % 12, 1),
            Precision.YEAR: datetime.date(2019, 1, 1),
        }[signed_precision]
        agreement = Agreement.objects.create(
            reference=f"RT-{n:02d}",
            title_en=f"Round trip agreement {n}, with a comma",
            kind=next(kinds),
            park=park,
            signed_on=signed if n % 7 else None,
            signed_on_precision=signed_precision if n % 7 else Precision.DAY,
            starts_on=datetime.date(2021, 1 + n % 12, 1),
            starts_on_precision=Precision.MONTH,
            ends_on=datetime.date(2030, 12, 31) if n % 4 == 0 else None,
            terminated_on=datetime.date(2024, 5, 6) if n == 3 else None,
            symbiosis_kind=next(symbiosis),
            review_state=[State.DRAFT, State.SUBMITTED, State.VERIFIED, State.RETURNED][n % 4],
        )
        agreements.append(agreement)
        first, second, third = (companies[(n + k) % len(companies)] for k in range(3))
        Party.objects.create(agreement=agreement, organisation=first)
        Party.objects.create(agreement=agreement, organisation=second)
        if n % 3:
            role = Party.Role.WITNESS if n % 2 else Party.Role.FACILITATOR
            Party.objects.create(agreement=agreement, organisation=third, role=role)
        for f in range(n % 4):  # 0 to 3 flows
            resource = resources[(n + f) % len(resources)]
            provider, receiver = (first, second) if f % 2 == 0 else (second, first)
            unit = "kWh" if resource.unit == "MWh" and f == 1 else resource.unit
            ResourceFlow.objects.create(
                agreement=agreement,
                resource=resource,
                provider=provider,
                receiver=receiver,
                direction=ResourceFlow.Direction.MUTUAL if f == 2 else "one_way",
                quantity=None if (n + f) % 5 == 0 else Decimal(f"{100 * n + f}.125"),
                unit=unit,
                period=next(periods),
                claimed_by="receiver" if f == 1 else "",
                # Its own kind where it differs from its agreement's (RT-06: shared services).
                symbiosis_kind=SymbiosisKind.OUTSIDE_THE_PARK if n == 6 and f == 1 else "",
            )
    # Nesting: a framework with three bilaterals under it; an amendment and a renewal.
    for n in (6, 7, 8):
        agreements[n].framework = agreements[5]
        agreements[n].save()
    agreements[10].amends, agreements[10].amendment_kind = agreements[9], "amends"
    agreements[10].save()
    agreements[14].amends, agreements[14].amendment_kind = agreements[13], "renews"
    agreements[14].save()
    # Chains: the second flow of RT-11 made from its first (its provider receives it), the
    # first flow of RT-15 made from RT-11's second (received by RT-15's provider).
    a11, a15 = agreements[11], agreements[15]
    f11 = list(a11.flows.order_by("pk"))
    f11[1].made_from = f11[0]
    f11[1].save()
    f15 = list(a15.flows.order_by("pk"))
    f15[0].provider = f11[1].receiver
    Party.objects.get_or_create(agreement=a15, organisation=f11[1].receiver)
    f15[0].made_from = f11[1]
    f15[0].save()
    return agreements


def snapshot():
    """The register as a reader sees it: each agreement, its parties with their roles and its
    flows with their quantities, units, periods and chains, by names."""
    numbers = {}
    for agreement in Agreement.objects.order_by("reference"):
        for number, pk in enumerate(agreement.flows.order_by("pk").values_list("pk", flat=True)):
            numbers[pk] = (agreement.reference, number + 1)
    found = {}
    for agreement in Agreement.objects.select_related("framework", "amends"):
        found[agreement.reference] = {
            "title": agreement.title,
            "kind": agreement.kind,
            "symbiosis_kind": agreement.symbiosis_kind,
            "signed": (agreement.signed_on, agreement.signed_on_precision),
            "starts": (agreement.starts_on, agreement.starts_on_precision),
            "ends_on": agreement.ends_on,
            "terminated_on": agreement.terminated_on,
            "framework": agreement.framework and agreement.framework.reference,
            "amends": agreement.amends and agreement.amends.reference,
            "amendment_kind": agreement.amendment_kind,
            "park": agreement.park_id,
            "parties": sorted(
                (party.organisation.name, party.role)
                for party in agreement.parties.select_related("organisation")
            ),
            "flows": [
                (
                    flow.resource.name,
                    flow.provider.name,
                    flow.receiver.name,
                    flow.direction,
                    flow.quantity,
                    flow.unit,
                    flow.period,
                    flow.claimed_by,
                    flow.symbiosis_kind,
                    numbers.get(flow.made_from_id),
                )
                for flow in agreement.flows.select_related(
                    "resource", "provider", "receiver"
                ).order_by("pk")
            ],
        }
    return found


def flush_register(world):
    """Delete the register, keeping the parks, their agencies and the accounts."""
    Agreement.objects.update(amends=None, amendment_kind="")
    Agreement.objects.all().delete()
    Resource.objects.all().delete()
    Organisation.objects.filter(slug__startswith="rt-").delete()


@pytest.mark.parametrize(
    ("extension", "language"), [("xlsx", "en"), ("csv", "en"), ("xlsx", "vi"), ("csv", "vi")]
)
def test_an_export_imported_into_an_empty_registry_gives_back_its_agreements(
    client, world, extension, language
):
    build_registry(world)
    client.force_login(world.official)
    client.post(reverse("set_language"), {"language": language})
    with translation.override(language):
        before = snapshot()
    response = client.get(reverse(f"agreements:export-{extension}"))
    content = b"".join(response.streaming_content)
    flush_register(world)
    assert not Agreement.objects.exists()

    client.force_login(world.staff)
    client.post(reverse("set_language"), {"language": language})
    response = client.post(
        reverse("agreements:import"),
        {"file": SimpleUploadedFile(f"register.{extension}", content, CONTENT_TYPES[extension])},
    )
    batch = ImportBatch.objects.get()
    while not batch.is_finished:
        client.get(batch.get_absolute_url())
        batch.refresh_from_db()
    errors = [(o["line"], o["errors"]) for o in batch.outcomes if o.get("errors")]
    assert errors == []
    response = client.post(
        reverse("agreements:import-confirm", kwargs={"pk": batch.pk}), {"on_existing": "skip"}
    )

    assert response.status_code == 302
    with translation.override(language):
        after = snapshot()
    assert len(after) == 32
    assert after == before
    # Drafts of the park, entered by the one who imported them.
    assert set(Agreement.objects.values_list("review_state", "created_by")) == {
        (State.DRAFT, world.staff.pk)
    }
