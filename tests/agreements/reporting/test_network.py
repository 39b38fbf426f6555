"""The symbiosis network drawing: pure functions from rows to SVG, checked without a database."""

import random
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

from agreements.reporting.network import network_from_links
from symbiosis import network_layout
from symbiosis.network_drawing import (
    CATEGORY_STYLES,
    Chain,
    Flow,
    Node,
    render_network,
    sort_nodes,
    stroke_width,
)
from symbiosis.network_layout import layouts, role_columns, text_width, wrap

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


def drawings(svg):
    """The drawing for a screen and the one for a phone."""
    root = ET.fromstring(f'<div xmlns="http://www.w3.org/2000/svg">{svg}</div>')
    wide, narrow = root.findall(f"{SVG}svg")
    assert "network-wide" in wide.get("class") and "network-narrow" in narrow.get("class")
    return wide, narrow


def parse(svg):
    return drawings(svg)[0]


def node_groups(root):
    return [g for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()]


def node_keys(root):
    return [g.get("data-key") for g in node_groups(root)]


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


def test_every_organisation_is_a_node_and_every_flow_an_arrow_in_both_drawings():
    for root in drawings(draw(DEEP_C_NODES, DEEP_C_FLOWS)):
        assert sorted(node_keys(root)) == sorted(node.key for node in DEEP_C_NODES)
        assert len(flow_paths(root)) == len(DEEP_C_FLOWS)


def test_both_drawings_are_labelled_for_assistive_technology():
    for root in drawings(draw(DEEP_C_NODES, DEEP_C_FLOWS)):
        # A group, not an image: its organisations are links a reader can reach.
        assert root.get("role") == "group"
        texts = {element.get("id"): element.text for element in root.iter() if element.get("id")}
        assert texts[root.get("aria-labelledby")] == "Network of Deep C"
        assert texts[root.get("aria-describedby")] == "Four organisations, five flows."


def test_every_organisation_is_a_link_named_by_its_full_name_shown_on_hover():
    nodes = [
        Node("a", "Dinh Vu IP JSC", "Dinh Vu Industrial Park Joint Stock Company", url="/o/a/"),
        Node("b", "Police", "Hai An District Police", url="/o/b/"),
    ]
    for root in drawings(draw(nodes, [Flow("a", "b", "service", True, "fire")])):
        links = {g.get("data-key"): g.find(f"{SVG}a") for g in node_groups(root)}
        assert {key: link.get("href") for key, link in links.items()} == {
            "a": "/o/a/",
            "b": "/o/b/",
        }
        assert links["a"].get("aria-label") == "Dinh Vu Industrial Park Joint Stock Company"
        assert links["a"].find(f"{SVG}title").text == "Dinh Vu Industrial Park Joint Stock Company"


def test_the_same_rows_in_any_order_give_the_same_picture():
    first = draw(DEEP_C_NODES, DEEP_C_FLOWS)
    shuffled_nodes, shuffled_flows = DEEP_C_NODES[:], DEEP_C_FLOWS[:]
    random.Random(4).shuffle(shuffled_nodes)
    random.Random(7).shuffle(shuffled_flows)

    assert draw(shuffled_nodes, shuffled_flows) == first


def test_providers_go_left_those_providing_and_receiving_in_the_middle_receivers_right():
    wide, _narrow = layouts(DEEP_C_NODES, DEEP_C_FLOWS)
    x = {key: box.x for key, box in wide.boxes.items()}

    # Dinh Vu and Flat provide and receive; the police and Shin-Etsu only receive.
    assert role_columns(DEEP_C_NODES, DEEP_C_FLOWS) == [
        ["dinh-vu-ip-jsc", "flat-vietnam"],
        ["hai-an-district-police", "shin-etsu-vietnam"],
    ]
    assert x["dinh-vu-ip-jsc"] == x["flat-vietnam"] < x["hai-an-district-police"]
    assert x["hai-an-district-police"] == x["shin-etsu-vietnam"]
    nodes = [Node("p", "Provider", "P"), Node("m", "Maker", "M"), Node("r", "Receiver", "R")]
    flows = [Flow("p", "m", "water", False, "1"), Flow("m", "r", "energy", False, "2")]
    assert role_columns(nodes, flows) == [["p"], ["m"], ["r"]]


def test_nodes_of_a_column_are_ordered_by_name_ignoring_accents_unless_that_crosses_arrows():
    nodes = [Node("b", "\u0110ông Hải", "x"), Node("c", "zeta", "x"), Node("a", "Ánh Dương", "x")]
    assert [node.key for node in sort_nodes(nodes)] == ["a", "b", "c"]

    # A to Z and B to Y: in names' order the two arrows would cross; the receivers swap.
    nodes = [Node(key, key.upper(), key) for key in ("a", "b", "y", "z")]
    flows = [Flow("a", "z", "water", False, "1"), Flow("b", "y", "water", False, "2")]
    wide, _narrow = layouts(nodes, flows)
    y = {key: box.y for key, box in wide.boxes.items()}
    assert y["a"] < y["b"] and y["z"] < y["y"]


def test_an_arrow_skipping_the_middle_column_passes_between_its_boxes():
    nodes = [Node(key, f"Organisation {key}", key) for key in "pqmnr"]
    flows = [
        Flow("p", "m", "water", False, "1"),
        Flow("q", "n", "water", False, "2"),
        Flow("m", "r", "energy", False, "3"),
        Flow("n", "r", "energy", False, "4"),
        Flow("p", "r", "service", False, "skips"),
    ]
    wide, _narrow = layouts(nodes, flows)

    (slot,) = wide.slots.values()
    for key in "mn":
        box = wide.boxes[key]
        assert slot.x == box.x
        assert not box.y - 2 <= slot.y <= box.bottom + 2
    root = parse(draw(nodes, flows))
    path = next(p for p in flow_paths(root) if p.find(f"{SVG}title").text == "skips")
    assert f"H{slot.right:.1f}".removesuffix(".0") in path.get("d")


def test_a_one_way_flow_has_one_arrowhead_and_a_mutual_flow_one_at_each_end():
    root = parse(draw(DEEP_C_NODES, DEEP_C_FLOWS))
    by_title = {path.find(f"{SVG}title").text: path for path in flow_paths(root)}

    assert by_title["fire-fighting"].get("marker-start")
    assert by_title["fire-fighting"].get("marker-end")
    assert by_title["treated wastewater"].get("marker-start") is None
    assert by_title["treated wastewater"].get("marker-end")


def test_arrows_run_from_provider_to_receiver():
    nodes = [Node("a", "A", "A"), Node("b", "B", "B")]
    flows = [Flow("b", "a", "water", False, "b to a")]
    wide, narrow = layouts(nodes, flows)
    for root, layout in zip(drawings(draw(nodes, flows)), (wide, narrow), strict=True):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", flow_paths(root)[0].get("d"))]
        start, end = numbers[:2], numbers[-2:]
        provider, receiver = layout.boxes["b"], layout.boxes["a"]
        assert provider.y <= start[1] <= provider.bottom
        assert receiver.y <= end[1] <= receiver.bottom
    # On a screen from the provider's right side, on the left, to the receiver's left side.
    assert wide.boxes["b"].right < wide.boxes["a"].x


def test_flows_are_coloured_by_category_with_a_legend_of_the_categories_in_use():
    root = parse(draw(DEEP_C_NODES, DEEP_C_FLOWS))
    colours = {path.get("data-category"): path.get("stroke") for path in flow_paths(root)}
    legend = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "legend")
    legend_texts = ["".join(text.itertext()) for text in legend.iter(f"{SVG}text")]

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

    assert ["".join(text.itertext()) for text in legend.iter(f"{SVG}text")] == ["Water"]


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


def test_two_flows_between_the_same_organisations_stay_apart():
    for root in drawings(draw(DEEP_C_NODES, DEEP_C_FLOWS)):
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
    for root in drawings(svg):  # still well-formed XML
        assert root.find(f"{SVG}title").text == "<Park & co>"


def fifty():
    """50 organisations with long names (some Vietnamese): a hub, ten that give to it and take
    from it, and the rest that receive from it or from one of the ten."""
    names = [
        "Công ty Cổ phần Khu công nghiệp Đình Vũ",
        "Sector: cement industry (unnamed plants of the province)",
        "Hai An District Police",
        "Wastewater treatment plant number",
    ]
    nodes = [
        Node(f"org-{i:02d}", f"{names[i % 4]} {i}", f"{names[i % 4]} {i}, in full")
        for i in range(50)
    ]
    flows = [Flow("org-00", f"org-{i:02d}", "water", False, f"to {i}") for i in range(1, 50)]
    flows += [
        Flow(f"org-{i:02d}", "org-00", "material", i % 3 == 0, f"from {i}") for i in range(1, 11)
    ]
    flows += [
        Flow(f"org-{i % 10 + 1:02d}", f"org-{i:02d}", "energy", False, f"on {i}")
        for i in range(11, 50, 2)
    ]
    return nodes, flows


def overlap(a, b):
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def test_fifty_organisations_are_all_placed_with_labels_apart_in_both_drawings():
    nodes, flows = fifty()

    for layout in layouts(nodes, flows):
        boxes = list(layout.boxes.values())
        assert sorted(layout.boxes) == sorted(node.key for node in nodes)
        assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
        for box in boxes:  # each label (its estimated width) inside its box, inside the drawing
            assert max(text_width(line) for line in box.lines) <= box.width - 2 * 8
            assert len(box.lines) * 16 <= box.height
            assert box.x >= 0 and box.right <= layout.width
            assert box.y >= 0 and box.bottom <= layout.height
    wide, narrow = layouts(nodes, flows)
    assert narrow.width == network_layout.NARROW_WIDTH
    # Wide enough for a screen, never so wide that it cannot show 12 px text at 992 px.
    assert wide.width * 12 / 13 <= 992 - 2 * 12 - 2 * 9


def test_the_layout_is_the_same_whatever_the_order_of_the_rows():
    nodes, flows = fifty()
    shuffled_nodes, shuffled_flows = nodes[:], flows[:]
    random.Random(3).shuffle(shuffled_nodes)
    random.Random(5).shuffle(shuffled_flows)

    assert layouts(shuffled_nodes, shuffled_flows) == layouts(nodes, flows)
    assert draw(shuffled_nodes, shuffled_flows) == draw(nodes, flows)


def test_a_small_network_is_drawn_small():
    nodes = [
        Node("dinh-vu", "Dinh Vu IP JSC", "Dinh Vu Industrial Park JSC"),
        Node("police", "Hai An District Police", "Hai An District Police"),
    ]
    wide, narrow = layouts(nodes, [Flow("dinh-vu", "police", "service", True, "fire")])

    assert wide.width <= 520 and wide.height <= 60
    assert narrow.height <= 100
    # Boxes fill the drawing: little white space around them.
    used = sum(box.width * box.height for box in wide.boxes.values())
    assert used / (wide.width * wide.height) > 0.3


def test_long_names_are_wrapped_and_only_very_long_ones_cut_with_the_full_name_in_the_tooltip():
    long = "Công ty Trách nhiệm hữu hạn Một thành viên Cấp nước Hải Phòng"
    very_long = " ".join(["Organisation with an extraordinarily long name"] * 4)
    nodes = [Node("a", long, long), Node("b", very_long, very_long)]
    wide, narrow = layouts(nodes, [Flow("a", "b", "water", False, "w")])

    for layout in (wide, narrow):
        assert " ".join(layout.boxes["a"].lines) == long  # whole, on several lines
        assert len(layout.boxes["a"].lines) > 1
        assert layout.boxes["b"].lines[-1].endswith("…")
        assert len(layout.boxes["b"].lines) == network_layout.MAX_LINES
    titles = [g.find(f".//{SVG}title").text for g in node_groups(parse(draw(nodes, [])))]
    assert very_long in titles
    assert wrap("Supercalifragilisticexpialidociousnessity", 60)[0] != ""


def test_a_chain_is_drawn_through_the_organisation_that_makes_it_in_both_drawings():
    nodes = [Node(key, key.title(), key) for key in ("refinery", "biogas", "power")]
    flows = [
        Flow("refinery", "biogas", "water", False, "wastewater"),
        Flow("biogas", "power", "energy", False, "biogas"),
    ]
    chain = Chain("refinery", "biogas", "power", "Biogas makes energy from water")
    wide, narrow = layouts(nodes, flows)
    for root, layout in zip(
        drawings(draw(nodes, flows, chains=[chain])), (wide, narrow), strict=True
    ):
        (path,) = [p for p in root.iter(f"{SVG}path") if p.get("class") == "chain"]
        assert path.find(f"{SVG}title").text == "Biogas makes energy from water"
        box = layout.boxes["biogas"]
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        ys = numbers[1::2]
        assert min(ys) <= box.bottom and max(ys) >= box.y  # beside the maker's box


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
