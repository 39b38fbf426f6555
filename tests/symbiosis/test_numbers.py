from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format

from symbiosis.numbers import numbers

VALUES = [0, 7, -12, 1234567, Decimal("12.5"), Decimal("-0.1"), Decimal("1234567.891")]


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("grouped", [False, True])
def test_a_number_is_written_as_the_templates_write_it(settings, language, grouped):
    settings.USE_THOUSAND_SEPARATOR = grouped
    with translation.override(language):
        written = numbers()

        assert [written(value) for value in VALUES] == [number_format(v) for v in VALUES]


def test_vietnamese_writes_a_decimal_comma():
    with translation.override("vi"):
        assert numbers()(Decimal("12.5")) == "12,5"
