"""Dates as precise as the source (symbiosis/partial_dates.py): the signing and start dates
each gain a precision (day, month, year), the start may be unknown, and references take the
letters and digits of every script ("KAL-Ø-1").

Every stored agreement keeps its dates as they are, day-precise (the new fields' default). The
constraints "ends after start" and "terminated after start" let an unknown start pass; two new
ones keep a stored date fitting its precision. The public list's PostgreSQL index (0003) now
orders the start date NULLS LAST too, as ``AgreementQuerySet.latest_first`` does.

Unwinding gives an unknown start its signing date, else the day the agreement was created (a
start must be stored before this migration), and forgets the precisions.
"""

import django.core.validators
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models

import agreements.models
import symbiosis.partial_dates

OLD_LATEST_INDEX = (
    "CREATE INDEX IF NOT EXISTS agreement_public_latest_idx ON agreements_agreement "
    "(signed_on DESC NULLS LAST, starts_on DESC, reference) WHERE review_state = 'verified'"
)
NEW_LATEST_INDEX = (
    "CREATE INDEX IF NOT EXISTS agreement_public_latest_idx ON agreements_agreement "
    "(signed_on DESC NULLS LAST, starts_on DESC NULLS LAST, reference) "
    "WHERE review_state = 'verified'"
)


def _replace_latest_index(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("DROP INDEX IF EXISTS agreement_public_latest_idx")
        schema_editor.execute(sql)

    return run


def give_unknown_starts_a_date(apps, schema_editor):
    """Before the start becomes required again: its signing date, else its creation day."""
    for model_name in ["Agreement", "HistoricalAgreement"]:
        model = apps.get_model("agreements", model_name)
        for row in model.objects.filter(starts_on__isnull=True).only(
            "pk", "signed_on", "created_at"
        ):
            row.starts_on = row.signed_on or row.created_at.date()
            model.objects.filter(pk=row.pk).update(starts_on=row.starts_on)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0014_units"),
        ("parks", "0002_park_membership_has_no_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="agreement",
            options={
                "ordering": [
                    models.OrderBy(models.F("signed_on"), descending=True, nulls_last=True),
                    models.OrderBy(models.F("starts_on"), descending=True, nulls_last=True),
                    "reference",
                ],
                "verbose_name": "agreement",
                "verbose_name_plural": "agreements",
            },
        ),
        migrations.RemoveConstraint(
            model_name="agreement",
            name="agreements_agreement_ends_after_start",
        ),
        migrations.RemoveConstraint(
            model_name="agreement",
            name="agreements_agreement_terminated_after_start",
        ),
        migrations.AddField(
            model_name="agreement",
            name="signed_on_precision",
            field=models.CharField(
                choices=[("day", "day"), ("month", "month"), ("year", "year")],
                default="day",
                max_length=5,
                verbose_name="precision of the signing date",
            ),
        ),
        migrations.AddField(
            model_name="agreement",
            name="starts_on_precision",
            field=models.CharField(
                choices=[("day", "day"), ("month", "month"), ("year", "year")],
                default="day",
                max_length=5,
                verbose_name="precision of the start date",
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="signed_on_precision",
            field=models.CharField(
                choices=[("day", "day"), ("month", "month"), ("year", "year")],
                default="day",
                max_length=5,
                verbose_name="precision of the signing date",
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="starts_on_precision",
            field=models.CharField(
                choices=[("day", "day"), ("month", "month"), ("year", "year")],
                default="day",
                max_length=5,
                verbose_name="precision of the start date",
            ),
        ),
        migrations.AlterField(
            model_name="agreement",
            name="reference",
            field=models.CharField(
                help_text="A short unique identifier, e.g. DEEPC-2023-001.",
                max_length=40,
                unique=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[^\\W_][\\w.-]*(/[^\\W_][\\w.-]*)*$",
                        "Use letters, digits, dots, dashes and slashes only, each part starting with a letter or digit, e.g. DEEPC-2023-001 or HEZA/2023/01.",
                    ),
                    agreements.models.validate_reference_words,
                ],
                verbose_name="reference",
            ),
        ),
        migrations.AlterField(
            model_name="agreement",
            name="starts_on",
            field=models.DateField(
                blank=True,
                help_text="Leave blank if not recorded.",
                null=True,
                verbose_name="starts on",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagreement",
            name="reference",
            field=models.CharField(
                db_index=True,
                help_text="A short unique identifier, e.g. DEEPC-2023-001.",
                max_length=40,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[^\\W_][\\w.-]*(/[^\\W_][\\w.-]*)*$",
                        "Use letters, digits, dots, dashes and slashes only, each part starting with a letter or digit, e.g. DEEPC-2023-001 or HEZA/2023/01.",
                    ),
                    agreements.models.validate_reference_words,
                ],
                verbose_name="reference",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagreement",
            name="starts_on",
            field=models.DateField(
                blank=True,
                help_text="Leave blank if not recorded.",
                null=True,
                verbose_name="starts on",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, give_unknown_starts_a_date),
        migrations.RunPython(
            _replace_latest_index(NEW_LATEST_INDEX), _replace_latest_index(OLD_LATEST_INDEX)
        ),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ends_on__isnull", True),
                    ("starts_on__isnull", True),
                    ("ends_on__gte", models.F("starts_on")),
                    _connector="OR",
                ),
                name="agreements_agreement_ends_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("terminated_on__isnull", True),
                    ("starts_on__isnull", True),
                    ("terminated_on__gte", models.F("starts_on")),
                    _connector="OR",
                ),
                name="agreements_agreement_terminated_after_start",
                violation_error_message="The termination date cannot be before the start date.",
            ),
        ),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("signed_on__isnull", True),
                    ("signed_on_precision", "day"),
                    models.Q(
                        django.db.models.lookups.Exact(
                            symbiosis.partial_dates.DayOfMonth("signed_on"), 1
                        ),
                        ("signed_on_precision", "month"),
                    ),
                    models.Q(
                        django.db.models.lookups.Exact(
                            symbiosis.partial_dates.DayOfMonth("signed_on"), 1
                        ),
                        django.db.models.lookups.Exact(
                            symbiosis.partial_dates.MonthOfYear("signed_on"), 1
                        ),
                        ("signed_on_precision", "year"),
                    ),
                    _connector="OR",
                ),
                name="agreements_agreement_signed_on_fits_precision",
                violation_error_message="A signing date known to the month is stored as its 1st, one known to the year as its 1 January.",
            ),
        ),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("starts_on__isnull", True),
                    ("starts_on_precision", "day"),
                    models.Q(
                        django.db.models.lookups.Exact(
                            symbiosis.partial_dates.DayOfMonth("starts_on"), 1
                        ),
                        ("starts_on_precision", "month"),
                    ),
                    models.Q(
                        django.db.models.lookups.Exact(
                            symbiosis.partial_dates.DayOfMonth("starts_on"), 1
                        ),
                        django.db.models.lookups.Exact(
                            symbiosis.partial_dates.MonthOfYear("starts_on"), 1
                        ),
                        ("starts_on_precision", "year"),
                    ),
                    _connector="OR",
                ),
                name="agreements_agreement_starts_on_fits_precision",
                violation_error_message="A start date known to the month is stored as its 1st, one known to the year as its 1 January.",
            ),
        ),
    ]
