"""Indexes that only PostgreSQL can state; on SQLite this migration does nothing.

The import looks up many names at once among organisations and resources
(``symbiosis.search.BearsOneOf``): each name is one of a row's names, its ``search_text`` split
at the separator. A GIN index of that array finds each in one index scan, where the trigram
index of 0003 cannot serve an equality of one of the names (its patterns were tested row by
row).
"""

from django.db import migrations

from symbiosis.search import SEPARATOR

NAMED_TABLES = ["parks_organisation", "agreements_resource"]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NAMED_TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_names ON {table} "
            f"USING gin (string_to_array(search_text, '{SEPARATOR}'))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in NAMED_TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_names")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0022_import_batches"),
        ("parks", "0007_proposed_and_confirmed_organisations"),
    ]

    operations = [migrations.RunPython(create, drop)]
