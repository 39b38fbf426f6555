"""A visitor's trail in a real browser: from the home page to the founding agreement, its shared
resource and Deep C's network, each at most three clicks away."""

import pytest

from agreements.sample_data.demo import load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOUNDING_TITLE = (
    "Industrial-urban symbiosis cooperation agreement on fire prevention, fire-fighting and "
    "rescue between Dinh Vu Industrial Park JSC and Hai An District Police"
)
FIRE_FIGHTING = "Fire prevention, fire-fighting and rescue capacity"
DEEP_C = "Deep C Industrial Park (Dinh Vu Industrial Park)"


class Trail:
    """Counts the clicks (a search submitted counts as one) a visitor makes."""

    def __init__(self, page):
        self.page = page
        self.clicks = 0

    def click(self, locator):
        with self.page.expect_navigation():
            locator.click()
        self.clicks += 1


def test_from_home_search_hai_an_open_the_agreement_its_resource_and_the_parks_network(page):
    load_demo()
    trail = Trail(page)
    page.goto("/")

    page.get_by_role("searchbox", name="Search agreements").fill("hai an")
    trail.click(page.get_by_role("button", name="Search"))
    assert page.get_by_role("heading", name="1 agreement found").is_visible()

    trail.click(page.get_by_role("link", name=FOUNDING_TITLE))
    assert page.get_by_role("heading", level=1).inner_text() == FOUNDING_TITLE
    assert page.get_by_role("link", name="Hai An District Police").first.is_visible()
    assert trail.clicks == 2

    trail.click(page.get_by_role("link", name=FIRE_FIGHTING).first)
    assert page.get_by_role("heading", level=1).inner_text() == FIRE_FIGHTING
    assert page.get_by_role("link", name=FOUNDING_TITLE).is_visible()
    assert trail.clicks == 3

    # Back on the agreement, its park's network is one click away: three from home.
    page.go_back()
    trail.clicks -= 1
    trail.click(page.get_by_role("link", name="its symbiosis network"))
    assert trail.clicks == 3
    network = page.locator("#network svg.network-wide")
    assert network.is_visible()
    # The founding agreement's two parties: the demo's illustrative records are drafts.
    assert network.locator("g.node").count() == 2
    assert page.get_by_role("group", name=f"Symbiosis network of {DEEP_C}").is_visible()
    assert page.get_by_role("table", name="The flows of the network").is_visible()


def test_the_parks_network_is_one_click_from_home_and_readable_on_a_phone(page):
    load_demo()
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/")

    with page.expect_navigation():
        page.get_by_role("link", name=f"Symbiosis network of {DEEP_C}").click()

    network = page.locator("#network svg.network-narrow")  # the phone's drawing
    assert network.is_visible()
    assert not page.locator("#network svg.network-wide").is_visible()
    # The phone's drawing fits the screen inside a labelled scroller, its text 12 px or more.
    scroller = page.get_by_role("region", name="The network diagram")
    box = scroller.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # The flows are also a table, readable at any width.
    assert page.get_by_role("table", name="The flows of the network").is_visible()


def test_paging_keeps_the_filters(page):
    from tests.factories import make_agreement, make_park

    park = make_park(name_en="Busy Park")
    for number in range(27):
        make_agreement(park, reference=f"BUSY-{number:02d}")
    make_agreement(reference="ELSEWHERE")
    page.goto("/agreements/")

    page.get_by_label("Park").select_option(label="Busy Park")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    assert page.get_by_role("heading", name="27 agreements found").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Next").click()

    assert page.get_by_label("Park").input_value() == park.slug
    assert page.locator(".agreement-list > li").count() == 2
