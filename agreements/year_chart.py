"""A small time chart of agreed and measured figures, year by year, drawn on the server as SVG
(as ``agreements.reporting.charts`` draws its bars): two columns a year, the agreed quantity and the
accepted measured one, never stacked or added, each in its own colour, with a legend.

``year_chart_svg`` is a pure function: the same chart always gives the same markup (its ids come
from its slug), every text is escaped, and presentation attributes style it, never a ``style``
attribute, which the Content-Security-Policy refuses (``symbiosis/security_headers.py``). The
template under it (``agreements/_year_chart.html``) shows the same figures in a table, the text
alternative screen readers read; the SVG carries a title and a summary too.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.templatetags.quantities import quantity as format_quantity

WIDTH = 640
HEIGHT = 200
LEFT = 64  # room for the axis' figures
RIGHT = 8
TOP = 30  # room for the legend
BOTTOM = 24  # room for the years
BAR_WIDTH = 22
AGREED_COLOUR = "#6c757d"
MEASURED_COLOUR = "#198754"


@dataclass(frozen=True)
class YearPoint:
    year: int
    agreed: Decimal | None
    measured: Decimal | None
    flows: int = 0  # flows the agreed figure adds up (in force that year)
    measured_flows: int = 0  # flows with a measured figure that year
    months: int = 0  # for one flow: how many months its measured figure adds up (0: whole year)
    in_force: bool = True

    @property
    def measured_in_part(self):
        return 0 < self.measured_flows < self.flows

    # The figures as the chart and its table write them, in the reader's language ("" for
    # none): each written once for both.
    @cached_property
    def agreed_shown(self):
        return _number(self.agreed)

    @cached_property
    def measured_shown(self):
        return _number(self.measured)

    # The figures as the table's data attributes hold them, for machines: unlocalised, ""
    # for none.
    @property
    def agreed_data(self):
        return "" if self.agreed is None else format(self.agreed, "f")

    @property
    def measured_data(self):
        return "" if self.measured is None else format(self.measured, "f")

    @property
    def note(self):
        """What the table says beside the year's measured figure, in the reader's language."""
        notes = []
        if self.measured_in_part:
            notes.append(
                ngettext(
                    "measured for %(measured)s of %(count)s flow",
                    "measured for %(measured)s of %(count)s flows",
                    self.flows,
                )
                % {"measured": self.measured_flows, "count": self.flows}
            )
        if self.months:
            notes.append(
                ngettext(
                    "sum of %(count)s month reported",
                    "sum of %(count)s months reported",
                    self.months,
                )
                % {"count": self.months}
            )
        if not self.in_force:
            notes.append(_("agreement not in force"))
        return "; ".join(notes)


@dataclass(frozen=True)
class YearChart:
    slug: str  # makes the ids in the markup unique on the page and deterministic
    title: str
    unit: str  # the unit label of every figure, e.g. "MWh" or "t CO2e"
    points: tuple = field(default_factory=tuple)

    @property
    def has_measured(self):
        return any(point.measured is not None for point in self.points)

    @property
    def has_values(self):
        """Whether any year has a figure to draw (flows without a quantity give none)."""
        return any(point.agreed is not None or point.measured is not None for point in self.points)

    def svg(self):
        return year_chart_svg(self)

    def table_rows(self):
        """The rows of the table beneath the chart (``agreements/_year_chart.html``), its text
        alternative: a year, its agreed and measured figures as the chart writes them, and the
        notes; each figure unlocalised in a data attribute too. Written by ``format_html_join``,
        which escapes every value: a template over the rows of seven charts cost ~2 ms."""
        agreed_none = format_html('<span aria-label="{}">–</span>', _("none"))
        measured_none = format_html(
            '<span class="text-body-secondary">{}</span>', _("no measured figure yet")
        )
        return format_html_join(
            "\n",
            '<tr data-year="{}" data-agreed="{}" data-measured="{}">'
            '<th scope="row" class="fw-normal">{}</th>'
            '<td class="text-end" data-shown="agreed">{}</td>'
            '<td class="text-end" data-shown="measured">{}</td>'
            '<td class="small">{}</td></tr>',
            (
                (
                    point.year,
                    point.agreed_data,
                    point.measured_data,
                    point.year,
                    agreed_none if point.agreed is None else point.agreed_shown,
                    measured_none if point.measured is None else point.measured_shown,
                    point.note,
                )
                for point in self.points
            ),
        )

    @property
    def scroll_label(self):
        """The name of the region the chart scrolls sideways in on a phone (written here: a
        {% blocktranslate %} per chart costs more)."""
        return _("%(title)s: the chart, which scrolls sideways on a narrow screen") % {
            "title": self.title
        }


def _number(value):
    return format_quantity(value)


def year_chart_svg(chart):
    """The chart as an ``<svg>`` element (a safe string): per year an agreed column and a
    measured one, their heights proportional to the figures, a legend above and the years
    beneath; a year without a figure has no column."""
    values = [
        value
        for point in chart.points
        for value in (point.agreed, point.measured)
        if value is not None
    ]
    peak = max(values, default=0)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    base = TOP + plot_height
    slot = plot_width / max(len(chart.points), 1)
    bar = min(BAR_WIDTH, slot * 0.36)
    slug = escape(chart.slug)
    title_id, desc_id = f"year-chart-{slug}-title", f"year-chart-{slug}-desc"
    agreed_label, measured_label = _("Agreed"), _("Measured")
    summary = "; ".join(
        f"{point.year}: {agreed_label} "
        f"{point.agreed_shown if point.agreed is not None else '–'}, {measured_label} "
        f"{point.measured_shown if point.measured is not None else '–'} {chart.unit}"
        for point in chart.points
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="year-chart" role="img" '
        'font-family="system-ui, sans-serif" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(summary)}</desc>',
        # The legend.
        f'<rect x="{LEFT}" y="8" width="12" height="12" fill="{AGREED_COLOUR}"></rect>',
        f'<text x="{LEFT + 18}" y="18" font-size="12">{escape(agreed_label)}</text>',
        f'<rect x="{LEFT + 150}" y="8" width="12" height="12" fill="{MEASURED_COLOUR}"></rect>',
        f'<text x="{LEFT + 168}" y="18" font-size="12">{escape(measured_label)}</text>',
        # The axis: its base, and the peak's line with its figure and unit.
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" '
        'stroke="#adb5bd" stroke-width="1"></line>',
        f'<text x="{LEFT - 6}" y="{base}" font-size="12" text-anchor="end">0</text>',
    ]
    if peak:
        parts += [
            f'<line x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}" '
            'stroke="#dee2e6" stroke-width="1" stroke-dasharray="4 3"></line>',
            f'<text x="{LEFT - 6}" y="{TOP + 4}" font-size="12" text-anchor="end">'
            f"{escape(_number(peak))}</text>",
            f'<text x="{LEFT - 6}" y="{TOP + 18}" font-size="12" text-anchor="end" '
            f'fill="#6c757d">{escape(chart.unit)}</text>',
        ]
    for index, point in enumerate(chart.points):
        middle = LEFT + slot * index + slot / 2
        parts.append('<g class="year-chart-year">')
        for offset, value, shown, colour, label in (
            (-bar - 1, point.agreed, point.agreed_shown, AGREED_COLOUR, agreed_label),
            (1, point.measured, point.measured_shown, MEASURED_COLOUR, measured_label),
        ):
            if value is None:
                continue
            height = round(float(value) / float(peak) * plot_height, 1) if peak else 0
            # A figure above zero always shows as at least a sliver.
            if value and height < 2:
                height = 2
            parts.append(
                f'<rect x="{round(middle + offset, 1)}" y="{round(base - height, 1)}" '
                f'width="{round(bar, 1)}" height="{height}" fill="{colour}">'
                f"<title>{point.year}, {escape(label)}: {escape(shown)} "
                f"{escape(chart.unit)}</title></rect>"
            )
        parts += [
            f'<text x="{round(middle, 1)}" y="{HEIGHT - 6}" font-size="12" '
            f'text-anchor="middle">{point.year}</text>',
            "</g>",
        ]
    parts.append("</svg>")
    # Safe: every interpolated text is escaped above (the years and geometry are numbers).
    return mark_safe("".join(parts))


# Charts of the figures of ``agreements.yearly``


def totals_charts(totals, *, slug):
    """The charts of a ``yearly.YearlyTotals``: one per totals unit (dimension), then one of
    the tonnes of CO2e avoided where any year has some."""
    charts = []
    for unit, rows in totals.by_unit.items():
        first = rows[0]
        chart = YearChart(
            slug=f"{slug}-{unit}",
            title=_("%(dimension)s: %(unit)s per year, agreed and measured")
            % {"dimension": capfirst(first.dimension_label), "unit": first.unit_label},
            unit=str(first.unit_label),
            points=tuple(
                YearPoint(
                    year=row.year,
                    agreed=row.agreed.quantity,
                    measured=row.measured.quantity,
                    flows=row.flows,
                    measured_flows=row.measured.flows,
                )
                for row in rows
            ),
        )
        # A dimension whose flows have no quantity, agreed or measured, has nothing to draw.
        if chart.has_values:
            charts.append(chart)
    if any(
        row.agreed.tonnes_co2e is not None or row.measured.tonnes_co2e is not None
        for row in totals.tonnes
    ):
        charts.append(
            YearChart(
                slug=f"{slug}-co2e",
                title=_("t CO2e avoided per year, from agreed and from measured quantities"),
                unit=_("t CO2e"),
                points=tuple(
                    YearPoint(
                        year=row.year,
                        agreed=row.agreed.tonnes_co2e,
                        measured=row.measured.tonnes_co2e,
                        flows=row.flows,
                        measured_flows=row.measured.flows,
                    )
                    for row in totals.tonnes
                ),
            )
        )
    return charts


def flow_chart(flow, flow_years):
    """The chart of one flow's years (``yearly.FlowYears``)."""
    return YearChart(
        slug=f"flow-{flow.pk}",
        title=_("%(resource)s, agreed and measured per year (%(unit)s)")
        % {"resource": flow.resource.name, "unit": flow_years.unit_label},
        unit=str(flow_years.unit_label),
        points=tuple(
            YearPoint(
                year=year.year,
                agreed=year.agreed.quantity,
                measured=year.measured.quantity,
                flows=1 if year.in_force else 0,
                measured_flows=year.measured.flows,
                months=year.months,
                in_force=year.in_force,
            )
            for year in flow_years.years
        ),
    )


def flow_charts(agreement, flows, *, today):
    """Each of ``flows`` (``agreement``'s, already read, with their resources) with its chart of
    agreed and accepted measured figures per year (from the agreement's start to its end or
    today, ``yearly.agreement_years``), as (flow, chart) pairs: two queries whatever the number
    of flows and years; none for an agreement that has not started."""
    from agreements import yearly

    years = yearly.agreement_years(agreement, today=today)
    if not years or not flows:
        return []
    per_flow = yearly.agreement_flow_years(agreement, flows, years=years)
    return [(flow, flow_chart(flow, per_flow[flow.pk])) for flow in flows if flow.pk in per_flow]


def recent_totals(flows, *, today, count=None):
    """The agreed and accepted measured totals of ``flows`` (verified agreements, each exchange
    once: ``yearly.yearly_totals``) over the last years up to ``today``'s, without the first
    years that have nothing to show; None where no year has any. Plain figures, to keep in a
    cache (the charts' labels are written in the reader's language when drawn). Two queries
    whatever the flows and years."""
    from agreements import yearly

    years = yearly.years_up_to(today, count or yearly.YEARS_SHOWN)
    return yearly.shown(
        yearly.yearly_totals(flows, first_year=years[0], last_year=years[-1], today=today)
    )


def yearly_charts(flows, *, today, slug, count=None):
    """The charts of ``recent_totals``: none where there is nothing to show."""
    totals = recent_totals(flows, today=today, count=count)
    return totals_charts(totals, slug=slug) if totals else []
