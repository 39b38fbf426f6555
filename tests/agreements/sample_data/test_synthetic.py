"""The benchmark's synthetic registry: reproducible, marked, and kept apart from the demo."""

import pytest
from django.core.management import call_command
from django.db import connection

from agreements.models import Agreement, Party, Resource, ResourceFlow
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


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="planner statistics (pg_class, pg_stat_user_tables) are PostgreSQL's; "
    "on SQLite nothing is analysed",
)
@pytest.mark.django_db(transaction=True)
def test_generating_and_clearing_analyse_exactly_the_tables_written_once_committed():
    filled = {
        model._meta.db_table: model
        for model in (Organisation, Park, Resource, Agreement, Party, ResourceFlow)
    }
    untouched = ["auth_user", "agreements_document", "django_session"]

    def statistics():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.relname, s.analyze_count, c.reltuples FROM pg_stat_user_tables s "
                "JOIN pg_class c ON c.oid = s.relid WHERE s.relname = ANY(%s)",
                [[*filled, *untouched]],
            )
            return {name: (count, tuples) for name, count, tuples in cursor.fetchall()}

    before = statistics()
    generate()

    after = statistics()
    for table, model in filled.items():
        assert after[table][0] == before[table][0] + 1, table
        # Small tables are read whole: the planner's row count is exact.
        assert after[table][1] == model.objects.count() > 0, table
    for table in untouched:
        assert after[table][0] == before[table][0], table

    call_command("generate_synthetic", "--clear", stdout=open("/dev/null", "w"))  # noqa: SIM115

    cleared = statistics()
    for table in filled:
        assert cleared[table] == (after[table][0] + 1, 0), table
