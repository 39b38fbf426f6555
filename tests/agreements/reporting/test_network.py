"""The symbiosis network drawing: pure functions from rows to SVG, checked without a database."""

import math
import random
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from agreements.reporting.network import (
    CATEGORY_STYLES,
    LABEL_CHARS,
    Flow,
    Node,
    circle_layout,
    network_from_links,
    render_network,
    sort_nodes,
    stroke_width,
)

SVG = "{http://www.w3.org/2000/svg}"
CATEGORIES = {
    "energy": "Energy",
    "water": "Water",
    "material": "Material or by-product",
    "service": "Service",
}


def draw(nodes, flows, **kwargs):
    kwargs.setdefault("categories", CATEGORIES)
    kwargs.setdefault("title", "Network of Deep C")
    kwargs.setdefault("description", "Four organisations, five flows.")
    return str(render_network(nodes, flows, **kwargs))


def parse(svg):
    return ET.fromstring(svg)


def node_keys(root):
    return [g.get("data-key") for g in root.iter(f"{SVG}g") if g.get("class") == "node"]


def flow_paths(root):
    return [path for path in root.iter(f"{SVG}path") if path.get("class") == "flow"]


DEEP_C_NODES = [
    Node("dinh-vu-ip-jsc", "Dinh Vu IP JSC", "Dinh Vu Industrial Park Joint Stock Company"),
    Node("hai-an-district-police", "Hai An District Police", "Hai An District Police"),
    Node("flat-vietnam", "Flat Vietnam", "Flat Vietnam Co., Ltd."),
    Node("shin-etsu-vietnam", "Shinetsu Vietnam", "Shin-Etsu Vietnam"),
]
DEEP_C_FLOWS = [
    Flow("dinh-vu-ip-jsc", "hai-an-district-police", "service", True, "fire-fighting"),
    Flow("dinh-vu-ip-jsc", "shin-etsu-vietnam", "energy", False, "solar"),
    Flow("dinh-vu-ip-jsc", "shin-etsu-vietnam", "energy", False, "wind"),
    Flow("dinh-vu-ip-jsc", "flat-vietnam", "water", False, "treated wastewater"),
    Flow("flat-vietnam", "dinh-vu-ip-jsc", "material", False, "filling material"),
]


def test_every_organisation_is_a_node_and_every_flow_an_arrow():
    root = parse(draw(DEEP_C_NODES, DEEP_C_FLOWS))

    assert sorted(node_keys(root)) == sorted(node.key for node in DEEP_C_NODES)
    assert len(flow_paths(root)) == len(DEEP_C_FLOWS)


def test_the_drawing_is_labelled_for_assistive_technology():
    root = parse(draw(DEEP_C_NODES, DEEP_C_FLOWS))

    assert root.get("role") == "img"
    labelled_by = root.get("aria-labelledby").split()
    texts = {element.get("id"): element.text for element in root.iter() if element.get("id")}
    assert [texts[id_] for id_ in labelled_by] == [
        "Network of Deep C",
        "Four organisations, five flows.",
    ]


def test_the_same_rows_in_any_order_give_the_same_picture():
    first = draw(DEEP_C_NODES, DEEP_C_FLOWS)
    shuffled_nodes, shuffled_flows = DEEP_C_NODES[:], DEEP_C_FLOWS[:]
    random.Random(4).shuffle(shuffled_nodes)
    random.Random(7).shuffle(shuffled_flows)

    assert draw(shuffled_nodes, shuffled_flows) == first


def test_nodes_go_round_the_circle_clockwise_from_the_top_by_name_ignoring_accents():
    nodes = [Node("b", "\u0110ông Hải", "x"), Node("c", "zeta", "x"), Node("a", "Ánh Dương", "x")]

    assert [node.key for node in sort_nodes(nodes)] == ["a", "b", "c"]
    width, _height, positions = circle_layout(3)
    x, y, _angle = positions[0]
    assert x == pytest.approx(width / 2)
    assert y < positions[1][1]  # the first is at the top
    assert positions[1][0] > x  # the second to its right: clockwise


def test_a_one_way_flow_has_one_arrowhead_and_a_mutual_flow_one_at_each_end():
    root = parse(draw(DEEP_C_NODES, DEEP_C_FLOWS))
    by_title = {path.find(f"{SVG}title").text: path for path in flow_paths(root)}

    assert by_title["fire-fighting"].get("marker-start")
    assert by_title["fire-fighting"].get("marker-end")
    assert by_title["treated wastewater"].get("marker-start") is None
    assert by_title["treated wastewater"].get("marker-end")


def test_arrows_run_from_provider_to_receiver():
    nodes = [Node("a", "A", "A"), Node("b", "B", "B")]
    root = parse(draw(nodes, [Flow("b", "a", "water", False, "b to a")]))
    _width, _height, positions = circle_layout(2)
    (ax, ay, _), (bx, by, _) = positions  # a at the top, b at the bottom

    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", flow_paths(root)[0].get("d"))]
    start, end = numbers[:2], numbers[-2:]
    assert math.dist(start, (bx, by)) < math.dist(start, (ax, ay))
    assert math.dist(end, (ax, ay)) < math.dist(end, (bx, by))


def test_flows_are_coloured_by_category_with_a_legend_of_the_categories_in_use():
    root = parse(draw(DEEP_C_NODES, DEEP_C_FLOWS))
    colours = {path.get("data-category"): path.get("stroke") for path in flow_paths(root)}
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    legend_texts = [text.text for text in legend.iter(f"{SVG}text")]

    assert colours == {key: CATEGORY_STYLES[key][0] for key in colours}
    assert len(set(colours.values())) == 4
    assert legend_texts == [
        "Energy",
        "Water",
        "Material or by-product",
        "Service",
        "mutual flow: arrows both ways",
    ]


def test_a_category_without_flows_is_left_out_of_the_legend():
    root = parse(draw(DEEP_C_NODES, DEEP_C_FLOWS[3:4]))
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")

    assert [text.text for text in legend.iter(f"{SVG}text")] == ["Water"]


def relative_luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_category_colour_stands_out_on_white_and_differs_from_the_others():
    colours = [colour for colour, _dash in CATEGORY_STYLES.values()]

    for colour in colours:
        assert 1.05 / (relative_luminance(colour) + 0.05) >= 3, colour
    assert len(set(colours)) == len(colours)
    dashes = [dash for _colour, dash in CATEGORY_STYLES.values()]
    assert len(set(dashes)) >= len(dashes) - 1  # colour is not the only cue


def test_two_flows_between_the_same_organisations_bow_apart():
    root = parse(draw(DEEP_C_NODES, DEEP_C_FLOWS))
    by_title = {path.find(f"{SVG}title").text: path.get("d") for path in flow_paths(root)}

    assert by_title["solar"] != by_title["wind"]
    assert by_title["treated wastewater"] != by_title["filling material"]


def test_every_text_is_escaped():
    nodes = [
        Node("a<b", '<script>alert("x")</script>', "Tom & Jerry's <b>"),
        Node("c", "C", "C"),
    ]
    flows = [Flow("a<b", "c", "water", False, '"><script>bad()</script>')]
    svg = draw(nodes, flows, title="<Park & co>", description='"quoted"')

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == "<Park & co>"


def test_fifty_organisations_stay_readable():
    nodes = [
        Node(f"org-{i:02d}", f"Organisation number {i} with a very long name", f"Org {i}")
        for i in range(50)
    ]
    flows = [
        Flow(f"org-{i:02d}", f"org-{(i * 7) % 50:02d}", "water", i % 5 == 0, f"flow {i}")
        for i in range(1, 50)
    ]
    root = parse(draw(nodes, flows))
    circles = [(float(c.get("cx")), float(c.get("cy"))) for c in root.iter(f"{SVG}circle")]
    labels = [
        text.text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "node"
        for text in g.iter(f"{SVG}text")
    ]
    _x, _y, width, height = (float(n) for n in root.get("viewBox").split())

    assert len(circles) == 50
    nearest = min(math.dist(a, b) for i, a in enumerate(circles) for b in circles[i + 1 :])
    assert nearest >= 40  # room for a 12px label between neighbours
    assert all(len(label) <= LABEL_CHARS for label in labels)
    assert all(label.endswith("…") for label in labels)
    # Labels radiate from the circle, and the drawing leaves them room on every side.
    assert all(
        "rotate" in (text.get("transform") or "")
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "node"
        for text in g.iter(f"{SVG}text")
    )
    margin = min(min(x, width - x, y, height - y) for x, y in circles)
    assert margin >= LABEL_CHARS * 7


def test_flows_whose_ends_are_not_nodes_are_left_out():
    root = parse(draw(DEEP_C_NODES[:2], DEEP_C_FLOWS))

    assert len(flow_paths(root)) == 1


DINH_VU = SimpleNamespace(
    slug="dinh-vu", short_name="Dinh Vu IP JSC", name="Dinh Vu Industrial Park JSC"
)
POLICE = SimpleNamespace(slug="police", short_name="", name="Hai An District Police")
SHIN_ETSU = SimpleNamespace(slug="shin-etsu", short_name="", name="Shin-Etsu Vietnam")


def link(provider, receiver, category, agreements=1, direction="one_way"):
    """A row as the database groups a park's flows."""
    return {
        "provider_id": provider,
        "receiver_id": receiver,
        "category": category,
        "direction": direction,
        "agreements": agreements,
    }


def test_links_grouped_by_the_database_become_nodes_with_short_labels_and_counted_arrows():
    organisations = {1: DINH_VU, 2: POLICE}

    nodes, flows = network_from_links(
        organisations,
        [link(1, 2, "service", agreements=1, direction="mutual")],
        categories={"service": "Service"},
    )

    assert nodes == [
        Node("dinh-vu", "Dinh Vu IP JSC", "Dinh Vu Industrial Park JSC"),
        Node("police", "Hai An District Police", "Hai An District Police"),
    ]
    assert flows == [
        Flow(
            "dinh-vu",
            "police",
            "service",
            True,
            "Dinh Vu Industrial Park JSC ↔ Service ↔ Hai An District Police: 1 agreement",
            count=1,
        )
    ]


def test_a_link_standing_for_several_agreements_says_how_many_and_is_drawn_thicker():
    organisations = {1: DINH_VU, 2: POLICE, 3: SHIN_ETSU}
    nodes, flows = network_from_links(
        organisations,
        [link(1, 3, "energy", agreements=2), link(1, 2, "service")],
        categories={"energy": "Energy", "service": "Service"},
    )

    assert flows[0].description == (
        "Dinh Vu Industrial Park JSC → Energy → Shin-Etsu Vietnam: 2 agreements"
    )
    root = parse(draw(nodes, flows))
    widths = {
        path.find(f"{SVG}title").text.split(": ")[1]: path.get("stroke-width")
        for path in flow_paths(root)
    }
    assert widths["1 agreement"] is None  # the group's width
    assert float(widths["2 agreements"]) > 1.8
    assert stroke_width(1) < stroke_width(2) < stroke_width(8) <= stroke_width(10**6) == 6


def test_links_with_an_end_not_drawn_are_left_out():
    nodes, flows = network_from_links(
        {1: DINH_VU, 2: POLICE},
        [link(1, 2, "service"), link(1, 3, "energy"), link(3, 2, "water")],
        categories={},
    )

    assert [node.key for node in nodes] == ["dinh-vu", "police"]
    assert [(flow.provider, flow.receiver) for flow in flows] == [("dinh-vu", "police")]
