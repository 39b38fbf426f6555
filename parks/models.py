from django.conf import global_settings, settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from parks import sectors
from parks.countries import country_names
from parks.provinces import current_province, is_absorbed, province_label
from symbiosis.addresses import addresses
from symbiosis.bilingual import BilingualNameMixin, pick
from symbiosis.confirmation import Confirmable, ConfirmationQuerySetMixin
from symbiosis.constraints import CheckedInOneQueryMixin
from symbiosis.search import AliasesMixin, BearsOneOf, SearchTextMixin, fold


def language_choices():
    """The languages an organisation's own name may be in: Django's list (its names translated
    by Django's catalogue), sorted by code."""
    return [(code, _(name)) for code, name in global_settings.LANGUAGES]


def division_choices():
    """The ISIC Rev. 4 divisions grouped by section, in the active language (``parks.sectors``);
    a callable, so the model's choices follow the reader's language."""
    return sectors.division_choices()


class VietnameseProvinceMixin:
    """For a row with ``country`` and ``province``: in Viet Nam the province is one of today's 34
    (``parks.provinces``), elsewhere it is free text; shown in the reader's language."""

    @property
    def province_name(self):
        return province_label(self.province) if self.country == "VN" else self.province

    @property
    def country_names(self):
        return country_names(self.country)

    def province_error(self):
        """A ValidationError for a Vietnamese province not on the list (naming the one it
        became since the 2025 merger, when it names an old one), or None."""
        if self.country != "VN" or not self.province:
            return None
        current = current_province(self.province)
        if current == self.province:
            return None
        if current and not is_absorbed(self.province):
            return ValidationError(
                _("Choose %(new)s from the list."),
                params={"new": province_label(current)},
                code="province_spelling",
            )
        if current:
            return ValidationError(
                _("%(old)s is now part of %(new)s: choose %(new)s."),
                params={"old": self.province, "new": province_label(current)},
                code="old_province",
            )
        return ValidationError(
            _("Choose one of Viet Nam's provinces and centrally-run cities."),
            code="unknown_province",
        )


class OrganisationQuerySet(ConfirmationQuerySetMixin, models.QuerySet):
    def search(self, query):
        folded = fold(query)
        return self.filter(search_text__contains=folded) if folded else self

    def called(self, name):
        """The first organisation (the oldest) called ``name`` in any of its languages or by one
        of its aliases (a merged duplicate's names), accents and case ignored, or None: its few
        exact matches are read, not every name containing it."""
        folded = fold(name)
        for organisation in self.filter(BearsOneOf([name])).order_by("pk")[:20]:
            names = (
                organisation.name_vi,
                organisation.name_en,
                organisation.name_own,
                *organisation.alias_list,
            )
            if folded in {fold(name) for name in names}:
                return organisation
        return None


class Organisation(
    CheckedInOneQueryMixin,
    VietnameseProvinceMixin,
    AliasesMixin,
    SearchTextMixin,
    BilingualNameMixin,
    Confirmable,
):
    """Every party to an agreement: companies, public utilities, agencies, associations and
    groups, research institutions, international organisations, and counterparts known only
    as a sector ("the cement industry", "the grid").

    One proposed by park staff has no public page until an official confirms it
    (``symbiosis.confirmation``)."""

    searched_fields = (
        "name_vi",
        "name_en",
        "name_own",
        "short_name",
        "alias_list",
        "country_names",
    )

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        PUBLIC_UTILITY = "public_utility", _("Public utility or state-owned enterprise")
        AGENCY = "agency", _("Government agency")
        ASSOCIATION = "association", _("Association, cooperative or group")
        RESEARCH = "research", _("Research or education institution")
        INTERNATIONAL = "international", _("International organisation")
        SECTOR = "sector", _("A sector, not a named organisation")

    # The kinds that may be located in a park (a tenant): firms, utilities and institutes
    # have premises there; an agency, a group, an international body or a sector has none.
    TENANT_KINDS = (Kind.COMPANY, Kind.PUBLIC_UTILITY, Kind.RESEARCH)

    class Level(models.TextChoices):
        INTERNATIONAL = "international", _("International")
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        DISTRICT = "district", _("District")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    name_vi = models.CharField(_("name in Vietnamese"), max_length=255, blank=True)
    name_en = models.CharField(_("name in English"), max_length=255, blank=True)
    name_own = models.CharField(
        _("name in its own language"),
        max_length=255,
        blank=True,
        help_text=_(
            "As the organisation writes it, e.g. Asnæs Kraftværk, when it is neither "
            "Vietnamese nor English."
        ),
    )
    name_own_language = models.CharField(
        _("language of that name"), max_length=15, blank=True, choices=language_choices
    )
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_(
            "Other names it is known by, one a line; a merged duplicate's names are kept here, "
            "so that a search for them still finds it."
        ),
    )
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    country = CountryField(_("country"), blank=True, default="VN")
    province = models.CharField(_("province or city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    # Companies, utilities, institutions, and sectors
    sector = models.CharField(
        _("sector"),
        max_length=2,
        blank=True,
        choices=division_choices,
        help_text=_("Its division of ISIC Rev. 4 (VSIC 2018 follows it at this level)."),
    )
    sector_code = models.CharField(
        _("class code"),
        max_length=10,
        blank=True,
        validators=[
            RegexValidator(
                sectors.CLASS_CODE,
                _("Give 4 digits (an ISIC or VSIC class) or 5 (a VSIC code), e.g. 2394."),
                code="class_code_format",
            )
        ],
        help_text=_(
            "Optional, finer than the sector: 4 or 5 digits starting with its "
            "division's two, e.g. 2394 (cement)."
        ),
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
                condition=~Q(name_vi="") | ~Q(name_en="") | ~Q(name_own=""),
                name="parks_organisation_has_a_name",
            ),
            models.CheckConstraint(
                condition=Q(name_own="") | ~Q(name_own_language=""),
                name="parks_organisation_own_name_has_its_language",
            ),
            models.CheckConstraint(
                condition=Q(kind="agency") | Q(level=""),
                name="parks_organisation_level_only_for_agencies",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["company", "public_utility", "research"])
                | Q(park__isnull=True),
                name="parks_organisation_park_only_for_tenants",
            ),
            models.CheckConstraint(
                condition=~Q(kind="sector") | ~Q(sector=""),
                name="parks_organisation_sector_kind_has_a_sector",
            ),
            models.CheckConstraint(
                condition=Q(sector="") | Q(sector__in=sectors.DIVISION_CODES),
                name="parks_organisation_sector_is_an_isic_division",
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

    @staticmethod
    def absolute_urls():
        """``get_absolute_url`` for a page listing many organisations: a function of an
        organisation giving its address, the URL pattern reversed once (rather than once an
        organisation) and each slug put in its place (``symbiosis.addresses``)."""
        address_of = addresses("parks:organisation-detail", "slug")
        return lambda organisation: address_of(organisation.slug)

    @property
    def name(self):
        """Its name in the reader's language (``BilingualNameMixin``); a counterpart known only
        as a sector says it is one ("Sector: the cement industry") wherever it is named, so it
        is never read as a company's name."""
        name = super().name
        if self.kind == self.Kind.SECTOR:
            return _("Sector: %(name)s") % {"name": name}
        return name

    @property
    def label(self):
        """Its name, with its short name when the name does not contain it."""
        name = self.name
        if self.short_name and self.short_name.casefold() not in name.casefold():
            return f"{name} ({self.short_name})"
        return name

    @property
    def sector_division(self):
        """Its ISIC Rev. 4 division (``parks.sectors.Sector``), or None."""
        return sectors.division(self.sector)

    def clean(self):
        """The rules every way in (the staff's form, the admin) checks: a name in one language
        at least, a level for agencies only, a park for tenants only, a sector for a sector,
        a class code within its division, a Vietnamese province from the list, and no second
        organisation of the same name."""
        super().clean()
        errors = {}
        names = [name for name in (self.name_vi, self.name_en, self.name_own) if name]
        if not names:
            errors["name_en"] = ValidationError(
                _("Give the name in Vietnamese, in English, or in its own language."),
                code="no_name",
            )
        if self.name_own and not self.name_own_language:
            errors["name_own_language"] = ValidationError(
                _("Say which language that name is in."), code="own_name_without_language"
            )
        if self.level and self.kind and self.kind != self.Kind.AGENCY:
            errors["level"] = ValidationError(
                _("Only a government agency has a level."), code="level_not_for_kind"
            )
        if self.park_id and self.kind and self.kind not in self.TENANT_KINDS:
            errors["park"] = ValidationError(
                _(
                    "Only a company, a public utility or a research institution is located in "
                    "a park."
                ),
                code="park_not_for_kind",
            )
        if self.sector_code and sectors.CLASS_CODE.fullmatch(self.sector_code):
            if not self.sector:
                self.sector = sectors.division_of_code(self.sector_code) or ""
            if self.sector_code[:2] != self.sector:
                errors["sector_code"] = ValidationError(
                    _("A class code starts with its division's two digits (%(division)s)."),
                    params={"division": self.sector or "–"},
                    code="class_code_outside_division",
                )
        if self.kind == self.Kind.SECTOR and not self.sector:
            errors["sector"] = ValidationError(
                _("Choose the sector it stands for."), code="sector_without_sector"
            )
        if (error := self.province_error()) is not None:
            errors["province"] = error
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


# Who develops a park: a company, or a public utility or state-owned enterprise.
DEVELOPER_KINDS = [Organisation.Kind.COMPANY, Organisation.Kind.PUBLIC_UTILITY]

# Words the park pages' addresses use after /parks/: a park slugged so would be hidden by them.
RESERVED_PARK_SLUGS = frozenset({"new", "organisations", "map"})


def validate_park_slug(slug):
    if slug in RESERVED_PARK_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is a word the registry's addresses use: choose another slug."),
            params={"slug": slug},
            code="reserved_slug",
        )


class ParkQuerySet(models.QuerySet):
    def for_list_page(self):
        return self.select_related("developer", "managing_authority")

    def for_map(self):
        """What the map of parks and its list show of each park (``parks/park_map.py``)."""
        return self.only(
            "slug",
            "name_vi",
            "name_en",
            "country",
            "province",
            "eip_status",
            "latitude",
            "longitude",
        )

    def as_choices(self):
        """(slug, name) of each park, for a list to pick one from: its names read in one query
        rather than as a model each (the agreement list offers every park on every page)."""
        names = self.values_list("slug", "name_en", "name_vi")
        return [(slug, pick(english, vietnamese)) for slug, english, vietnamese in names]


class Park(
    CheckedInOneQueryMixin,
    VietnameseProvinceMixin,
    SearchTextMixin,
    BilingualNameMixin,
    models.Model,
):
    """A place whose organisations share resources: a fenced industrial park or zone, or a
    cluster or a whole municipality whose firms and utilities exchange across it."""

    searched_fields = ("name_vi", "name_en", "country_names")

    class Kind(models.TextChoices):
        INDUSTRIAL_PARK = "industrial_park", _("Industrial park")
        ECONOMIC_ZONE = "economic_zone", _("Economic zone")
        EXPORT_PROCESSING_ZONE = "export_processing", _("Export processing zone")
        INDUSTRIAL_CLUSTER = "industrial_cluster", _("Industrial cluster")
        MUNICIPALITY = "municipality", _("Municipality-wide symbiosis")

    class EipStatus(models.TextChoices):
        NOT_ASSESSED = "not_assessed", _("Not assessed")
        CONVENTIONAL = "conventional", _("Conventional industrial park")
        TRANSITIONING = "transitioning", _("Transitioning to an eco-industrial park")
        RECOGNISED = "recognised", _("Recognised eco-industrial park")

    name_vi = models.CharField(_("name in Vietnamese"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, validators=[validate_park_slug])
    kind = models.CharField(
        _("kind of place"), max_length=24, choices=Kind, default=Kind.INDUSTRIAL_PARK
    )
    country = CountryField(_("country"), default="VN")
    province = models.CharField(
        _("province or city"),
        max_length=100,
        help_text=_("In Viet Nam, one of its 34 provinces and centrally-run cities."),
    )
    developer = models.ForeignKey(
        Organisation,
        verbose_name=_("developer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="developed_parks",
        limit_choices_to={"kind__in": DEVELOPER_KINDS},
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
    # Empty for a park last saved before its changes were kept (parks 0004): its pages then
    # say nothing of when it changed rather than a made-up date.
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, null=True)

    objects = ParkQuerySet.as_manager()
    # Who changed what and when (agreements/history.py reads it, as an agreement's).
    history = HistoricalRecords(excluded_fields=["search_text"])

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

    def clean(self):
        """A Vietnamese park's province is one of today's 34 (the admin checks it)."""
        super().clean()
        if (error := self.province_error()) is not None:
            raise ValidationError({"province": error})


class ParkMembership(models.Model):
    """Park staff: a user who enters and edits the agreements of a park; a manager also invites
    the park's members, changes their roles and revokes their access."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="park_memberships",
    )
    park = models.ForeignKey(
        Park, verbose_name=_("park"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role, default=Role.STAFF)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("park membership")
        verbose_name_plural = _("park memberships")
        ordering = ["park", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "park"], name="parks_parkmembership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["staff", "manager"]), name="parks_parkmembership_role_valid"
            ),
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
