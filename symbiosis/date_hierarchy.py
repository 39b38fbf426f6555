"""The admin's date hierarchy (``ModelAdmin.date_hierarchy``), refusing a period no date has."""

import datetime

from django.core.exceptions import BadRequest


def period_of(params, field):
    """The first day of the year, month or day that ``?<field>__year=...&<field>__month=...``
    names, and the first day after it, as the admin's changelist filters them; BadRequest for
    one that no date has: a year past 9998 (the year 9999 has no year after it), a month 13,
    30 February, a word. None when the address names no period."""
    year = params.get(f"{field}__year")
    if year is None:
        return None
    month, day = params.get(f"{field}__month"), params.get(f"{field}__day")
    try:
        start = datetime.date(int(year), int(month or 1), int(day or 1))
        if day:
            end = start + datetime.timedelta(days=1)
        elif month:
            end = (start + datetime.timedelta(days=32)).replace(day=1)
        else:
            end = start.replace(year=start.year + 1)
    except (ValueError, OverflowError):
        raise BadRequest(f"No date has the period {year}-{month}-{day}.") from None
    return start, end


class BoundedDateHierarchyMixin:
    """For a ``ModelAdmin`` with a ``date_hierarchy``: a period no date has is a bad request
    (400, in the visitor's language), not a server error (the year 9999, whose end Django's
    changelist cannot compute) nor a silent redirect to the whole list (``?year=99999999``)."""

    def changelist_view(self, request, extra_context=None):
        if self.date_hierarchy:
            period_of(request.GET, self.date_hierarchy)
        return super().changelist_view(request, extra_context)
