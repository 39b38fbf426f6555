"""The columns an import reads: the export's flow columns (``exports.flow_columns``), known by
their headers in English or in Vietnamese, each by its English header (its key). The computed
ones (annual quantities, CO2e, the review state...) are not read: what they say follows from
the others.

Choice cells are read by their labels in either language, or by their stored values, case and
spacing ignored."""

import datetime
from functools import cache

from django.utils import translation

from agreements.models import Agreement, Party, Resource, ResourceFlow, SymbiosisKind
from agreements.reporting.exports import flow_columns

REFERENCE = "Reference"
TITLE = "Title"
PARK = "Park"
KIND = "Kind"
SYMBIOSIS_KIND = "Kind of symbiosis (Circular 05/2025)"
SIGNED_ON = "Signed on"
STARTS_ON = "Starts on"
ENDS_ON = "Ends on"
TERMINATED_ON = "Terminated on"
PARTIES = "Parties and roles"
PROVIDER = "Provider"
RESOURCE = "Resource"
CATEGORY = "Resource category"
RECEIVER = "Receiver"
DIRECTION = "Direction"
QUANTITY = "Quantity"
UNIT = "Unit"
PERIOD = "Period"
RESOURCE_UNIT = "Unit of the emission factor"
FLOW_SYMBIOSIS_KIND = "Kind of symbiosis of the flow"
CLAIMED_BY = "Avoided emissions claimed by"
FLOW_NUMBER = "Flow number"
MADE_FROM = "Made from flow"
FRAMEWORK = "Framework agreement"
AMENDS = "Earlier agreement"
AMENDMENT_KIND = "Relation to the earlier agreement"

# What is read, in the export's order.
READ = (
    REFERENCE,
    TITLE,
    PARK,
    KIND,
    SYMBIOSIS_KIND,
    SIGNED_ON,
    STARTS_ON,
    ENDS_ON,
    TERMINATED_ON,
    PARTIES,
    PROVIDER,
    RESOURCE,
    CATEGORY,
    RECEIVER,
    DIRECTION,
    QUANTITY,
    UNIT,
    PERIOD,
    RESOURCE_UNIT,
    FLOW_SYMBIOSIS_KIND,
    CLAIMED_BY,
    FLOW_NUMBER,
    MADE_FROM,
    FRAMEWORK,
    AMENDS,
    AMENDMENT_KIND,
)
# The flow's own columns: a row with all of them blank is an agreement with no flow.
FLOW_COLUMNS = (PROVIDER, RESOURCE, RECEIVER, QUANTITY)
LANGUAGES = ("en", "vi")
# Any day: the headers are looked up by their text, and the one column whose header holds the
# day ("Active on <date>") is computed, not read.
_ANY_DAY = datetime.date(2000, 1, 1)


def _normal(text):
    return " ".join(str(text).split()).casefold()


@cache
def _headers(language):
    with translation.override(language):
        return [column.header for column in flow_columns(today=_ANY_DAY)]


def header_keys():
    """{header as typed, normalised: key} for every column of the export, in both languages:
    the key is the English header, or None for a column that is not read."""
    english = _headers("en")
    keys = {}
    for language in LANGUAGES:
        for key, header in zip(english, _headers(language), strict=True):
            keys.setdefault(_normal(header), key if key in READ else None)
    return keys


def key_of(header, keys):
    """The key of the column with ``header`` (None: computed, not read; ``False``: unknown)."""
    return keys.get(_normal(header), False)


def template_headers():
    """The columns of the template file, in the reader's language: the export's."""
    return [column.header for column in flow_columns(today=datetime.date.today())]


CHOICES = {
    KIND: Agreement.Kind,
    SYMBIOSIS_KIND: SymbiosisKind,
    FLOW_SYMBIOSIS_KIND: SymbiosisKind,
    CATEGORY: Resource.Category,
    DIRECTION: ResourceFlow.Direction,
    UNIT: Resource.Unit,
    RESOURCE_UNIT: Resource.Unit,
    PERIOD: ResourceFlow.Period,
    CLAIMED_BY: ResourceFlow.Claimant,
    AMENDMENT_KIND: Agreement.AmendmentKind,
}


@cache
def _lookup(choices):
    found = {}
    for value, _label in choices.choices:
        found.setdefault(_normal(value), value)
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                found.setdefault(_normal(label), value)
    return found


def choice(key, text):
    """The stored value of the choice called ``text`` in column ``key``: "" for a blank cell,
    None for one that is no choice of the column."""
    if not text:
        return ""
    return _lookup(CHOICES[key]).get(_normal(text))


@cache
def role_labels():
    """{label: role} of the parties' roles in both languages, and their stored values."""
    found = {}
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in Party.Role.choices:
                found.setdefault(str(label), value)
    for value, _label in Party.Role.choices:
        found.setdefault(value, value)
    return found
