"""Flow (Sankey) diagrams: providers → resources → receivers, one diagram per dimension, the
width of each band proportional to the quantity a year it carries in the dimension's canonical
unit (t, m³, MWh, ...; a count unit is its own diagram, as counts of different things never add
up). Drawn on the server as SVG, the same numbers in a table beneath.

Which flows: those the impact totals count (``impact.counted_in_impact``: of verified agreements
in force today, each exchange once), with their annual quantity converted into the totals unit
by the impact's own expressions (``annual_quantity``, ``in_totals_unit``): a diagram's total is
the impact table's annual quantity of its unit. A flow without an annual quantity (none stated,
or a one-off one) is left out, and the diagram says how many were. A mutual flow has one
quantity (the quantity exchanged) and is drawn once, from the provider it records.

Kept with each park's figures (``figures.compute``, one query for every park computed) as small
JSON data (``kept``): per totals unit, the bands provider → resource → receiver, each side by
organisation or, where a side has more than ``MOST_NODES`` of them, by sector (an ISIC section;
an organisation without a sector by its kind), and resources by category where there are more
than ``MOST_NODES``; with the names of the organisations and resources it draws. Several parks'
data add up (``merged``) into the same shape, a side by sector once their organisations together
are too many: the dashboard of many parks keeps the sum (``figures.added_up``). A request only
lays the kept bands out (``diagrams``): no query.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.db.models import Count, Q, Sum
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from agreements import units
from agreements.impact import (
    PERIODS_PER_YEAR,
    annual_quantity,
    counted_in_impact,
    in_totals_unit,
    rounded,
    totals_unit,
)
from agreements.models import Resource
from agreements.templatetags.quantities import quantity as format_quantity
from parks import sectors
from parks.models import Organisation
from symbiosis.bilingual import pick
from symbiosis.network_drawing import OTHER_STYLE, TEXT_COLOUR, style_of
from symbiosis.numbers import numbers

# More organisations (or resources) than this on a side, and the side shows sectors (or
# resource categories) instead: a column of 40 names is read by nobody on a phone.
MOST_NODES = 12

PARTY_FIELDS = ("name_en", "name_vi", "name_own", "short_name", "kind", "sector")
ANNUAL = Q(quantity__isnull=False, period__in=list(PERIODS_PER_YEAR))


# Reading and keeping


def sankey_rows(flows, *, today, by=()):
    """The flows of ``flows`` the impact totals count, grouped by each of ``by`` (e.g.
    ``("agreement__park_id",)``), provider, resource, receiver and totals unit: the annual
    quantity in the totals unit of those that have one, how many flows, how many of them have
    one; the names of each organisation and resource. One query."""
    return list(
        flows.filter(counted_in_impact(today))
        .values(
            *by,
            "provider_id",
            "resource_id",
            "receiver_id",
            *(f"{side}__{name}" for side in ("provider", "receiver") for name in PARTY_FIELDS),
            "resource__name_en",
            "resource__name_vi",
            "resource__category",
            totals_unit=totals_unit(),
        )
        .annotate(
            annual=rounded(Sum(in_totals_unit(annual_quantity()), filter=ANNUAL)),
            flows=Count("pk"),
            drawn=Count("pk", filter=ANNUAL),
        )
        .order_by()
    )


def _group_of(row, side):
    """The key of an organisation's sector: its ISIC section, else its kind."""
    division = sectors.division(row[f"{side}__sector"] or "")
    return f"s{division.section}" if division else f"k{row[f'{side}__kind']}"


def kept(rows):
    """``sankey_rows``' rows (of one park, or of the flows a dashboard shows) as data to keep:
    {"units": {unit: {"bands": [[provider, resource, receiver, quantity (text), flows]],
    "left_out": flows without an annual quantity}}, "names": {key: [...]}}. Keys: "o<id>" an
    organisation, "s<section>" or "k<kind>" a sector, "r<id>" a resource, "c<category>" a
    category; a side by organisation (by resource) only up to ``MOST_NODES`` of them."""
    names = {}
    by_unit = defaultdict(list)
    left_out = defaultdict(int)
    for row in rows:
        unit = row["totals_unit"]
        left_out[unit] += row["flows"] - row["drawn"]
        if row["annual"] is None:
            continue
        provider, receiver = f"o{row['provider_id']}", f"o{row['receiver_id']}"
        resource = f"r{row['resource_id']}"
        for key, side in ((provider, "provider"), (receiver, "receiver")):
            names[key] = [
                *(row[f"{side}__{name}"] for name in PARTY_FIELDS[:5]),
                _group_of(row, side),
            ]
        names[resource] = [
            row["resource__name_en"],
            row["resource__name_vi"],
            row["resource__category"],
        ]
        by_unit[unit].append([provider, resource, receiver, Decimal(row["annual"]), row["flows"]])
    data = {unit: _grouped(bands, names) for unit, bands in by_unit.items()}
    return _encoded(
        {
            "units": {
                unit: {"bands": data.get(unit, []), "left_out": left_out[unit]}
                for unit in sorted(set(data) | set(left_out), key=list(units.Unit).index)
                if unit is not None
            },
        },
        names,
    )


def _grouped(bands, names):
    """``bands`` (quantities as decimals) with each side too long for names by group, and the
    bands that then join added up."""
    for column in range(3):
        keys = {band[column] for band in bands}
        fine = all(key[0] in "or" for key in keys)
        if fine and len(keys) <= MOST_NODES:
            continue
        for band in bands:
            band[column] = _coarse(band[column], names)
    summed = {}
    for provider, resource, receiver, quantity, flows in bands:
        into = summed.setdefault((provider, resource, receiver), [Decimal(0), 0])
        into[0] += quantity
        into[1] += flows
    return [[*key, quantity, flows] for key, (quantity, flows) in summed.items()]


def _coarse(key, names):
    if key[0] == "o":
        return names[key][5]
    if key[0] == "r":
        return f"c{names[key][2]}"
    return key


def _encoded(data, names):
    """The data with its quantities as text (JSON) and only the names its bands use."""
    used = set()
    for unit in data["units"].values():
        unit["bands"].sort(key=lambda band: band[:3])
        for band in unit["bands"]:
            band[3] = str(band[3])
            used.update(band[:3])
    data["names"] = {key: names[key] for key in sorted(used) if key in names}
    return data


def merged(many):
    """Several ``kept`` data (parks') as one, in the same shape: a side by group as soon as one
    of them has it so, or their organisations (resources) together are too many."""
    many = [data for data in many if data]
    names = {}
    bands = defaultdict(list)
    left_out = defaultdict(int)
    for data in many:
        names.update(data["names"])
        for unit, figures in data["units"].items():
            left_out[unit] += figures["left_out"]
            bands[unit].extend([*band[:3], Decimal(band[3]), band[4]] for band in figures["bands"])
    order = list(units.Unit).index
    return _encoded(
        {
            "units": {
                unit: {"bands": _grouped(bands[unit], names), "left_out": left_out[unit]}
                for unit in sorted(left_out, key=order)
            }
        },
        names,
    )


# Drawing

WIDTH = 620
BOX = 150  # a column's boxes, with their labels inside
PAD = 4
GAP = (WIDTH - 2 * PAD - 3 * BOX) / 2  # where the bands run between two columns
SCALE = 220  # the height the whole quantity takes in each column
MIN_BOX = 22  # a box is never lower than a line of its label
BOX_GAP = 6
FONT = 12
LABEL_CHARS = 21  # of a label in a box; the <title> has the full name
MIN_BAND = 1  # a band too thin to see is drawn 1 px wide (its table row has its figure)
BAND_OPACITY = "0.9"  # each category's colour keeps 3:1 on white (tests/.../test_sankey.py)
BOX_FILL = "#f1f3f5"
BOX_STROKE = "#6c757d"


@dataclass(frozen=True)
class Node:
    key: str
    label: str  # in the box
    name: str  # in full, for the <title> and the table
    column: int
    quantity: Decimal


@dataclass(frozen=True)
class Row:
    provider: str
    resource: str
    receiver: str
    quantity: Decimal
    flows: int

    @property
    def shown(self):
        return format_quantity(self.quantity)


@dataclass(frozen=True)
class Diagram:
    slug: str
    unit: str
    title: str
    unit_label: str
    rows: list  # Row, largest first
    total: Decimal
    left_out: int
    svg: str

    @property
    def total_shown(self):
        return format_quantity(self.total)

    def table_rows(self):
        """The rows of the table beneath the diagram (``reporting/_sankey.html``): provider,
        resource, receiver and quantity a year, as the template would write them, by
        ``format_html_join`` (which escapes every value) rather than a template loop."""
        written = numbers()
        return format_html_join(
            "\n",
            '<tr><th scope="row" class="fw-normal">{}</th><td>{}</td><td>{}</td>'
            '<td class="text-end" data-quantity="{}">{}</td></tr>',
            (
                (row.provider, row.resource, row.receiver, written(row.quantity), row.shown)
                for row in self.rows
            ),
        )


def _names(key, names):
    """(label, full name) of a node's key in the reader's language."""
    kind, rest = key[0], key[1:]
    if kind == "o":
        en, vi, own, short, org_kind, _group = names[key]
        name = pick(en, vi, own)
        if org_kind == Organisation.Kind.SECTOR:
            name = _("Sector: %(name)s") % {"name": name}
        return short or name, name
    if kind == "r":
        name = pick(names[key][0], names[key][1])
        return name, name
    if kind == "c":
        name = str(Resource.Category(rest).label)
        return name, name
    if kind == "s":
        name = sectors.sections()[rest].name
        return name, _("Sector %(code)s: %(name)s") % {"code": rest, "name": name}
    if kind == "k":
        name = str(Organisation.Kind(rest).label)
        return name, name
    name = _("Other sectors")
    return name, name


def _category(key, names):
    if key[0] == "r":
        return names[key][2]
    return key[1:] if key[0] == "c" else None


def diagrams(data, *, slug):
    """The diagrams of ``kept`` (or ``merged``) data, one per totals unit with a quantity, in
    the units' order; [] for none."""
    if not data:
        return []
    names = data["names"]
    result = []
    for unit, figures in data["units"].items():
        bands = [[*band[:3], Decimal(band[3]), band[4]] for band in figures["bands"]]
        if not bands:
            continue
        for column in (0, 2):  # sectors beyond the most shown: the largest, then the rest
            totals = defaultdict(Decimal)
            for band in bands:
                totals[band[column]] += band[3]
            if len(totals) > MOST_NODES:
                kept_keys = set(
                    sorted(totals, key=lambda key: (-totals[key], key))[: MOST_NODES - 1]
                )
                for band in bands:
                    if band[column] not in kept_keys:
                        band[column] = "x"
        result.append(_diagram(f"{slug}-{unit}", unit, bands, names, figures["left_out"]))
    return result


def _diagram(slug, unit, bands, names, left_out):
    labels = {}
    totals = [defaultdict(Decimal) for _ in range(3)]
    summed = defaultdict(lambda: [Decimal(0), 0])
    for provider, resource, receiver, quantity, flows in bands:
        for column, key in enumerate((provider, resource, receiver)):
            totals[column][key] += quantity
            if key not in labels:
                labels[key] = _names(key, names)
        into = summed[(provider, resource, receiver)]
        into[0] += quantity
        into[1] += flows
    unit_label = str(units.label(unit))
    dimension = units.dimension(unit)
    if dimension == units.Dimension.COUNT:
        title = _("Flows counted in %(unit)s a year") % {"unit": unit_label}
    else:
        title = _("%(dimension)s: flows in %(unit)s a year") % {
            "dimension": capfirst(units.Dimension(dimension).label),
            "unit": unit_label,
        }
    rows = sorted(
        (
            Row(labels[p][1], labels[r][1], labels[c][1], quantity, flows)
            for (p, r, c), (quantity, flows) in summed.items()
        ),
        key=lambda row: (-row.quantity, row.provider, row.resource, row.receiver),
    )
    total = sum(totals[1].values(), Decimal(0))
    svg = _svg(slug, title, unit_label, totals, labels, summed, names, total)
    return Diagram(slug, unit, title, unit_label, rows, total, left_out, svg)


def _order(column_totals, labels):
    return sorted(column_totals, key=lambda key: (key == "x", -column_totals[key], labels[key][0]))


def _svg(slug, title, unit_label, totals, labels, summed, names, total):
    scale = SCALE / float(total) if total else 0
    columns, boxes = [], {}
    height = 0
    for column, column_totals in enumerate(totals):
        keys = _order(column_totals, labels)
        columns.append(keys)
        top = PAD
        x = PAD + column * (BOX + GAP)
        for key in keys:
            inner = float(column_totals[key]) * scale
            box = max(inner, MIN_BOX)
            boxes[key, column] = (x, top, box, top + (box - inner) / 2)
            top += box + BOX_GAP
        height = max(height, top - BOX_GAP + PAD)
    # The bands of each pair of columns: provider -> resource, resource -> receiver.
    pairs = (defaultdict(Decimal), defaultdict(Decimal))
    for (provider, resource, receiver), (quantity, _flows) in summed.items():
        pairs[0][provider, resource] += quantity
        pairs[1][resource, receiver] += quantity
    rank = [{key: index for index, key in enumerate(keys)} for keys in columns]
    # Each text's pattern translated once, not once a band.
    band_tip = _("%(from)s → %(to)s: %(quantity)s %(unit)s a year")
    node_tip = _("%(name)s: %(quantity)s %(unit)s a year")
    title_id, desc_id = f"sankey-{escape(slug)}-title", f"sankey-{escape(slug)}-desc"
    description = _(
        "Resource flows of %(total)s %(unit)s a year, from providers (left) through resources "
        "(middle) to receivers (right); each band's width is proportional to its quantity. The "
        "table below lists the same flows."
    ) % {"total": format_quantity(total), "unit": unit_label}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sankey-diagram" role="img" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="{WIDTH}" height="{_n(height)}" '
        f'aria-labelledby="{title_id} {desc_id}" font-size="{FONT}" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<g class="sankey-bands" fill="none" stroke-opacity="{BAND_OPACITY}">',
    ]
    for pair_index, pair in enumerate(pairs):
        left, right = pair_index, pair_index + 1
        out_offset, in_offset = defaultdict(float), defaultdict(float)
        ordered = sorted(
            pair.items(), key=lambda item: (rank[left][item[0][0]], rank[right][item[0][1]])
        )
        for (source, target), quantity in ordered:
            width = float(quantity) * scale
            sx, _top, _box, s_inner = boxes[source, left]
            tx, _top, _box, t_inner = boxes[target, right]
            y0 = s_inner + out_offset[source] + width / 2
            y1 = t_inner + in_offset[target] + width / 2
            out_offset[source] += width
            in_offset[target] += width
            x0, x1 = sx + BOX, tx
            middle = (x0 + x1) / 2
            category = _category(source if pair_index else target, names)
            colour = style_of(category)[0] if category else OTHER_STYLE[0]
            tip = band_tip % {
                "from": labels[source][1],
                "to": labels[target][1],
                "quantity": format_quantity(quantity),
                "unit": unit_label,
            }
            parts.append(
                f'<path class="sankey-band" d="M{_n(x0)},{_n(y0)} C{_n(middle)},{_n(y0)} '
                f'{_n(middle)},{_n(y1)} {_n(x1)},{_n(y1)}" stroke="{colour}" '
                f'stroke-width="{_n(max(width, MIN_BAND), 3)}" data-quantity="{quantity}">'
                f"<title>{escape(tip)}</title></path>"
            )
    parts.append("</g>")
    parts.append(f'<g class="sankey-nodes" fill="{TEXT_COLOUR}">')
    for column, keys in enumerate(columns):
        for key in keys:
            x, top, box, _inner = boxes[key, column]
            label, name = labels[key]
            tip = node_tip % {
                "name": name,
                "quantity": format_quantity(totals[column][key]),
                "unit": unit_label,
            }
            parts.append(
                f'<g class="sankey-node" data-column="{column}"><title>{escape(tip)}</title>'
                f'<rect x="{_n(x)}" y="{_n(top)}" width="{BOX}" height="{_n(box)}" rx="3" '
                f'fill="{BOX_FILL}" stroke="{BOX_STROKE}"/>'
                f'<text x="{_n(x + 6)}" y="{_n(top + box / 2 + FONT * 0.35)}">'
                f"{escape(_shortened(label))}</text></g>"
            )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def _shortened(text):
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _n(value, places=1):
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return text or "0"


__all__ = ["diagrams", "kept", "merged", "sankey_rows"]
