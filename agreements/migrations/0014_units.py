"""Units with dimensions (agreements/units.py): a resource may be measured in the new units, and
each flow keeps the unit its quantity was entered in (``ResourceFlow.unit``).

Every existing flow, and every row of its history, gets its resource's unit: the unit its
quantity was recorded in until now, so no quantity changes meaning. The dashboard's kept
figures (reporting.ParkFigures and ScopeFigures) are deleted: they were added up per resource
unit, and are computed again, per dimension, when a dashboard next needs them."""

import django.core.validators
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def flows_in_their_resources_unit(apps, schema_editor):
    Resource = apps.get_model("agreements", "Resource")
    unit = Subquery(Resource.objects.filter(pk=OuterRef("resource_id")).values("unit")[:1])
    for name in ("ResourceFlow", "HistoricalResourceFlow"):
        apps.get_model("agreements", name).objects.filter(unit="").update(unit=unit)


def forget_kept_figures(apps, schema_editor):
    apps.get_model("reporting", "ScopeFigures").objects.all().delete()
    apps.get_model("reporting", "ParkFigures").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0013_refold_search_text'),
        ('parks', '0002_park_membership_has_no_role'),
        ('reporting', '0002_scope_figures'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalresourceflow',
            name='unit',
            field=models.CharField(blank=True, choices=[('kWh', 'kWh'), ('MWh', 'MWh'), ('GWh', 'GWh'), ('GJ', 'GJ'), ('TJ', 'TJ'), ('kg', 'kg'), ('t', 't'), ('L', 'L'), ('m3', 'm³'), ('m2', 'm²'), ('h', 'hours'), ('person_day', 'person-days'), ('call_out', 'call-outs'), ('vehicle', 'vehicles'), ('session', 'sessions')], help_text="The unit of the quantity; the resource's unit if left blank.", max_length=16, verbose_name='unit'),
        ),
        migrations.AddField(
            model_name='resourceflow',
            name='unit',
            field=models.CharField(blank=True, choices=[('kWh', 'kWh'), ('MWh', 'MWh'), ('GWh', 'GWh'), ('GJ', 'GJ'), ('TJ', 'TJ'), ('kg', 'kg'), ('t', 't'), ('L', 'L'), ('m3', 'm³'), ('m2', 'm²'), ('h', 'hours'), ('person_day', 'person-days'), ('call_out', 'call-outs'), ('vehicle', 'vehicles'), ('session', 'sessions')], help_text="The unit of the quantity; the resource's unit if left blank.", max_length=16, verbose_name='unit'),
        ),
        migrations.AlterField(
            model_name='historicalresourceflow',
            name='quantity',
            field=models.DecimalField(blank=True, decimal_places=3, help_text='Leave blank if not disclosed.', max_digits=16, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='quantity'),
        ),
        migrations.AlterField(
            model_name='resource',
            name='unit',
            field=models.CharField(choices=[('kWh', 'kWh'), ('MWh', 'MWh'), ('GWh', 'GWh'), ('GJ', 'GJ'), ('TJ', 'TJ'), ('kg', 'kg'), ('t', 't'), ('L', 'L'), ('m3', 'm³'), ('m2', 'm²'), ('h', 'hours'), ('person_day', 'person-days'), ('call_out', 'call-outs'), ('vehicle', 'vehicles'), ('session', 'sessions')], help_text='Its emission factor is per this unit, and its flows are entered in it unless they give another unit of the same dimension.', max_length=16, verbose_name='unit'),
        ),
        migrations.AlterField(
            model_name='resourceflow',
            name='quantity',
            field=models.DecimalField(blank=True, decimal_places=3, help_text='Leave blank if not disclosed.', max_digits=16, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='quantity'),
        ),
        migrations.RunPython(flows_in_their_resources_unit, migrations.RunPython.noop),
        migrations.RunPython(forget_kept_figures, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='resourceflow',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__isnull', True), models.Q(('unit', ''), _negated=True), _connector='OR'), name='agreements_resourceflow_quantity_has_unit', violation_error_message='Give the unit of the quantity.'),
        ),
    ]
