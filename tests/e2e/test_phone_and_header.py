"""The site's frame at the widths people use: the header on one line in both languages from
1024 to 1440 px, and phones (390 px) that never scroll sideways except inside a labelled table
scroller, with wide tables stacked into labelled rows and no text under 12 px."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, Document
from agreements.sample_data.demo import FOUNDING_REFERENCE, load_demo
from parks.models import AuthorityMembership, Organisation, Park, ParkMembership
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(db):
    """The whole demo (the founding agreement too), a Deep C staff member and a HEZA official."""
    load_demo()
    staff = make_user("deepc-staff")
    ParkMembership.objects.create(user=staff, park=Park.objects.get(slug="deep-c"))
    official = make_user("heza-official")
    AuthorityMembership.objects.create(user=official, agency=Organisation.objects.get(slug="heza"))
    founding = Agreement.objects.get(reference=FOUNDING_REFERENCE)
    return {"staff": staff, "official": official, "founding": founding}


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


# What the page shows at a phone's width: whether it scrolls sideways, the scrollers that
# overflow and whether each is a labelled, focusable region, and any text under 12 px
# (SVG text measured as drawn, after its drawing is scaled to the page).
PHONE_REPORT = """() => {
  const root = document.documentElement;
  const scrollers = [...document.querySelectorAll("main *")].filter((element) => {
    const overflow = getComputedStyle(element).overflowX;
    return (overflow === "auto" || overflow === "scroll")
      && element.scrollWidth > element.clientWidth + 1;
  }).map((element) => ({
    html: element.outerHTML.slice(0, 120),
    labelled: element.getAttribute("role") === "region"
      && !!(element.getAttribute("aria-label") || element.getAttribute("aria-labelledby"))
      && element.getAttribute("tabindex") === "0",
  }));
  const small = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    if (!own || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    const unseen = element.closest(".visually-hidden, title, option");
    if (style.visibility === "hidden" || unseen) continue;
    let size = parseFloat(style.fontSize);
    if (element instanceof SVGElement && element.getScreenCTM()) {
      size *= element.getScreenCTM().a;
    }
    const text = element.textContent.trim().slice(0, 40);
    if (size < 11.95) small.push(`${element.tagName} ${size.toFixed(1)} px: ${text}`);
  }
  const beyond = [...document.querySelectorAll("body *")].filter((element) => {
    const box = element.getBoundingClientRect();
    return box.right > root.clientWidth + 1 && box.width > 0
      && !element.parentElement.closest("[role=region]");
  }).slice(-5).map((element) => element.outerHTML.slice(0, 100));
  return {
    sideways: root.scrollWidth - root.clientWidth,
    beyond,
    scrollers,
    small,
  };
}"""


def assert_fits_a_phone(page, url):
    page.goto(url)
    report = page.evaluate(PHONE_REPORT)
    assert report["sideways"] <= 0, (
        f"{url} scrolls sideways by {report['sideways']} px: {report['beyond']}"
    )
    unlabelled = [scroller["html"] for scroller in report["scrollers"] if not scroller["labelled"]]
    assert unlabelled == [], f"{url}: scrollers without a label: {unlabelled}"
    assert report["small"] == [], f"{url}: text under 12 px: {report['small']}"


def stacked_labels(page, selector):
    """Each cell's label as the stacked row shows it (its ::before), beside its data-label."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map((cell) => [
          cell.dataset.label,
          getComputedStyle(cell, "::before").content.replace(/^"|"$/g, ""),
          getComputedStyle(cell.closest("tr")).display,
        ])""",
        selector,
    )


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_public_pages_fit_a_phone(page, vietnamese_page, demo, language):
    browser_page = page if language == "en" else vietnamese_page
    browser_page.set_viewport_size(PHONE)
    agreement = Agreement.objects.filter(review_state=Agreement.ReviewState.VERIFIED).first()

    for url in [
        reverse("home"),
        reverse("agreements:list"),
        agreement.get_absolute_url(),
        reverse("parks:detail", kwargs={"slug": "deep-c"}),
    ]:
        assert_fits_a_phone(browser_page, url)


@pytest.mark.parametrize("language", ["en", "vi"])
def test_staff_pages_fit_a_phone_and_my_agreements_stack_into_labelled_rows(
    page, vietnamese_page, live_server, demo, language
):
    browser_page = page if language == "en" else vietnamese_page
    browser_page.set_viewport_size(PHONE)
    sign_in(browser_page, live_server, demo["staff"])

    assert_fits_a_phone(browser_page, reverse("agreements:mine"))
    labels = stacked_labels(browser_page, "table.table-stack tbody td[data-label]")
    assert labels, "My agreements has stacked rows"
    for data_label, shown, row_display in labels:
        assert data_label and shown == data_label and row_display == "block"
    assert_fits_a_phone(browser_page, reverse("agreements:create"))


@pytest.mark.parametrize("language", ["en", "vi"])
def test_an_officials_pages_fit_a_phone(page, vietnamese_page, live_server, demo, language):
    browser_page = page if language == "en" else vietnamese_page
    browser_page.set_viewport_size(PHONE)
    Agreement.objects.filter(park__slug="deep-c").exclude(pk=demo["founding"].pk).update(
        review_state=Agreement.ReviewState.SUBMITTED, submitted_at=timezone.now()
    )
    sign_in(browser_page, live_server, demo["official"])

    assert_fits_a_phone(browser_page, reverse("agreements:dashboard"))
    labels = stacked_labels(browser_page, "table.table-stack tbody td[data-label]")
    assert labels, "the dashboard's work lists have stacked rows"
    assert all(shown == data_label for data_label, shown, _ in labels)
    assert_fits_a_phone(browser_page, reverse("agreements:mine"))
    labels = stacked_labels(browser_page, "table.table-stack tbody td[data-label]")
    assert labels, "the agreements awaiting review have stacked rows"
    assert all(shown == data_label for data_label, shown, _ in labels)


def test_wide_tables_are_tables_again_on_a_desktop(page, live_server, demo):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, demo["staff"])
    page.goto(reverse("agreements:mine"))

    labels = stacked_labels(page, "table.table-stack tbody td[data-label]")
    assert labels and all(shown == "none" and row == "table-row" for _, shown, row in labels)


def test_an_agreement_prints_without_the_sites_frame_and_with_its_documents_addresses(page, demo):
    agreement = demo["founding"]
    Document.objects.create(
        agreement=agreement,
        title="Signed agreement",
        file=ContentFile(b"%PDF-1.7\n%%EOF\n", name="signed.pdf"),
        content_type="application/pdf",
        size=15,
        is_public=True,
    )
    page.goto(agreement.get_absolute_url())
    assert page.locator("nav.navbar").is_visible()

    page.emulate_media(media="print")

    assert not page.locator("nav.navbar").is_visible()
    assert not page.locator("body > footer").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()
    colour = page.get_by_role("heading", level=1).evaluate("h => getComputedStyle(h).color")
    assert colour == "rgb(0, 0, 0)"
    document = page.get_by_role("link", name="Signed agreement")
    written = document.evaluate("a => getComputedStyle(a, '::after').content")
    assert document.get_attribute("href") in written
