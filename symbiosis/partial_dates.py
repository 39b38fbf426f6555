"""Dates as precise as their source: a day, a month or only a year.

A signed agreement from the 1970s may be known only as "1972", a start date only as
"September 2023". Such a date is kept as a ``DateField`` beside a ``Precision``, with the
unknown parts at their first value: a month is stored as its 1st, a year as its 1 January,
and the precision says how much of the stored date is known (``stored_date_fits``, the
constraint that keeps them consistent). Comparisons read the stored date, so a start known as
"1972" counts as starting on 1 January 1972, and a signing date known as "1972" falls in 1972
for every figure by year. Where the date is unknown (NULL) its precision says nothing and is
left at "day".

This module is the one home of the rule: the precisions, what a typed date may look like
(``parse``), how a page shows one (``format_partial``, the ``partial_date`` filter) and the form
field staff type them into (``PartialDateField``).
"""

import datetime
import re
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Func, Q
from django.db.models.lookups import Exact
from django.utils import formats
from django.utils.dateformat import format as format_date
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class PartialDate(NamedTuple):
    """A date and how much of it is known (the stored date carries 1s where it is not)."""

    date: datetime.date
    precision: str = Precision.DAY


class _DatePart(Func):
    """A part of a date as a number, in SQL that each database runs by itself.

    Django's own ``ExtractDay`` calls, on SQLite, a function Django registers on its own
    connections: a CHECK constraint using it could not be written by anything else (the
    ``sqlite3`` shell, the backup's ``VACUUM``). SQLite stores a date as ISO text, so the part is
    read from its place in the text instead; every other database has EXTRACT."""

    arity = 1
    output_field = models.IntegerField()
    part = ""  # DAY or MONTH
    offset = 0  # where the part starts in "YYYY-MM-DD", counted from 1

    def as_sql(self, compiler, connection, **extra):
        extra["template"] = f"EXTRACT({self.part} FROM %(expressions)s)"
        return super().as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        extra["template"] = f"CAST(substr(%(expressions)s, {self.offset}, 2) AS integer)"
        return super().as_sql(compiler, connection, **extra)


class DayOfMonth(_DatePart):
    part, offset = "DAY", 9


class MonthOfYear(_DatePart):
    part, offset = "MONTH", 6


def stored_date_fits(field):
    """The condition that a stored date fits its precision (``<field>_precision``): a month
    is stored as its 1st, a year as its 1 January; any date may be day-precise, and an unknown
    date (NULL) fits any precision."""
    precision = f"{field}_precision"
    first_day = Exact(DayOfMonth(field), 1)
    return (
        Q(**{f"{field}__isnull": True})
        | Q(**{precision: Precision.DAY})
        | Q(first_day, **{precision: Precision.MONTH})
        | Q(first_day, Exact(MonthOfYear(field), 1), **{precision: Precision.YEAR})
    )


def truncated(day, precision):
    """``day`` with the parts its precision does not know set to their first value."""
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return day.replace(day=1)
    return day


# What may be typed, in every language: a year; a month as 09/2023, 9/2023 or 2023-09; a day
# as 12/09/2023 (day first, as Vietnamese documents write it; also with dashes or dots) or
# 2023-09-12 (ISO, what browsers and spreadsheets send).
_YEAR = re.compile(r"^(?P<year>\d{4})$")
_MONTH = [
    re.compile(r"^(?P<month>\d{1,2})[/.-](?P<year>\d{4})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"),
]
_DAY = [
    re.compile(r"^(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})$"),
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
]
# Years a registry of agreements can hold: no agreement was signed before 1900.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def parse(text):
    """The ``PartialDate`` typed in ``text``, or ``None`` if it is not a year, a month or a
    day of one of the accepted forms (or not a real date, like 31/02/2023)."""
    text = text.strip()
    candidates = [(_YEAR, Precision.YEAR)]
    candidates += [(pattern, Precision.MONTH) for pattern in _MONTH]
    candidates += [(pattern, Precision.DAY) for pattern in _DAY]
    for pattern, precision in candidates:
        match = pattern.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["year"])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return None
        try:
            day = datetime.date(year, int(parts.get("month", 1)), int(parts.get("day", 1)))
        except ValueError:
            return None
        return PartialDate(day, precision)
    return None


def _format_named(name, fallback, lang=None):
    """A format of this project's own (``symbiosis/formats``) that Django's ``get_format``
    does not know by name, in the active language, else ``fallback``."""
    for module in formats.get_format_modules(lang or get_language()):
        if hasattr(module, name):
            return getattr(module, name)
    return fallback


def format_partial(day, precision=Precision.DAY):
    """A date as pages show it, to its precision, in the reader's language: "1972"; "Sept.
    2023" or "09/2023"; a day in the language's ``DATE_FORMAT``. Never an invented day."""
    if day is None:
        return ""
    if precision == Precision.YEAR:
        return str(day.year)
    if precision == Precision.MONTH:
        return format_date(day, _format_named("MONTH_PRECISION_FORMAT", "N Y"))
    return formats.date_format(day, "DATE_FORMAT")


def format_typed(day, precision=Precision.DAY):
    """A date as it is typed back into the form, to its precision, in the reader's language:
    "1972"; "09/2023" or "2023-09"; "12/09/2023" or "2023-09-12" (both forms are read back)."""
    if day is None:
        return ""
    if precision == Precision.YEAR:
        return str(day.year)
    name = "TYPED_MONTH_FORMAT" if precision == Precision.MONTH else "TYPED_DAY_FORMAT"
    fallback = "%Y-%m" if precision == Precision.MONTH else "%Y-%m-%d"
    return day.strftime(_format_named(name, fallback))


def partial_iso(day, precision=Precision.DAY):
    """A date in ISO 8601's form for its precision: "1972", "2023-09", "2023-09-12"."""
    if precision == Precision.YEAR:
        return f"{day.year:04d}"
    if precision == Precision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


class PartialDateInput(forms.TextInput):
    """A plain text box, not a date picker: a picker drops what it cannot read (a year, a
    month), and a form sent back with an error must show exactly what was typed."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, PartialDate):
            return format_typed(value.date, value.precision)
        if isinstance(value, datetime.date):
            return format_typed(value)
        return super().format_value(value)


class PartialDateField(forms.Field):
    """A date typed as a year, a month or a day (see ``parse``), cleaned to a
    ``PartialDate`` (``None`` when left blank and not required)."""

    widget = PartialDateInput
    default_error_messages = {
        "invalid": _(
            "Type a year (1972), a month (09/2023) or a day (12/09/2023 or 2023-09-12); "
            "this one could not be read."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("A year, a month or a day: 1972, 09/2023, 12/09/2023 (day first) or 2023-09-12."),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        """A stored date as it is typed (``format_typed``); what was typed, as it was typed."""
        if isinstance(value, PartialDate):
            return format_typed(value.date, value.precision)
        if isinstance(value, datetime.date):
            return format_typed(value)
        return value

    def to_python(self, value):
        if isinstance(value, PartialDate) or value is None:
            return value
        if isinstance(value, datetime.date):
            return PartialDate(value)
        text = str(value).strip()
        if not text:
            return None
        parsed = parse(text)
        if parsed is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


class PartialDatesFormMixin:
    """For a model form over a model whose ``partial_date_fields`` (date field names) each
    have a ``<name>_precision`` field: the dates are typed into ``PartialDateField``s, shown
    at their precision when editing, and cleaned into the date and ``<name>_precision``."""

    partial_date_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.partial_date_fields:
            if name not in self.fields:
                continue
            old = self.fields[name]
            self.fields[name] = PartialDateField(
                label=old.label, required=old.required, disabled=old.disabled
            )
            stored = getattr(self.instance, name, None)
            if name not in self.initial or self.initial.get(name) == stored:
                self.initial[name] = (
                    PartialDate(stored, getattr(self.instance, f"{name}_precision"))
                    if stored is not None
                    else None
                )

    def clean(self):
        cleaned = super().clean()
        for name in self.partial_date_fields:
            if name not in self.fields or name not in cleaned:
                continue
            value = cleaned[name]
            precision = value.precision if isinstance(value, PartialDate) else Precision.DAY
            cleaned[name] = value.date if isinstance(value, PartialDate) else None
            # In the cleaned data for whoever saves them (``services.save_agreement``), and on
            # the instance for the model's own validation of its constraints, which follows.
            cleaned[f"{name}_precision"] = precision
            setattr(self.instance, f"{name}_precision", precision)
        return cleaned
