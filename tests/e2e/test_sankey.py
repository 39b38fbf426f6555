"""The flow (Sankey) diagrams on a phone: at 390 px the page never scrolls sideways (the
diagram does, inside its frame), its labels are drawn at 12 px at least, and no two label boxes
overlap, in Vietnamese with long names."""

import pytest

from agreements.models import Agreement, Resource, ResourceFlow
from tests.factories import make_agreement, make_organisation, make_park, make_resource

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 800}

# Per diagram: the scale it is drawn at, each label's font size and box, each node's box.
MEASURE = """
() => [...document.querySelectorAll("svg.sankey-diagram")].map((svg) => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const box = (element) => {
    const r = element.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  return {
    scale,
    nodes: [...svg.querySelectorAll(".sankey-node")].map((node) => ({
      text: box(node.querySelector("text")),
      rect: box(node.querySelector("rect")),
      size: parseFloat(getComputedStyle(node.querySelector("text")).fontSize) * scale,
    })),
  };
})
"""


def overlap(a, b):
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def build_park():
    park = make_park(slug="phone-park", name_en="Phone Park")
    water = make_resource(
        unit=Resource.Unit.CUBIC_METRE,
        name_en="Treated wastewater for cooling towers",
        name_vi="Nước thải đã xử lý dùng cho tháp giải nhiệt",
    )
    slag = make_resource(
        category=Resource.Category.MATERIAL,
        unit=Resource.Unit.TONNE,
        name_en="Slag",
        name_vi="Xỉ thép dùng làm vật liệu san lấp",
    )
    organisations = [
        make_organisation(
            name_en=f"Company {number} Manufacturing Joint Stock Company",
            name_vi=f"Công ty Cổ phần Sản xuất Công nghiệp Nặng số {number}",
            sector="24" if number % 2 else "35",
        )
        for number in range(16)
    ]
    for number, provider in enumerate(organisations):
        receiver = organisations[(number + 1) % len(organisations)]
        agreement = make_agreement(
            park,
            parties=[provider, receiver],
            flows=[],
            review_state=Agreement.ReviewState.VERIFIED,
        )
        for resource, quantity in ((water, 100 + 37 * number), (slag, 1 + number % 3)):
            ResourceFlow.objects.create(
                agreement=agreement,
                resource=resource,
                provider=provider,
                receiver=receiver,
                quantity=quantity,
                unit=resource.unit,
            )
    # A few organisations on the slag's side only: by name, a dozen at most.
    return park


@pytest.mark.parametrize("fixture", ["page", "vietnamese_page"])
def test_the_flow_diagrams_are_readable_on_a_phone(request, live_server, fixture):
    # live_server named here: pytest-django lets its host in only for a test that names it.
    page = request.getfixturevalue(fixture)
    park = build_park()
    page.set_viewport_size(PHONE)
    page.goto(park.get_absolute_url())

    diagrams = page.evaluate(MEASURE)

    assert len(diagrams) == 2  # volume and mass
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for diagram in diagrams:
        assert diagram["scale"] >= 1  # drawn at its own size, scrolled inside its frame
        nodes = diagram["nodes"]
        assert nodes
        for index, node in enumerate(nodes):
            assert node["size"] >= 12
            text, rect = node["text"], node["rect"]
            # The label stays inside its box, and no two boxes overlap.
            assert rect["left"] <= text["left"] and text["right"] <= rect["right"] + 0.5
            for other in nodes[index + 1 :]:
                assert not overlap(node["rect"], other["rect"])
                assert not overlap(node["text"], other["text"])
    frame = page.locator(".sankey-scroll").first
    assert frame.evaluate("element => element.scrollWidth > element.clientWidth")
    assert frame.get_attribute("role") == "region" and frame.get_attribute("tabindex") == "0"
