"""Indexes for the work lists in the order they are read, that only PostgreSQL can state (on
SQLite this migration does nothing: there NULLs sort first, and the lists are small).

- Awaiting verification: submitted agreements by ``submitted_at ASC NULLS FIRST, reference``.
- Returned for changes: returned agreements by ``reviewed_at ASC NULLS FIRST, reference``.
- Ending soon: agreements by the day they end (the earlier of their end and termination,
  ``AgreementQuerySet.ending_soon``'s ``ending_on``), then reference.

Each list reads its first rows from its index instead of sorting every agreement in its state.
"""

from django.db import migrations

INDEXES = {
    "agreement_awaiting_idx": (
        "(submitted_at ASC NULLS FIRST, reference) WHERE review_state = 'submitted'"
    ),
    "agreement_returned_idx": "(reviewed_at ASC NULLS FIRST, reference) WHERE review_state = 'returned'",
    "agreement_ending_on_idx": (
        "((CASE WHEN ends_on IS NULL THEN terminated_on WHEN terminated_on < ends_on "
        "THEN terminated_on ELSE ends_on END), reference)"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON agreements_agreement {definition}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("agreements", "0006_agreement_constraints_say_why")]

    operations = [migrations.RunPython(create, drop)]
