"""``analyze``: ANALYZE exactly the tables of the models given, on PostgreSQL only."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from parks.models import Agency, Company, Organisation, Park
from symbiosis.statistics import analyze, analyze_on_commit, tables

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="ANALYZE and pg_stat_user_tables are PostgreSQL's; on SQLite analyze() does nothing",
)


def analyze_counts(*names, counted="analyze_count"):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT relname, {counted} FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [list(names)],
        )
        return dict(cursor.fetchall())


def test_each_table_is_named_once_in_the_order_given():
    assert tables(Park, Company, Organisation, Agency) == ["parks_park", "parks_organisation"]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="what analyze() does on SQLite")
def test_on_sqlite_nothing_is_run():
    with CaptureQueriesContext(connection) as queries:
        analyze(Park, Organisation)
        analyze_on_commit(Park)

    assert len(queries) == 0
    assert connection.run_on_commit == []


@on_postgresql
@pytest.mark.django_db
def test_one_analyze_names_each_quoted_table():
    with CaptureQueriesContext(connection) as queries:
        analyze(Park, Company, Organisation)

    assert [query["sql"] for query in queries] == ['ANALYZE "parks_park", "parks_organisation"']


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_tables_are_analysed_after_the_commit_and_not_after_a_rollback():
    before = analyze_counts("parks_park", "parks_organisation")

    with pytest.raises(RuntimeError), transaction.atomic():
        Park.objects.create(name_en="Rolled back", slug="rolled-back", province="Hai Phong")
        analyze_on_commit(Park, Organisation)
        raise RuntimeError
    assert analyze_counts("parks_park", "parks_organisation") == before

    vacuumed = analyze_counts("parks_park", counted="vacuum_count")
    with transaction.atomic():
        Park.objects.create(name_en="Kept", slug="kept", province="Hai Phong")
        analyze_on_commit(Park)
        assert analyze_counts("parks_park") == {"parks_park": before["parks_park"]}
    assert analyze_counts("parks_park", "parks_organisation") == {
        "parks_park": before["parks_park"] + 1,
        "parks_organisation": before["parks_organisation"],
    }
    # After the commit, outside any transaction: vacuumed too (pages marked all-visible).
    assert analyze_counts("parks_park", counted="vacuum_count") == {
        "parks_park": vacuumed["parks_park"] + 1
    }
