"""Each agreement keeps the folded names of its parties' organisations and of its flows'
resources (``linked_search_text``), so that a search reads one row per agreement: the column,
filled for every existing agreement in one UPDATE (no row added or removed), and on PostgreSQL
its pg_trgm index, as migration 0003 gives ``search_text``."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from symbiosis.search import SEPARATOR, JoinedText

INDEX = "agreements_agreement_linked_search_trgm"


def fill(apps, schema_editor):
    """What ``AgreementQuerySet.keep_linked_search_text`` does, with this migration's models."""
    Agreement = apps.get_model("agreements", "Agreement")
    Party = apps.get_model("agreements", "Party")
    ResourceFlow = apps.get_model("agreements", "ResourceFlow")

    def names(model, field):
        return Coalesce(
            Subquery(
                model.objects.filter(agreement=OuterRef("pk"))
                .order_by()
                .values("agreement")
                .annotate(text=JoinedText(f"{field}__search_text"))
                .values("text")
            ),
            Value(""),
            output_field=models.TextField(),
        )

    Agreement.objects.update(
        linked_search_text=Concat(
            names(Party, "organisation"),
            Value(SEPARATOR),
            names(ResourceFlow, "resource"),
            output_field=models.TextField(),
        )
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON agreements_agreement "
            "USING gin (linked_search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0007_postgresql_work_list_indexes"),
        ("parks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="linked_search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
