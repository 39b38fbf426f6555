"""Chains of flows and agreements that nest: ``ResourceFlow.made_from``, ``Agreement.framework``,
``Agreement.amends`` with ``amendment_kind``, and the constraints that no row links to itself.

Schema only: every new column is empty (NULL, or "" for the kind) on existing rows, which the
constraints accept, so every stored agreement and flow migrates as it is. The foreign keys'
indexes serve the pages' "made under this framework" and "amended by" lists and the impact
rule's "recorded by a bilateral agreement" subquery (``agreements.impact``).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0010_agreement_shared_categories"),
        ("parks", "0002_park_membership_has_no_role"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="agreement",
            name="amendment_kind",
            field=models.CharField(
                blank=True,
                choices=[("amends", "amends"), ("renews", "renews"), ("replaces", "replaces")],
                max_length=16,
                verbose_name="relation to the earlier agreement",
            ),
        ),
        migrations.AddField(
            model_name="agreement",
            name="amends",
            field=models.ForeignKey(
                blank=True,
                help_text="The earlier agreement this one amends, renews or replaces, if any.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="amendments",
                to="agreements.agreement",
                verbose_name="earlier agreement",
            ),
        ),
        migrations.AddField(
            model_name="agreement",
            name="framework",
            field=models.ForeignKey(
                blank=True,
                help_text="The framework agreement this agreement was made under, if any.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="bilaterals",
                to="agreements.agreement",
                verbose_name="framework agreement",
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="amendment_kind",
            field=models.CharField(
                blank=True,
                choices=[("amends", "amends"), ("renews", "renews"), ("replaces", "replaces")],
                max_length=16,
                verbose_name="relation to the earlier agreement",
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="amends",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The earlier agreement this one amends, renews or replaces, if any.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="agreements.agreement",
                verbose_name="earlier agreement",
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="framework",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The framework agreement this agreement was made under, if any.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="agreements.agreement",
                verbose_name="framework agreement",
            ),
        ),
        migrations.AddField(
            model_name="historicalresourceflow",
            name="made_from",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="A flow the provider receives and makes this one from, in this agreement or another of the park. Flows of this agreement can be chosen once it is saved.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="agreements.resourceflow",
                verbose_name="made from",
            ),
        ),
        migrations.AddField(
            model_name="resourceflow",
            name="made_from",
            field=models.ForeignKey(
                blank=True,
                help_text="A flow the provider receives and makes this one from, in this agreement or another of the park. Flows of this agreement can be chosen once it is saved.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="made_into",
                to="agreements.resourceflow",
                verbose_name="made from",
            ),
        ),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.CheckConstraint(
                condition=models.Q(("framework", models.F("pk")), _negated=True),
                name="agreements_agreement_not_its_own_framework",
                violation_error_message="An agreement cannot be its own framework agreement.",
            ),
        ),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.CheckConstraint(
                condition=models.Q(("amends", models.F("pk")), _negated=True),
                name="agreements_agreement_does_not_amend_itself",
                violation_error_message="An agreement cannot amend itself.",
            ),
        ),
        migrations.AddConstraint(
            model_name="agreement",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("amendment_kind", ""), ("amends__isnull", True)),
                    models.Q(
                        ("amends__isnull", False), models.Q(("amendment_kind", ""), _negated=True)
                    ),
                    _connector="OR",
                ),
                name="agreements_agreement_amendment_kind_with_amends",
                violation_error_message="Say whether it amends, renews or replaces the earlier agreement, and only when it names one.",
            ),
        ),
        migrations.AddConstraint(
            model_name="resourceflow",
            constraint=models.CheckConstraint(
                condition=models.Q(("made_from", models.F("pk")), _negated=True),
                name="agreements_resourceflow_not_made_from_itself",
                violation_error_message="A flow cannot be made from itself.",
            ),
        ),
    ]
