"""The benchmark's synthetic registry: reproducible, marked, and kept apart from the demo."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, Party, ReportedQuantity, Resource, ResourceFlow
from agreements.sample_data.synthetic import STEADY_PARK, STEADY_PARK_AGREEMENTS
from parks.models import Organisation, Park


def snapshot(**in_park):
    """The agreements, parties and flows, or those of one park (``park__slug=...``)."""
    agreements = Agreement.objects.filter(**in_park)
    return {
        "agreements": list(
            agreements.order_by("reference").values_list(
                "reference", "park__slug", "kind", "starts_on", "ends_on", "review_state"
            )
        ),
        "parties": sorted(
            Party.objects.filter(agreement__in=agreements).values_list(
                "agreement__reference", "organisation__slug", "role"
            )
        ),
        "flows": sorted(
            ResourceFlow.objects.filter(agreement__in=agreements).values_list(
                "agreement__reference", "resource__slug", "provider__slug", "receiver__slug",
                "quantity",
            ),
            key=str,
        ),
    }  # fmt: skip


def generate(seed=1, agreements=40):
    call_command(
        "generate_synthetic",
        "--parks=4",
        "--organisations=60",
        f"--agreements={agreements}",
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
def test_the_steady_park_has_the_same_agreements_at_every_size():
    generate(agreements=40)
    small = snapshot(park__slug=STEADY_PARK)
    generate(agreements=120)
    large = snapshot(park__slug=STEADY_PARK)

    assert large == small
    assert len(small["agreements"]) == STEADY_PARK_AGREEMENTS
    assert Agreement.objects.count() == 120
    # Drawn like the others, in their mix of review states exactly; two or more parties and a
    # flow or more each.
    assert Counter(state for *_, state in small["agreements"]) == {
        "verified": 21, "draft": 4, "submitted": 3, "returned": 2,
    }  # fmt: skip
    assert len(small["parties"]) >= 2 * STEADY_PARK_AGREEMENTS
    assert len({reference for reference, *_ in small["flows"]}) == STEADY_PARK_AGREEMENTS
    # The rest went to the other parks, each of them some.
    others = Park.objects.exclude(slug=STEADY_PARK).filter(slug__startswith="syn-")
    assert all(park.agreements.exists() for park in others)


@pytest.mark.django_db
def test_a_registry_smaller_than_the_steady_park_is_all_in_it():
    generate(agreements=10)

    assert Agreement.objects.count() == 10
    assert set(Agreement.objects.values_list("park__slug", flat=True)) == {STEADY_PARK}


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


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="indexes are rebuilt on PostgreSQL only (SQLite's are not costed by their size)",
)
@pytest.mark.django_db(transaction=True)
def test_generating_again_rebuilds_the_filled_tables_indexes_once_committed():
    """Generating empties the tables and fills them again: without a rebuild their indexes
    hold the pages of both loads, and PostgreSQL, costing an index by its size, reads the
    tables instead of the indexes (the benchmark's filtered count did)."""
    generate()

    with CaptureQueriesContext(connection) as queries:
        generate()

    statements = [query["sql"] for query in queries.captured_queries]
    rebuilt = [sql for sql in statements if sql.startswith("REINDEX TABLE")]
    tables = dict.fromkeys(
        model._meta.db_table
        for model in (
            Organisation,
            Park,
            Resource,
            Agreement,
            Party,
            ResourceFlow,
            ReportedQuantity,
        )
    )
    assert rebuilt == [f'REINDEX TABLE "{table}"' for table in tables]
    # Then analysed and vacuumed, with the indexes as they are now.
    analysed = next(i for i, sql in enumerate(statements) if sql.startswith("VACUUM (ANALYZE)"))
    assert analysed > statements.index(rebuilt[-1])
