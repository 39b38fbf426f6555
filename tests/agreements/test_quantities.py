"""Quantities read as they were typed, grouped the reader's way."""

from decimal import Decimal

import pytest
from django.utils import translation

from agreements.templatetags.quantities import quantity


@pytest.mark.parametrize(
    ("value", "places", "english", "vietnamese"),
    [
        (Decimal("1234.500"), 3, "1,234.5", "1.234,5"),
        (Decimal("1200.000"), 3, "1,200", "1.200"),
        (Decimal("0.125"), 3, "0.125", "0,125"),
        (Decimal("2.345678"), 3, "2.346", "2,346"),
        (Decimal("681.0000"), 4, "681", "681"),
        (Decimal("1234567.25"), 2, "1,234,567.25", "1.234.567,25"),
        (12, 3, "12", "12"),
    ],
)
def test_a_quantity_keeps_only_the_decimals_it_needs(value, places, english, vietnamese):
    with translation.override("en"):
        assert quantity(value, places) == english
    with translation.override("vi"):
        assert quantity(value, places) == vietnamese


@pytest.mark.parametrize("value", [None, "", "many"])
def test_no_quantity_shows_nothing(value):
    assert quantity(value) == ""
