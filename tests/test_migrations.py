"""The migrations build the schema from nothing and unwind to nothing, on this test run's
database engine (SQLite, or PostgreSQL when DATABASE_URL points at it).

The rest of the suite builds its tables straight from the models (--no-migrations), so this is
where the migrations themselves, including the PostgreSQL-only indexes, are run."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def migrate(database_url, *args):
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", *args],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )


def postgresql_indexes(database_url):
    import psycopg2

    with psycopg2.connect(database_url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        names = {name for (name,) in cursor.fetchall()}
    connection.close()
    return names


def test_migrations_build_the_schema_and_unwind(empty_database):
    forward = migrate(empty_database)
    assert forward.returncode == 0, forward.stderr
    if empty_database.startswith("postgres"):
        # The indexes only PostgreSQL can state (agreements' migrations 0007 and 0009).
        assert {
            "agreement_awaiting_idx",
            "agreement_returned_idx",
            "agreement_ending_on_idx",
            "agreement_filtered_count_idx",
            "flow_agreement_resource_idx",
        } <= postgresql_indexes(empty_database)

    backward = migrate(empty_database, "agreements", "zero")
    assert backward.returncode == 0, backward.stderr

    again = migrate(empty_database)
    assert again.returncode == 0, again.stderr
