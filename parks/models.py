from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from symbiosis.bilingual import BilingualNameMixin, pick
from symbiosis.search import SearchTextMixin, exact_match, fold


class OrganisationQuerySet(models.QuerySet):
    def search(self, query):
        folded = fold(query)
        return self.filter(search_text__contains=folded) if folded else self

    def called(self, name):
        """The first organisation (the oldest) called ``name`` in either language, accents and
        case ignored, or None: its few exact matches are read, not every name containing it."""
        folded = fold(name)
        for organisation in self.filter(exact_match(name)).order_by("pk")[:20]:
            if folded in {fold(organisation.name_vi), fold(organisation.name_en)}:
                return organisation
        return None


class Organisation(SearchTextMixin, BilingualNameMixin, models.Model):
    """Every party to an agreement: companies, agencies and international organisations."""

    searched_fields = ("name_vi", "name_en", "short_name")

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        AGENCY = "agency", _("Government agency")
        INTERNATIONAL = "international", _("International organisation")

    class Level(models.TextChoices):
        INTERNATIONAL = "international", _("International")
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        DISTRICT = "district", _("District")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    name_vi = models.CharField(_("name in Vietnamese"), max_length=255, blank=True)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        default="VN",
        help_text=_("ISO 3166-1 alpha-2 code, e.g. VN."),
    )
    province = models.CharField(_("province or city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    # Companies
    sector_code = models.CharField(
        _("sector code"), max_length=10, blank=True, help_text=_("ISIC or VSIC code, e.g. 2410.")
    )
    sector_classification = models.CharField(
        _("sector classification"),
        max_length=32,
        blank=True,
        help_text=_("The classification and its version, e.g. ISIC Rev.4 or VSIC 2018."),
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("located in park"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tenants",
    )
    # Agencies
    level = models.CharField(_("level"), max_length=16, choices=Level, blank=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=200, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("successor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text=_("What this organisation became after a merger or renaming."),
    )
    search_text = models.TextField(editable=False, default="")

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_en", "name_vi"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_vi="") | ~Q(name_en=""),
                name="parks_organisation_has_a_name",
            ),
            models.CheckConstraint(
                condition=Q(kind="agency") | Q(level=""),
                name="parks_organisation_level_only_for_agencies",
            ),
            models.CheckConstraint(
                condition=Q(kind="company") | Q(park__isnull=True),
                name="parks_organisation_park_only_for_companies",
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("pk")),
                name="parks_organisation_not_its_own_successor",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("parks:organisation-detail", kwargs={"slug": self.slug})

    @property
    def label(self):
        """Its name, with its short name when the name does not contain it."""
        name = self.name
        if self.short_name and self.short_name.casefold() not in name.casefold():
            return f"{name} ({self.short_name})"
        return name

    def clean(self):
        """The rules every way in (the staff's form, the admin) checks: a name in one language
        at least, a level for agencies only, and no second organisation of the same name."""
        super().clean()
        errors = {}
        names = [name for name in (self.name_vi, self.name_en) if name]
        if not names:
            errors["name_en"] = ValidationError(
                _("Give the name in Vietnamese, in English, or both."), code="no_name"
            )
        if self.level and self.kind and self.kind != self.Kind.AGENCY:
            errors["level"] = ValidationError(
                _("Only a government agency has a level."), code="level_not_for_kind"
            )
        others = Organisation.objects.exclude(pk=self.pk) if self.pk else Organisation.objects
        for name in names:
            existing = others.called(name)
            if existing is not None:
                errors[NON_FIELD_ERRORS] = ValidationError(
                    _("%(name)s is already in the registry: choose it from the list."),
                    params={"name": existing.label},
                    code="duplicate",
                )
                break
        if errors:
            raise ValidationError(errors)


class CompanyManager(models.Manager.from_queryset(OrganisationQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Organisation.Kind.COMPANY)


class AgencyManager(models.Manager.from_queryset(OrganisationQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=Organisation.Kind.AGENCY)


class Company(Organisation):
    objects = CompanyManager()

    class Meta:
        proxy = True
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Its kind is known before it is saved: the rules that depend on it apply.
        self.kind = Organisation.Kind.COMPANY

    def save(self, *args, **kwargs):
        self.kind = Organisation.Kind.COMPANY
        super().save(*args, **kwargs)


class Agency(Organisation):
    objects = AgencyManager()

    class Meta:
        proxy = True
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Its kind is known before it is saved: the rules that depend on it apply.
        self.kind = Organisation.Kind.AGENCY

    def save(self, *args, **kwargs):
        self.kind = Organisation.Kind.AGENCY
        super().save(*args, **kwargs)


class ParkQuerySet(models.QuerySet):
    def for_list_page(self):
        return self.select_related("developer", "managing_authority")

    def as_choices(self):
        """(slug, name) of each park, for a list to pick one from: its names read in one query
        rather than as a model each (the agreement list offers every park on every page)."""
        names = self.values_list("slug", "name_en", "name_vi")
        return [(slug, pick(english, vietnamese)) for slug, english, vietnamese in names]


class Park(SearchTextMixin, BilingualNameMixin, models.Model):
    searched_fields = ("name_vi", "name_en")

    class EipStatus(models.TextChoices):
        NOT_ASSESSED = "not_assessed", _("Not assessed")
        CONVENTIONAL = "conventional", _("Conventional industrial park")
        TRANSITIONING = "transitioning", _("Transitioning to an eco-industrial park")
        RECOGNISED = "recognised", _("Recognised eco-industrial park")

    name_vi = models.CharField(_("name in Vietnamese"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    province = models.CharField(_("province or city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="VN")
    developer = models.ForeignKey(
        Organisation,
        verbose_name=_("developer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="developed_parks",
        limit_choices_to={"kind": Organisation.Kind.COMPANY},
    )
    managing_authority = models.ForeignKey(
        Organisation,
        verbose_name=_("managing authority"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_parks",
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    area_ha = models.DecimalField(
        _("area (ha)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    established_year = models.PositiveSmallIntegerField(
        _("year established"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2200)],
    )
    eip_status = models.CharField(
        _("eco-industrial park status"),
        max_length=16,
        choices=EipStatus,
        default=EipStatus.NOT_ASSESSED,
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    website = models.URLField(_("website"), blank=True)
    search_text = models.TextField(editable=False, default="")

    objects = ParkQuerySet.as_manager()

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["name_en", "name_vi"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_vi="") | ~Q(name_en=""), name="parks_park_has_a_name"
            ),
            models.CheckConstraint(
                condition=Q(area_ha__isnull=True) | Q(area_ha__gte=0),
                name="parks_park_area_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="parks_park_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="parks_park_longitude_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("parks:detail", kwargs={"slug": self.slug})


class ParkMembership(models.Model):
    """Park staff: a user who enters and edits the agreements of a park."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="park_memberships",
    )
    park = models.ForeignKey(
        Park, verbose_name=_("park"), on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("park membership")
        verbose_name_plural = _("park memberships")
        ordering = ["park", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "park"], name="parks_parkmembership_unique"),
        ]

    def __str__(self):
        return f"{self.user} @ {self.park}"


class AuthorityMembership(models.Model):
    """An official's account linked to the agency they work for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="authority_memberships",
    )
    agency = models.ForeignKey(
        Organisation,
        verbose_name=_("agency"),
        on_delete=models.CASCADE,
        related_name="officials",
        limit_choices_to={"kind": Organisation.Kind.AGENCY},
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("authority membership")
        verbose_name_plural = _("authority memberships")
        ordering = ["agency", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"], name="parks_authoritymembership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} @ {self.agency}"
