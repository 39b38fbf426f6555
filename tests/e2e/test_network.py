"""The symbiosis network and an agreement's drawing of its flows, measured in a real browser:
labels apart, inside their boxes, at least 12 px high, and no sideways scroll on a phone."""

import pytest

from agreements.models import Agreement
from agreements.sample_data.demo import FOUNDING_REFERENCE, load_demo
from tests.factories import make_agreement, make_organisation, make_park, make_resource

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAMES = [
    "Công ty Cổ phần Khu công nghiệp Đình Vũ",
    "Sector: cement industry (unnamed plants of the province)",
    "Hai Phong Water Supply Joint Stock Company",
    "Nhà máy xử lý nước thải tập trung",
]

# What the browser measures of the drawing shown in ``selector`` (the other is hidden by the
# style sheet): each label's box, each of its lines' height, whether it stays inside its box.
MEASURE = """
(selector) => {
  const shown = [...document.querySelectorAll(selector + " svg.network-diagram")]
    .filter((svg) => svg.getBoundingClientRect().width > 0);
  const svg = shown[0];
  const labels = [...svg.querySelectorAll("g.node")].map((node) => {
    const text = node.querySelector("text").getBoundingClientRect();
    const box = node.querySelector("rect").getBoundingClientRect();
    return {
      left: text.left, right: text.right, top: text.top, bottom: text.bottom,
      inside: text.left >= box.left - 1 && text.right <= box.right + 1
        && text.top >= box.top - 1 && text.bottom <= box.bottom + 1,
      lines: [...node.querySelectorAll("tspan")].map((line) => line.getBoundingClientRect().height),
    };
  });
  return {
    shown: shown.length,
    kind: svg.getAttribute("class"),
    labels: labels,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
}
"""


def overlapping(labels):
    return [
        (a, b)
        for index, a in enumerate(labels)
        for b in labels[index + 1 :]
        if a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    ]


def assert_readable(measured, *, count, kind):
    assert measured["shown"] == 1
    assert kind in measured["kind"]
    labels = measured["labels"]
    assert len(labels) == count
    assert overlapping(labels) == []
    assert all(label["inside"] for label in labels)
    assert min(height for label in labels for height in label["lines"]) >= 12


@pytest.fixture
def fifty_park():
    """A synthetic park of 50 organisations with long names: a hub giving to 49, ten of them
    giving back, and those ten giving to some of the others too."""
    park = make_park(name_en="Fifty Park")
    water, material, energy = make_resource(), make_resource(), make_resource()
    hub = make_organisation(slug="hub", name_en="Dinh Vu Industrial Park Joint Stock Company")
    partners = [
        make_organisation(slug=f"p-{n:02d}", name_en=f"{NAMES[n % 4]} {n}") for n in range(49)
    ]
    for number, partner in enumerate(partners):
        flows = [(water, hub, partner)]
        if number < 10:
            flows.append((material, partner, hub))
        make_agreement(park, parties=[hub, partner], flows=flows)
    for number in range(10, 49, 3):
        giver = partners[number % 10]
        make_agreement(
            park, parties=[giver, partners[number]], flows=[(energy, giver, partners[number])]
        )
    return park


@pytest.mark.parametrize(("width", "kind"), [(1366, "network-wide"), (390, "network-narrow")])
def test_the_network_of_fifty_organisations_keeps_its_labels_apart(page, fifty_park, width, kind):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(fifty_park.get_absolute_url())

    measured = page.evaluate(MEASURE, "#network")

    assert_readable(measured, count=50, kind=kind)
    assert measured["scrollWidth"] <= measured["innerWidth"]  # no sideways scroll
    # The drawing's organisations are links named by their full names, reached by keyboard
    # (in the drawing shown only: the other is hidden from every reader).
    drawn = page.locator("#network svg.network-diagram:visible")
    link = drawn.get_by_role("link", name=f"{NAMES[1]} 1", exact=True)
    assert link.count() == 1
    link.focus()
    assert page.evaluate("document.activeElement.closest('svg').getAttribute('class')") == (
        f"network-diagram {kind}"
    )
    assert page.locator(f"#network svg.network-diagram:not(.{kind}) a:visible").count() == 0


def test_a_network_of_two_organisations_is_drawn_small(page):
    load_demo()
    page.goto("/parks/deep-c/")

    drawing = page.locator("#network svg.network-wide")
    box = drawing.bounding_box()
    assert box["width"] < 600 and box["height"] < 200


@pytest.mark.parametrize("language", ["en", "vi"])
def test_the_agreements_drawing_of_its_flows_is_readable_on_a_phone(
    page, vietnamese_page, language
):
    load_demo()
    browser = vietnamese_page if language == "vi" else page
    agreement = Agreement.objects.get(reference=FOUNDING_REFERENCE)
    browser.set_viewport_size({"width": 390, "height": 840})
    browser.goto(agreement.get_absolute_url())

    measured = browser.evaluate(MEASURE, "#flow-drawing")

    assert_readable(measured, count=3, kind="network-narrow")
    assert measured["scrollWidth"] <= measured["innerWidth"]
