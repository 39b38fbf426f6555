"""Who proposed a row and who confirmed it (symbiosis/confirmation.py); the rows already stored are
confirmed."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def confirm_existing_rows(apps, schema_editor):
    Resource = apps.get_model("agreements", "Resource")
    Resource.objects.filter(confirmed_at__isnull=True).update(
        confirmed_at=django.utils.timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0018_legacy_emission_factors"),
        ("parks", "0007_proposed_and_confirmed_organisations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="confirmed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="confirmed at"
            ),
        ),
        # Every row stored before proposals existed stays on the public pages: confirmed now,
        # by no one in particular.
        migrations.RunPython(confirm_existing_rows, migrations.RunPython.noop),
        # From here on a row is confirmed as it is created, unless park staff propose it.
        migrations.AlterField(
            model_name="resource",
            name="confirmed_at",
            field=models.DateTimeField(
                blank=True,
                default=django.utils.timezone.now,
                editable=False,
                null=True,
                verbose_name="confirmed at",
            ),
        ),
        migrations.AddField(
            model_name="resource",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="confirmed by",
            ),
        ),
        migrations.AddField(
            model_name="resource",
            name="proposed_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="proposed by",
            ),
        ),
        migrations.AddField(
            model_name="resource",
            name="proposed_for_park",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="proposed_resources",
                to="parks.park",
                verbose_name="proposed for the park",
            ),
        ),
    ]
