"""The map of parks (``parks:map``, and the small one on the home page): each park at its place,
coloured and shaped by its eco-industrial park status, sized by its verified agreements, linked
to its page; parks without coordinates listed as not on the map; tiles only when set."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement
from parks.models import Park, validate_park_slug
from parks.park_map import LOOKS, Frame, clip_ring, draw_park_map, frame_for
from symbiosis.security_headers import tiles_origin
from tests.factories import make_agreement, make_park, make_park_staff

pytestmark = pytest.mark.django_db

RECOGNISED = Park.EipStatus.RECOGNISED
CONVENTIONAL = Park.EipStatus.CONVENTIONAL
TRANSITIONING = Park.EipStatus.TRANSITIONING
DRAFT = Agreement.ReviewState.DRAFT
TILES = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"


def hai_phong(**fields):
    return make_park(
        name_en="Deep C", slug="deep-c", latitude=Decimal("20.83"), longitude=Decimal("106.77"),
        eip_status=RECOGNISED, **fields,
    )  # fmt: skip


def ho_chi_minh_city(**fields):
    return make_park(
        name_en="Hiep Phuoc", slug="hiep-phuoc", latitude=Decimal("10.62"),
        longitude=Decimal("106.75"), eip_status=CONVENTIONAL, **fields,
    )  # fmt: skip


def da_nang(**fields):
    return make_park(
        name_en="Hoa Khanh", slug="hoa-khanh", latitude=Decimal("16.07"),
        longitude=Decimal("108.15"), eip_status=TRANSITIONING, **fields,
    )  # fmt: skip


def marks(content):
    """Each park's mark on the map: slug -> its attributes."""
    found = {}
    for tag in re.findall(r"<a [^>]*data-park=[^>]*>", content):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        found[attributes["data-park"]] = attributes
    return found


def map_page(client=None, **headers):
    return (client or Client()).get(reverse("parks:map"), **headers)


def test_each_park_is_at_its_place_east_to_the_right_and_north_higher():
    hai_phong(), ho_chi_minh_city(), da_nang()

    found = marks(map_page().content.decode())

    north, south, centre = found["deep-c"], found["hiep-phuoc"], found["hoa-khanh"]
    assert float(north["data-y"]) < float(centre["data-y"]) < float(south["data-y"])
    assert float(centre["data-x"]) > float(north["data-x"])
    assert float(centre["data-x"]) > float(south["data-x"])
    # Hai Phong (106.77 degrees east) is a little east of Hiep Phuoc (106.75).
    assert 0 < float(north["data-x"]) - float(south["data-x"]) < 2


def test_a_mark_grows_with_its_parks_verified_agreements_and_drafts_count_for_nothing():
    busy, quiet, empty = hai_phong(), ho_chi_minh_city(), da_nang()
    for _ in range(3):
        make_agreement(busy)
    make_agreement(quiet)
    for _ in range(5):
        make_agreement(quiet, review_state=DRAFT)
        make_agreement(empty, review_state=DRAFT)

    content = map_page().content.decode()
    found = marks(content)

    radii = {slug: float(mark["data-radius"]) for slug, mark in found.items()}
    assert radii["deep-c"] > radii["hiep-phuoc"] > radii["hoa-khanh"]
    # Areas: the smallest for none, in proportion to the count above it.
    smallest = radii["hoa-khanh"] ** 2
    assert (radii["deep-c"] ** 2 - smallest) == pytest.approx(
        3 * (radii["hiep-phuoc"] ** 2 - smallest), rel=0.02
    )
    assert (
        found["deep-c"]["aria-label"]
        == "Deep C: Recognised eco-industrial park, 3 verified agreements"
    )
    assert "Hoa Khanh: Transitioning to an eco-industrial park, 0 verified agreements" in content


def test_each_status_has_its_colour_and_shape_and_the_legend_names_them():
    hai_phong(), ho_chi_minh_city(), da_nang()

    content = map_page().content.decode()

    def mark_of(slug):
        start = content.index(f'data-park="{slug}"')
        return content[start : content.index("</a>", start)]

    assert '<circle cx="' in mark_of("deep-c")
    assert f'fill="{LOOKS[RECOGNISED].fill}"' in mark_of("deep-c")
    assert "<polygon" in mark_of("hiep-phuoc")
    assert f'fill="{LOOKS[CONVENTIONAL].fill}"' in mark_of("hiep-phuoc")
    assert f'fill="{LOOKS[TRANSITIONING].fill}"' in mark_of("hoa-khanh")
    assert (
        len({look.fill for look in LOOKS.values()})
        == len({look.shape for look in LOOKS.values()})
        == 4
    )
    legend = content[content.index('class="list-unstyled park-map-legend') :]
    for status in Park.EipStatus:
        assert str(status.label) in legend
    assert "the largest stands for 0 verified agreements" not in legend


def test_marks_link_to_their_park_and_parks_without_coordinates_are_listed_not_on_the_map():
    hai_phong()
    nowhere = make_park(name_en="Somewhere unrecorded", slug="somewhere")
    make_agreement(nowhere)

    content = map_page().content.decode()
    found = marks(content)

    assert found["deep-c"]["href"] == reverse("parks:detail", args=["deep-c"])
    assert "somewhere" not in found
    listed = content[content.index('class="list-unstyled park-map-list"') :]
    assert (
        f'<a href="{reverse("parks:detail", args=["somewhere"])}">Somewhere unrecorded</a>'
        in listed
    )
    assert "not on the map (no coordinates recorded)" in listed
    assert "1 verified agreement" in listed
    assert listed.count("not on the map") == 1


def test_the_map_has_an_accessible_name_and_country_outlines_from_natural_earth():
    hai_phong()

    content = map_page().content.decode()

    assert re.search(
        r'<svg class="park-map-svg" [^>]*role="group" aria-labelledby="park-map-title"', content
    )
    assert '<title id="park-map-title">Map of parks' in content
    outlines = re.findall(r'<path d="M[\d. L]+Z"/>', content)
    assert len(outlines) > 5
    assert "Natural Earth (public domain)" in content


def test_one_park_or_none_shows_viet_nam_and_parks_far_apart_fit_in():
    viet_nam = frame_for([])
    assert frame_for([(106.77, 20.83)]) == viet_nam
    assert viet_nam.box().west < 102.2 and viet_nam.box().east > 109.4
    assert viet_nam.box().south < 8.5 and viet_nam.box().north > 23.3

    far = frame_for([(106.77, 20.83), (11.09, 55.67)])  # Deep C and Kalundborg
    for longitude, latitude in [(106.77, 20.83), (11.09, 55.67)]:
        x, y = far.place(longitude, latitude)
        assert 0 < x < 600
        assert 0 < y < far.height


def test_outlines_are_clipped_to_the_map():
    square = [(-10.0, -10.0), (10.0, -10.0), (10.0, 10.0), (-10.0, 10.0)]

    clipped = clip_ring(square, 0, 0, 5, 5)

    assert {(round(x, 6), round(y, 6)) for x, y in clipped} == {(0, 0), (5, 0), (5, 5), (0, 5)}
    assert clip_ring(square, 20, 20, 30, 30) == []
    drawn = draw_park_map([])
    points = [p for path in drawn.countries for p in re.findall(r"([\d.]+) ([\d.]+)", path)]
    assert points
    assert all(0 <= float(x) <= 600 and 0 <= float(y) <= drawn.height for x, y in points)
    # The frame's middle longitude is the drawing's middle.
    assert Frame(100.0, 10.0, 110.0, 25.0).place(105, 20)[0] == pytest.approx(300)


@pytest.mark.parametrize("parks", [1, 12])
def test_the_map_page_runs_one_query_whatever_the_number_of_parks(django_assert_num_queries, parks):
    for number in range(parks):
        park = make_park(latitude=Decimal(10 + number), longitude=Decimal(104 + number / 4))
        make_agreement(park)

    with django_assert_num_queries(1):  # the parks with their verified agreements counted
        response = map_page()

    assert len(marks(response.content.decode())) == parks


def test_the_home_page_has_a_small_map_linking_to_the_map_page():
    park = hai_phong()
    make_agreement(park)

    content = Client().get(reverse("home")).content.decode()

    assert marks(content)["deep-c"]["href"] == park.get_absolute_url()
    assert f'href="{reverse("parks:map")}"' in content
    assert 'aria-labelledby="home-map-title"' in content


def test_the_home_page_shows_no_map_without_parks_on_it():
    make_park(name_en="Somewhere unrecorded")

    content = Client().get(reverse("home")).content.decode()

    assert "park-map-svg" not in content


def test_the_park_list_links_to_the_map():
    make_park()

    assert f'href="{reverse("parks:map")}"' in Client().get(reverse("parks:list")).content.decode()


def test_the_map_page_reads_in_vietnamese():
    hai_phong()
    make_agreement(Park.objects.get(slug="deep-c"))

    response = map_page(HTTP_ACCEPT_LANGUAGE="vi")

    content = response.content.decode()
    assert '<html lang="vi">' in content
    assert "Bản đồ các khu công nghiệp" in content
    assert "Khu công nghiệp sinh thái đã được công nhận" in content
    assert "1 thỏa thuận đã xác minh" in content
    # Numbers in the drawing stay machine-readable: no decimal comma in an SVG attribute.
    assert re.search(r'data-lat="20\.83', content)
    assert not re.search(r'(?:cx|cy|r|data-x|data-radius)="\d+,\d', content)


def test_everyone_may_open_the_map_and_nobody_posts_to_it(admin_user):
    park = hai_phong()
    for user in [None, make_park_staff(park), admin_user]:
        client = Client()
        if user is not None:
            client.force_login(user)
        assert map_page(client).status_code == 200
        assert client.post(reverse("parks:map")).status_code == 405


def test_without_a_tile_server_nothing_of_leaflet_is_loaded_and_images_stay_our_own(settings):
    settings.MAP_TILES_URL = ""
    hai_phong()

    response = map_page()

    content = response.content.decode()
    assert "leaflet" not in content.lower()
    assert "park-map.js" not in content
    assert "data-tiles-url" not in content
    assert "img-src 'self' data:;" in response["Content-Security-Policy"] + ";"
    assert "tiles.example.org" not in response["Content-Security-Policy"]


def test_with_a_tile_server_the_page_loads_leaflet_and_may_show_its_tiles_only(settings):
    settings.MAP_TILES_URL = TILES
    settings.MAP_TILES_ATTRIBUTION = "© Example <contributors>"
    hai_phong()

    response = map_page()

    content = response.content.decode()
    assert "vendor/leaflet-1.9.4/leaflet.js" in content
    assert "vendor/leaflet-1.9.4/leaflet.css" in content
    assert "js/park-map.js" in content
    assert f'data-tiles-url="{TILES}"' in content
    assert "Map tiles: © Example &lt;contributors&gt;" in content
    assert "<script>" not in content  # no inline script
    policy = response["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "https://*.tiles.example.org" in img_src
    # Only the map page: every other page keeps images to the site's own.
    other = Client().get(reverse("parks:list"))
    assert "tiles.example.org" not in other["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://Tiles.Example.org:8080/t/{z}/{x}/{y}", "http://tiles.example.org:8080"),
    ],
)
def test_the_tile_servers_origin_is_read_from_its_address(url, origin):
    assert tiles_origin(url) == origin


def test_no_park_may_take_the_maps_address_as_its_slug():
    with pytest.raises(ValidationError, match="a word the registry's addresses use"):
        validate_park_slug("map")


def test_a_parks_name_is_escaped_in_its_marks_name():
    make_park(
        name_en='Park "<b>bold</b>"', slug="bold", latitude=Decimal("20"), longitude=Decimal("106")
    )

    content = map_page().content.decode()

    assert "<b>bold" not in content
    assert 'aria-label="Park &quot;&lt;b&gt;bold&lt;/b&gt;&quot;: Not assessed' in content
    assert "<title>Park &quot;&lt;b&gt;bold&lt;/b&gt;&quot;: Not assessed" in content
