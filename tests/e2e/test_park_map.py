"""The map of parks in a real browser: drawn under the Content-Security-Policy at a desktop's
width and a phone's, without sideways scrolling or text under 12 px; with a tile server set,
laid over its tiles."""

import http.server
import threading
from decimal import Decimal

import pytest

from agreements.sample_data.demo import load_demo
from parks.models import Park

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DEEP_C = "Deep C Industrial Park (Dinh Vu Industrial Park)"

# Every element under ``root`` showing text of its own, with its computed size.
TEXT_SIZES = """
(root) => [...document.querySelectorAll(root + " *")]
  .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .filter((el) => el.getClientRects().length && !el.closest(".visually-hidden, title"))
  .map((el) => [el.textContent.trim().slice(0, 40), parseFloat(getComputedStyle(el).fontSize)])
"""
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def parks_on_the_map(db):
    load_demo()
    # The demo's other park stays without coordinates: listed as not on the map.
    Park.objects.filter(slug="deep-c").update(
        latitude=Decimal("20.83"), longitude=Decimal("106.77")
    )


@pytest.mark.parametrize("width", [1366, 390])
def test_the_map_is_drawn_at_a_desktops_and_a_phones_width(page, parks_on_the_map, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/parks/map/")

    drawing = page.locator("svg.park-map-svg")
    assert drawing.is_visible()
    assert drawing.locator("path").count() > 5
    assert page.evaluate(SIDEWAYS) == 0
    small = [(text, size) for text, size in page.evaluate(TEXT_SIZES, "main") if size < 12]
    assert small == []
    mark = page.get_by_role("link", name=f"{DEEP_C}: Not assessed, 1 verified agreement")
    assert mark.is_visible()
    box = mark.bounding_box()
    assert box["width"] >= 6 and box["height"] >= 6
    assert page.get_by_text("not on the map (no coordinates recorded)").is_visible()
    with page.expect_navigation():
        mark.click()
    assert page.get_by_role("heading", level=1).inner_text() == DEEP_C


def test_the_home_pages_small_map_fits_a_phone(page, parks_on_the_map):
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/")

    assert page.locator("svg.park-map-svg").is_visible()
    assert page.evaluate(SIDEWAYS) == 0
    # The map and its legend (the rest of the home page is not this test's).
    sizes = page.evaluate(TEXT_SIZES, ".park-map")
    assert sizes and [(text, size) for text, size in sizes if size < 12] == []
    with page.expect_navigation():
        page.get_by_role("link", name="Map of parks, with every park listed").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Map of parks"


# A 1x1 transparent PNG, for every tile.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class TileServer(http.server.BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):
        TileServer.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(TILE)))
        self.end_headers()
        self.wfile.write(TILE)

    def log_message(self, *args):
        pass


@pytest.fixture
def tile_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), TileServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_with_a_tile_server_the_parks_are_laid_over_its_tiles(
    page, parks_on_the_map, tile_server, settings
):
    settings.MAP_TILES_URL = tile_server + "/{z}/{x}/{y}.png"
    settings.MAP_TILES_ATTRIBUTION = "Example tiles"
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/parks/map/")

    tiles = page.locator(".park-map-tiles")
    assert tiles.is_visible()
    page.locator(".park-map-tiles img.leaflet-tile-loaded").first.wait_for()
    assert TileServer.requests
    assert not page.locator("svg.park-map-svg").is_visible()
    assert page.get_by_text("Map tiles: Example tiles").is_visible()
    mark = page.locator(".park-map-tiles").get_by_role(
        "link", name=f"{DEEP_C}: Not assessed, 1 verified agreement"
    )
    assert mark.is_visible()
    mark.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == DEEP_C
