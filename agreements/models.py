import datetime
import unicodedata
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements import units
from parks.models import Organisation
from symbiosis.addresses import address
from symbiosis.bilingual import BilingualNameMixin, pick
from symbiosis.confirmation import Confirmable, ConfirmationQuerySetMixin
from symbiosis.constraints import CheckedInOneQueryMixin
from symbiosis.partial_dates import PartialDate, Precision, stored_date_fits
from symbiosis.read_once import RelationsReadMixin
from symbiosis.search import (
    SEPARATOR,
    AliasesMixin,
    BearsOneOf,
    JoinedText,
    SearchTextMixin,
    fold,
)


class ResourceQuerySet(ConfirmationQuerySetMixin, models.QuerySet):
    def offered_in(self, park_ids):
        """What an agreement's flows may share in these parks: the confirmed resources and
        those proposed for one of them, not yet confirmed."""
        return self.filter(
            Q(confirmed_at__isnull=False) | Q(proposed_for_park_id__in=list(park_ids))
        )

    def called(self, name):
        """The first resource (the oldest) called ``name`` in either language or by one of its
        aliases (a merged duplicate's names), accents and case ignored, or None."""
        folded = fold(name)
        for resource in self.filter(BearsOneOf([name])).order_by("pk")[:20]:
            names = (resource.name_vi, resource.name_en, *resource.alias_list)
            if folded in {fold(name) for name in names}:
                return resource
        return None


class Resource(
    CheckedInOneQueryMixin, AliasesMixin, SearchTextMixin, BilingualNameMixin, Confirmable
):
    """What an agreement shares: energy, water, a material, a service...

    One proposed by park staff (``proposed_for_park``) is offered in that park's agreements at
    once, and shows on no public page until an official confirms it
    (``symbiosis.confirmation``)."""

    searched_fields = ("name_vi", "name_en", "alias_list")

    class Category(models.TextChoices):
        ENERGY = "energy", _("Energy")
        WATER = "water", _("Water")
        MATERIAL = "material", _("Material or by-product")
        SERVICE = "service", _("Service")
        INFRASTRUCTURE = "infrastructure", _("Infrastructure")
        KNOWLEDGE = "knowledge", _("Knowledge")

    # The units, their dimensions and conversions live in agreements/units.py.
    Unit = units.Unit

    name_vi = models.CharField(_("name in Vietnamese"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_(
            "Other names it is known by, one a line; a merged duplicate's names are kept here, "
            "so that a search for them still finds it."
        ),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    category = models.CharField(_("category"), max_length=16, choices=Category)
    unit = models.CharField(
        _("unit"),
        max_length=16,
        choices=Unit,
        help_text=_(
            "Its emission factor is per this unit, and its flows are entered in it unless they "
            "give another unit of the same dimension."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    waste_code = models.CharField(
        _("waste code"),
        max_length=9,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{2} \d{2} \d{2}\*?$",
                _("Use the European List of Waste form: six digits in pairs, e.g. 10 11 12."),
            )
        ],
        help_text=_("European List of Waste code, e.g. 10 11 12."),
    )
    # The current emission factor, restated per this resource's unit: what the impact rule
    # (agreements/impact.py) multiplies by, kept beside the resource so that totals need no
    # join. Written only by ``services.set_emission_factor`` (and restated when the unit
    # changes): the factor as it was set, its unit, year and who set it are ``current_factor``,
    # and every earlier one is in ``emission_factors``.
    emission_factor = models.DecimalField(
        _("emission factor (kg CO2e avoided per unit)"),
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    emission_factor_source = models.CharField(
        _("source of the emission factor"), max_length=300, blank=True
    )
    # What the avoided emissions are measured against: what the resource replaces, e.g. "grid
    # electricity" for rooftop solar, "landfill disposal" for waste used as filling material.
    baseline_vi = models.CharField(_("baseline in Vietnamese"), max_length=200, blank=True)
    baseline_en = models.CharField(
        _("baseline in English"),
        max_length=200,
        blank=True,
        help_text=_("What it replaces, e.g. grid electricity or landfill disposal."),
    )
    current_factor = models.ForeignKey(
        "EmissionFactor",
        verbose_name=_("current emission factor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    search_text = models.TextField(editable=False, default="")
    proposed_for_park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("proposed for the park"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="proposed_resources",
    )

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["category", "name_en", "name_vi"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_vi="") | ~Q(name_en=""), name="agreements_resource_has_a_name"
            ),
            models.CheckConstraint(
                condition=Q(emission_factor__isnull=True) | Q(emission_factor__gte=0),
                name="agreements_resource_emission_factor_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(emission_factor__isnull=True) | ~Q(emission_factor_source=""),
                name="agreements_resource_emission_factor_has_source",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("agreements:resource-detail", kwargs={"slug": self.slug})


# The years a published emission factor can bear.
FIRST_FACTOR_YEAR, LAST_FACTOR_YEAR = 1990, 2100


class EmissionFactor(models.Model):
    """An emission factor of a resource as an official or an admin set it: kg CO2e avoided per
    ``unit`` (one of the resource's dimension, not necessarily its unit), where it comes from and
    the year it was published. Each change adds a row and none is edited: the resource's
    ``current_factor`` is the latest, the others are its history."""

    resource = models.ForeignKey(
        Resource,
        verbose_name=_("resource"),
        on_delete=models.CASCADE,
        related_name="emission_factors",
    )
    value = models.DecimalField(
        _("kg CO2e avoided per unit"),
        max_digits=12,
        decimal_places=4,
        validators=[MinValueValidator(0)],
    )
    unit = models.CharField(_("per unit"), max_length=16, choices=units.Unit)
    source = models.CharField(_("source"), max_length=300)
    year = models.PositiveSmallIntegerField(
        _("year published"),
        null=True,
        blank=True,
        help_text=_("Left empty only for factors recorded before the year was asked."),
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("emission factor")
        verbose_name_plural = _("emission factors")
        ordering = ["-set_at", "-pk"]
        indexes = [
            # A resource's history of factors, the latest first (its factor page).
            models.Index(fields=["resource", "-set_at"], name="emission_factor_history_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0), name="agreements_emissionfactor_value_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(source=""), name="agreements_emissionfactor_has_source"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True)
                | Q(year__gte=FIRST_FACTOR_YEAR, year__lte=LAST_FACTOR_YEAR),
                name="agreements_emissionfactor_year_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.value} kg CO2e / {self.get_unit_display()}"


# Words the registry's addresses use after an agreement's reference: a reference made of them
# would make its own pages unreachable ("X/edit" would be the edit page of "X").
RESERVED_REFERENCE_WORDS = frozenset(
    {
        "mine",
        "import",
        "new",
        "edit",
        "submit",
        "review",
        "history",
        "quantities",
        "documents",
        "download",
        "organisations",
        "resources",
        "proposals",
        "dashboard",
    }
)


def validate_reference_words(reference):
    """Refuse a reference with one of ``RESERVED_REFERENCE_WORDS`` between its slashes."""
    words = {word.casefold() for word in reference.split("/")}
    if words & RESERVED_REFERENCE_WORDS:
        raise ValidationError(
            _("A reference cannot contain these words between slashes: %(words)s."),
            params={"words": ", ".join(sorted(RESERVED_REFERENCE_WORDS))},
            code="reserved",
        )


# How long a chain of agreements (frameworks, amendments) or of flows (``made_from``) may be:
# checking that a new link closes no loop reads one row per link, so a bounded number.
MAX_CHAIN = 10


def chain_from(model, start, field, *, overrides=None):
    """The primary keys reached from ``start`` by following ``field`` (a foreign key of
    ``model`` to itself), ``start`` first, at most ``MAX_CHAIN`` + 1 of them: one query per
    link. ``overrides``: {pk: the pk it links to} for rows about to be saved with other values.
    A list that ends on a key it holds already is a loop."""
    reached = []
    overrides = overrides or {}
    pk = start
    while pk is not None and len(reached) <= MAX_CHAIN:
        reached.append(pk)
        if pk in reached[:-1]:
            break
        if pk in overrides:
            pk = overrides[pk]
        else:
            pk = model._default_manager.filter(pk=pk).values_list(f"{field}_id", flat=True).first()
    return reached


def chain_errors(instance, field, *, overrides=None, loop_message, long_message):
    """The error of ``instance``'s ``field`` (a link to another row of its model), if following
    it comes back to ``instance`` or goes on beyond ``MAX_CHAIN`` links."""
    start = getattr(instance, f"{field}_id")
    if start is None:
        return None
    reached = chain_from(type(instance), start, field, overrides=overrides)
    if instance.pk is not None and instance.pk in reached:
        return ValidationError(loop_message, code="loop")
    if len(reached) > MAX_CHAIN:
        return ValidationError(long_message, params={"limit": MAX_CHAIN}, code="too_long")
    return None


class AgreementQuerySet(models.QuerySet):
    def public(self):
        """What anyone may see: verified agreements only."""
        return self.filter(review_state=Agreement.PUBLIC_STATE)

    def active_on(self, day):
        return self.filter(self.active_condition(day))

    def expired_on(self, day):
        return self.filter(self.expired_condition(day))

    @staticmethod
    def active_condition(day, prefix=""):
        """What ``active_on`` filters by, as a ``Q`` for conditional aggregation; ``prefix``
        reaches the agreement through a relation (``"agreement__"`` from a flow).

        An agreement whose start is not recorded is in force unless it has ended or been
        terminated; one whose start is known only to its month or year counts from the stored
        1st of that month or 1 January (``symbiosis.partial_dates``)."""
        return (
            (Q(**{f"{prefix}starts_on__isnull": True}) | Q(**{f"{prefix}starts_on__lte": day}))
            & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day}))
            & (
                Q(**{f"{prefix}terminated_on__isnull": True})
                | Q(**{f"{prefix}terminated_on__gt": day})
            )
        )

    @staticmethod
    def expired_condition(day, prefix=""):
        """What ``expired_on`` filters by, as a ``Q`` (see ``active_condition``)."""
        return Q(**{f"{prefix}ends_on__lt": day}) | Q(**{f"{prefix}terminated_on__lte": day})

    @staticmethod
    def ending_condition(day, *, within_days):
        """Active on ``day``, with its end or termination within ``within_days`` after it."""
        horizon = day + datetime.timedelta(days=within_days)
        return AgreementQuerySet.active_condition(day) & (
            Q(ends_on__lte=horizon) | Q(terminated_on__lte=horizon)
        )

    # Work lists: what waits for someone's action, in the order to take it, alike on the
    # staff pages and the dashboard.

    def awaiting_verification(self):
        """Submitted agreements, the longest waiting first."""
        return self.filter(review_state=Agreement.ReviewState.SUBMITTED).order_by(
            F("submitted_at").asc(nulls_first=True), "reference"
        )

    def returned_for_changes(self):
        """Agreements returned for changes and not yet submitted again (resubmitting moves an
        agreement back to "submitted"), the oldest return first."""
        return self.filter(review_state=Agreement.ReviewState.RETURNED).order_by(
            F("reviewed_at").asc(nulls_first=True), "reference"
        )

    def ending_soon(self, day, *, within_days):
        """Agreements active on ``day`` whose end or termination falls within ``within_days``,
        soonest first, in every review state, each with ``ending_on``: the earlier of its end
        and its termination."""
        horizon = day + datetime.timedelta(days=within_days)
        return (
            self.annotate(
                ending_on=Case(
                    When(ends_on__isnull=True, then=F("terminated_on")),
                    When(terminated_on__lt=F("ends_on"), then=F("terminated_on")),
                    default=F("ends_on"),
                )
            )
            # The same agreements as ``ending_condition``, stated as a range of ``ending_on``
            # too, so that PostgreSQL reads them from its index in that order (migration 0007).
            .filter(self.active_condition(day), ending_on__range=(day, horizon))
            .order_by("ending_on", "reference")
        )

    def in_park(self, park):
        return self.filter(park=park)

    def sharing(self, category):
        """Agreements with a flow of a resource of ``category``, read from the copy each
        agreement keeps of its flows' resources' categories (``shared_categories``): counting a
        filtered list of 100,000 agreements then reads the agreements alone, from the index
        that holds what the list's filters test (PostgreSQL, ``agreements/migrations/0010``),
        rather than every flow of every agreement it passes."""
        return self.filter(shared_categories__contains=f"{SEPARATOR}{category}{SEPARATOR}")

    def latest_first(self):
        """Newest signed first, then by start date, undated ones last on every database."""
        return self.order_by(
            F("signed_on").desc(nulls_last=True), F("starts_on").desc(nulls_last=True), "reference"
        )

    def search(self, query):
        """Agreements whose reference, title, summary (either language), parties or resources
        match, accents ignored."""
        folded = fold(query)
        if not folded:
            return self
        return self.filter(Q(search_text__contains=folded) | Q(linked_search_text__contains=folded))

    def keep_linked_copies(self):
        """Copy into each agreement the folded names of its parties' organisations and its
        flows' resources (``linked_search_text``) and its flows' resources' categories
        (``shared_categories``), in one UPDATE: after a party or flow is written, an
        organisation or resource renamed or moved to another category, or rows written in
        bulk."""
        return self.update(
            linked_search_text=linked_search_text(), shared_categories=shared_categories()
        )

    def for_list_page(self):
        return self.select_related("park").prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation").order_by("role", "pk"),
            ),
            Prefetch("flows", queryset=ResourceFlow.objects.select_related("resource")),
        )

    def nested_with(self, agreement, *, limit):
        """The agreements nesting with ``agreement``: its framework, the earlier agreement it
        amends, the bilateral agreements made under it and those amending it, the ``limit``
        first by reference (one query; each tells its relation by its ``framework_id`` and
        ``amends_id``)."""
        return self.filter(
            Q(pk=agreement.framework_id)
            | Q(pk=agreement.amends_id)
            | Q(framework=agreement)
            | Q(amends=agreement)
        ).order_by("reference")[:limit]

    def for_api(self):
        """Each agreement with what the API gives with it (``agreements/api/``): its park, the
        agreements it nests in, its parties and its flows (``ResourceFlowQuerySet.for_api``)."""
        return self.select_related("park", "framework", "amends").prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation").order_by("role", "pk"),
            ),
            Prefetch("flows", queryset=ResourceFlow.objects.for_api().order_by("pk")),
        )

    def for_detail_page(self):
        return self.select_related("park", "created_by", "reviewed_by").prefetch_related(
            Prefetch(
                "parties",
                queryset=Party.objects.select_related("organisation").order_by("role", "pk"),
            ),
            Prefetch(
                "flows",
                queryset=ResourceFlow.objects.select_related(
                    # With the factor its impact figure uses, to name its source and year.
                    "resource__current_factor",
                    "provider",
                    "receiver",
                    # What each is made from, drawn beside it ("made from: wastewater from X").
                    "made_from__resource",
                    "made_from__provider",
                    "made_from__agreement",
                )
                .with_impact()
                # Its figures per year (the page's chart of agreed and measured).
                .with_yearly_quantity(),
            ),
            "documents",
        )


def shared_categories():
    """The categories of an agreement's flows' resources, each between two ``SEPARATOR``s
    (" | energy | water | ", a category twice when two flows share it; "" without flows), as
    an expression: ``AgreementQuerySet.sharing`` finds a category with its separators, so that
    no category is taken for part of another."""
    return Coalesce(
        Subquery(
            ResourceFlow.objects.filter(agreement=OuterRef("pk"))
            .order_by()
            .values("agreement")
            .annotate(
                text=Concat(
                    Value(SEPARATOR),
                    JoinedText("resource__category"),
                    Value(SEPARATOR),
                    output_field=models.TextField(),
                )
            )
            .values("text")
        ),
        Value(""),
        output_field=models.TextField(),
    )


def linked_search_text():
    """The folded names of an agreement's parties' organisations and of its flows' resources,
    as an expression (each of those rows keeps its own folded names in ``search_text``)."""

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

    return Concat(
        names(Party, "organisation"),
        Value(SEPARATOR),
        names(ResourceFlow, "resource"),
        output_field=models.TextField(),
    )


class SymbiosisKind(models.TextChoices):
    """The kinds of industrial symbiosis of Viet Nam's Circular 05/2025 (under Decree 35/2022 on
    eco-industrial parks), which a park's symbiosis report sorts its activities by."""

    INPUT_OUTPUT_EXCHANGE = (
        "input_output_exchange",
        _("Exchange of inputs and outputs among the park's enterprises"),
    )
    SHARED_INFRASTRUCTURE = "shared_infrastructure", _("Shared production infrastructure")
    SHARED_SERVICES = "shared_services", _("Shared services")
    OUTSIDE_THE_PARK = (
        "outside_the_park",
        _("Symbiosis with parties outside the park (industrial-urban)"),
    )


class Agreement(RelationsReadMixin, CheckedInOneQueryMixin, SearchTextMixin, models.Model):
    # The summary too, in either language: what an agreement is about is found by its words.
    searched_fields = ("reference", "title_vi", "title_en", "summary_vi", "summary_en")

    class Kind(models.TextChoices):
        INDUSTRIAL = "industrial", _("Industrial symbiosis between firms")
        INDUSTRIAL_URBAN = "industrial_urban", _("Industrial-urban symbiosis")
        SHARED_SERVICE = "shared_service", _("Shared infrastructure or service")

    class ReviewState(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for verification")
        VERIFIED = "verified", _("Verified")
        RETURNED = "returned", _("Returned for changes")

    class AmendmentKind(models.TextChoices):
        AMENDS = "amends", _("amends")
        RENEWS = "renews", _("renews")
        REPLACES = "replaces", _("replaces")

    # Review states, defined once: the one the public sees, those park staff may change, those
    # that may be sent for verification.
    PUBLIC_STATE = ReviewState.VERIFIED
    EDITABLE_STATES = frozenset({ReviewState.DRAFT, ReviewState.RETURNED, ReviewState.VERIFIED})
    SUBMITTABLE_STATES = frozenset({ReviewState.DRAFT, ReviewState.RETURNED})

    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                # Each part between slashes starts with a letter or digit: no "." or ".."
                # part, which browsers would resolve into another agreement's address. Letters
                # and digits of every script ([^\W_]; \w adds "_"), so "KAL-Ø-1" is one.
                r"^[^\W_][\w.-]*(/[^\W_][\w.-]*)*$",
                _(
                    "Use letters, digits, dots, dashes and slashes only, each part starting "
                    "with a letter or digit, e.g. DEEPC-2023-001 or HEZA/2023/01."
                ),
            ),
            validate_reference_words,
        ],
        help_text=_("A short unique identifier, e.g. DEEPC-2023-001."),
    )
    title_vi = models.CharField(_("title in Vietnamese"), max_length=300, blank=True)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    park = models.ForeignKey(
        "parks.Park", verbose_name=_("park"), on_delete=models.PROTECT, related_name="agreements"
    )
    summary_vi = models.TextField(_("summary in Vietnamese"), blank=True)
    summary_en = models.TextField(_("summary in English"), blank=True)
    # Known to the day, the month or the year (``symbiosis.partial_dates``), or not at all.
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_on_precision = models.CharField(
        _("precision of the signing date"), max_length=5, choices=Precision, default=Precision.DAY
    )
    signed_at_vi = models.CharField(_("place signed in Vietnamese"), max_length=200, blank=True)
    signed_at_en = models.CharField(_("place signed in English"), max_length=200, blank=True)
    starts_on = models.DateField(
        _("starts on"), null=True, blank=True, help_text=_("Leave blank if not recorded.")
    )
    starts_on_precision = models.CharField(
        _("precision of the start date"), max_length=5, choices=Precision, default=Precision.DAY
    )
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Leave blank if open-ended.")
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    # Agreements that nest: a bilateral agreement made under a framework agreement, and an
    # agreement that amends, renews or replaces an earlier one. Both within one park
    # (``clean``); deleting the other agreement only unlinks this one.
    framework = models.ForeignKey(
        "self",
        verbose_name=_("framework agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bilaterals",
        help_text=_("The framework agreement this agreement was made under, if any."),
    )
    amends = models.ForeignKey(
        "self",
        verbose_name=_("earlier agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="amendments",
        help_text=_("The earlier agreement this one amends, renews or replaces, if any."),
    )
    amendment_kind = models.CharField(
        _("relation to the earlier agreement"),
        max_length=16,
        choices=AmendmentKind,
        blank=True,
    )
    # Its kind in the terms of Circular 05/2025 (a flow may differ: ``ResourceFlow.
    # symbiosis_kind``): suggested from its kind and its resources' categories, changed by its
    # park's staff, confirmed by an official (and confirmed no more once it changes).
    symbiosis_kind = models.CharField(
        _("kind of symbiosis (Circular 05/2025)"),
        max_length=24,
        choices=SymbiosisKind,
        blank=True,
    )
    symbiosis_kind_confirmed_at = models.DateTimeField(
        _("kind of symbiosis confirmed at"), null=True, blank=True
    )
    symbiosis_kind_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kind of symbiosis confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_state = models.CharField(
        _("review state"), max_length=16, choices=ReviewState, default=ReviewState.DRAFT
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    search_text = models.TextField(editable=False, default="")
    # Its parties' and resources' folded names, so that a search reads one row per agreement
    # (``AgreementQuerySet.keep_linked_copies``, kept by agreements/search.py's signals).
    linked_search_text = models.TextField(editable=False, default="")
    # Its flows' resources' categories, so that a list filtered by category reads one row per
    # agreement (``AgreementQuerySet.sharing``), kept with ``linked_search_text``.
    shared_categories = models.TextField(editable=False, default="")

    objects = AgreementQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["search_text", "linked_search_text", "shared_categories"]
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = [
            F("signed_on").desc(nulls_last=True),
            F("starts_on").desc(nulls_last=True),
            "reference",
        ]
        indexes = [
            # The public list's order (public().latest_first()) has its index, with NULLS LAST,
            # on PostgreSQL only: migration 0003. SQLite cannot state it.
            # Work list "awaiting verification", oldest first: review_state, then submitted_at.
            models.Index(
                fields=["review_state", "submitted_at"], name="agreement_state_submitted_idx"
            ),
            # Agreements ending soon: ends_on within the next 90 days.
            models.Index(fields=["ends_on"], name="agreement_ends_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_vi="") | ~Q(title_en=""),
                name="agreements_agreement_has_a_title",
                violation_error_message=_("Give the title in English, in Vietnamese, or both."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="agreements_agreement_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(terminated_on__gte=F("starts_on")),
                name="agreements_agreement_terminated_after_start",
                violation_error_message=_("The termination date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=stored_date_fits("signed_on"),
                name="agreements_agreement_signed_on_fits_precision",
                violation_error_message=_(
                    "A signing date known to the month is stored as its 1st, one known to the "
                    "year as its 1 January."
                ),
            ),
            models.CheckConstraint(
                condition=stored_date_fits("starts_on"),
                name="agreements_agreement_starts_on_fits_precision",
                violation_error_message=_(
                    "A start date known to the month is stored as its 1st, one known to the "
                    "year as its 1 January."
                ),
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="agreements_agreement_version_positive"
            ),
            models.CheckConstraint(
                condition=~Q(framework=F("pk")),
                name="agreements_agreement_not_its_own_framework",
                violation_error_message=_("An agreement cannot be its own framework agreement."),
            ),
            models.CheckConstraint(
                condition=~Q(amends=F("pk")),
                name="agreements_agreement_does_not_amend_itself",
                violation_error_message=_("An agreement cannot amend itself."),
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True, amendment_kind="")
                | (Q(amends__isnull=False) & ~Q(amendment_kind="")),
                name="agreements_agreement_amendment_kind_with_amends",
                violation_error_message=_(
                    "Say whether it amends, renews or replaces the earlier agreement, and only "
                    "when it names one."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            # Every save of an existing agreement is a new version, whoever makes it
            # (forms, services, the admin): an edit started on an older one is a conflict.
            self.version += 1
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # Listed by the dozen on a page: the pattern reversed once (symbiosis.addresses).
        return address("agreements:detail", "reference", self.reference)

    @property
    def title(self):
        return pick(self.title_en, self.title_vi)

    @property
    def summary(self):
        return pick(self.summary_en, self.summary_vi)

    @property
    def signed_at(self):
        """The place signed, in the reader's language, falling back to the other."""
        return pick(self.signed_at_en, self.signed_at_vi)

    @property
    def signed(self):
        """The signing date with its precision, or None if not recorded."""
        if self.signed_on is None:
            return None
        return PartialDate(self.signed_on, self.signed_on_precision)

    @property
    def start(self):
        """The start date with its precision, or None if not recorded."""
        if self.starts_on is None:
            return None
        return PartialDate(self.starts_on, self.starts_on_precision)

    @property
    def is_public(self):
        return self.review_state == self.PUBLIC_STATE

    @property
    def is_editable(self):
        return self.review_state in self.EDITABLE_STATES

    @property
    def is_submittable(self):
        return self.review_state in self.SUBMITTABLE_STATES

    @property
    def is_awaiting_verification(self):
        return self.review_state == self.ReviewState.SUBMITTED

    def clean_fields(self, exclude=None):
        # A reference is kept in one Unicode form (NFC), whatever the keyboard sent: "é" typed
        # as "e" and a combining accent is the letter "é", accepted as such and found as such.
        if self.reference:
            self.reference = unicodedata.normalize("NFC", self.reference)
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        errors = {}
        for name, loop_message in [
            ("framework", _("This agreement is already the framework of that one, or above it.")),
            ("amends", _("That agreement already amends this one, directly or through others.")),
        ]:
            if getattr(self, f"{name}_id") is None:
                continue
            other = getattr(self, name)
            if self.park_id is not None and other.park_id != self.park_id:
                errors[name] = _("Choose an agreement of the same park.")
                continue
            error = chain_errors(
                self,
                name,
                loop_message=loop_message,
                long_message=_("A chain of agreements can be at most %(limit)d long."),
            )
            if error is not None:
                errors[name] = error
        if self.amends_id is not None and not self.amendment_kind:
            errors["amendment_kind"] = _(
                "Say whether it amends, renews or replaces the earlier agreement."
            )
        elif self.amends_id is None and self.amendment_kind:
            errors["amendment_kind"] = _("Name the earlier agreement, or leave this blank.")
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day):
        """Like ``AgreementQuerySet.active_condition``: an unknown start does not keep it out."""
        return (
            (self.starts_on is None or self.starts_on <= day)
            and (self.ends_on is None or self.ends_on >= day)
            and (self.terminated_on is None or self.terminated_on > day)
        )

    @property
    def is_active(self):
        return self.is_active_on(timezone.localdate())

    def is_in_force_in_year(self, year):
        """Like ``yearly.in_force_in_year``: in force on at least one day of ``year``, started
        (its start unknown: signed; neither known: always) by 31 December, not ended before
        1 January, not terminated on or before it."""
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if self.starts_on is not None:
            started = self.starts_on <= last
        else:
            started = self.signed_on is None or self.signed_on <= last
        return (
            started
            and (self.ends_on is None or self.ends_on >= first)
            and (self.terminated_on is None or self.terminated_on > first)
        )

    def is_expired_on(self, day):
        return (self.ends_on is not None and self.ends_on < day) or (
            self.terminated_on is not None and self.terminated_on <= day
        )


class Party(RelationsReadMixin, models.Model):
    class Role(models.TextChoices):
        # Ordered as a page lists them: those who sign first.
        SIGNATORY = "signatory", _("Signatory")
        WITNESS = "witness", _("Witness")
        FACILITATOR = "facilitator", _("Facilitator")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="parties",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.SIGNATORY)
    representative_name = models.CharField(_("representative's name"), max_length=200, blank=True)
    representative_title_vi = models.CharField(
        _("representative's title in Vietnamese"), max_length=200, blank=True
    )
    representative_title_en = models.CharField(
        _("representative's title in English"), max_length=200, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["agreement", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"],
                name="agreements_party_one_per_organisation",
                violation_error_message=_("This organisation is already a party to the agreement."),
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"

    @property
    def representative_title(self):
        return pick(self.representative_title_en, self.representative_title_vi)


class ResourceFlowQuerySet(models.QuerySet):
    def public(self):
        """Flows of verified agreements: what anyone may see."""
        return self.filter(agreement__review_state=Agreement.PUBLIC_STATE)

    def counted_once(self):
        """Less a framework agreement's flows that one of its verified bilateral agreements
        records too (the rule of ``agreements.impact``): each exchange once, as the network
        draws it."""
        return self.exclude(self._recorded_by_a_verified_bilateral())

    def with_counted_once(self):
        """Each flow with ``counted_once``: whether ``counted_once`` keeps it (for a page that
        lists every flow and adds up those the totals count)."""
        return self.annotate(counted_once=~self._recorded_by_a_verified_bilateral())

    @staticmethod
    def _recorded_by_a_verified_bilateral():
        from agreements.impact import recorded_by_a_bilateral  # it builds on these models

        return recorded_by_a_bilateral(Q(agreement__review_state=Agreement.PUBLIC_STATE))

    def for_api(self):
        """Each flow with what the API gives with it: its resource, both ends, and the flow it is
        made from with that one's agreement (to tell whether it is public)."""
        return self.select_related("resource", "provider", "receiver", "made_from__agreement")

    def for_public_pages(self):
        """Each flow with what a page shows beside it: resource, both ends, agreement, park."""
        return self.select_related("resource", "provider", "receiver", "agreement__park")

    def with_impact(self, today=None):
        """Each flow with its ``annual_quantity`` and ``annual_tonnes_co2e_avoided`` (None where
        it has none) and, given ``today``, whether the impact totals count it
        (``counted_in_impact``): the rule of ``agreements.impact``, computed by the database."""
        from agreements.impact import flow_annotations  # it builds on this module's models

        return self.annotate(**flow_annotations(today))

    def with_yearly_quantity(self):
        """Each flow with ``totals_unit`` (the unit its figures per year are in) and
        ``annual_quantity_in_totals_unit`` (its agreed quantity of a year in force, None for a
        one-off or undisclosed quantity): what ``yearly.agreement_flow_years`` draws an
        agreement's flows' years from, the expressions of ``agreements.impact``."""
        from agreements.impact import annual_quantity, in_totals_unit, totals_unit

        return self.annotate(
            totals_unit=totals_unit(),
            annual_quantity_in_totals_unit=in_totals_unit(annual_quantity()),
        )


class ResourceFlow(RelationsReadMixin, CheckedInOneQueryMixin, models.Model):
    class Direction(models.TextChoices):
        ONE_WAY = "one_way", _("One-way")
        MUTUAL = "mutual", _("Mutual")

    class Claimant(models.TextChoices):
        PROVIDER = "provider", _("the provider")
        RECEIVER = "receiver", _("the receiver")

    class Period(models.TextChoices):
        ONE_OFF = "one_off", _("one-off")
        MONTHLY = "monthly", _("per month")
        YEARLY = "yearly", _("per year")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="flows"
    )
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="flows"
    )
    provider = models.ForeignKey(
        Organisation,
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="flows_provided",
    )
    receiver = models.ForeignKey(
        Organisation,
        verbose_name=_("receiver"),
        on_delete=models.PROTECT,
        related_name="flows_received",
    )
    direction = models.CharField(
        _("direction"), max_length=16, choices=Direction, default=Direction.ONE_WAY
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=16,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave blank if not disclosed."),
    )
    # The unit the quantity was entered in, of its resource's unit's dimension (``clean``);
    # blank only without a quantity. Totals convert it (agreements/units.py).
    unit = models.CharField(
        _("unit"),
        max_length=16,
        choices=units.Unit,
        blank=True,
        help_text=_("The unit of the quantity; the resource's unit if left blank."),
    )
    period = models.CharField(_("period"), max_length=16, choices=Period, default=Period.YEARLY)
    notes_vi = models.TextField(_("notes in Vietnamese"), blank=True)
    notes_en = models.TextField(_("notes in English"), blank=True)
    # A chain of flows: what the provider makes this flow from, a flow it receives (wastewater
    # received by a biogas plant, the biogas it provides), in this agreement or another of the
    # same park (``clean``). Deleting that flow only unlinks this one.
    made_from = models.ForeignKey(
        "self",
        verbose_name=_("made from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="made_into",
        help_text=_(
            "A flow the provider receives and makes this one from, in this agreement or "
            "another of the park. Flows of this agreement can be chosen once it is saved."
        ),
    )
    # Where this flow's kind of symbiosis differs from its agreement's; blank: the agreement's.
    symbiosis_kind = models.CharField(
        _("kind of symbiosis, if not the agreement's"),
        max_length=24,
        choices=SymbiosisKind,
        blank=True,
    )
    # What its avoided emissions are measured against, where it differs from the resource's
    # (``Resource.baseline_en``), e.g. "diesel generators" for one plant's electricity.
    baseline_vi = models.CharField(_("baseline in Vietnamese"), max_length=200, blank=True)
    baseline_en = models.CharField(_("baseline in English"), max_length=200, blank=True)
    # Which party claims the avoided emissions: only that one counts them, so a provider and a
    # receiver never both count the same tonnes. Blank: not stated (counted once in a park's
    # totals, by no party).
    claimed_by = models.CharField(
        _("avoided emissions claimed by"),
        max_length=16,
        choices=Claimant,
        blank=True,
    )

    objects = ResourceFlowQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resource flow")
        verbose_name_plural = _("resource flows")
        ordering = ["agreement", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(provider=F("receiver")),
                name="agreements_resourceflow_provider_differs_from_receiver",
                violation_error_message=_("The provider and the receiver must differ."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gte=0),
                name="agreements_resourceflow_quantity_not_negative",
                violation_error_message=_("The quantity cannot be negative."),
            ),
            models.CheckConstraint(
                condition=~Q(made_from=F("pk")),
                name="agreements_resourceflow_not_made_from_itself",
                violation_error_message=_("A flow cannot be made from itself."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | ~Q(unit=""),
                name="agreements_resourceflow_quantity_has_unit",
                violation_error_message=_("Give the unit of the quantity."),
            ),
        ]

    def __str__(self):
        return f"{self.provider} → {self.resource} → {self.receiver}"

    def save(self, *args, **kwargs):
        # Whatever writes the flow (forms, services, the admin), a flow given no unit is in
        # its resource's.
        if not self.unit and self.resource_id is not None:
            self.unit = self.resource.unit
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "unit"}
        super().save(*args, **kwargs)

    @property
    def notes(self):
        return pick(self.notes_en, self.notes_vi)

    def clean(self):
        super().clean()
        errors = {}
        made_from_error = self.made_from_error()
        if made_from_error is not None:
            errors["made_from"] = made_from_error
        try:
            self.clean_unit()
        except ValidationError as error:
            errors.update(error.error_dict)
        # A form that saves the parties and flows together sets the organisations of the
        # party rows it is about to save; otherwise the stored parties count.
        party_ids = getattr(self, "party_organisation_ids", None)
        if party_ids is None and self.agreement_id is not None:
            party_ids = set(self.agreement.parties.values_list("organisation_id", flat=True))
        if party_ids is not None:
            if self.provider_id and self.provider_id not in party_ids:
                errors["provider"] = _("The provider must be a party to this agreement.")
            if self.receiver_id and self.receiver_id not in party_ids:
                errors["receiver"] = _("The receiver must be a party to this agreement.")
        if errors:
            raise ValidationError(errors)

    def made_from_error(self):
        """Why the flow this one is made from does not fit, if it does not: it must be received
        by this flow's provider, in the same park, and following the chain must never come back
        to this flow. A form saving several flows sets ``made_from_overrides`` ({pk: made_from
        pk} of its rows), so that two rows cannot close a loop between them."""
        if self.made_from_id is None:
            return None
        source = ResourceFlow.objects.select_related("agreement").get(pk=self.made_from_id)
        if self.provider_id is not None and source.receiver_id != self.provider_id:
            return ValidationError(
                _(
                    "Choose a flow that this flow's provider receives: it is what the provider "
                    "makes this one from."
                ),
                code="not_received",
            )
        if ResourceFlow.agreement.is_cached(self) or self.agreement_id is not None:
            park_id = self.agreement.park_id
            if park_id is not None and source.agreement.park_id != park_id:
                return ValidationError(
                    _("Choose a flow of an agreement of this park."), code="other_park"
                )
        return chain_errors(
            self,
            "made_from",
            overrides=getattr(self, "made_from_overrides", None),
            loop_message=_(
                "That flow is made from this one, directly or through others: a chain cannot loop."
            ),
            long_message=_("A chain of flows can be at most %(limit)d long."),
        )

    def clean_unit(self):
        """A flow without a unit is in its resource's unit; one in a unit of another
        dimension than the resource's (or another count) is refused."""
        if self.resource_id is None:
            return
        if not self.unit:
            self.unit = self.resource.unit
        if self.unit and not units.convertible(self.unit, self.resource.unit):
            raise ValidationError(
                {
                    "unit": _(
                        "%(resource)s is measured in %(unit)s: give the quantity in one of "
                        "these units: %(units)s."
                    )
                    % {
                        "resource": self.resource,
                        "unit": self.resource.get_unit_display(),
                        "units": ", ".join(
                            str(label)
                            for _code, label in units.convertible_units(self.resource.unit)
                        ),
                    }
                }
            )

    @property
    def unit_label(self):
        """The label of the unit the quantity was entered in (its resource's, if none)."""
        return units.label(self.unit or self.resource.unit)


def document_upload_to(instance, filename):
    """A generated name: what a user called the file never reaches the file system."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    is_public = models.BooleanField(
        _("may be shown publicly"),
        default=False,
        help_text=_("Public documents of a verified agreement can be downloaded by anyone."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["agreement", "-uploaded_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("agreements:document-download", kwargs={"pk": self.pk})


class Merge(models.Model):
    """Two organisations, or two resources, found to be the same and merged into one by an
    official (``agreements.merging``): what was kept, what the duplicate was called, what moved,
    who merged them and when. The duplicate itself is gone; its names live on as the kept
    record's aliases."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisations")
        RESOURCE = "resource", _("Resources")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    kept_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("kept organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="merges",
    )
    kept_resource = models.ForeignKey(
        Resource,
        verbose_name=_("kept resource"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="merges",
    )
    duplicate_name = models.CharField(_("duplicate's name"), max_length=255)
    # Every name the duplicate had (each language, short name, its own aliases), one a line.
    duplicate_names = models.TextField(_("duplicate's names"), blank=True)
    duplicate_slug = models.SlugField(_("duplicate's slug"), max_length=120)
    parties_moved = models.PositiveIntegerField(_("parties moved"), default=0)
    flows_moved = models.PositiveIntegerField(_("resource flows moved"), default=0)
    agreements_affected = models.PositiveIntegerField(_("agreements affected"), default=0)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="organisation", kept_resource__isnull=True)
                | Q(kind="resource", kept_organisation__isnull=True),
                name="agreements_merge_kept_record_of_its_kind",
            ),
        ]

    def __str__(self):
        return f"{self.duplicate_name} → {self.kept}"

    @property
    def kept(self):
        return self.kept_organisation if self.kind == self.Kind.ORGANISATION else self.kept_resource

    @property
    def kept_id(self):
        if self.kind == self.Kind.ORGANISATION:
            return self.kept_organisation_id
        return self.kept_resource_id


class ReportedQuantity(models.Model):
    """What was actually shared along a flow in a year, or in one month of it: a measured
    figure, reported by the park's staff with its source and, if they have it, a document as
    evidence, then accepted or returned by an official as agreements are. Accepted figures are
    public (their flow's agreement being verified). A year is reported whole or month by
    month, not both (``services``); its months add up to the year."""

    class Source(models.TextChoices):
        METERED = "metered", _("metered")
        INVOICED = "invoiced", _("invoiced")
        ESTIMATED = "estimated", _("estimated")

    class ReviewState(models.TextChoices):
        SUBMITTED = "submitted", _("awaiting review")
        ACCEPTED = "accepted", _("accepted")
        RETURNED = "returned", _("returned for correction")

    PUBLIC_STATE = ReviewState.ACCEPTED

    flow = models.ForeignKey(
        ResourceFlow,
        verbose_name=_("resource flow"),
        on_delete=models.CASCADE,
        related_name="reported_quantities",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # None: the whole year.
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=16, decimal_places=3, validators=[MinValueValidator(0)]
    )
    # In the resource's unit's dimension (``services``); totals convert it (agreements/units.py).
    unit = models.CharField(_("unit"), max_length=16, choices=units.Unit)
    source = models.CharField(_("source"), max_length=16, choices=Source)
    evidence = models.ForeignKey(
        Document,
        verbose_name=_("evidence"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidenced_quantities",
        help_text=_(
            "A document of the agreement that shows the figure: a meter reading, an invoice."
        ),
    )
    notes_vi = models.TextField(_("notes in Vietnamese"), blank=True)
    notes_en = models.TextField(_("notes in English"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    review_state = models.CharField(
        _("review state"), max_length=16, choices=ReviewState, default=ReviewState.SUBMITTED
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reported quantity")
        verbose_name_plural = _("reported quantities")
        ordering = ["flow", "year", F("month").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "year"],
                condition=Q(month__isnull=True),
                name="agreements_reportedquantity_one_per_flow_and_year",
                violation_error_message=_("This flow already has a figure for that year."),
            ),
            models.UniqueConstraint(
                fields=["flow", "year", "month"],
                condition=Q(month__isnull=False),
                name="agreements_reportedquantity_one_per_flow_and_month",
                violation_error_message=_("This flow already has a figure for that month."),
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="agreements_reportedquantity_month_of_the_year",
                violation_error_message=_("A month is from 1 to 12."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1900, year__lte=2100),
                name="agreements_reportedquantity_year_in_range",
                violation_error_message=_("Give a year from 1900 to 2100."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0),
                name="agreements_reportedquantity_quantity_not_negative",
                violation_error_message=_("The quantity cannot be negative."),
            ),
        ]
        indexes = [
            models.Index(fields=["review_state", "reported_at"], name="reported_state_idx"),
        ]

    def __str__(self):
        when = f"{self.year}-{self.month:02d}" if self.month else str(self.year)
        return f"{self.flow_id} {when}: {self.quantity} {self.unit}"


class ImportBatch(models.Model):
    """A spreadsheet uploaded for import (``agreements.imports``): its rows as read, the
    outcome of each once analysed, and whether it was confirmed. The preview shows the outcomes
    and the confirm step writes exactly them. Batches older than a day are deleted
    (``agreements.imports.services.delete_old_batches``, on each upload)."""

    class OnExisting(models.TextChoices):
        SKIP = "skip", _("Skip it: keep the agreement as it is")
        UPDATE = "update", _("Update it from the file")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    # The keys (English headers) of the columns read, in the file's order, and each row's
    # cells in those columns, as text; the headers that are not read (computed columns).
    columns = models.JSONField(default=list, editable=False)
    ignored_columns = models.JSONField(default=list, editable=False)
    rows = models.JSONField(default=list, editable=False)
    total = models.PositiveIntegerField(default=0, editable=False)
    # How many rows are analysed, what the analysis carries from one chunk of rows to the next,
    # and each analysed row's outcome (``agreements.imports.analysis``).
    analysed = models.PositiveIntegerField(default=0, editable=False)
    state = models.JSONField(default=dict, editable=False)
    outcomes = models.JSONField(default=list, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    on_existing = models.CharField(
        _("an agreement whose reference exists already"),
        max_length=8,
        choices=OnExisting,
        default=OnExisting.SKIP,
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        indexes = [
            # Deleting the batches older than a day: created_at < now - 1 day.
            models.Index(fields=["created_at"], name="importbatch_created_idx"),
        ]

    def __str__(self):
        return self.file_name or str(self.pk)

    def get_absolute_url(self):
        return reverse("agreements:import-preview", kwargs={"pk": self.pk})

    @property
    def is_finished(self):
        return self.finished_at is not None
