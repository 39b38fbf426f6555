"""Builds the map of parks' base, ``static/vendor/natural-earth/countries.json``, from the
npm package world-atlas (Natural Earth's countries as TopoJSON):

    cd /tmp && npm pack world-atlas && tar xzf world-atlas-*.tgz
    python manage.py build_base_map /tmp/package

It keeps the world at 1:110m and, at 1:50m, the region around Viet Nam
(``parks.park_map.DETAILED_REGION``, each ring clipped to it), every coordinate rounded to
0.01 degree (about a kilometre, far below what the drawing shows)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parks.park_map import DETAILED_REGION, OUTLINES, clip_ring

PRECISION = 2


def decoded_arcs(topology):
    """Each arc's (longitude, latitude) points, from TopoJSON's quantized, delta-encoded ones."""
    (scale_x, scale_y), (shift_x, shift_y) = (
        topology["transform"]["scale"],
        topology["transform"]["translate"],
    )
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring_of(indexes, arcs):
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Each arc after the first starts where the one before it ended.
        points.extend(arc if not points else arc[1:])
    return points


def rings_of(geometry, arcs):
    if geometry["type"] == "Polygon":
        polygons = [geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return []
    return [ring_of(ring, arcs) for polygon in polygons for ring in polygon]


def flat(ring):
    """[lon, lat, lon, lat, ...] rounded, without repeated points."""
    values, previous = [], None
    for lon, lat in ring:
        point = (round(lon, PRECISION), round(lat, PRECISION))
        if point != previous:
            values.extend(point)
            previous = point
    return values


def countries(topology, *, region=None):
    arcs = decoded_arcs(topology)
    result = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        rings = []
        for ring in rings_of(geometry, arcs):
            if region is not None:
                ring = clip_ring(ring, region.west, region.south, region.east, region.north)
            values = flat(ring)
            if len(values) >= 6:
                rings.append(values)
        if rings:
            result.append({"name": geometry.get("properties", {}).get("name", ""), "rings": rings})
    return result


class Command(BaseCommand):
    help = "Builds the map of parks' country outlines from the npm package world-atlas."

    def add_arguments(self, parser):
        parser.add_argument("package", help="the unpacked world-atlas package's folder")
        parser.add_argument("--output", default=str(OUTLINES))

    def handle(self, *args, package, output, **options):
        folder = Path(package)
        try:
            version = json.loads((folder / "package.json").read_text())["version"]
            world = json.loads((folder / "countries-110m.json").read_text())
            detailed = json.loads((folder / "countries-50m.json").read_text())
        except (OSError, KeyError, ValueError) as error:
            raise CommandError(f"Not a world-atlas package: {error}") from error
        data = {
            "source": (
                f"Natural Earth 1:110m and 1:50m Admin 0 countries (public domain), from the npm "
                f"package world-atlas {version} (ISC licence); built by manage.py build_base_map"
            ),
            "region_50m": [
                DETAILED_REGION.west,
                DETAILED_REGION.south,
                DETAILED_REGION.east,
                DETAILED_REGION.north,
            ],
            "scales": {
                "110m": countries(world),
                "50m": countries(detailed, region=DETAILED_REGION),
            },
        }
        Path(output).write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        self.stdout.write(f"Wrote {output} ({Path(output).stat().st_size:,} bytes).")
