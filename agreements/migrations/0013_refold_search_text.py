"""Search folds names into Latin letters since this migration ("Asnæs" -> "asnaes",
"Ørsted" -> "orsted", Hangul and Han romanised), on top of the accents it stripped before:
every resource's and agreement's search_text, and every agreement's linked_search_text (its
parties' and resources' folded names, refolded by parks 0003 for organisations), folded again.
No row is added or removed; unwinding keeps the new fold (it still finds everything)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat

from symbiosis.search import SEPARATOR, JoinedText, search_text

BATCH = 500


def refold(apps, schema_editor):
    Resource = apps.get_model("agreements", "Resource")
    Agreement = apps.get_model("agreements", "Agreement")
    Party = apps.get_model("agreements", "Party")
    ResourceFlow = apps.get_model("agreements", "ResourceFlow")

    resources = list(Resource.objects.only("pk", "name_vi", "name_en").order_by("pk"))
    for resource in resources:
        resource.search_text = search_text(resource.name_vi, resource.name_en)
    Resource.objects.bulk_update(resources, ["search_text"], batch_size=BATCH)

    searched = ("reference", "title_vi", "title_en", "summary_vi", "summary_en")
    agreements = Agreement.objects.only("pk", *searched).order_by("pk")
    batch = []
    for agreement in agreements.iterator(chunk_size=BATCH):
        agreement.search_text = search_text(*(getattr(agreement, name) for name in searched))
        batch.append(agreement)
        if len(batch) == BATCH:
            Agreement.objects.bulk_update(batch, ["search_text"])
            batch = []
    Agreement.objects.bulk_update(batch, ["search_text"])

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

    # What AgreementQuerySet.keep_linked_copies does for this column, with this migration's models.
    Agreement.objects.update(
        linked_search_text=Concat(
            names(Party, "organisation"),
            Value(SEPARATOR),
            names(ResourceFlow, "resource"),
            output_field=models.TextField(),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0012_bilingual_free_text"),
        ("parks", "0003_organisations_of_any_country_and_kinds_of_place"),
    ]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
