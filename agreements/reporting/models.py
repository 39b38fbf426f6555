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
    figures computed while a change committed are never taken for current. ``network`` likewise,
    by ``network_generation``, whatever the day, and ``report`` by ``report_generation``."""

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
    # The park's network as its public page draws it, its rows and its drawing in each language
    # (``figures.for_park_page``): it depends on no day, so it holds while
    # ``network_generation`` equals ``generation`` (and it is kept in ``NETWORK_KEPT``'s form).
    network_generation = models.PositiveBigIntegerField(_("network generation"), null=True)
    network = models.JSONField(_("network"), null=True)
    # Each flow's figures of a year as the park's symbiosis report shows them
    # (``figures.for_park_report``), keyed by year: they depend on no day either, so they hold
    # while ``report_generation`` equals ``generation``.
    report_generation = models.PositiveBigIntegerField(_("report generation"), null=True)
    report = models.JSONField(_("report figures"), null=True)

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
    park, and counts the organisations involved without reading every park's list of them;
    and a dashboard of one park reads its work lists with its figures, not by three queries.

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


class ReportCriterion(models.Model):
    """A criterion of eco-industrial park certification that a park's symbiosis report checks,
    entered by an admin as the legal text in force states it (Decree 35/2022 and the circulars
    under it): none is written in the code. The report computes ``indicator`` for the park and
    the year and shows the criterion as met, not met, or not computable (no figure)."""

    class Indicator(models.TextChoices):
        TENANT_SHARE = (
            "tenant_share",
            _(
                "share of the park's tenant companies taking part in at least one symbiosis "
                "activity in force (%)"
            ),
        )
        ACTIVITIES = "activities", _("number of symbiosis activities in force")
        MEASURED_SHARE = (
            "measured_share",
            _(
                "share of the resource flows in force with an accepted measured quantity for the "
                "year (%)"
            ),
        )
        TONNES_AVOIDED = "tonnes_avoided", _("tonnes of CO2e avoided in the year")

    class Comparison(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")

    text_vi = models.TextField(_("criterion in Vietnamese"))
    text_en = models.TextField(_("criterion in English"), blank=True)
    legal_reference = models.CharField(
        _("legal reference"),
        max_length=200,
        blank=True,
        help_text=_("Where the criterion is stated, e.g. Decree 35/2022, Article 38."),
    )
    indicator = models.CharField(_("indicator"), max_length=24, choices=Indicator)
    comparison = models.CharField(
        _("comparison"), max_length=16, choices=Comparison, default=Comparison.AT_LEAST
    )
    threshold = models.DecimalField(_("threshold"), max_digits=16, decimal_places=3)
    is_active = models.BooleanField(_("checked in reports"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("report criterion")
        verbose_name_plural = _("report criteria")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text_en or self.text_vi
