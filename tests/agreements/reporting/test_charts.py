"""Server-drawn bar charts: well-formed, deterministic, escaped, and proportional."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from agreements.reporting.charts import BAR_HEIGHT, PADDING, VALUE_ROOM, WIDTH, Bar, BarChart

SVG = "{http://www.w3.org/2000/svg}"
TRACK = WIDTH - 2 * PADDING - VALUE_ROOM


def chart(*bars, slug="by-park", title="Agreements by park"):
    return BarChart(
        slug=slug, title=title, label_header="Park", value_header="Agreements", bars=bars
    )


def parse(svg):
    return ET.fromstring(str(svg))


def widths(svg):
    return [float(rect.get("width")) for rect in parse(svg).iter(f"{SVG}rect")]


def texts(svg, css_class):
    return [node.text for node in parse(svg).iter(f"{SVG}text") if node.get("class") == css_class]


def test_each_bar_is_labelled_and_carries_its_value():
    svg = chart(Bar("Deep C", 5), Bar("Nam Cau Kien", 2)).svg()

    assert texts(svg, "bar-chart-label") == ["Deep C", "Nam Cau Kien"]
    assert texts(svg, "bar-chart-value") == ["5", "2"]


def test_bar_lengths_are_proportional_to_the_values():
    svg = chart(Bar("a", 10), Bar("b", 5), Bar("c", 0)).svg()

    assert widths(svg) == [TRACK, TRACK / 2, 0]


def test_a_small_value_still_shows_as_a_sliver():
    svg = chart(Bar("big", 100_000), Bar("small", 1)).svg()

    assert widths(svg)[1] == 2


def test_the_same_chart_always_draws_the_same_markup():
    first = chart(Bar("Water", Decimal("1500.5")), Bar("Energy", 3)).svg()
    second = chart(Bar("Water", Decimal("1500.5")), Bar("Energy", 3)).svg()

    assert first == second


def test_labels_and_titles_are_escaped():
    payload = '<script>alert("x")</script> & "Co"'
    svg = chart(Bar(payload, 1), title=payload).svg()

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert texts(svg, "bar-chart-label") == [payload]  # shown as text, not markup
    assert parse(svg).find(f"{SVG}title").text == payload


def test_the_chart_is_an_image_named_by_its_title_and_summarised_for_screen_readers():
    svg = chart(Bar("Deep C", 5), Bar("Nam Cau Kien", 0)).svg()
    root = parse(svg)

    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-by-park-title chart-by-park-desc"
    assert root.find(f"{SVG}title").get("id") == "chart-by-park-title"
    assert root.find(f"{SVG}desc").text == "Deep C: 5; Nam Cau Kien: 0"


def test_the_chart_is_styled_without_style_attributes_which_the_page_policy_refuses():
    """The Content-Security-Policy applies no inline style: presentation attributes (fill,
    font-size) draw the chart, and the stylesheet's .bar-chart fits it to the page."""
    root = parse(chart(Bar("Deep C", 5), Bar("Nam Cau Kien", 2)).svg())

    assert [element.tag for element in root.iter() if element.get("style") is not None] == []
    assert "bar-chart" in root.get("class").split()
    assert root.find(f"{SVG}g/{SVG}rect").get("fill") == "#198754"


def test_an_empty_chart_is_still_a_well_formed_image():
    svg = chart().svg()

    assert widths(svg) == []
    assert parse(svg).get("viewBox") == f"0 0 {WIDTH} {2 * PADDING + 38}"


def test_every_bar_has_the_same_height():
    svg = chart(Bar("a", 1), Bar("b", 2)).svg()

    assert {rect.get("height") for rect in parse(svg).iter(f"{SVG}rect")} == {str(BAR_HEIGHT)}


def test_long_labels_are_shortened_in_the_drawing_only():
    long_name = "Deep C Industrial Park (Dinh Vu Industrial Park) " * 3
    bars = chart(Bar(long_name, 1))

    assert texts(bars.svg(), "bar-chart-label")[0].endswith("…")
    assert bars.bars[0].label == long_name  # the table beneath shows it whole
