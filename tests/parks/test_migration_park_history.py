"""Migration parks 0004 (a park's history and its "last changed" date) keeps every stored park
as it was, on this test run's engine (SQLite, or PostgreSQL when DATABASE_URL points at it):
each gets one history record of how it is, by nobody, and no invented "last changed" date.
Rows are written with the historical models of parks 0003, as tests/test_migrations.py does."""

from tests.test_migrations import migrate, run_in_django

BEFORE = ("parks", "0003_organisations_of_any_country_and_kinds_of_place")

WRITE_BEFORE = f"""
from decimal import Decimal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

apps = MigrationExecutor(connection).loader.project_state({BEFORE!r}).apps
Organisation = apps.get_model("parks", "Organisation")
Park = apps.get_model("parks", "Park")
heza = Organisation.objects.create(
    kind="agency", level="provincial", name_en="Hai Phong Economic Zone Authority", slug="heza"
)
developer = Organisation.objects.create(kind="company", name_en="Dinh Vu JSC", slug="dinh-vu")
Park.objects.create(
    name_en="Deep C Industrial Park", name_vi="Khu công nghiệp Deep C", slug="deep-c",
    province="Hải Phòng", managing_authority=heza, developer=developer,
    area_ha=Decimal("3400.50"), established_year=1997,
)
Park.objects.create(
    name_en="Kalundborg Symbiosis", slug="kalundborg", country="DK", province="Zealand",
    kind="municipality",
)
"""

READ_AFTER = """
from parks.models import Park
for park in Park.objects.order_by("slug"):
    print(park.slug, park.name_en, park.name_vi, park.province, park.country.code, park.kind,
          park.area_ha, park.established_year, park.developer_id is not None,
          park.managing_authority_id is not None, park.updated_at)
    for record in park.history.all():
        print(" ", record.history_type, record.history_user_id, record.name_en,
              record.managing_authority_id == park.managing_authority_id, record.area_ha)
"""


def test_every_stored_park_is_kept_with_one_record_of_how_it_is(empty_database):
    before = migrate(empty_database, *BEFORE)
    assert before.returncode == 0, before.stderr
    written = run_in_django(empty_database, WRITE_BEFORE)
    assert written.returncode == 0, written.stderr

    forward = migrate(empty_database)
    assert forward.returncode == 0, forward.stderr
    read = run_in_django(empty_database, READ_AFTER)

    assert read.returncode == 0, read.stderr
    assert read.stdout.splitlines()[-4:] == [
        "deep-c Deep C Industrial Park Khu công nghiệp Deep C Hải Phòng VN industrial_park "
        "3400.50 1997 True True None",
        "  + None Deep C Industrial Park True 3400.50",
        "kalundborg Kalundborg Symbiosis  Zealand DK municipality None None False False None",
        "  + None Kalundborg Symbiosis True None",
    ]

    backward = migrate(empty_database, *BEFORE)
    assert backward.returncode == 0, backward.stderr
    again = migrate(empty_database)
    assert again.returncode == 0, again.stderr
