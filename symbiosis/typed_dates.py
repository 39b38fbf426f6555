"""Whole dates typed as text, in the reader's language, whatever the browser's own locale.

A browser's ``<input type="date">`` shows its picker in the *browser's* locale (mm/dd/yyyy
on most machines), not the page's: a Vietnamese official on an English-language Windows
would read 09/12/2023 as the 9th of December. So a whole date is a text box: it shows the
stored date in the language's ``TYPED_DAY_FORMAT`` (12/09/2023 in Vietnamese, 2023-09-12 in
English), names that pattern as its placeholder and help, and reads back the language's
``DATE_INPUT_FORMATS`` (symbiosis/formats): day first or ISO, never month first.
Dates that may be known only to the month or year are ``partial_dates.PartialDateField``.
"""

import datetime

from django import forms
from django.utils import formats
from django.utils.functional import lazy
from django.utils.translation import gettext

from symbiosis.partial_dates import _format_named

EXAMPLE_DAY = datetime.date(2023, 9, 12)  # the founding agreement's signing day


def typed_day_format():
    """The ``strftime`` pattern a whole date is shown in for typing, in the active language."""
    return _format_named("TYPED_DAY_FORMAT", "%Y-%m-%d")


def typed_day_pattern():
    """That pattern as a reader writes it: "dd/mm/yyyy", "yyyy-mm-dd"."""
    return _format_named("TYPED_DAY_PATTERN", "yyyy-mm-dd")


def _invalid_message():
    return gettext(
        "This date could not be read: type it as %(pattern)s, for example %(example)s."
    ) % {
        "pattern": typed_day_pattern(),
        "example": EXAMPLE_DAY.strftime(typed_day_format()),
    }


def _help_text():
    return gettext("As %(pattern)s, for example %(example)s.") % {
        "pattern": typed_day_pattern(),
        "example": EXAMPLE_DAY.strftime(typed_day_format()),
    }


invalid_message = lazy(_invalid_message, str)
help_text = lazy(_help_text, str)


def _read(text):
    """The date ``text`` gives in one of the language's ``DATE_INPUT_FORMATS``, or ``None``."""
    for pattern in formats.get_format("DATE_INPUT_FORMATS"):
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


class TypedDateInput(forms.DateInput):
    """A text box for a whole date, shown in the active language's typed format."""

    input_type = "text"

    def __init__(self, attrs=None):
        attrs = {"inputmode": "numeric", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].setdefault("placeholder", typed_day_pattern())
        return context

    def format_value(self, value):
        """A date, or a text that reads as one (a link's ISO date, 12.09.2023), in the language's
        typed format; any other text as it was typed, so that it can be corrected."""
        if isinstance(value, str):
            value = _read(value) or value
        if isinstance(value, datetime.date):
            return value.strftime(typed_day_format())
        return super().format_value(value)


class TypedDateField(forms.DateField):
    """A whole date typed in the reader's language (``DATE_INPUT_FORMATS``), with an error
    that names the pattern to type."""

    widget = TypedDateInput
    default_error_messages = {"invalid": invalid_message()}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", help_text())
        super().__init__(**kwargs)
