"""Indexes that only PostgreSQL can state; on SQLite this migration does nothing.

- The public list, newest first: ``Agreement.objects.public().latest_first()[:25]`` orders by
  ``signed_on DESC NULLS LAST, starts_on DESC, reference`` among verified agreements.
- Search: ``search_text LIKE '%folded words%'`` on agreements, organisations and resources
  (``AgreementQuerySet.search``, ``OrganisationQuerySet.search``). A B-tree cannot serve a
  leading wildcard; a pg_trgm GIN index can.
"""

from django.db import migrations

SEARCHED_TABLES = ["agreements_agreement", "parks_organisation", "agreements_resource"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS agreement_public_latest_idx ON agreements_agreement "
        "(signed_on DESC NULLS LAST, starts_on DESC, reference) WHERE review_state = 'verified'"
    )
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in SEARCHED_TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_search_trgm "
            f"ON {table} USING gin (search_text gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS agreement_public_latest_idx")
    for table in SEARCHED_TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_indexes_for_work_lists"),
        ("parks", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
