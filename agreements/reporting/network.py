"""A park's symbiosis network, drawn on the server as inline SVG (no JavaScript).

Organisations are nodes on a circle, sorted by name, so the same rows always give the same
picture. Each link is an arrow from a provider to a receiver, coloured and dashed by the
resource category it carries, and thicker the more agreements it stands for (a park's flows
are grouped by provider, receiver, category and direction before they get here); a mutual link
has an arrowhead at both ends; several links between the same two organisations bow apart
instead of overlapping. Up to a dozen organisations the labels are written horizontally;
beyond, they radiate outwards from the circle so that a park with 50 organisations stays
readable (the page draws no more than that). A legend sits under the circle.

Pure functions: rows in, markup out. Every piece of text is escaped here; the result is marked
safe for templates. The page gives the text alternative (the same links as a table).

A chain of flows (a flow made from another that its provider receives, ``ResourceFlow.
made_from``) is drawn through the organisation that makes it: a dotted curve near its node,
from the arrow that brings the input to the arrow that takes the output away.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from html import escape

from django.db import connection
from django.db.models import Count, F
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parks.models import Organisation
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

NODE_RADIUS = 7
NODE_SPACING = 44  # length of arc between two neighbours on the circle
MIN_RADIUS = 110
LABEL_CHARS = 26  # longer labels are cut with an ellipsis; the tooltip has the full name
LABEL_ROOM = 185  # room beyond the circle for a label of LABEL_CHARS characters
HORIZONTAL_LABELS_UP_TO = 12
PARALLEL_GAP = 26  # how far apart two flows between the same organisations bow
LEGEND_ROW = 22
STROKE_WIDTH = 1.8  # a link standing for one agreement
MAX_STROKE_WIDTH = 6
TEXT_COLOUR = "#212529"
CHAIN_DASH = "1 3"  # dotted: a chain through an organisation
CHAIN_REACH = 30  # how far from the node a chain's curve starts and ends, along its flows


@dataclass(frozen=True)
class Node:
    key: str  # unique: the organisation's slug
    label: str  # drawn beside the node
    name: str  # full name, shown as the tooltip


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


def node_of(organisation):
    """The node of an organisation (anything with ``slug``, ``short_name`` and ``name``)."""
    return Node(
        key=organisation.slug,
        label=organisation.short_name or organisation.name,
        name=organisation.name,
    )


def network_from_links(organisations, links, *, categories):
    """Nodes and flows from the organisations to draw and the park's links among them.

    ``organisations``: the organisations to draw, by primary key. ``links``: rows grouped by
    the database, each a mapping with ``provider_id`` and ``receiver_id``, ``category``,
    ``direction`` and ``agreements`` (how many agreements); a link with an end not among
    ``organisations`` is left out. ``categories``: category key to its label.
    """
    nodes = [node_of(organisation) for organisation in organisations.values()]
    flows = []
    for link in links:
        provider = organisations.get(link["provider_id"])
        receiver = organisations.get(link["receiver_id"])
        if provider is None or receiver is None:
            continue
        mutual = link["direction"] == "mutual"
        arrow = "↔" if mutual else "→"
        count = link["agreements"]
        flows.append(
            Flow(
                provider=provider.slug,
                receiver=receiver.slug,
                category=link["category"],
                mutual=mutual,
                description=ngettext(
                    "%(provider)s %(arrow)s %(category)s %(arrow)s %(receiver)s: %(count)d "
                    "agreement",
                    "%(provider)s %(arrow)s %(category)s %(arrow)s %(receiver)s: %(count)d "
                    "agreements",
                    count,
                )
                % {
                    "provider": provider.name,
                    "receiver": receiver.name,
                    "category": categories.get(link["category"], link["category"]),
                    "arrow": arrow,
                    "count": count,
                },
                count=count,
            )
        )
    return nodes, flows


def chains_from_rows(organisations, rows, *, categories):
    """Chains from rows grouped by the database (``network_chains``), among ``organisations``
    (by primary key); a chain with an end not among them is left out."""
    chains = []
    for row in rows:
        ends = [organisations.get(row[name]) for name in ("source_id", "maker_id", "receiver_id")]
        if None in ends:
            continue
        source, maker, receiver = ends
        chains.append(
            Chain(
                source=source.slug,
                maker=maker.slug,
                receiver=receiver.slug,
                description=_(
                    "%(maker)s makes %(output)s for %(receiver)s from %(input)s from %(source)s"
                )
                % {
                    "maker": maker.name,
                    "output": categories.get(row["output"], row["output"]),
                    "receiver": receiver.name,
                    "input": categories.get(row["input"], row["input"]),
                    "source": source.name,
                },
            )
        )
    return chains


def stroke_width(count):
    """Thicker for a link standing for more agreements: one step per doubling, up to a limit."""
    return min(STROKE_WIDTH + 0.8 * math.log2(max(count, 1)), MAX_STROKE_WIDTH)


def sort_nodes(nodes):
    """The drawing order: by name, accents and case ignored, then by key."""
    return sorted(nodes, key=lambda node: (fold(node.label), fold(node.name), node.key))


def circle_layout(count):
    """Width and height of the drawing and (x, y, angle) of each of ``count`` nodes on a circle,
    clockwise from the top, with room around it for the labels."""
    radius = max(MIN_RADIUS, count * NODE_SPACING / (2 * math.pi))
    side_room = LABEL_ROOM
    # Horizontal labels need little room above and below; radiating ones need it all round.
    top_room = LABEL_ROOM if count > HORIZONTAL_LABELS_UP_TO else 36
    width, height = 2 * (radius + side_room), 2 * (radius + top_room)
    positions = []
    for index in range(count):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        positions.append(
            (width / 2 + radius * math.cos(angle), height / 2 + radius * math.sin(angle), angle)
        )
    return width, height, positions


def render_network(nodes, flows, *, categories, title, description, id_prefix="network", chains=()):
    """The SVG markup of a network.

    ``categories``: ordered mapping of category key to its label, for the legend (only the
    categories the flows use are listed). Flows whose ends are not among ``nodes`` are skipped,
    and so are ``chains`` (``Chain``) with an organisation not among them.
    """
    nodes = sort_nodes(nodes)
    width, diagram_height, positions = circle_layout(len(nodes))
    place = {node.key: positions[index] for index, node in enumerate(nodes)}
    order = {node.key: index for index, node in enumerate(nodes)}
    flows = sorted(
        (flow for flow in flows if flow.provider in place and flow.receiver in place),
        key=lambda flow: (
            order[flow.provider],
            order[flow.receiver],
            flow.category,
            flow.mutual,
            flow.description,
        ),
    )
    used = [key for key in categories if any(flow.category == key for flow in flows)]
    used += sorted({flow.category for flow in flows} - set(categories))
    marker_ids = {key: f"{id_prefix}-arrow-{index}" for index, key in enumerate(used)}
    has_mutual = any(flow.mutual for flow in flows)
    chains = [
        chain
        for chain in chains
        if chain.source in place and chain.maker in place and chain.receiver in place
    ]
    legend_rows = len(used) + has_mutual + bool(chains)
    height = diagram_height + (legend_rows * LEGEND_ROW + 16 if legend_rows else 0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network-diagram" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        "<defs>",
    ]
    for key in used:
        colour, _dash = style_of(key)
        parts.append(
            f'<marker id="{marker_ids[key]}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerUnits="userSpaceOnUse" markerWidth="13" markerHeight="13" '
            f'orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    if has_mutual:
        parts.append(
            f'<marker id="{id_prefix}-arrow-mutual" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerUnits="userSpaceOnUse" markerWidth="13" markerHeight="13" '
            f'orient="auto-start-reverse">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{TEXT_COLOUR}"/></marker>'
        )
    parts.append("</defs>")

    parts.append(f'<g class="flows" fill="none" stroke-width="{_n(STROKE_WIDTH)}">')
    for flow, path in zip(flows, _flow_paths(flows, place, order), strict=True):
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
                f'<path class="chain" d="{_chain_path(chain, place)}">'
                f"<title>{escape(chain.description)}</title></path>"
            )
        parts.append("</g>")

    horizontal = len(nodes) <= HORIZONTAL_LABELS_UP_TO
    parts.append(f'<g class="nodes" fill="{TEXT_COLOUR}">')
    for node in nodes:
        x, y, angle = place[node.key]
        parts.append(
            f'<g class="node" data-key="{escape(node.key)}"><title>{escape(node.name)}</title>'
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{NODE_RADIUS}" fill="#ffffff" '
            f'stroke="{TEXT_COLOUR}" stroke-width="2"/>'
            f"{_label(node.label, x, y, angle, horizontal=horizontal)}</g>"
        )
    parts.append("</g>")

    if legend_rows:
        legend = [
            (str(categories.get(key, key)), *style_of(key), marker_ids[key], False) for key in used
        ]
        if has_mutual:
            legend.append(
                (
                    _("mutual flow: arrows both ways"),
                    TEXT_COLOUR,
                    "",
                    f"{id_prefix}-arrow-mutual",
                    True,
                )
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
        parts.append(_legend(legend, top=diagram_height + 8))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def style_of(category):
    return CATEGORY_STYLES.get(category, OTHER_STYLE)


def _flow_paths(flows, place, order):
    """One quadratic curve per flow, from just outside the provider's circle to just outside the
    receiver's; flows between the same two nodes bow apart symmetrically."""
    by_pair = defaultdict(list)
    for index, flow in enumerate(flows):
        by_pair[frozenset((flow.provider, flow.receiver))].append(index)
    offsets = {}
    for indexes in by_pair.values():
        for rank, index in enumerate(indexes):
            offsets[index] = (rank - (len(indexes) - 1) / 2) * PARALLEL_GAP
    paths = []
    for index, flow in enumerate(flows):
        x0, y0, _a = place[flow.provider]
        x2, y2, _a = place[flow.receiver]
        # The bow's side is taken from the pair in drawing order, whichever way the flow runs.
        first, second = sorted((flow.provider, flow.receiver), key=order.__getitem__)
        fx, fy, _a = place[first]
        sx, sy, _a = place[second]
        length = math.hypot(sx - fx, sy - fy) or 1
        normal = (-(sy - fy) / length, (sx - fx) / length)
        # A quadratic curve's apex lies halfway to its control point.
        cx = (x0 + x2) / 2 + normal[0] * offsets[index] * 2
        cy = (y0 + y2) / 2 + normal[1] * offsets[index] * 2
        start = _towards(x0, y0, cx, cy, NODE_RADIUS + 2)
        end = _towards(x2, y2, cx, cy, NODE_RADIUS + 3)
        paths.append(f"M{_n(start[0])},{_n(start[1])} Q{_n(cx)},{_n(cy)} {_n(end[0])},{_n(end[1])}")
    return paths


def _chain_path(chain, place):
    """A curve bending round the maker's node, from the side the input comes in to the side
    the output leaves by."""
    x, y, _a = place[chain.maker]
    sx, sy, _a = place[chain.source]
    rx, ry, _a = place[chain.receiver]
    start = _towards(x, y, sx, sy, CHAIN_REACH)
    end = _towards(x, y, rx, ry, CHAIN_REACH)
    if chain.source == chain.receiver:  # in and out the same way: a loop beside the node
        end = _towards(x, y, rx + CHAIN_REACH, ry + CHAIN_REACH, CHAIN_REACH)
    return f"M{_n(start[0])},{_n(start[1])} Q{_n(x)},{_n(y)} {_n(end[0])},{_n(end[1])}"


def _towards(x, y, tx, ty, distance):
    length = math.hypot(tx - x, ty - y) or 1
    return x + (tx - x) / length * distance, y + (ty - y) / length * distance


def _label(text, x, y, angle, *, horizontal):
    text = escape(_shorten(text))
    gap = NODE_RADIUS + 6
    lx, ly = x + gap * math.cos(angle), y + gap * math.sin(angle)
    if horizontal:
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        # Above the top nodes, below the bottom ones, centred on the side ones.
        ly += 4 + (sin * 8 if anchor == "middle" else 0)
        return f'<text x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}">{text}</text>'
    degrees = math.degrees(angle)
    if math.cos(angle) < 0:  # left half: turn the text over so it never reads upside down
        degrees += 180
        anchor = "end"
    else:
        anchor = "start"
    return (
        f'<text x="{_n(lx)}" y="{_n(ly + 4)}" text-anchor="{anchor}" '
        f'transform="rotate({_n(degrees)} {_n(lx)} {_n(ly)})">{text}</text>'
    )


def _legend(rows, *, top):
    """Rows of (label, colour, dash, marker id, mutual): a sample arrow and its label."""
    parts = [f'<g class="legend" transform="translate(16 {_n(top)})" fill="{TEXT_COLOUR}">']
    for index, (label, colour, dash, marker_id, mutual) in enumerate(rows):
        y = index * LEGEND_ROW + 10
        parts.append(
            f'<path d="M4,{y} H44" stroke="{colour}" stroke-width="2.5" fill="none"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + (f' marker-start="url(#{marker_id})"' if mutual else "")
            + (f' marker-end="url(#{marker_id})"' if marker_id else "")
            + "/>"
            f'<text x="56" y="{y + 4}">{escape(label)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _shorten(text):
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _n(value):
    """A coordinate with one decimal, without a trailing ".0"."""
    return f"{value:.1f}".removesuffix(".0")


# Reading a network from the database


def network_organisations(flows, *, limit):
    """The ``limit`` organisations at an end of the most ``flows`` (ties by name, then primary
    key), each with ``flow_count`` and ``in_network``: how many organisations the flows link in
    all. One query, reading ``flows`` once: each flow's two ends, counted by organisation.

    A count per organisation as a subquery (the ORM's way) read the flows, with the framework
    rule of ``counted_once``, twice for every organisation of the park: 26 ms for a park of 557
    agreements where this takes 3. The ORM cannot group a union, hence the SQL."""
    ends, params = flows.order_by().values("provider_id", "receiver_id").query.sql_with_params()
    table = connection.ops.quote_name(Organisation._meta.db_table)
    columns = ", ".join(
        f"o.{connection.ops.quote_name(Organisation._meta.get_field(name).column)}"
        for name in NETWORK_ORGANISATION_FIELDS
    )
    return list(
        Organisation.objects.raw(
            f"WITH flow_ends AS ({ends}), "
            "organisation_ends AS ("
            "SELECT provider_id AS organisation_id FROM flow_ends "
            "UNION ALL SELECT receiver_id FROM flow_ends), "
            "flow_counts AS ("
            "SELECT organisation_id, COUNT(*) AS flow_count FROM organisation_ends "
            "GROUP BY organisation_id) "
            f"SELECT {columns}, c.flow_count, COUNT(*) OVER () AS in_network "
            f"FROM {table} o INNER JOIN flow_counts c ON c.organisation_id = o.id "
            "ORDER BY c.flow_count DESC, o.name_en, o.name_vi, o.id "
            "LIMIT %s",
            [*params, limit],
        )
    )


# What the network reads of each organisation: its label and its page.
NETWORK_ORGANISATION_FIELDS = ("id", "kind", "slug", "name_en", "name_vi", "name_own", "short_name")


def network_rows(flows, *, max_nodes, max_links):
    """What a network of ``flows`` is drawn from, as data a park keeps with its figures
    (``figures.for_park_page``): ``organisations``, the ``max_nodes`` at an end of the most
    flows (``network_organisations``: each its ``NETWORK_ORGANISATION_FIELDS`` and
    ``flow_count``), ``in_network`` (how many organisations the flows link in all), ``links``
    among them (``network_links``: ``max_links`` + 1 at most) and ``chains``
    (``network_chains``). Three queries; one for flows that link no organisation."""
    organisations = network_organisations(flows, limit=max_nodes)
    if not organisations:
        return {"organisations": [], "in_network": 0, "links": [], "chains": []}
    ids = [organisation.pk for organisation in organisations]
    return {
        "organisations": [
            {
                **{name: getattr(organisation, name) for name in NETWORK_ORGANISATION_FIELDS},
                "flow_count": organisation.flow_count,
            }
            for organisation in organisations
        ],
        "in_network": organisations[0].in_network,
        "links": network_links(flows, ids, limit=max_links),
        "chains": network_chains(flows, ids, limit=max_links),
    }


def organisations_of(rows):
    """{pk: Organisation} of ``network_rows``' organisations, in their order, each with its
    ``flow_count``: read from the rows, not the database."""
    organisations = {}
    for row in rows["organisations"]:
        organisation = Organisation(**{name: row[name] for name in NETWORK_ORGANISATION_FIELDS})
        organisation.flow_count = row["flow_count"]
        organisations[organisation.pk] = organisation
    return organisations


def network_links(flows, organisations, *, limit):
    """The flows among ``organisations`` grouped by provider, receiver, resource category and
    direction, each with how many agreements and flows it stands for: the ``limit`` + 1 with
    the most agreements (one more than drawn, to tell that some are left out). One query."""
    return list(
        flows.filter(provider__in=organisations, receiver__in=organisations)
        .values("provider_id", "receiver_id", "direction", category=F("resource__category"))
        .annotate(agreements=Count("agreement", distinct=True), flows=Count("pk"))
        .order_by("-agreements", "provider_id", "receiver_id", "category", "direction")[: limit + 1]
    )


def network_chains(flows, organisations, *, limit):
    """The chains among ``flows`` (a flow made from another of them) through and between
    ``organisations``, grouped by who provides the input (``source_id``), who makes the output
    (``maker_id``), who receives it (``receiver_id``) and the two resource categories
    (``input``, ``output``): at most ``limit``. One query."""
    return list(
        flows.filter(
            made_from__in=flows,
            provider__in=organisations,
            receiver__in=organisations,
            made_from__provider__in=organisations,
        )
        .values(
            "receiver_id",
            maker_id=F("provider_id"),
            source_id=F("made_from__provider_id"),
            input=F("made_from__resource__category"),
            output=F("resource__category"),
        )
        .annotate(flows=Count("pk"))
        .order_by("maker_id", "source_id", "receiver_id", "input", "output")[:limit]
    )
