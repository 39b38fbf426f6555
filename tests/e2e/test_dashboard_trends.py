"""The officials' dashboard on a phone (390 px wide): its trends and its agreed and measured
year charts drawn at 12 px text or more, never scaled below, scrolling sideways inside their
labelled figures where they must, never the page."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from agreements.models import ResourceFlow
from agreements.sample_data.demo import load_demo
from parks.models import AuthorityMembership, Organisation, Park
from tests.factories import make_agreement, make_organisation, make_resource, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse"
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Every element under ``root`` showing text of its own, with the size it is drawn at: an SVG
# text's font size times its drawing's scale on the screen.
DRAWN_SIZES = """
(root) => [...document.querySelectorAll(root + " *")]
  .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
  .filter((el) => el.getClientRects().length && !el.closest(".visually-hidden, title, desc"))
  .map((el) => {
    const size = parseFloat(getComputedStyle(el).fontSize);
    const scale = el instanceof SVGElement ? el.getScreenCTM().a : 1;
    return [el.textContent.trim().slice(0, 40), Math.round(size * scale * 10) / 10];
  })
"""


@pytest.fixture
def official(db):
    load_demo()
    park = Park.objects.get(slug="deep-c")
    first, second = make_organisation(park=park), make_organisation(park=park)
    water = make_resource(name_en="Treated wastewater (test)", unit="m3")
    agreement = make_agreement(
        park, parties=[first, second], flows=[], starts_on=datetime.date(2021, 3, 1)
    )
    ResourceFlow.objects.create(
        agreement=agreement,
        resource=water,
        provider=first,
        receiver=second,
        quantity=1200,
        period=ResourceFlow.Period.MONTHLY,
    )
    user = make_user("heza-official")
    AuthorityMembership.objects.create(user=user, agency=Organisation.objects.get(slug="heza"))
    return user


def sign_in(page):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("heza-official")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Officials' dashboard")).to_be_visible()


def test_the_dashboards_charts_on_a_phone(page, official):
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page)

    trends = page.locator("#trends")
    expect(trends.locator("svg.trend-chart")).to_be_visible()
    expect(page.locator("#yearly svg.year-chart").first).to_be_visible()
    assert page.evaluate(SIDEWAYS) == 0
    for section in ("#trends", "#yearly"):
        sizes = page.evaluate(DRAWN_SIZES, section)
        assert sizes and [(text, size) for text, size in sizes if size < 12] == [], section
    # The year chart wider than the phone scrolls inside its figure, a region named for it.
    scroller = page.get_by_role("region", name=re.compile("scrolls sideways")).last
    assert scroller.evaluate("el => el.scrollWidth > el.clientWidth")
    # The table beneath the trends says what the chart draws.
    table = trends.get_by_role("table")
    expect(table.get_by_role("columnheader", name="In force during the year")).to_be_visible()
    expect(page.get_by_text("Active by their dates but not verified:")).to_be_visible()


def test_at_a_desktops_width_nothing_scrolls(page, official):
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page)

    expect(page.locator("#trends svg.trend-chart")).to_be_visible()
    assert page.evaluate(SIDEWAYS) == 0
    sizes = page.evaluate(DRAWN_SIZES, "#trends")
    assert [(text, size) for text, size in sizes if size < 12] == []
