"""Indexes for counting a filtered agreement list, that only PostgreSQL can state (on SQLite
this migration does nothing).

The list counts its matches up to ``symbiosis.pagination.COUNT_LIMIT`` (and no further). With
a filter that few agreements pass (an industrial agreement in force sharing water: one in
twenty), that means reading some twenty thousand agreements and their flows' resources, row by
row from the tables. These two indexes hold what the filters read, in the order the count
reads them, so PostgreSQL answers from the indexes alone (an index-only scan):

- the agreements by id, with the columns the list's filters test (review state, kind, park,
  signing date and the dates that make an agreement in force);
- the flows by agreement, with their resource (whose category the category filter tests).
"""

from django.db import migrations

INDEXES = {
    "agreement_filtered_count_idx": (
        "agreements_agreement (id) INCLUDE (review_state, kind, park_id, signed_on, starts_on, "
        "ends_on, terminated_on)"
    ),
    "flow_agreement_resource_idx": "agreements_resourceflow (agreement_id, resource_id)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0008_agreement_linked_search_text")]

    operations = [migrations.RunPython(create, drop)]
