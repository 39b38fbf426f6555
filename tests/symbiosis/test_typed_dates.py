"""Whole dates are typed and shown back in the reader's language, not the browser's
(symbiosis/typed_dates.py): Vietnamese day first (12/09/2023), English ISO (2023-09-12), and
never month first in either.

Messages are checked against what ``gettext`` gives in each language, so the tests pass
before and after the catalogue is compiled."""

import datetime
import re

import pytest
from django import forms
from django.utils import translation

from symbiosis.typed_dates import TypedDateField

D = datetime.date


class EndForm(forms.Form):
    ends_on = TypedDateField(required=False)


def message(language, text, **values):
    with translation.override(language):
        return translation.gettext(text) % values


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("vi", "12/09/2023", D(2023, 9, 12)),
        ("vi", "12-09-2023", D(2023, 9, 12)),
        ("vi", "12.09.2023", D(2023, 9, 12)),
        ("vi", "2023-09-12", D(2023, 9, 12)),  # ISO, as spreadsheets and scripts send
        ("en", "2023-09-12", D(2023, 9, 12)),
        ("en", "12/09/2023", D(2023, 9, 12)),  # day first, never the American month first
    ],
)
def test_a_typed_date_is_read_in_the_language_of_the_page(language, typed, expected):
    with translation.override(language):
        form = EndForm({"ends_on": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["ends_on"] == expected


@pytest.mark.parametrize(
    ("language", "pattern", "example"),
    [("vi", "dd/mm/yyyy", "12/09/2023"), ("en", "yyyy-mm-dd", "2023-09-12")],
)
@pytest.mark.parametrize("typed", ["31/02/2023", "09/31/2023", "next week", "2023-13-45"])
def test_a_bad_date_is_refused_with_the_pattern_to_type_in_the_readers_language(
    language, pattern, example, typed
):
    with translation.override(language):
        form = EndForm({"ends_on": typed})
        assert not form.is_valid()
        errors = [str(error) for error in form.errors["ends_on"]]

    expected = message(
        language,
        "This date could not be read: type it as %(pattern)s, for example %(example)s.",
        pattern=pattern,
        example=example,
    )
    assert errors == [expected]


@pytest.mark.parametrize(
    ("language", "shown", "placeholder"),
    [("vi", "12/09/2023", "dd/mm/yyyy"), ("en", "2023-09-12", "yyyy-mm-dd")],
)
def test_a_stored_date_is_shown_back_as_typed_in_a_text_box_named_with_its_pattern(
    language, shown, placeholder
):
    with translation.override(language):
        html = str(EndForm(initial={"ends_on": D(2023, 9, 12)})["ends_on"])

    assert 'type="text"' in html and 'type="date"' not in html
    assert f'value="{shown}"' in html
    assert f'placeholder="{placeholder}"' in html
    assert 'inputmode="numeric"' in html


def test_what_was_typed_wrong_is_shown_back_as_typed():
    with translation.override("vi"):
        html = str(EndForm({"ends_on": "31/02/2023"})["ends_on"])

    assert re.search(r'value="31/02/2023"', html)


def test_a_date_from_a_link_is_shown_in_the_readers_format():
    """The dashboard's links carry ISO dates; a Vietnamese reader sees them day first."""
    with translation.override("vi"):
        html = str(EndForm({"ends_on": "2023-09-12"})["ends_on"])

    assert 'value="12/09/2023"' in html
