"""The dashboard's trends as a time chart: per year, the verified agreements signed in it and
those in force in it (``dashboard.trends``), two columns a year side by side, never stacked.

``trend_chart_svg`` is a pure function, as ``agreements.year_chart`` draws its charts (markup
built here, every text escaped: a template looping over the columns costs several times as
much, on a page held to a few milliseconds). The chart is drawn at its own size in pixels and
never scaled down, so its text stays at 12 px on a phone: it is as wide as its years need
(``SLOT`` each), and where the page is narrower its figure scrolls sideways inside a labelled
region, not the page (``templates/reporting/_trend_chart.html``). Its legend is the figure's
HTML, which wraps in any language; its table, beneath, holds the same figures (the text
alternative screen readers read).
"""

from dataclasses import dataclass
from functools import cached_property

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


def _number(value):
    return number_format(value, decimal_pos=0, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class TrendChart:
    slug: str  # makes the ids in the markup unique on the page and deterministic
    title: str
    rows: tuple  # dashboard.TrendYear, oldest first: the chart's years and its table's rows
    series: tuple  # (label, colour) of each column of a year, its legend

    def svg(self):
        return trend_chart_svg(self)

    # What the template says of the chart, written here (a {% blocktranslate %} costs more).
    @property
    def scroll_label(self):
        return _("%(title)s: the chart, which scrolls sideways on a narrow screen") % {
            "title": self.title
        }

    @property
    def caption(self):
        return _("%(title)s: the figures in the chart") % {"title": self.title}

    @cached_property
    def years(self):
        """(year, signed, in force) as the chart and its table write them (in the reader's
        language): each written once for both."""
        return [(row.year, _number(row.signed), _number(row.in_force)) for row in self.rows]


def trend_chart(rows, *, slug="trends"):
    """The ``TrendChart`` of ``rows`` (``dashboard.TrendYear``, oldest first), labelled in the
    reader's language."""
    return TrendChart(
        slug=slug,
        title=_("Verified agreements signed and in force, year by year"),
        rows=tuple(rows),
        series=(
            (_("Signed in the year"), SIGNED_COLOUR),
            (_("In force during the year"), IN_FORCE_COLOUR),
        ),
    )


def trend_chart_svg(chart):
    """The chart as an ``<svg>`` element (a safe string) at its own size: per year a column of
    the agreements signed and one of those in force, their heights proportional to the counts,
    the years beneath and the peak on the axis."""
    (signed_label, _colour), (in_force_label, _colour) = chart.series
    peak = max((max(row.signed, row.in_force) for row in chart.rows), default=0)
    width = LEFT + SLOT * max(len(chart.rows), 1) + RIGHT
    plot = HEIGHT - TOP - BOTTOM
    base = TOP + plot
    slug = escape(chart.slug)
    title_id, desc_id = f"trend-chart-{slug}-title", f"trend-chart-{slug}-desc"
    signed_text, in_force_text = escape(signed_label), escape(in_force_label)
    shown = [
        (row, signed, in_force)
        for row, (_year, signed, in_force) in zip(chart.rows, chart.years, strict=True)
    ]
    summary = "; ".join(
        f"{row.year}: {signed_text} {signed}, {in_force_text} {in_force}"
        for row, signed, in_force in shown
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend-chart" role="img" '
        f'font-family="system-ui, sans-serif" font-size="{FONT_SIZE}" fill="#212529" '
        f'viewBox="0 0 {width} {HEIGHT}" width="{width}" height="{HEIGHT}" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{summary}</desc>',
        f'<line x1="{LEFT}" y1="{base}" x2="{width - RIGHT}" y2="{base}" stroke="#6c757d" '
        'stroke-width="1"></line>',
        f'<text x="{LEFT - 6}" y="{base}" text-anchor="end">0</text>',
    ]
    if peak:
        parts += [
            f'<line x1="{LEFT}" y1="{TOP}" x2="{width - RIGHT}" y2="{TOP}" stroke="#adb5bd" '
            'stroke-width="1" stroke-dasharray="4 3"></line>',
            f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{_number(peak)}</text>',
        ]
    for index, (row, signed, in_force) in enumerate(shown):
        middle = LEFT + SLOT * index + SLOT / 2
        parts.append(f'<g class="trend-chart-year" data-year="{row.year}">')
        for offset, value, text, colour, label in (
            (-BAR - 1, row.signed, signed, SIGNED_COLOUR, signed_text),
            (1, row.in_force, in_force, IN_FORCE_COLOUR, in_force_text),
        ):
            height = round(value / peak * plot, 1) if peak else 0
            if value and height < 2:  # a count above zero always shows as a sliver
                height = 2
            parts.append(
                f'<rect x="{round(middle + offset, 1)}" y="{round(base - height, 1)}" '
                f'width="{BAR}" height="{height}" fill="{colour}">'
                f"<title>{row.year}, {label}: {text}</title></rect>"
            )
        parts += [
            f'<text x="{round(middle, 1)}" y="{HEIGHT - 6}" text-anchor="middle">{row.year}</text>',
            "</g>",
        ]
    parts.append("</svg>")
    # Safe: every text is escaped above (the years, counts and geometry are numbers; the counts
    # are written by number_format, digits and the language's separators).
    return mark_safe("".join(parts))
