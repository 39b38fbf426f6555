"""The tables of the open data package, each defined once: its rows (what the public may see)
and its fields (name, Table Schema type, description, and what the rows' query reads for it),
from which the CSV's header, its rows and its Table Schema are all made.

What is public is the public pages' rule, from its homes: verified agreements
(``Agreement.objects.public()``), their parties and flows, the accepted measured quantities of
those flows (``ReportedQuantity.PUBLIC_STATE``), and the confirmed organisations and resources
(``confirmed()``, ``symbiosis.confirmation``) they use. Parks have no review: every park is on
the public park list, so every park is in the package. A reference to a row that is not public
(a framework agreement still in draft, a flow made from a draft's flow, a park's developer not
yet confirmed) is left blank, so that every foreign key resolves and nothing unpublished is
named, not even by its id.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, When
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agreement,
    Party,
    ReportedQuantity,
    Resource,
    ResourceFlow,
    SymbiosisKind,
)
from agreements.units import Unit
from parks.models import Organisation, Park
from symbiosis.partial_dates import Precision

PUBLIC = Agreement.PUBLIC_STATE


@dataclass(frozen=True)
class Field:
    """A column: its name in the CSV and the schema, its Table Schema type, its description,
    what the rows' query reads for it (a field path or an expression; the name by default) and
    the codes it may hold (``enum``, for choices)."""

    name: str
    type: str
    description: str
    reads: object = None
    enum: tuple = ()
    required: bool = False

    def descriptor(self):
        schema = {"name": self.name, "type": self.type, "description": str(self.description)}
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            schema["constraints"] = constraints
        return schema


@dataclass(frozen=True)
class Table:
    """A table of the package: one CSV file and its Table Schema."""

    name: str
    title: str
    description: str
    rows: Callable  # () -> the public rows' queryset
    fields: tuple
    foreign_keys: tuple = ()  # (field, table, its field)
    primary_key: tuple = ("id",)

    @property
    def path(self):
        return f"{self.name}.csv"

    def header(self):
        return [column.name for column in self.fields]

    def schema(self):
        return {
            "fields": [column.descriptor() for column in self.fields],
            "primaryKey": list(self.primary_key),
            "foreignKeys": [
                {"fields": name, "reference": {"resource": table, "fields": target}}
                for name, table, target in self.foreign_keys
            ],
            "missingValues": [""],
        }

    def values(self, *, chunk_size):
        """Each public row as a tuple of its cells' values, in primary-key order, read in
        chunks: memory does not grow with the table."""
        # Computed under names of their own: a column may be named like the model's field
        # it replaces (``developer_id``, blank when the developer is not public).
        expressions = {
            f"computed_{column.name}": column.reads
            for column in self.fields
            if column.reads is not None and not isinstance(column.reads, str)
        }
        reads = [
            column.name
            if column.reads is None
            else column.reads
            if isinstance(column.reads, str)
            else f"computed_{column.name}"
            for column in self.fields
        ]
        return (
            self.rows()
            .annotate(**expressions)
            .order_by("pk")
            .values_list(*reads)
            .iterator(chunk_size=chunk_size)
        )


def _codes(choices):
    return tuple(value for value, _label in choices)


def _public_or_blank(path):
    """The id at ``path`` (a foreign key) when the row it names is public, else nothing."""
    return Case(When(**{f"{path}__review_state": PUBLIC}, then=F(f"{path}_id")), default=None)


def _confirmed_or_blank(path):
    return Case(When(**{f"{path}__confirmed_at__isnull": False}, then=F(f"{path}_id")))


def _boolean(condition):
    return Case(When(condition, then=True), default=False)


# The rows: one definition of what is public per table.


def public_agreements():
    return Agreement.objects.public()


def public_parties():
    return Party.objects.filter(
        agreement__review_state=PUBLIC, organisation__confirmed_at__isnull=False
    )


def public_flows():
    return ResourceFlow.objects.public().filter(
        resource__confirmed_at__isnull=False,
        provider__confirmed_at__isnull=False,
        receiver__confirmed_at__isnull=False,
    )


def public_measured_quantities():
    return ReportedQuantity.objects.filter(
        review_state=ReportedQuantity.PUBLIC_STATE, flow__in=public_flows().values("pk")
    )


def public_organisations():
    """The confirmed organisations the package names: parties to verified agreements, the
    providers and receivers of their flows, and parks' developers and managing authorities."""
    public_flow = ResourceFlow.objects.public()
    return Organisation.objects.confirmed().filter(
        Exists(public_parties().filter(organisation=OuterRef("pk")))
        | Exists(public_flow.filter(provider=OuterRef("pk")))
        | Exists(public_flow.filter(receiver=OuterRef("pk")))
        | Exists(Park.objects.filter(developer=OuterRef("pk")))
        | Exists(Park.objects.filter(managing_authority=OuterRef("pk")))
    )


def public_resources():
    """The confirmed resources the verified agreements' flows share."""
    return Resource.objects.confirmed().filter(
        Exists(ResourceFlow.objects.public().filter(resource=OuterRef("pk")))
    )


def public_parks():
    return Park.objects.all()


ID = Field("id", "integer", _("The row's identifier in the registry."), required=True)
SLUG = Field("slug", "string", _("The last part of its page's address on the registry."))
NAME_VI = Field("name_vi", "string", _("Its name in Vietnamese (blank when not recorded)."))
NAME_EN = Field("name_en", "string", _("Its name in English (blank when not recorded)."))
COUNTRY = Field("country", "string", _("Its country: an ISO 3166-1 alpha-2 code."))
PROVINCE = Field("province", "string", _("Its province or city."))
WEBSITE = Field("website", "string", _("Its website."))
UNIT = Field(
    "unit",
    "string",
    _("The unit of the quantity (a code of the registry)."),
    enum=_codes(Unit.choices),
)
NOTES_VI = Field("notes_vi", "string", _("Notes in Vietnamese."))
NOTES_EN = Field("notes_en", "string", _("Notes in English."))
PRECISIONS = _codes(Precision.choices)
SYMBIOSIS_KINDS = _codes(SymbiosisKind.choices)


TABLES = (
    Table(
        "parks",
        _("Parks"),
        _(
            "Every park, economic zone, cluster or municipality-wide symbiosis in the registry, "
            "as the public park list shows them."
        ),
        public_parks,
        (
            ID,
            SLUG,
            NAME_VI,
            NAME_EN,
            Field("kind", "string", _("The kind of place."), enum=_codes(Park.Kind.choices)),
            COUNTRY,
            PROVINCE,
            Field(
                "developer_id",
                "integer",
                _("The organisation that develops the park (organisations.id)."),
                _confirmed_or_blank("developer"),
            ),
            Field(
                "managing_authority_id",
                "integer",
                _("The agency that manages the park (organisations.id)."),
                _confirmed_or_blank("managing_authority"),
            ),
            Field("area_ha", "number", _("Its area in hectares.")),
            Field("established_year", "integer", _("The year it was established.")),
            Field(
                "eip_status",
                "string",
                _("Its eco-industrial park status."),
                enum=_codes(Park.EipStatus.choices),
            ),
            Field("latitude", "number", _("Latitude in decimal degrees (WGS 84).")),
            Field("longitude", "number", _("Longitude in decimal degrees (WGS 84).")),
            WEBSITE,
        ),
        foreign_keys=(
            ("developer_id", "organisations", "id"),
            ("managing_authority_id", "organisations", "id"),
        ),
    ),
    Table(
        "organisations",
        _("Organisations"),
        _(
            "The confirmed organisations the verified agreements name (parties, providers, "
            "receivers) and the parks' developers and managing authorities."
        ),
        public_organisations,
        (
            ID,
            SLUG,
            Field(
                "kind",
                "string",
                _("The kind of organisation."),
                enum=_codes(Organisation.Kind.choices),
            ),
            NAME_VI,
            NAME_EN,
            Field("name_own", "string", _("Its name in its own language, when neither.")),
            Field(
                "name_own_language",
                "string",
                _("The language of that name (a BCP 47 code)."),
            ),
            Field("short_name", "string", _("Its short name.")),
            COUNTRY,
            PROVINCE,
            WEBSITE,
            Field("sector", "string", _("Its division of ISIC Rev. 4 (two digits).")),
            Field("sector_code", "string", _("Its ISIC or VSIC class, finer than the sector.")),
            Field("sector_classification", "string", _("The classification of that class.")),
            Field("park_id", "integer", _("The park it is located in (parks.id).")),
            Field(
                "level",
                "string",
                _("An agency's level."),
                enum=_codes(Organisation.Level.choices),
            ),
            Field("jurisdiction", "string", _("An agency's jurisdiction.")),
        ),
        foreign_keys=(("park_id", "parks", "id"),),
    ),
    Table(
        "resources",
        _("Resources"),
        _("The confirmed resources the verified agreements share: energy, water, materials..."),
        public_resources,
        (
            ID,
            SLUG,
            NAME_VI,
            NAME_EN,
            Field(
                "category",
                "string",
                _("Its category."),
                enum=_codes(Resource.Category.choices),
            ),
            Field(
                "unit",
                "string",
                _("The unit its emission factor is per (a code of the registry)."),
                enum=_codes(Unit.choices),
            ),
            Field("description", "string", _("What it is.")),
            Field("waste_code", "string", _("Its European List of Waste code.")),
            Field(
                "emission_factor",
                "number",
                _("kg CO2e avoided per unit of it: the factor in force."),
            ),
            Field("emission_factor_source", "string", _("The source of that factor.")),
            Field("baseline_vi", "string", _("What it replaces, in Vietnamese.")),
            Field("baseline_en", "string", _("What it replaces, in English.")),
        ),
    ),
    Table(
        "agreements",
        _("Agreements"),
        _("The verified agreements: drafts and agreements awaiting verification are never in it."),
        public_agreements,
        (
            ID,
            Field(
                "reference", "string", _("Its reference, unique in the registry."), required=True
            ),
            Field("title_vi", "string", _("Its title in Vietnamese.")),
            Field("title_en", "string", _("Its title in English.")),
            Field(
                "kind", "string", _("The kind of agreement."), enum=_codes(Agreement.Kind.choices)
            ),
            Field(
                "symbiosis_kind",
                "string",
                _("Its kind of symbiosis as Circular 05/2025 defines them."),
                enum=SYMBIOSIS_KINDS,
            ),
            Field(
                "symbiosis_kind_confirmed",
                "boolean",
                _("Whether an official confirmed that kind."),
                _boolean(Q(symbiosis_kind_confirmed_at__isnull=False)),
            ),
            Field("park_id", "integer", _("Its park (parks.id)."), required=True),
            Field("summary_vi", "string", _("Its summary in Vietnamese.")),
            Field("summary_en", "string", _("Its summary in English.")),
            Field(
                "signed_on",
                "date",
                _("When it was signed; a date known to the month or year is its first day."),
            ),
            Field(
                "signed_on_precision",
                "string",
                _("How precise the signing date is: to the day, the month or the year."),
                enum=PRECISIONS,
            ),
            Field("signed_at_vi", "string", _("Where it was signed, in Vietnamese.")),
            Field("signed_at_en", "string", _("Where it was signed, in English.")),
            Field("starts_on", "date", _("When it starts (blank when not recorded).")),
            Field(
                "starts_on_precision",
                "string",
                _("How precise the start date is."),
                enum=PRECISIONS,
            ),
            Field("ends_on", "date", _("When it ends (blank when open-ended).")),
            Field("terminated_on", "date", _("When it was terminated, if it was.")),
            Field(
                "framework_id",
                "integer",
                _("The framework agreement it was made under (agreements.id)."),
                _public_or_blank("framework"),
            ),
            Field(
                "amends_id",
                "integer",
                _("The earlier agreement it amends, renews or replaces (agreements.id)."),
                _public_or_blank("amends"),
            ),
            Field(
                "amendment_kind",
                "string",
                _("Whether it amends, renews or replaces that agreement."),
                enum=_codes(Agreement.AmendmentKind.choices),
            ),
            Field(
                "verified_at",
                "datetime",
                _("When an official verified it (UTC)."),
                F("reviewed_at"),
            ),
        ),
        foreign_keys=(
            ("park_id", "parks", "id"),
            ("framework_id", "agreements", "id"),
            ("amends_id", "agreements", "id"),
        ),
    ),
    Table(
        "parties",
        _("Parties"),
        _("Who is party to each verified agreement, in which role."),
        public_parties,
        (
            ID,
            Field("agreement_id", "integer", _("The agreement (agreements.id)."), required=True),
            Field(
                "organisation_id",
                "integer",
                _("The organisation (organisations.id)."),
                required=True,
            ),
            Field("role", "string", _("Its role."), enum=_codes(Party.Role.choices)),
            Field("representative_name", "string", _("Who signed for it.")),
            Field("representative_title_vi", "string", _("Their title, in Vietnamese.")),
            Field("representative_title_en", "string", _("Their title, in English.")),
        ),
        foreign_keys=(
            ("agreement_id", "agreements", "id"),
            ("organisation_id", "organisations", "id"),
        ),
    ),
    Table(
        "flows",
        _("Resource flows"),
        _(
            "What each verified agreement shares: a resource from a provider to a receiver, "
            "with the quantity agreed."
        ),
        public_flows,
        (
            ID,
            Field("agreement_id", "integer", _("The agreement (agreements.id)."), required=True),
            Field("resource_id", "integer", _("The resource (resources.id)."), required=True),
            Field("provider_id", "integer", _("The provider (organisations.id)."), required=True),
            Field("receiver_id", "integer", _("The receiver (organisations.id)."), required=True),
            Field(
                "direction",
                "string",
                _("One-way, or mutual (both ways)."),
                enum=_codes(ResourceFlow.Direction.choices),
            ),
            Field("quantity", "number", _("The quantity agreed, per period.")),
            UNIT,
            Field(
                "period",
                "string",
                _("The quantity's period: one-off, per month or per year."),
                enum=_codes(ResourceFlow.Period.choices),
            ),
            NOTES_VI,
            NOTES_EN,
            Field(
                "made_from_id",
                "integer",
                _("The flow this one is made from, in a chain (flows.id)."),
                Case(
                    When(made_from__agreement__review_state=PUBLIC, then=F("made_from_id")),
                    default=None,
                ),
            ),
            Field(
                "symbiosis_kind",
                "string",
                _("Its own kind of symbiosis, where it differs from its agreement's."),
                enum=SYMBIOSIS_KINDS,
            ),
            Field("baseline_vi", "string", _("Its own baseline, in Vietnamese.")),
            Field("baseline_en", "string", _("Its own baseline, in English.")),
            Field(
                "claimed_by",
                "string",
                _("Which party claims the avoided emissions."),
                enum=_codes(ResourceFlow.Claimant.choices),
            ),
        ),
        foreign_keys=(
            ("agreement_id", "agreements", "id"),
            ("resource_id", "resources", "id"),
            ("provider_id", "organisations", "id"),
            ("receiver_id", "organisations", "id"),
            ("made_from_id", "flows", "id"),
        ),
    ),
    Table(
        "measured_quantities",
        _("Measured quantities"),
        _(
            "What the flows actually carried, for a year or a month, as reported by the park "
            "and accepted by an official."
        ),
        public_measured_quantities,
        (
            ID,
            Field("flow_id", "integer", _("The flow (flows.id)."), required=True),
            Field("year", "integer", _("The year."), required=True),
            Field("month", "integer", _("The month (1-12), blank for the whole year.")),
            Field("quantity", "number", _("The quantity measured."), required=True),
            UNIT,
            Field(
                "source",
                "string",
                _("Metered, invoiced or estimated."),
                enum=_codes(ReportedQuantity.Source.choices),
            ),
            NOTES_VI,
            NOTES_EN,
            Field(
                "accepted_at",
                "datetime",
                _("When an official accepted it (UTC)."),
                F("reviewed_at"),
            ),
        ),
        foreign_keys=(("flow_id", "flows", "id"),),
    ),
)

BY_NAME = {table.name: table for table in TABLES}


def cell(value):
    """A value read from the database as Table Schema's default formats write it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value
