"""The benchmark's synthetic registry: reproducible, marked, and kept apart from the demo."""

import pytest
from django.core.management import call_command

from agreements.models import Agreement, Party, ResourceFlow
from parks.models import Organisation, Park


def snapshot():
    return {
        "agreements": list(
            Agreement.objects.order_by("reference").values_list(
                "reference", "park__slug", "starts_on", "ends_on", "review_state"
            )
        ),
        "parties": sorted(
            Party.objects.values_list("agreement__reference", "organisation__slug", "role")
        ),
        "flows": sorted(
            ResourceFlow.objects.values_list(
                "agreement__reference", "provider__slug", "receiver__slug", "quantity"
            ),
            key=str,
        ),
    }


def generate(seed=1):
    call_command(
        "generate_synthetic",
        "--parks=4",
        "--organisations=60",
        "--agreements=40",
        f"--seed={seed}",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_registry():
    generate()
    first = snapshot()
    generate()

    assert snapshot() == first
    assert len(first["agreements"]) == 40
    generate(seed=2)
    assert snapshot() != first


@pytest.mark.django_db
def test_synthetic_rows_have_realistic_shapes_and_are_marked():
    generate()

    states = set(Agreement.objects.values_list("review_state", flat=True))
    assert states == set(Agreement.ReviewState.values)
    assert Agreement.objects.filter(ends_on__isnull=True).exists()
    assert Agreement.objects.filter(ends_on__isnull=False).exists()
    for agreement in Agreement.objects.prefetch_related("parties", "flows"):
        assert agreement.reference.startswith("SYN-")
        assert agreement.title_en.endswith("(synthetic)")
        assert agreement.title_vi.endswith("(tổng hợp)")
        party_ids = {party.organisation_id for party in agreement.parties.all()}
        assert len(party_ids) >= 2
        for flow in agreement.flows.all():
            assert {flow.provider_id, flow.receiver_id} <= party_ids
    assert Agreement.objects.search("tong hop").count() == 40


@pytest.mark.django_db
def test_generating_and_clearing_leave_the_demo_alone(demo):
    before = (Organisation.objects.count(), Park.objects.count(), Agreement.objects.count())
    generate()
    call_command("generate_synthetic", "--clear", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (Organisation.objects.count(), Park.objects.count(), Agreement.objects.count()) == before
    assert Agreement.objects.filter(pk=demo.pk).exists()
