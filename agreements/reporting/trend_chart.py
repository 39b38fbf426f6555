"""The dashboard's trends as a time chart: per year, the verified agreements signed in it and
those in force in it (``dashboard.trends``), two columns a year side by side, never stacked.

The geometry is computed here and drawn by ``templates/reporting/_trend_chart.html`` (the
template escapes every text). The chart is drawn at its own size in pixels and never scaled
down, so its text stays at 12 px on a phone: it is as wide as its years need (``SLOT`` each),
and where the page is narrower its figure scrolls sideways inside a labelled region, not the
page. Its legend is the figure's HTML, which wraps in any language; its table, beneath, holds
the same figures (the text alternative screen readers read).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from agreements.templatetags.quantities import quantity as format_number

HEIGHT = 170
LEFT = 44  # room for the axis' figures
RIGHT = 8
TOP = 12
BOTTOM = 24  # room for the years
SLOT = 48  # per year
BAR = 16
FONT_SIZE = 12  # never less: the chart is not scaled down
# WCAG 2.1 AA for graphics (3:1 on white) and for text (4.5:1): both are darker than that.
SIGNED_COLOUR = "#0a58ca"
IN_FORCE_COLOUR = "#146c43"


@dataclass(frozen=True)
class Column:
    x: float
    y: float
    height: float
    colour: str
    label: str  # e.g. "2023, signed: 4", its tooltip


@dataclass(frozen=True)
class Year:
    year: int
    middle: float
    columns: tuple


@dataclass(frozen=True)
class TrendChart:
    slug: str
    title: str
    width: int
    height: int
    base: int  # the axis' y
    top: int
    left: int
    right: int
    peak: int
    peak_shown: str
    years: tuple
    summary: str  # the chart in words, its <desc>
    series: tuple  # (label, colour), its legend
    rows: tuple  # dashboard.TrendYear, the table's
    font_size: int = FONT_SIZE
    bar: int = BAR


def trend_chart(rows, *, slug="trends"):
    """The ``TrendChart`` of ``rows`` (``dashboard.TrendYear``, oldest first), labelled in the
    reader's language."""
    signed_label, in_force_label = _("Signed in the year"), _("In force during the year")
    peak = max((max(row.signed, row.in_force) for row in rows), default=0)
    width = LEFT + SLOT * max(len(rows), 1) + RIGHT
    plot = HEIGHT - TOP - BOTTOM
    base = TOP + plot
    years = []
    for index, row in enumerate(rows):
        middle = LEFT + SLOT * index + SLOT / 2
        columns = []
        for offset, value, colour, label in (
            (-BAR - 1, row.signed, SIGNED_COLOUR, signed_label),
            (1, row.in_force, IN_FORCE_COLOUR, in_force_label),
        ):
            height = round(value / peak * plot, 1) if peak else 0
            if value and height < 2:  # a count above zero always shows as a sliver
                height = 2
            columns.append(
                Column(
                    x=round(middle + offset, 1),
                    y=round(base - height, 1),
                    height=height,
                    colour=colour,
                    label=f"{row.year}, {label}: {format_number(value)}",
                )
            )
        years.append(Year(year=row.year, middle=round(middle, 1), columns=tuple(columns)))
    summary = "; ".join(
        f"{row.year}: {signed_label} {format_number(row.signed)}, "
        f"{in_force_label} {format_number(row.in_force)}"
        for row in rows
    )
    return TrendChart(
        slug=slug,
        title=_("Verified agreements signed and in force, year by year"),
        width=width,
        height=HEIGHT,
        base=base,
        top=TOP,
        left=LEFT,
        right=width - RIGHT,
        peak=peak,
        peak_shown=format_number(peak),
        years=tuple(years),
        summary=summary,
        series=((signed_label, SIGNED_COLOUR), (in_force_label, IN_FORCE_COLOUR)),
        rows=tuple(rows),
    )
