"""Migration 0011 (chains of flows, frameworks and amendments) keeps every stored row as it was,
on this test run's engine (SQLite, or PostgreSQL when DATABASE_URL points at it): rows written
at the schema before it are read back unchanged after it, with the new links empty.

Rows are written with the historical models of migration 0010 (the models of today have
columns that schema lacks), in a ``manage.py shell`` of their own, as ``tests/test_migrations.py``
runs the migrations."""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent.parent
BEFORE = ("agreements", "0010_agreement_shared_categories")

WRITE_BEFORE = f"""
import datetime, json
from decimal import Decimal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

apps = MigrationExecutor(connection).loader.project_state({BEFORE!r}).apps
Organisation = apps.get_model("parks", "Organisation")
Park = apps.get_model("parks", "Park")
Resource = apps.get_model("agreements", "Resource")
Agreement = apps.get_model("agreements", "Agreement")
Party = apps.get_model("agreements", "Party")
ResourceFlow = apps.get_model("agreements", "ResourceFlow")

a = Organisation.objects.create(kind="company", name_en="Asnaes Power Station", slug="asnaes")
b = Organisation.objects.create(kind="company", name_en="Kalundborg Refinery", slug="refinery")
park = Park.objects.create(name_en="Kalundborg", slug="kalundborg", province="Zealand")
steam = Resource.objects.create(name_en="Steam", slug="steam", category="energy", unit="GJ")
for number, state in enumerate(["verified", "draft"]):
    agreement = Agreement.objects.create(
        reference=f"KAL-{{number}}", title_en="Steam", kind="industrial", park=park,
        starts_on=datetime.date(1972, 1, 1), review_state=state,
    )
    Party.objects.create(agreement=agreement, organisation=a)
    Party.objects.create(agreement=agreement, organisation=b)
    ResourceFlow.objects.create(
        agreement=agreement, resource=steam, provider=a, receiver=b,
        quantity=Decimal("215000.5"), period="yearly", notes="Since the 1970s",
    )
"""

READ_AFTER = """
import json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

apps = MigrationExecutor(connection).loader.project_state(("agreements", "{MIGRATION}")).apps
Agreement = apps.get_model("agreements", "Agreement")
ResourceFlow = apps.get_model("agreements", "ResourceFlow")

print(json.dumps({
    "agreements": list(
        Agreement.objects.order_by("reference").values(
            "reference", "review_state", "starts_on", "framework", "amends", "amendment_kind"
        )
    ),
    "flows": list(
        ResourceFlow.objects.order_by("agreement__reference").values(
            "agreement__reference", "provider__slug", "receiver__slug", "resource__slug",
            "quantity", "period", "notes", "made_from",
        )
    ),
}, default=str))
""".replace("{MIGRATION}", "0011_chains_and_frameworks")


def manage(database_url, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_stored_agreements_and_flows_migrate_unchanged_with_empty_links(empty_database):
    manage(empty_database, "migrate", "--noinput", *BEFORE)
    manage(empty_database, "shell", "-c", WRITE_BEFORE)

    manage(empty_database, "migrate", "--noinput", "agreements", "0011_chains_and_frameworks")
    after = json.loads(manage(empty_database, "shell", "-c", READ_AFTER).strip().splitlines()[-1])

    assert after["agreements"] == [
        {
            "reference": f"KAL-{number}",
            "review_state": state,
            "starts_on": "1972-01-01",
            "framework": None,
            "amends": None,
            "amendment_kind": "",
        }
        for number, state in enumerate(["verified", "draft"])
    ]
    assert after["flows"] == [
        {
            "agreement__reference": f"KAL-{number}",
            "provider__slug": "asnaes",
            "receiver__slug": "refinery",
            "resource__slug": "steam",
            "quantity": "215000.500",
            "period": "yearly",
            "notes": "Since the 1970s",
            "made_from": None,
        }
        for number in range(2)
    ]

    # And back: the migration unwinds, the rows still there.
    manage(empty_database, "migrate", "--noinput", *BEFORE)
