"""Each resource with an emission factor gets it as its first recorded factor: its value, per
the resource's unit, with its source; the year it was published and who set it are unknown."""

from django.db import migrations
from django.utils import timezone


def record_factors(apps, schema_editor):
    Resource = apps.get_model("agreements", "Resource")
    EmissionFactor = apps.get_model("agreements", "EmissionFactor")
    now = timezone.now()
    for resource in Resource.objects.filter(emission_factor__isnull=False).order_by("pk"):
        resource.current_factor = EmissionFactor.objects.create(
            resource=resource,
            value=resource.emission_factor,
            unit=resource.unit,
            source=resource.emission_factor_source,
            year=None,
            set_by=None,
            set_at=now,
        )
        resource.save(update_fields=["current_factor"])


def forget_factors(apps, schema_editor):
    # The current factor stays on the resource (emission_factor and its source); only the
    # history goes, with the table.
    Resource = apps.get_model("agreements", "Resource")
    EmissionFactor = apps.get_model("agreements", "EmissionFactor")
    Resource.objects.update(current_factor=None)
    EmissionFactor.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("agreements", "0017_emission_factors")]

    operations = [migrations.RunPython(record_factors, forget_factors)]
