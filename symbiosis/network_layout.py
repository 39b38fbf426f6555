"""Where a network's organisations go: geometry only, no markup (``network_drawing.render_network``
draws it).

Two layouts of the same nodes, so that every label can be read at any width:

- ``wide``, for a screen: columns by role, like a Sankey diagram. Organisations that only
  provide on the left, those that provide and receive in the middle, those that only receive on
  the right (``role_columns``); each is a box with its name written inside, on up to three
  lines, so labels never meet: boxes of a column are stacked with a gap, and columns are apart.
  The order in each column is chosen to cross few arrows (a few sweeps of the barycentre
  heuristic, ties by name), and an arrow skipping the middle column gets a slot of its own
  there, so that it passes between boxes, never through one.
- ``narrow``, for a phone: the same boxes one under the other, full width, the arrows as arcs in
  a gutter on their left (an arc diagram). Its width is fixed (``NARROW_WIDTH``) so that, drawn
  as wide as a 390 px phone's column, its 13 px text stays at 13 px.

Both are sized to what they hold: two organisations make a small drawing, not a big empty one.
Deterministic: the same nodes and flows in any order give the same geometry. Text widths are
estimated (``text_width``) generously for a sans-serif face, so a label fits its box.
"""

import functools
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from symbiosis.search import fold

FONT_SIZE = 13  # px in the drawing's units; never drawn smaller than 12 px (see NARROW_WIDTH)
LINE_HEIGHT = 16
MAX_LINES = 3  # a longer name is cut with an ellipsis; its tooltip has it whole
PAD_X = 8
PAD_Y = 6
ROW_GAP = 10  # between two boxes of a column
SLOT_HEIGHT = 10  # the room an arrow skipping a column takes in it
MARGIN = 8
# Wide: columns and the room between them for the arrows.
COLUMN_GAP = 130
MAX_TEXT_WIDTH = 190  # a box's text is wrapped at this width
MIN_BOX_WIDTH = 64
ARC_ROOM = 56  # right of the last column, for arrows between two boxes of that column
# Narrow: the width a phone shows (its column at 390 px is some 350 px: the text stays
# >= 13 px); the arcs' gutter on the left.
NARROW_WIDTH = 340
GUTTER = 72

# Letters of a sans-serif face by width: DejaVu Sans (Linux's default), one of the widest.
_NARROW = set("fijlrtI.,:;'!|()[]{} -/")
_WIDE = set("mwMW@%")


@functools.cache
def _char_width(char):
    """A letter's width in em, rounded up: narrow, wide, capital, digit, other; an accented
    letter as its base letter, a letter of another script as a wide one."""
    base = unicodedata.normalize("NFD", char)[:1] or char
    if base in _NARROW:
        return 0.4
    if base in _WIDE:
        return 1.0
    if base.isupper() or base in "ĐÐ":
        return 0.8
    if base.isdigit():
        return 0.66
    return 0.64 if base.isascii() else 0.8


def text_width(text, size=FONT_SIZE):
    """An upper estimate of ``text``'s width at ``size`` px in a sans-serif face."""
    return sum(map(_char_width, text)) * size


@functools.lru_cache(maxsize=4096)
def wrap(text, width, *, max_lines=MAX_LINES):
    """``text`` in lines of at most ``width`` (estimated), at spaces where it can; beyond
    ``max_lines`` the last line is cut with an ellipsis. A tuple of lines."""
    space = text_width(" ")
    lines, line, line_width = [], "", 0.0
    for word in text.split():
        word_width = text_width(word)
        if line and line_width + space + word_width <= width:
            line, line_width = f"{line} {word}", line_width + space + word_width
            continue
        if line:
            lines.append(line)
        while word_width > width:  # a word longer than a line: broken
            cut, cut_width = 0, 0.0
            while cut < len(word) - 1 and cut_width + text_width(word[cut]) <= width:
                cut_width += text_width(word[cut])
                cut += 1
            lines.append(word[: max(cut, 1)])
            word = word[max(cut, 1) :]
            word_width = text_width(word)
        line, line_width = word, word_width
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…") > width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], last + "…"]
    return tuple(lines) or ("",)


@dataclass
class Box:
    """A node's box: its top-left corner, size and the lines of its label."""

    x: float
    y: float
    width: float
    height: float
    lines: tuple

    @property
    def right(self):
        return self.x + self.width

    @property
    def bottom(self):
        return self.y + self.height

    @property
    def middle(self):
        return self.y + self.height / 2


@dataclass
class Slot:
    """Where an arrow crosses a column it skips: from ``x`` to ``right`` at height ``y``."""

    x: float
    right: float
    y: float


@dataclass
class Layout:
    width: float
    height: float
    boxes: dict  # node key -> Box
    slots: dict = field(default_factory=dict)  # (provider, receiver, column) -> Slot
    column_of: dict = field(default_factory=dict)  # node key -> column index (wide only)


def box_height(lines):
    return 2 * PAD_Y + len(lines) * LINE_HEIGHT


def role_columns(nodes, flows):
    """Node keys in columns: those that only provide, those that provide and receive, those
    that only receive (or are in no flow drawn); empty columns left out."""
    providers = {flow.provider for flow in flows}
    receivers = {flow.receiver for flow in flows}
    columns = [[], [], []]
    for node in nodes:
        provides, receives = node.key in providers, node.key in receivers
        columns[1 if provides and receives else 0 if provides else 2].append(node.key)
    return [column for column in columns if column]


def layouts(nodes, flows, *, columns=None):
    """The ``wide`` and ``narrow`` ``Layout`` of ``nodes`` linked by ``flows`` (anything with
    ``provider`` and ``receiver`` keys); ``columns``: node keys by column, else by role."""
    by_key = {node.key: node for node in nodes}
    flows = [flow for flow in flows if flow.provider in by_key and flow.receiver in by_key]
    name_order = {
        node.key: rank
        for rank, node in enumerate(
            sorted(nodes, key=lambda node: (fold(node.label), fold(node.name), node.key))
        )
    }
    # In names' order, whatever the rows' order: the sweeps below then give the same result.
    flows = sorted(flows, key=lambda flow: (name_order[flow.provider], name_order[flow.receiver]))
    if columns is None:
        columns = role_columns(nodes, flows)
    columns = [sorted(column, key=name_order.__getitem__) for column in columns if column]
    ordered, column_of = _ordered(columns, flows)
    return (
        _wide(ordered, column_of, flows, by_key),
        _narrow([key for column in ordered for key in column if key in by_key], by_key),
    )


def _ordered(columns, flows):
    """Each column's items in the order crossing fewest arrows we find: node keys, and a slot
    (provider, receiver, column) for each pair of organisations an arrow joins across a
    column it skips. Four down-and-up sweeps of the barycentre heuristic, from names' order."""
    column_of = {key: index for index, column in enumerate(columns) for key in column}
    columns = [list(column) for column in columns]
    # item -> {column: the items it is joined to there}
    neighbours = defaultdict(lambda: defaultdict(list))

    def join(a, b):
        neighbours[a][_column(b, column_of)].append(b)
        neighbours[b][_column(a, column_of)].append(a)

    for pair in dict.fromkeys((flow.provider, flow.receiver) for flow in flows):
        first, last = sorted(pair, key=column_of.__getitem__)
        start, end = column_of[first], column_of[last]
        previous = first
        for index in range(start + 1, end):
            slot = (*pair, index)
            columns[index].append(slot)
            join(previous, slot)
            previous = slot
        if start != end:
            join(previous, last)

    place = {}
    for column in columns:
        place.update({item: (rank + 0.5) / len(column) for rank, item in enumerate(column)})
    for _sweep in range(4):
        for indexes, side in ((range(1, len(columns)), -1), (range(len(columns) - 2, -1, -1), 1)):
            for index in indexes:
                keys = {}
                for item in columns[index]:
                    around = neighbours[item].get(index + side) if item in neighbours else None
                    centre = sum(map(place.__getitem__, around)) / len(around) if around else None
                    keys[item] = (place[item] if centre is None else centre, place[item])
                column = columns[index] = sorted(columns[index], key=keys.__getitem__)
                place.update({item: (rank + 0.5) / len(column) for rank, item in enumerate(column)})
    return columns, column_of


def _column(item, column_of):
    return item[2] if isinstance(item, tuple) else column_of[item]


def _wide(columns, column_of, flows, by_key):
    lines = {key: wrap(by_key[key].label, MAX_TEXT_WIDTH) for key in by_key}
    widths = []
    for column in columns:
        texts = [max(text_width(line) for line in lines[key]) for key in column if key in lines]
        widths.append(max([MIN_BOX_WIDTH, *(width + 2 * PAD_X for width in texts)]))
    heights = [
        sum(box_height(lines[item]) if item in lines else SLOT_HEIGHT for item in column)
        + ROW_GAP * (len(column) - 1)
        for column in columns
    ]
    tallest = max(heights, default=0)
    boxes, slots, x = {}, {}, MARGIN
    for column, width, height in zip(columns, widths, heights, strict=True):
        y = MARGIN + (tallest - height) / 2  # columns centred on each other
        for item in column:
            if item in lines:
                boxes[item] = Box(x, y, width, box_height(lines[item]), lines[item])
                y += boxes[item].height + ROW_GAP
            else:
                slots[item] = Slot(x, x + width, y + SLOT_HEIGHT / 2)
                y += SLOT_HEIGHT + ROW_GAP
        x += width + COLUMN_GAP
    width = x - COLUMN_GAP + MARGIN
    if columns and any(
        column_of[flow.provider] == column_of[flow.receiver] == len(columns) - 1 for flow in flows
    ):
        width += ARC_ROOM
    return Layout(width, tallest + 2 * MARGIN, boxes, slots, column_of)


def _narrow(order, by_key):
    text_room = NARROW_WIDTH - GUTTER - MARGIN - 2 * PAD_X
    boxes, y = {}, MARGIN
    for key in order:
        lines = wrap(by_key[key].label, text_room)
        boxes[key] = Box(GUTTER, y, NARROW_WIDTH - GUTTER - MARGIN, box_height(lines), lines)
        y += boxes[key].height + ROW_GAP
    return Layout(NARROW_WIDTH, y - ROW_GAP + MARGIN, boxes)
