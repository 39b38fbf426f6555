from django.db import models
from django.utils.translation import gettext_lazy as _


class ParkFigures(models.Model):
    """A park's dashboard figures for one day, kept so that a dashboard over many parks adds up
    a row per park instead of reading every agreement (``agreements/reporting/figures.py``).

    ``generation`` moves on after every committed change to the park's agreements (their
    parties and flows included), and to every park's after a change to the reference data the
    figures read. ``figures`` hold for ``day`` while ``computed_generation`` equals
    ``generation``: they are stamped with the generation read before they were computed, so
    figures computed while a change committed are never taken for current."""

    park = models.OneToOneField(
        "parks.Park",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("park"),
    )
    generation = models.PositiveBigIntegerField(_("generation"), default=0)
    day = models.DateField(_("day"), null=True)
    computed_generation = models.PositiveBigIntegerField(_("computed generation"), null=True)
    figures = models.JSONField(_("figures"), null=True)

    class Meta:
        verbose_name = _("park figures")
        verbose_name_plural = _("park figures")

    def __str__(self):
        return f"{self.park_id} {self.day}"

    def holds_for(self, day):
        return self.day == day and self.computed_generation == self.generation
