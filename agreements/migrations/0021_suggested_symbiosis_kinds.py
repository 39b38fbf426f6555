"""Every stored agreement gets its kind of symbiosis (Circular 05/2025) as suggested by the rule
of ``agreements.symbiosis_kinds`` (from its kind, its resources' categories and where the
organisations that exchange are located), unconfirmed: an official confirms it on the next
verification. No row is added or removed, and nothing else changes; unwinding blanks the kinds.

The rows are read in a few queries, whatever their number (flows, signatories, and where
organisations are located), and written as one update per kind, in batches."""

from django.db import migrations

from agreements.symbiosis_kinds import suggested_kind

BATCH = 500  # agreements per update: well under SQLite's limit of variables in a statement


def suggest_kinds(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    ResourceFlow = apps.get_model("agreements", "ResourceFlow")
    Party = apps.get_model("agreements", "Party")
    Organisation = apps.get_model("parks", "Organisation")
    located = dict(Organisation.objects.values_list("pk", "park_id").iterator())
    categories, ends = {}, {}
    for agreement, category, provider, receiver in ResourceFlow.objects.values_list(
        "agreement_id", "resource__category", "provider_id", "receiver_id"
    ).iterator():
        categories.setdefault(agreement, set()).add(category)
        ends.setdefault(agreement, set()).update({provider, receiver})
    signatories = {}
    for agreement, organisation in (
        Party.objects.filter(role="signatory")
        .values_list("agreement_id", "organisation_id")
        .iterator()
    ):
        signatories.setdefault(agreement, set()).add(organisation)
    by_kind = {}
    for pk, kind, park in Agreement.objects.values_list("pk", "kind", "park_id").iterator():
        exchanging = (ends.get(pk) or signatories.get(pk) or set()) - {None}
        suggestion = suggested_kind(
            kind,
            categories.get(pk, ()),
            all_in_park=all(located.get(organisation) == park for organisation in exchanging),
        )
        by_kind.setdefault(suggestion, []).append(pk)
    for kind, pks in by_kind.items():
        for start in range(0, len(pks), BATCH):
            Agreement.objects.filter(pk__in=pks[start : start + BATCH]).update(
                symbiosis_kind=kind,
                symbiosis_kind_confirmed_at=None,
                symbiosis_kind_confirmed_by=None,
            )


def blank_kinds(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    Agreement.objects.update(
        symbiosis_kind="", symbiosis_kind_confirmed_at=None, symbiosis_kind_confirmed_by=None
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0020_monitoring_kinds_and_claims"),
    ]

    operations = [migrations.RunPython(suggest_kinds, blank_kinds)]
