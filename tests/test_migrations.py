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


# Units (agreements/migrations/0012_units.py): every flow, and its history, keeps the unit its
# quantity was recorded in, its resource's; the kept dashboard figures are dropped.

# The last migrations before units; the lead re-chains 0012 after the other parts of issue 13.
BEFORE_UNITS = [
    ("agreements", "0009_postgresql_filtered_count_indexes"),
    ("reporting", "0002_scope_figures"),
]

ROWS_BEFORE_UNITS = """
import datetime
from decimal import Decimal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
apps = MigrationExecutor(connection).loader.project_state(%r).apps
get = apps.get_model
park = get("parks", "Park").objects.create(name_en="Park", slug="park", province="Hai Phong")
a, b = (
    get("parks", "Organisation").objects.create(kind="company", name_en=name, slug=name)
    for name in ("a", "b")
)
agreement = get("agreements", "Agreement").objects.create(
    reference="R-1", title_en="R", kind="industrial", park=park,
    starts_on=datetime.date(2020, 1, 1),
)
rows = [("heat", "GJ", "36"), ("rescue", "call_out", None), ("slag", "t", "2.5")]
for slug, unit, quantity in rows:
    resource = get("agreements", "Resource").objects.create(
        name_en=slug, slug=slug, category="energy", unit=unit
    )
    flow = get("agreements", "ResourceFlow").objects.create(
        agreement=agreement, resource=resource, provider=a, receiver=b,
        quantity=None if quantity is None else Decimal(quantity),
    )
    get("agreements", "HistoricalResourceFlow").objects.create(
        id=flow.pk, agreement_id=agreement.pk, resource_id=resource.pk, provider_id=a.pk,
        receiver_id=b.pk, quantity=flow.quantity, direction="one_way", period="yearly",
        history_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        history_type="+",
    )
get("reporting", "ParkFigures").objects.create(park=park, generation=1, figures={})
"""

ROWS_AFTER_UNITS = """
from agreements.models import ResourceFlow
from agreements.reporting.models import ParkFigures
print(sorted(ResourceFlow.objects.values_list("resource__slug", "unit", "quantity")))
print(sorted(ResourceFlow.history.values_list("resource__slug", "unit")))
print(ParkFigures.objects.count())
"""


def shell(database_url, script):
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_units_every_flow_keeps_the_unit_its_quantity_was_recorded_in(empty_database):
    for app, name in BEFORE_UNITS:
        before = migrate(empty_database, app, name)
        assert before.returncode == 0, before.stderr
    written = shell(empty_database, ROWS_BEFORE_UNITS % (BEFORE_UNITS,))
    assert written.returncode == 0, written.stderr

    forward = migrate(empty_database)
    assert forward.returncode == 0, forward.stderr
    read = shell(empty_database, ROWS_AFTER_UNITS)
    assert read.returncode == 0, read.stderr

    flows, history, kept_figures = read.stdout.strip().splitlines()[-3:]
    assert flows == (
        "[('heat', 'GJ', Decimal('36.000')), ('rescue', 'call_out', None), "
        "('slag', 't', Decimal('2.500'))]"
    )
    assert history == "[('heat', 'GJ'), ('rescue', 'call_out'), ('slag', 't')]"
    assert kept_figures == "0"

    backward = migrate(empty_database, *BEFORE_UNITS[0])
    assert backward.returncode == 0, backward.stderr
