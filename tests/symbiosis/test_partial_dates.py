"""Dates known to the day, the month or the year: what may be typed, how pages and the form
show them in each language (symbiosis/partial_dates.py)."""

import datetime

import pytest
from django import forms
from django.utils import translation

from symbiosis.partial_dates import (
    PartialDate,
    PartialDateField,
    Precision,
    format_partial,
    format_typed,
    parse,
    partial_iso,
    truncated,
)

DAY, MONTH, YEAR = Precision.DAY, Precision.MONTH, Precision.YEAR
D = datetime.date


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1972", PartialDate(D(1972, 1, 1), YEAR)),
        (" 1972 ", PartialDate(D(1972, 1, 1), YEAR)),
        ("09/2023", PartialDate(D(2023, 9, 1), MONTH)),
        ("9/2023", PartialDate(D(2023, 9, 1), MONTH)),
        ("2023-09", PartialDate(D(2023, 9, 1), MONTH)),
        ("12/09/2023", PartialDate(D(2023, 9, 12), DAY)),  # day first, in every language
        ("12-09-2023", PartialDate(D(2023, 9, 12), DAY)),
        ("12.09.2023", PartialDate(D(2023, 9, 12), DAY)),
        ("1/2/2023", PartialDate(D(2023, 2, 1), DAY)),
        ("2023-09-12", PartialDate(D(2023, 9, 12), DAY)),  # ISO
        ("29/02/2024", PartialDate(D(2024, 2, 29), DAY)),
        ("１９７２", PartialDate(D(1972, 1, 1), YEAR)),  # full-width digits, from an IME
    ],
)
def test_what_is_read(typed, expected):
    assert parse(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "72",
        "Sept 1972",
        "12 September",
        "13/2023",  # no 13th month
        "2023-13",
        "2023-02-30",
        "31/04/2023",
        "29/02/2023",
        "12/09/23",  # a two-digit year is ambiguous across a century of agreements
        "0999",
        "1899",  # before any agreement
        "2023/09/12",
        "09/12/2023/1",
    ],
)
def test_what_is_not_read(typed):
    assert parse(typed) is None


@pytest.mark.parametrize(
    ("day", "precision", "english", "vietnamese"),
    [
        (D(1972, 1, 1), YEAR, "1972", "1972"),
        (D(2023, 9, 1), MONTH, "Sept. 2023", "09/2023"),
        (D(2023, 9, 12), DAY, "Sept. 12, 2023", "12/09/2023"),
    ],
)
def test_pages_show_a_date_to_its_precision_in_the_readers_language(
    day, precision, english, vietnamese
):
    with translation.override("en"):
        assert format_partial(day, precision) == english
    with translation.override("vi"):
        assert format_partial(day, precision) == vietnamese


@pytest.mark.parametrize(
    ("day", "precision", "english", "vietnamese"),
    [
        (D(1972, 1, 1), YEAR, "1972", "1972"),
        (D(2023, 9, 1), MONTH, "2023-09", "09/2023"),
        (D(2023, 9, 12), DAY, "2023-09-12", "12/09/2023"),
    ],
)
def test_the_form_gives_a_date_back_as_it_can_be_typed_again(day, precision, english, vietnamese):
    for language, shown in [("en", english), ("vi", vietnamese)]:
        with translation.override(language):
            assert format_typed(day, precision) == shown
            assert parse(shown) == PartialDate(day, precision)


def test_an_unknown_date_shows_as_nothing():
    assert format_partial(None) == ""
    assert format_typed(None) == ""


def test_iso_forms_for_exports():
    assert partial_iso(D(1972, 1, 1), YEAR) == "1972"
    assert partial_iso(D(2023, 9, 1), MONTH) == "2023-09"
    assert partial_iso(D(2023, 9, 12), DAY) == "2023-09-12"


def test_truncated_keeps_only_what_the_precision_knows():
    assert truncated(D(2023, 9, 12), YEAR) == D(2023, 1, 1)
    assert truncated(D(2023, 9, 12), MONTH) == D(2023, 9, 1)
    assert truncated(D(2023, 9, 12), DAY) == D(2023, 9, 12)


class DatesForm(forms.Form):
    signed_on = PartialDateField(required=False)
    starts_on = PartialDateField()


def test_the_field_cleans_to_a_date_and_its_precision():
    form = DatesForm(data={"signed_on": "1972", "starts_on": "09/2023"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "signed_on": PartialDate(D(1972, 1, 1), YEAR),
        "starts_on": PartialDate(D(2023, 9, 1), MONTH),
    }


def test_blank_is_unknown_unless_required():
    form = DatesForm(data={"signed_on": "", "starts_on": ""})

    assert not form.is_valid()
    assert form.cleaned_data["signed_on"] is None
    assert form.errors["starts_on"] == ["This field is required."]


def test_what_cannot_be_read_is_refused_with_a_message_and_given_back_as_typed():
    form = DatesForm(data={"signed_on": "Sept 1972", "starts_on": "31/02/2023"})

    assert not form.is_valid()
    message = (
        "Type a year (1972), a month (09/2023) or a day (12/09/2023 or 2023-09-12); this one "
        "could not be read."
    )
    assert form.errors == {"signed_on": [message], "starts_on": [message]}
    html = str(form)
    assert 'value="Sept 1972"' in html
    assert 'value="31/02/2023"' in html


def test_a_year_typed_is_given_back_as_typed_when_another_field_fails():
    form = DatesForm(data={"signed_on": "1972", "starts_on": "nonsense"})

    assert not form.is_valid()
    assert 'value="1972"' in str(form["signed_on"])


def test_the_field_is_a_plain_text_box_with_a_hint_in_the_readers_language():
    form = DatesForm()
    html = str(form["signed_on"])

    assert 'type="text"' in html
    assert 'type="date"' not in html
    assert "1972, 09/2023, 12/09/2023 (day first) or 2023-09-12" in str(form)


def test_a_stored_date_is_shown_at_its_precision():
    form = DatesForm(initial={"signed_on": PartialDate(D(1972, 1, 1), YEAR)})

    assert 'value="1972"' in str(form["signed_on"])
    assert form["signed_on"].value() == "1972"
