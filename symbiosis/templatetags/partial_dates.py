"""``{{ agreement.signed|partial_date }}``: a date shown to its precision in the reader's
language, "1972", "Sept. 2023" or "09/2023", never an invented day (``symbiosis.partial_dates``).
A plain date shows as a day; an unknown one as nothing, for the template to say so."""

from django import template

from symbiosis.partial_dates import PartialDate, format_partial

register = template.Library()


@register.filter
def partial_date(value):
    if isinstance(value, PartialDate):
        return format_partial(value.date, value.precision)
    return format_partial(value)
