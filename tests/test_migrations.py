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


def run_in_django(database_url, code):
    """Run ``code`` in ``manage.py shell`` on that database; it prints what the test reads."""
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )


BEFORE_PRECISION = "0009_postgresql_filtered_count_indexes"

# Agreements as they were stored before dates had a precision, written with the models of
# that state (the migration graph's, not today's).
WRITE_OLD_AGREEMENTS = f"""
import datetime
from django.db import connection
from django.db.migrations.loader import MigrationLoader

apps = MigrationLoader(connection).project_state(("agreements", "{BEFORE_PRECISION}")).apps
Park = apps.get_model("parks", "Park")
Agreement = apps.get_model("agreements", "Agreement")
park = Park.objects.create(name_en="Deep C", slug="deep-c", province="Hai Phong")
Agreement.objects.create(
    reference="DEEPC-2023-IUS-01", title_en="Fire-fighting", kind="industrial_urban",
    park=park, signed_on=datetime.date(2023, 9, 12), starts_on=datetime.date(2023, 9, 12),
    ends_on=datetime.date(2028, 9, 11),
)
Agreement.objects.create(
    reference="DEEPC-2024-002", title_vi="Nước thải", kind="industrial", park=park,
    signed_on=None, starts_on=datetime.date(2024, 1, 1),
)
"""

READ_AGREEMENTS = """
from agreements.models import Agreement
for row in Agreement.objects.order_by("reference"):
    print(row.reference, row.signed_on, row.signed_on_precision, row.starts_on,
          row.starts_on_precision, row.ends_on)
"""


def test_dates_gain_a_precision_and_every_stored_agreement_keeps_its_dates(empty_database):
    to_old = migrate(empty_database, "agreements", BEFORE_PRECISION)
    assert to_old.returncode == 0, to_old.stderr
    written = run_in_django(empty_database, WRITE_OLD_AGREEMENTS)
    assert written.returncode == 0, written.stderr

    forward = migrate(empty_database)
    assert forward.returncode == 0, forward.stderr
    read = run_in_django(empty_database, READ_AGREEMENTS)

    assert read.returncode == 0, read.stderr
    assert read.stdout.splitlines() == [
        "DEEPC-2023-IUS-01 2023-09-12 day 2023-09-12 day 2028-09-11",
        "DEEPC-2024-002 None day 2024-01-01 day None",
    ]

    # Unwound, a start left unknown since is given its signing date (a start was required).
    unknown_start = run_in_django(
        empty_database,
        "from agreements.models import Agreement\n"
        'Agreement.objects.filter(reference="DEEPC-2023-IUS-01").update(\n'
        '    starts_on=None, signed_on_precision="year", signed_on="2023-01-01")\n',
    )
    assert unknown_start.returncode == 0, unknown_start.stderr
    backward = migrate(empty_database, "agreements", BEFORE_PRECISION)
    assert backward.returncode == 0, backward.stderr
    again = migrate(empty_database)
    assert again.returncode == 0, again.stderr
    read = run_in_django(empty_database, READ_AGREEMENTS)
    assert (
        read.stdout.splitlines()[0] == "DEEPC-2023-IUS-01 2023-01-01 day 2023-01-01 day 2028-09-11"
    )
