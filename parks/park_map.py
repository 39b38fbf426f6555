"""The map of parks: where each park is, drawn as SVG by the server.

The base is Natural Earth's country outlines (public domain), shipped in
``static/vendor/natural-earth/countries.json`` by ``manage.py build_base_map``: the whole
world at 1:110m, and at 1:50m the region around Viet Nam (``DETAILED_REGION``). They are read
once per process, projected (Web Mercator, as tile maps are), fitted to the parks shown with a
margin, clipped to that box and thinned to what the drawing can show. The geometry is computed
here; ``templates/parks/_park_map.html`` draws it, so autoescaping does the escaping.

Each park with a latitude and a longitude is a marker: its area grows with its number of
verified agreements (``agreement_count``, counted by the caller), its colour and its shape say
its eco-industrial-park status. Parks without coordinates are listed as "not on the map".
This module knows nothing of agreements: it takes parks that carry ``agreement_count``.
Parks on both sides of the 180th meridian (none in the registry's region) would be drawn the long
way round, across the whole world.
"""

import functools
import json
import math
from dataclasses import dataclass

from django.conf import settings

from parks.models import Park

OUTLINES = settings.BASE_DIR / "static" / "vendor" / "natural-earth" / "countries.json"

# The drawing's width in SVG units; its height follows the box of the parks shown.
WIDTH = 600
# The box is no narrower than a tall country and no flatter than a wide one.
MIN_ASPECT, MAX_ASPECT = 0.6, 1.6
# Points of an outline nearer each other than this (in SVG units) are one point: the map page's,
# and the home page's small map (drawn at half the size, so it needs half the points).
THINNING = 0.8
SMALL_MAP_THINNING = 2.0
LATITUDE_LIMIT = 85.0


@dataclass(frozen=True)
class Box:
    """A box of longitudes and latitudes (degrees)."""

    west: float
    south: float
    east: float
    north: float

    def contains(self, other):
        return (
            self.west <= other.west
            and self.south <= other.south
            and other.east <= self.east
            and other.north <= self.north
        )

    def union(self, other):
        return Box(
            min(self.west, other.west),
            min(self.south, other.south),
            max(self.east, other.east),
            max(self.north, other.north),
        )


# Viet Nam's mainland and nearer islands: the map with one park or none.
VIET_NAM = Box(102.0, 8.3, 109.6, 23.4)
# Where the outlines are kept at 1:50m (Viet Nam, its neighbours, the South China Sea).
DETAILED_REGION = Box(90.0, -2.0, 125.0, 32.0)
# A map of parks close together still shows this many degrees around them.
MIN_SPAN = 6.0
MARGIN = 0.12


# Each status: its colour (Paul Tol's high-contrast scheme, safe for colour-blind readers and in
# greyscale, every marker outlined in near-black) and a shape of its own.
@dataclass(frozen=True)
class Look:
    status: str
    shape: str
    fill: str


LOOKS = {
    Park.EipStatus.RECOGNISED: Look(Park.EipStatus.RECOGNISED, "circle", "#004488"),
    Park.EipStatus.TRANSITIONING: Look(Park.EipStatus.TRANSITIONING, "diamond", "#ddaa33"),
    Park.EipStatus.CONVENTIONAL: Look(Park.EipStatus.CONVENTIONAL, "square", "#bb5566"),
    Park.EipStatus.NOT_ASSESSED: Look(Park.EipStatus.NOT_ASSESSED, "triangle", "#ffffff"),
}
OUTLINE_COLOUR = "#212529"
# A marker's area: the smallest for a park without verified agreements, growing in proportion
# to its count up to the largest for the park with the most (radii of circles of that area).
SMALLEST_RADIUS, LARGEST_RADIUS = 8.0, 24.0


def mercator_y(latitude):
    latitude = max(-LATITUDE_LIMIT, min(LATITUDE_LIMIT, latitude))
    return math.degrees(math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2)))


def latitude_of(y):
    return math.degrees(2 * math.atan(math.exp(math.radians(y))) - math.pi / 2)


def clip_ring(ring, left, bottom, right, top):
    """The part of a closed ring of (x, y) points inside the rectangle (Sutherland-Hodgman: a
    polygon cut by each edge in turn; what runs along the edge fills nothing outside)."""
    edges = [
        (lambda p: p[0] >= left, lambda a, b: _at_x(a, b, left)),
        (lambda p: p[0] <= right, lambda a, b: _at_x(a, b, right)),
        (lambda p: p[1] >= bottom, lambda a, b: _at_y(a, b, bottom)),
        (lambda p: p[1] <= top, lambda a, b: _at_y(a, b, top)),
    ]
    points = list(ring)
    for inside, crossing in edges:
        if not points:
            break
        kept = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    kept.append(crossing(previous, point))
                kept.append(point)
            elif inside(previous):
                kept.append(crossing(previous, point))
            previous = point
        points = kept
    return points


def _at_x(a, b, x):
    return (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))


def _at_y(a, b, y):
    return (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)


@dataclass(frozen=True)
class Ring:
    bounds: Box
    points: tuple  # (longitude, latitude) pairs


@functools.cache
def outlines():
    """{"110m": rings of the world, "50m": rings of DETAILED_REGION}, read once per process."""
    with OUTLINES.open(encoding="utf-8") as source:
        data = json.load(source)
    return {
        scale: tuple(
            Ring(
                Box(min(ring[0::2]), min(ring[1::2]), max(ring[0::2]), max(ring[1::2])),
                tuple(zip(ring[0::2], ring[1::2], strict=True)),
            )
            for country in data["scales"][scale]
            for ring in country["rings"]
        )
        for scale in ("110m", "50m")
    }


@dataclass(frozen=True)
class Frame:
    """The projected box drawn: x is the longitude, y Mercator's, both in degrees."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def scale(self):
        return WIDTH / (self.right - self.left)

    @property
    def height(self):
        return round((self.top - self.bottom) * self.scale, 1)

    def box(self):
        return Box(self.left, latitude_of(self.bottom), self.right, latitude_of(self.top))

    def place(self, longitude, latitude):
        """SVG coordinates of a point: further east is further right, further north higher."""
        return (
            (longitude - self.left) * self.scale,
            (self.top - mercator_y(latitude)) * self.scale,
        )


def frame_for(points):
    """The box drawn for parks at these (longitude, latitude) points: around them with a
    margin; Viet Nam whole when they are all in its region (or there is none)."""
    if points:
        longitudes, latitudes = [p[0] for p in points], [p[1] for p in points]
        box = Box(min(longitudes), min(latitudes), max(longitudes), max(latitudes))
    else:
        box = VIET_NAM
    if DETAILED_REGION.contains(box):
        box = box.union(VIET_NAM)
    centre_x, centre_y = (box.west + box.east) / 2, (box.south + box.north) / 2
    half_x = max(box.east - box.west, MIN_SPAN) * (1 + 2 * MARGIN) / 2
    half_lat = max(box.north - box.south, MIN_SPAN) * (1 + 2 * MARGIN) / 2
    left, right = max(-180.0, centre_x - half_x), min(180.0, centre_x + half_x)
    bottom = mercator_y(max(-LATITUDE_LIMIT, centre_y - half_lat))
    top = mercator_y(min(LATITUDE_LIMIT, centre_y + half_lat))
    width, height = right - left, top - bottom
    if height > width * MAX_ASPECT:  # too tall: wider
        grow = (height / MAX_ASPECT - width) / 2
        left, right = max(-180.0, left - grow), min(180.0, right + grow)
    elif height < width * MIN_ASPECT:  # too flat: taller
        grow = (width * MIN_ASPECT - height) / 2
        limit = mercator_y(LATITUDE_LIMIT)
        bottom, top = max(-limit, bottom - grow), min(limit, top + grow)
    return Frame(round(left, 3), round(bottom, 3), round(right, 3), round(top, 3))


@functools.lru_cache(maxsize=32)
def country_paths(frame, thinning=THINNING):
    """The outlines inside the frame as SVG path data, one path per ring (a tuple of strings,
    kept per frame: the same parks draw the same map)."""
    box = frame.box()
    scale = "50m" if DETAILED_REGION.contains(box) else "110m"
    right, bottom = WIDTH, frame.height
    paths = []
    for ring in outlines()[scale]:
        bounds = ring.bounds
        if (
            bounds.east < box.west
            or bounds.west > box.east
            or bounds.north < box.south
            or bounds.south > box.north
        ):
            continue
        projected = [frame.place(lon, lat) for lon, lat in ring.points]
        clipped = clip_ring(projected, 0.0, 0.0, right, bottom)
        thinned = _thinned(clipped, thinning)
        if len(thinned) >= 3:
            paths.append(
                "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in thinned) + "Z",
            )
    return tuple(paths)


def _thinned(points, thinning):
    kept = []
    for point in points:
        if not kept or math.dist(kept[-1], point) >= thinning:
            kept.append(point)
    return kept


@dataclass(frozen=True)
class Marker:
    park: Park
    x: float
    y: float
    shape: str
    fill: str
    radius: float
    # The shape's own points (a polygon's "x,y x,y ..."), for all but the circle.
    points: str


@dataclass(frozen=True)
class ParkMap:
    width: int
    height: float
    countries: tuple
    markers: list
    not_on_the_map: list
    parks: list
    largest_count: int

    @property
    def legend(self):
        """Each status's mark, as drawn in a key of 20 by 20, with its name."""
        return [
            LegendEntry(
                status=look.status,
                label=Park.EipStatus(look.status).label,
                shape=look.shape,
                fill=look.fill,
                radius=KEY_RADIUS,
                points=shape_points(look.shape, 10, 10, KEY_RADIUS),
            )
            for look in LOOKS.values()
        ]


KEY_RADIUS = 7


@dataclass(frozen=True)
class LegendEntry:
    status: str
    label: str
    shape: str
    fill: str
    radius: float
    points: str


def marker_radius(count, largest):
    """The radius of a circle whose area grows in proportion to ``count``: the smallest for
    none, the largest for ``largest``."""
    if largest <= 0:
        return SMALLEST_RADIUS
    area = SMALLEST_RADIUS**2 + (LARGEST_RADIUS**2 - SMALLEST_RADIUS**2) * count / largest
    return math.sqrt(area)


def shape_points(shape, x, y, radius):
    """The corners of a square, diamond or triangle of the same area as a circle of radius."""
    area = math.pi * radius**2
    if shape == "square":
        half = math.sqrt(area) / 2
        corners = [
            (x - half, y - half),
            (x + half, y - half),
            (x + half, y + half),
            (x - half, y + half),
        ]
    elif shape == "diamond":
        half = math.sqrt(area / 2)  # a square standing on a corner: its diagonals 2 * half
        corners = [(x, y - half), (x + half, y), (x, y + half), (x - half, y)]
    elif shape == "triangle":
        side = math.sqrt(4 * area / math.sqrt(3))
        height = side * math.sqrt(3) / 2
        # Its centroid on the park: two thirds of its height above, one third below.
        corners = [
            (x, y - 2 * height / 3),
            (x + side / 2, y + height / 3),
            (x - side / 2, y + height / 3),
        ]
    else:
        return ""
    return " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)


def draw_park_map(parks, *, thinning=THINNING):
    """The map of these parks (each with ``agreement_count``): the countries around them, a
    marker for each park with coordinates (the largest drawn first, so that a small one is not
    hidden under it), and the parks without coordinates."""
    parks = list(parks)
    placed = [p for p in parks if p.latitude is not None and p.longitude is not None]
    frame = frame_for([(float(p.longitude), float(p.latitude)) for p in placed])
    largest = max((p.agreement_count for p in parks), default=0)
    markers = []
    for park in placed:
        look = LOOKS.get(park.eip_status, LOOKS[Park.EipStatus.NOT_ASSESSED])
        x, y = frame.place(float(park.longitude), float(park.latitude))
        radius = marker_radius(park.agreement_count, largest)
        markers.append(
            Marker(
                park=park,
                x=round(x, 1),
                y=round(y, 1),
                shape=look.shape,
                fill=look.fill,
                radius=round(radius, 1),
                points=shape_points(look.shape, x, y, radius),
            )
        )
    markers.sort(key=lambda m: (-m.radius, m.y))
    return ParkMap(
        width=WIDTH,
        height=frame.height,
        countries=country_paths(frame, thinning),
        markers=markers,
        not_on_the_map=[p for p in parks if p.latitude is None or p.longitude is None],
        parks=parks,
        largest_count=largest,
    )
