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


def connect(database_url):
    """A DB-API connection to ``database_url`` and its parameter mark."""
    if database_url.startswith("postgres"):
        import psycopg2

        return psycopg2.connect(database_url), "%s"
    import sqlite3

    return sqlite3.connect(database_url.removeprefix("sqlite:///")), "?"


def run_sql(database_url, statements):
    """Run ``statements`` ((sql with %s marks, params)) in one transaction; the last one's rows."""
    connection, mark = connect(database_url)
    try:
        cursor = connection.cursor()
        for sql, params in statements:
            cursor.execute(sql.replace("%s", mark), params)
        rows = cursor.fetchall() if cursor.description else []
        connection.commit()
        return rows
    finally:
        connection.close()


ORGANISATION = (
    "INSERT INTO parks_organisation (id, kind, name_vi, name_en, short_name, slug, country, "
    "province, website, sector_code, sector_classification, level, jurisdiction, search_text) "
    "VALUES (%s, %s, %s, %s, '', %s, %s, %s, '', %s, %s, %s, '', %s)"
)
PARK = (
    "INSERT INTO parks_park (id, name_vi, name_en, slug, province, country, eip_status, website, "
    "search_text) VALUES (%s, %s, %s, %s, %s, %s, 'not_assessed', '', %s)"
)


def test_organisations_parks_and_search_texts_migrate_without_loss(empty_database):
    """Rows written before parks 0003 and agreements 0013: each keeps its names, gets its
    division from its sector code, its merged province, and search texts folded the new way
    (an old fold kept "æ", so "asnaes" did not find "Asnæs")."""
    before = migrate(empty_database, "agreements", "0009")
    assert before.returncode == 0, before.stderr
    run_sql(
        empty_database,
        [
            (
                ORGANISATION,
                [
                    1,
                    "company",
                    "",
                    "Asnæs Power Station",
                    "asnaes",
                    "DK",
                    "Kalundborg",
                    "3511",
                    "ISIC Rev.4",
                    "",
                    "asnæs power station",
                ],
            ),
            (
                ORGANISATION,
                [
                    2,
                    "agency",
                    "Công an quận Hải An",
                    "Hai An District Police",
                    "police",
                    "VN",
                    "Hải Dương",
                    "",
                    "",
                    "district",
                    "stale",
                ],
            ),
            (
                ORGANISATION,
                [
                    3,
                    "company",
                    "Công ty Ørsted",
                    "",
                    "orsted",
                    "VN",
                    "Hai Phong",
                    "C24",
                    "VSIC 2018",
                    "",
                    "stale",
                ],
            ),
            (
                ORGANISATION,
                [4, "international", "", "UNIDO", "unido", "", "", "xyz", "", "", "unido"],
            ),
            (
                PARK,
                [
                    1,
                    "Khu công nghiệp Đình Vũ",
                    "Dinh Vu Industrial Park",
                    "dinh-vu",
                    "Bình Dương",
                    "VN",
                    "stale",
                ],
            ),
            (PARK, [2, "", "Kalundborg Symbiosis", "kalundborg", "Kalundborg", "DK", "stale"]),
            (
                "INSERT INTO agreements_resource (id, name_vi, name_en, slug, category, unit, "
                "description, waste_code, emission_factor_source, search_text) VALUES "
                "(1, '', 'Gypsum from Asnæs', 'gypsum', 'material', 't', '', '', '', 'stale')",
                [],
            ),
            (
                "INSERT INTO agreements_agreement (id, reference, title_vi, title_en, kind, "
                "summary, signed_at, starts_on, review_state, review_comment, created_at, "
                "updated_at, version, search_text, park_id, linked_search_text) VALUES (1, "
                "'KAL-1', '', 'Gypsum to Gyproc', 'industrial', '', '', '1993-01-01', "
                "'verified', '', '2026-01-01', '2026-01-01', 1, 'stale', 2, 'stale')",
                [],
            ),
            (
                "INSERT INTO agreements_party (id, role, representative_name, "
                "representative_title, agreement_id, organisation_id) VALUES "
                "(1, 'signatory', '', '', 1, 1)",
                [],
            ),
        ],
    )

    forward = migrate(empty_database)
    assert forward.returncode == 0, forward.stderr

    organisations = run_sql(
        empty_database,
        [
            (
                "SELECT id, name_vi, name_en, name_own, sector_code, sector, province, search_text "
                "FROM parks_organisation ORDER BY id",
                [],
            )
        ],
    )
    assert [row[:7] for row in organisations] == [
        (1, "", "Asnæs Power Station", "", "3511", "35", "Kalundborg"),
        (2, "Công an quận Hải An", "Hai An District Police", "", "", "", "Hải Phòng"),
        (3, "Công ty Ørsted", "", "", "C24", "24", "Hải Phòng"),
        (4, "", "UNIDO", "", "xyz", "", ""),
    ]
    assert organisations[0][7] == "asnaes power station | denmark | dan mach"
    assert organisations[2][7] == "cong ty orsted | vietnam | viet nam"
    parks = run_sql(
        empty_database,
        [("SELECT id, province, kind, search_text FROM parks_park ORDER BY id", [])],
    )
    assert parks == [
        (
            1,
            "Thành phố Hồ Chí Minh",
            "industrial_park",
            "khu cong nghiep dinh vu | dinh vu industrial park | vietnam | viet nam",
        ),
        (2, "Kalundborg", "industrial_park", "kalundborg symbiosis | denmark | dan mach"),
    ]
    (agreement,) = run_sql(
        empty_database,
        [("SELECT search_text, linked_search_text FROM agreements_agreement", [])],
    )
    assert agreement == (
        "kal-1 | gypsum to gyproc",
        "asnaes power station | denmark | dan mach | ",
    )
    (resource,) = run_sql(empty_database, [("SELECT search_text FROM agreements_resource", [])])
    assert resource == ("gypsum from asnaes",)

    backward = migrate(empty_database, "parks", "0002")
    assert backward.returncode == 0, backward.stderr


# Units (agreements/migrations/0014_units.py): every flow, and its history, keeps the unit its
# quantity was recorded in, its resource's; the kept dashboard figures are dropped.

# The last migrations before units.
BEFORE_UNITS = [
    ("agreements", "0013_refold_search_text"),
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


def test_units_every_flow_keeps_the_unit_its_quantity_was_recorded_in(empty_database):
    for app, name in BEFORE_UNITS:
        before = migrate(empty_database, app, name)
        assert before.returncode == 0, before.stderr
    written = run_in_django(empty_database, ROWS_BEFORE_UNITS % (BEFORE_UNITS,))
    assert written.returncode == 0, written.stderr

    forward = migrate(empty_database)
    assert forward.returncode == 0, forward.stderr
    read = run_in_django(empty_database, ROWS_AFTER_UNITS)
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


BEFORE_PRECISION = "0014_units"

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
