"""Quantities written in the reader's language: ``{{ flow.quantity|quantity }}`` shows
1.234,5 in Vietnamese and 1,234.5 in English.

Like ``floatformat:"-3g"``, but without the trailing zeros a stored decimal carries (a quantity
of 1234.5 is stored as 1234.500), so the figure reads as it was typed.
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def quantity(value, places=3):
    """``value`` grouped by thousands, with at most ``places`` decimals and none it does not
    need; "" for None or a value that is not a number."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(places)))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    decimals = max(0, -number.normalize().as_tuple().exponent)
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)
