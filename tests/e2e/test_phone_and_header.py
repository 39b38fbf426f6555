"""The site's frame at the widths people use: the header on one line in both languages from
1024 to 1440 px, and phones (390 px) that never scroll sideways except inside a labelled table
scroller, with wide tables stacked into labelled rows and no text under 12 px."""

import pytest
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def sign_in(page, live_server, user):
    """Sign ``user`` in by handing the browser a session made by the test client."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def header_geometry(page):
    """The header's height and, for each navigation item, its height and its text's line
    height (an item that wraps is two lines tall)."""
    return page.evaluate(
        """() => ({
          header: document.querySelector("body > header").getBoundingClientRect().height,
          items: [...document.querySelectorAll("#main-nav .nav-link, #language-select")].map(
            (item) => ({
              text: item.innerText || item.value,
              height: item.getBoundingClientRect().height,
              line: parseFloat(getComputedStyle(item).lineHeight),
              padding: parseFloat(getComputedStyle(item).paddingTop)
                + parseFloat(getComputedStyle(item).paddingBottom)
                + parseFloat(getComputedStyle(item).borderTopWidth)
                + parseFloat(getComputedStyle(item).borderBottomWidth),
              clipped: item.scrollWidth > item.clientWidth + 1,
            })),
        })"""
    )


@pytest.mark.parametrize("width", [1024, 1200, 1366, 1440])
def test_the_header_is_as_tall_in_vietnamese_as_in_english_and_no_item_wraps(
    page, vietnamese_page, live_server, registry, width
):
    official = registry["official"]
    official.is_staff = True  # the longest menu: the admin link too
    official.save()
    heights = {}
    for language, browser_page in [("en", page), ("vi", vietnamese_page)]:
        sign_in(browser_page, live_server, official)
        browser_page.set_viewport_size({"width": width, "height": 900})
        browser_page.goto(reverse("agreements:list"))
        assert browser_page.locator("html").get_attribute("lang") == language
        geometry = header_geometry(browser_page)
        heights[language] = geometry["header"]
        for item in geometry["items"]:
            if item["height"] == 0:  # collapsed behind the toggler
                continue
            assert item["height"] <= item["line"] + item["padding"] + 1, (language, item)
            assert not item["clipped"], (language, item)

    assert heights["vi"] == heights["en"], heights
