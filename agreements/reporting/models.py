from django.core.serializers.json import DjangoJSONEncoder
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


class ScopeFigures(models.Model):
    """The figures of a set of parks added up (``figures.added_up``), kept so that a dashboard
    over many parks (a national official's: every park) reads one row instead of a row per
    park, and counts the organisations involved without reading every park's list of them.

    ``parks`` names the set (a digest of its parks' ids). ``signature`` is a digest of the day
    and of each park's generation that the figures were added up from: the figures hold while
    the parks' kept figures are still those (``ParkFigures.holds_for`` the day, at the same
    generations), which a reader checks before using them."""

    parks = models.CharField(_("parks"), max_length=64, unique=True)
    day = models.DateField(_("day"))
    signature = models.CharField(_("signature"), max_length=64)
    figures = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("figures of several parks")
        verbose_name_plural = _("figures of several parks")

    def __str__(self):
        return f"{self.parks[:12]} {self.day}"
