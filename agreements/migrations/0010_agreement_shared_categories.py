"""Each agreement keeps its flows' resources' categories (``shared_categories``), so that a list
filtered by category reads one row per agreement (``AgreementQuerySet.sharing``): the column,
filled for every existing agreement in one UPDATE (no row added or removed), and on PostgreSQL
the index the filtered list counts from (migration 0009) holding it too, so that the count
still reads the index alone."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from symbiosis.search import SEPARATOR, JoinedText

INDEX = "agreement_filtered_count_idx"
COLUMNS = "review_state, kind, park_id, signed_on, starts_on, ends_on, terminated_on"


def fill(apps, schema_editor):
    """What ``AgreementQuerySet.keep_linked_copies`` does for this column, with this
    migration's models."""
    Agreement = apps.get_model("agreements", "Agreement")
    ResourceFlow = apps.get_model("agreements", "ResourceFlow")
    categories = Subquery(
        ResourceFlow.objects.filter(agreement=OuterRef("pk"))
        .order_by()
        .values("agreement")
        .annotate(
            text=Concat(
                Value(SEPARATOR),
                JoinedText("resource__category"),
                Value(SEPARATOR),
                output_field=models.TextField(),
            )
        )
        .values("text")
    )
    Agreement.objects.update(
        shared_categories=Coalesce(categories, Value(""), output_field=models.TextField())
    )


def index_with(columns):
    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
            schema_editor.execute(
                f"CREATE INDEX {INDEX} ON agreements_agreement (id) INCLUDE ({columns})"
            )

    return create


class Migration(migrations.Migration):
    dependencies = [("agreements", "0009_postgresql_filtered_count_indexes")]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="shared_categories",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index_with(f"{COLUMNS}, shared_categories"), index_with(COLUMNS)),
    ]
