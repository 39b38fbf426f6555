"""Bar charts drawn on the server as SVG: no JavaScript, no external library, nothing to load
in a park office with a poor connection.

``bar_chart_svg`` is a pure function: the same chart always gives the same markup (ids come
from the chart's slug, never from a counter or a random source), and every text is escaped.
The template shows the same numbers in a table beneath each chart, which is what screen
readers read; the SVG carries a title and a summary for them too. Presentation attributes
(``fill``, ``font-size``) style it, never a ``style`` attribute, which the Content-Security-Policy
refuses: its fitting the page's width is ``.bar-chart`` in static/css/site.css.
"""

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

WIDTH = 640
ROW_HEIGHT = 38
LABEL_HEIGHT = 15
BAR_HEIGHT = 14
PADDING = 8
VALUE_ROOM = 72  # right of the longest bar, for its number
LABEL_CHARS = 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | Decimal
    href: str = ""  # where the table's row links to (e.g. the dashboard narrowed to it)


@dataclass(frozen=True)
class BarChart:
    slug: str  # makes the ids in the markup unique on the page and deterministic
    title: str
    label_header: str
    value_header: str
    bars: tuple = field(default_factory=tuple)

    def svg(self):
        return bar_chart_svg(self)

    def table_rows(self):
        """The rows of the table beneath the chart (``reporting/_chart.html``), its text
        alternative: each bar's label, a link where it narrows the dashboard, and its value.
        Written by ``format_html_join``, which escapes every value."""
        if not self.bars:
            return format_html('<tr><td colspan="2">{}</td></tr>', _("Nothing to show."))
        return format_html_join(
            "\n",
            '<tr><th scope="row" class="fw-normal">{}</th><td class="text-end">{}</td></tr>',
            (
                (
                    format_html('<a href="{}">{}</a>', bar.href, bar.label)
                    if bar.href
                    else bar.label,
                    intcomma(bar.value),
                )
                for bar in self.bars
            ),
        )


def _number(value):
    return number_format(value, decimal_pos=None, use_l10n=True, force_grouping=True)


def _shortened(label):
    """``label`` cut to ``LABEL_CHARS`` (``Truncator.chars``, which gives it in NFC), read
    through only where it may be longer."""
    text = unicodedata.normalize("NFC", str(label))
    # Truncator counts no combining character: no longer in all, no longer in its count.
    return text if len(text) <= LABEL_CHARS else Truncator(text).chars(LABEL_CHARS)


def bar_chart_svg(chart):
    """The chart as an ``<svg>`` element (a safe string): one labelled horizontal bar per row,
    its length proportional to the value, the value written at its end."""
    peak = max((bar.value for bar in chart.bars), default=0)
    track = WIDTH - 2 * PADDING - VALUE_ROOM
    height = PADDING * 2 + ROW_HEIGHT * max(len(chart.bars), 1)
    title_id = f"chart-{escape(chart.slug)}-title"
    desc_id = f"chart-{escape(chart.slug)}-desc"
    summary = "; ".join(f"{bar.label}: {_number(bar.value)}" for bar in chart.bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        'font-family="system-ui, sans-serif" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(summary)}</desc>',
    ]
    for index, bar in enumerate(chart.bars):
        top = PADDING + index * ROW_HEIGHT
        length = round(float(bar.value) / float(peak) * track, 1) if peak else 0
        # A non-zero value always shows as at least a sliver.
        if bar.value and length < 2:
            length = 2
        label = _shortened(bar.label)
        bar_top = top + LABEL_HEIGHT + 4
        parts += [
            '<g class="bar-chart-row">',
            f'<text class="bar-chart-label" x="{PADDING}" y="{top + LABEL_HEIGHT - 3}" '
            f'font-size="13">{escape(label)}</text>',
            f'<rect class="bar-chart-bar" x="{PADDING}" y="{bar_top}" width="{length}" '
            f'height="{BAR_HEIGHT}" rx="2" fill="#198754"></rect>',
            f'<text class="bar-chart-value" x="{PADDING + length + 6}" '
            f'y="{bar_top + BAR_HEIGHT - 2}" font-size="13">{escape(_number(bar.value))}</text>',
            "</g>",
        ]
    parts.append("</svg>")
    # Safe: every interpolated text is escaped above.
    return mark_safe("".join(parts))
