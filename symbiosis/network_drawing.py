"""A network of things and the flows between them, drawn on the server as inline SVG (no
JavaScript): a park's symbiosis network (``agreements.reporting.network``) and an agreement's own
flows, provider → resource → receiver (``agreements.flow_drawing``).

Each node is a box with its name written inside, a link to its page (the full name its tooltip
and accessible name); each flow is an arrow from a provider to a receiver, coloured and dashed
by the resource category it carries, and thicker the more agreements it stands for; a mutual
flow has an arrowhead at both ends. A legend sits under the drawing.

Where the boxes go is ``network_layout``'s: columns by role for a screen, a list with arcs for a
phone. Both are drawn, and the page's style sheet shows the one that fits (``.network-wide``
from 992 px, ``.network-narrow`` below), so that text is never drawn under 12 px and the page
never scrolls sideways.

Pure functions: rows in, markup out. Every piece of text is escaped here, the markup built as
strings, not by a template: a park page keeps it (``figures.for_park_page``), but an agreement
page draws it on every request, and a template of some 400 elements costs several milliseconds
where this costs one or two.

A chain of flows (a flow made from another that its provider receives, ``ResourceFlow.
made_from``) is drawn through the organisation that makes it: a dotted curve under its box, from
the side the input comes in to the side the output leaves by.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from symbiosis import network_layout
from symbiosis.network_layout import FONT_SIZE, LINE_HEIGHT, PAD_X, PAD_Y, text_width
from symbiosis.search import fold

# Colours with at least 3:1 contrast on white (WCAG non-text contrast), told apart by hue and,
# for readers who cannot tell the hues apart, by the dash pattern of the line.
CATEGORY_STYLES = {
    "energy": ("#B35C00", ""),
    "water": ("#0072B2", ""),
    "material": ("#007A5E", "9 4"),
    "service": ("#C0392B", "3 3"),
    "infrastructure": ("#8E44AD", "12 3 3 3"),
    "knowledge": ("#5F6B00", "6 6"),
}
OTHER_STYLE = ("#555555", "")

LEGEND_ROW = 22
LEGEND_SAMPLE = 48  # the sample arrow's length, left of its label
STROKE_WIDTH = 1.8  # a link standing for one agreement
MAX_STROKE_WIDTH = 6
TEXT_COLOUR = "#212529"
BOX_FILL = "#f8f9fa"
RESOURCE_FILL = "#fff8e1"  # an agreement's resource: told apart from its organisations
CHAIN_DASH = "1 3"  # dotted: a chain through an organisation
CHAIN_REACH = 16  # how far beyond the maker's box a chain's curve starts and ends


@dataclass(frozen=True)
class Node:
    key: str  # unique: the organisation's slug
    label: str  # written in its box
    name: str  # full name: the tooltip and the accessible name
    url: str | None = None  # its page: the node is a link to it
    kind: str = "organisation"  # or "resource" (an agreement's drawing)


@dataclass(frozen=True)
class Flow:
    provider: str  # node keys
    receiver: str
    category: str  # the resource's category
    mutual: bool
    description: str  # tooltip: "provider → category → receiver: 2 agreements"
    count: int = 1  # how many agreements the link stands for


@dataclass(frozen=True)
class Chain:
    source: str  # node keys: who provides the input, who makes the output, who receives it
    maker: str
    receiver: str
    description: str  # tooltip: "maker makes energy from water"


def stroke_width(count):
    """Thicker for a link standing for more agreements: one step per doubling, up to a limit."""
    return min(STROKE_WIDTH + 0.8 * math.log2(max(count, 1)), MAX_STROKE_WIDTH)


def sort_nodes(nodes):
    """The drawing order: by name, accents and case ignored, then by key."""
    return sorted(nodes, key=lambda node: (fold(node.label), fold(node.name), node.key))


def render_network(
    nodes,
    flows,
    *,
    categories,
    title,
    description,
    id_prefix="network",
    chains=(),
    columns=None,
):
    """The SVG markup of a network: its wide drawing, then its narrow one (the page's style
    sheet shows one of them).

    ``categories``: ordered mapping of category key to its label, for the legend (only the
    categories the flows use are listed). ``columns``: node keys by column for the wide drawing,
    else by role (``network_layout.role_columns``). Flows whose ends are not among ``nodes`` are
    skipped, and so are ``chains`` (``Chain``) with an organisation not among them.
    """
    nodes = sort_nodes(nodes)
    keys = {node.key for node in nodes}
    order = {node.key: index for index, node in enumerate(nodes)}
    flows = sorted(
        (flow for flow in flows if flow.provider in keys and flow.receiver in keys),
        key=lambda flow: (
            order[flow.provider],
            order[flow.receiver],
            flow.category,
            flow.mutual,
            flow.description,
        ),
    )
    chains = [
        chain
        for chain in chains
        if chain.source in keys and chain.maker in keys and chain.receiver in keys
    ]
    wide, narrow = network_layout.layouts(nodes, flows, columns=columns)
    drawing = {"nodes": nodes, "flows": flows, "chains": chains, "categories": categories}
    markup = _svg(drawing, wide, "wide", title, description, f"{id_prefix}-wide") + _svg(
        drawing, narrow, "narrow", title, description, f"{id_prefix}-narrow"
    )
    # Attributes in single quotes: a park keeps its drawings as JSON, where each double quote
    # would be escaped, and reading back 200 kB of escaped quotes takes twice as long. Every
    # text is escaped, quotes included, so each double quote left is an attribute's.
    return mark_safe(markup.replace('"', "'"))


def style_of(category):
    return CATEGORY_STYLES.get(category, OTHER_STYLE)


def _svg(drawing, layout, shape, title, description, prefix):
    flows, chains, categories = drawing["flows"], drawing["chains"], drawing["categories"]
    used = [key for key in categories if any(flow.category == key for flow in flows)]
    used += sorted({flow.category for flow in flows} - set(categories))
    marker_ids = {key: f"{prefix}-arrow-{index}" for index, key in enumerate(used)}
    has_mutual = any(flow.mutual for flow in flows)
    legend = [
        (str(categories.get(key, key)), *style_of(key), marker_ids[key], False) for key in used
    ]
    if has_mutual:
        legend.append(
            (_("mutual flow: arrows both ways"), TEXT_COLOUR, "", f"{prefix}-arrow-mutual", True)
        )
    if chains:
        legend.append(
            (
                _("chain: a flow made from a flow its provider receives"),
                TEXT_COLOUR,
                CHAIN_DASH,
                None,
                False,
            )
        )
    legend_markup, legend_height = _legend(legend, top=layout.height, width=layout.width)
    width = max(layout.width, min(network_layout.NARROW_WIDTH, _legend_width(legend)))
    height = layout.height + legend_height
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network-diagram network-{shape}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'role="group" aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="{FONT_SIZE}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        "<defs>",
    ]
    for key in used:
        parts.append(_marker(marker_ids[key], style_of(key)[0]))
    if has_mutual:
        parts.append(_marker(f"{prefix}-arrow-mutual", TEXT_COLOUR))
    parts.append("</defs>")

    paths = _wide_paths(flows, layout) if shape == "wide" else _narrow_paths(flows, layout)
    parts.append(f'<g class="flows" fill="none" stroke-width="{_n(STROKE_WIDTH)}">')
    for flow, path in zip(flows, paths, strict=True):
        colour, dash = style_of(flow.category)
        marker = f"url(#{marker_ids[flow.category]})"
        parts.append(
            f'<path class="flow" data-category="{escape(flow.category)}" d="{path}" '
            f'stroke="{colour}"'
            + (f' stroke-width="{_n(stroke_width(flow.count))}"' if flow.count > 1 else "")
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + (f' marker-start="{marker}"' if flow.mutual else "")
            + f' marker-end="{marker}"><title>{escape(flow.description)}</title></path>'
        )
    parts.append("</g>")
    if chains:
        parts.append(
            f'<g class="chains" fill="none" stroke="{TEXT_COLOUR}" stroke-width="2" '
            f'stroke-dasharray="{CHAIN_DASH}">'
        )
        for chain in chains:
            parts.append(
                f'<path class="chain" d="{_chain_path(chain, layout, shape)}">'
                f"<title>{escape(chain.description)}</title></path>"
            )
        parts.append("</g>")

    parts.append(f'<g class="nodes" fill="{TEXT_COLOUR}">')
    for node in drawing["nodes"]:
        parts.append(_node(node, layout.boxes[node.key]))
    parts.append("</g>")
    parts.append(legend_markup)
    parts.append("</svg>")
    return "".join(parts)


def _marker(marker_id, colour):
    return (
        f'<marker id="{marker_id}" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
    )


def _node(node, box):
    """A box with the node's label inside, a link to its page when it has one."""
    name = escape(node.name)
    fill = RESOURCE_FILL if node.kind == "resource" else BOX_FILL
    lines = "".join(
        f'<tspan x="{_n(box.x + PAD_X)}" y="{_n(box.y + PAD_Y + 12 + index * LINE_HEIGHT)}">'
        f"{escape(line)}</tspan>"
        for index, line in enumerate(box.lines)
    )
    inside = (
        f"<title>{name}</title>"
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="4" fill="{fill}" stroke="{TEXT_COLOUR}" '
        'stroke-width="1.2"/>'
        f'<text class="label">{lines}</text>'
    )
    if node.url:
        inside = f'<a href="{escape(node.url)}" aria-label="{name}">{inside}</a>'
    return f'<g class="node node-{escape(node.kind)}" data-key="{escape(node.key)}">{inside}</g>'


def _ports(ends, boxes):
    """{(flow index, end): y} spreading the arrows meeting one side of a box along it, in the
    order of the height of their other ends, so that they fan out without crossing there.
    ``ends``: {(node key, side): [(other end's y, flow index, end)]}."""
    ports = {}
    for (key, _side), meeting in ends.items():
        box = boxes[key]
        meeting.sort()
        room = box.height - 8
        for rank, (_y, index, end) in enumerate(meeting):
            ports[index, end] = box.y + 4 + room * (rank + 1) / (len(meeting) + 1)
    return ports


def _wide_paths(flows, layout):
    """One curve per flow: from the provider's box's right side to the receiver's left side, as a
    Sankey diagram's links, through the slot of each column it skips; between two boxes of a
    column, an arc on the column's right."""
    boxes, column_of = layout.boxes, layout.column_of
    ends = defaultdict(list)
    for index, flow in enumerate(flows):
        source, target = boxes[flow.provider], boxes[flow.receiver]
        same = column_of[flow.provider] == column_of[flow.receiver]
        backwards = column_of[flow.provider] > column_of[flow.receiver]
        ends[flow.provider, "left" if backwards else "right"].append((target.middle, index, 0))
        side = "right" if same or backwards else "left"
        ends[flow.receiver, side].append((source.middle, index, 1))
    ports = _ports(ends, boxes)
    paths = []
    for index, flow in enumerate(flows):
        source, target = boxes[flow.provider], boxes[flow.receiver]
        y0, y1 = ports[index, 0], ports[index, 1]
        start, end = column_of[flow.provider], column_of[flow.receiver]
        if start == end:
            reach = min(network_layout.ARC_ROOM - 6, 16 + abs(y1 - y0) * 0.25)
            x = source.right
            paths.append(
                f"M{_n(x)},{_n(y0)} C{_n(x + reach)},{_n(y0)} {_n(x + reach)},{_n(y1)} "
                f"{_n(x + 1)},{_n(y1)}"
            )
            continue
        if start > end:  # against the columns' order (an agreement's drawing only): left to right
            x0, x1 = source.x, target.right
        else:
            x0, x1 = source.right, target.x
        points = [(x0, y0)]
        for column in range(min(start, end) + 1, max(start, end)):
            slot = layout.slots[(flow.provider, flow.receiver, column)]
            points += [(slot.x, slot.y), (slot.right, slot.y)]
        points.append((x1, y1))
        path = [f"M{_n(x0)},{_n(y0)}"]
        curves = list(zip(points[::2], points[1::2], strict=True))
        for rank, ((ax, ay), (bx, by)) in enumerate(curves):
            bend = (bx - ax) / 2
            path.append(f"C{_n(ax + bend)},{_n(ay)} {_n(bx - bend)},{_n(by)} {_n(bx)},{_n(by)}")
            if rank < len(curves) - 1:  # across the slot, to the next curve's start
                path.append(f"H{_n(points[2 * rank + 2][0])}")
        paths.append(" ".join(path))
    return paths


def _narrow_paths(flows, layout):
    """One arc per flow in the gutter left of the boxes, from the provider's to the receiver's,
    bowing further the further apart they are."""
    boxes = layout.boxes
    ends = defaultdict(list)
    for index, flow in enumerate(flows):
        ends[flow.provider, "left"].append((boxes[flow.receiver].middle, index, 0))
        ends[flow.receiver, "left"].append((boxes[flow.provider].middle, index, 1))
    ports = _ports(ends, boxes)
    paths = []
    for index, flow in enumerate(flows):
        x = boxes[flow.provider].x
        y0, y1 = ports[index, 0], ports[index, 1]
        bow = min(network_layout.GUTTER - 8, 14 + abs(y1 - y0) * 0.3)
        paths.append(
            f"M{_n(x)},{_n(y0)} C{_n(x - bow)},{_n(y0)} {_n(x - bow)},{_n(y1)} {_n(x - 1)},{_n(y1)}"
        )
    return paths


def _chain_path(chain, layout, shape):
    """A dotted curve through the maker: under its box from the side its input comes in to the
    side its output leaves by (wide), or a loop in the gutter beside its box (narrow)."""
    box = layout.boxes[chain.maker]
    if shape == "narrow":
        x, top, bottom = box.x, box.y + 3, box.bottom - 3
        return (
            f"M{_n(x)},{_n(top)} C{_n(x - 22)},{_n(top)} {_n(x - 22)},{_n(bottom)} "
            f"{_n(x)},{_n(bottom)}"
        )
    below = box.bottom + 8
    return (
        f"M{_n(box.x - CHAIN_REACH)},{_n(box.middle)} C{_n(box.x)},{_n(below)} "
        f"{_n(box.right)},{_n(below)} {_n(box.right + CHAIN_REACH)},{_n(box.middle)}"
    )


def _legend_width(rows):
    return max(
        (16 + LEGEND_SAMPLE + 8 + text_width(label) + 8 for label, *_rest in rows), default=0
    )


def _legend(rows, *, top, width):
    """Rows of (label, colour, dash, marker id, mutual): a sample arrow and its label, wrapped
    to the drawing's width. The markup and its height."""
    if not rows:
        return "", 0
    room = max(width, network_layout.NARROW_WIDTH) - 16 - LEGEND_SAMPLE - 8 - 8
    parts = [f'<g class="legend" transform="translate(16 {_n(top + 8)})" fill="{TEXT_COLOUR}">']
    y = 0
    for label, colour, dash, marker_id, mutual in rows:
        lines = network_layout.wrap(label, room, max_lines=4)
        middle = y + 10
        parts.append(
            f'<path d="M4,{_n(middle)} H{LEGEND_SAMPLE - 4}" stroke="{colour}" stroke-width="2.5" '
            'fill="none"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + (f' marker-start="url(#{marker_id})"' if mutual else "")
            + (f' marker-end="url(#{marker_id})"' if marker_id else "")
            + "/>"
            + f'<text x="{LEGEND_SAMPLE + 8}" y="{_n(middle + 4)}">'
            + "".join(
                f'<tspan x="{LEGEND_SAMPLE + 8}" dy="{0 if index == 0 else LINE_HEIGHT}">'
                f"{escape(line)}</tspan>"
                for index, line in enumerate(lines)
            )
            + "</text>"
        )
        y += LEGEND_ROW + (len(lines) - 1) * LINE_HEIGHT
    parts.append("</g>")
    return "".join(parts), y + 16


def _n(value):
    """A coordinate with one decimal, without a trailing ".0"."""
    return f"{value:.1f}".removesuffix(".0")
