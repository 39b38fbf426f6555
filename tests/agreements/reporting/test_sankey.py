"""The flow (Sankey) diagrams of the park page and the officials' dashboard
(agreements/reporting/sankey.py): bands as wide as their quantities in the canonical unit, one
diagram per dimension, sectors beyond a dozen organisations, flows without a quantity counted,
the table beneath giving the same numbers, and no query added to a page that reads kept figures."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from agreements.models import Agreement, Resource, ResourceFlow
from agreements.reporting import sankey
from symbiosis.network_drawing import CATEGORY_STYLES, OTHER_STYLE
from tests.factories import (
    make_agency,
    make_agreement,
    make_official,
    make_organisation,
    make_park,
    make_resource,
)

pytestmark = pytest.mark.django_db

Unit = Resource.Unit
Period = ResourceFlow.Period


def flow(
    park, resource, provider, receiver, quantity=None, *, unit=None, period=Period.YEARLY, **fields
):
    agreement = make_agreement(park, parties=[provider, receiver], flows=[], **fields)
    return ResourceFlow.objects.create(
        agreement=agreement,
        resource=resource,
        provider=provider,
        receiver=receiver,
        quantity=quantity,
        unit=unit or resource.unit,
        period=period,
    )


def page_of(client, park, language="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(park.get_absolute_url()).content.decode()


def figure_of(page, slug):
    start = page.index(f'id="sankey-{slug}"')
    return page[start : page.index("</figure>", start)]


def bands(figure):
    """(quantity, stroke width) of each band drawn."""
    return [
        (Decimal(quantity), float(width))
        for width, quantity in re.findall(
            r'class="sankey-band"[^>]* stroke-width="([\d.]+)" data-quantity="([\d.]+)"', figure
        )
    ]


def node_labels(figure, column):
    return re.findall(
        rf'<g class="sankey-node" data-column="{column}">.*?<text[^>]*>([^<]*)</text>', figure
    )


def table_quantities(figure):
    return [
        Decimal(value)
        for value in re.findall(r'<td class="text-end" data-quantity="([\d.]+)"', figure)
    ]


@pytest.fixture
def park():
    return make_park()


def test_a_tonne_and_500_kg_are_drawn_in_tonnes_in_one_diagram(client, park):
    slag = make_resource(category=Resource.Category.MATERIAL, unit=Unit.TONNE, name_en="Slag")
    steel, cement, bricks = (
        make_organisation(name_en=name) for name in ("Steel", "Cement", "Bricks")
    )
    flow(park, slag, steel, cement, 1, unit=Unit.TONNE)
    flow(park, slag, steel, bricks, 500, unit=Unit.KILOGRAM)

    page = page_of(client, park)

    figure = figure_of(page, f"park-{Unit.TONNE}")
    drawn = bands(figure)
    # Provider -> resource: 1.5 t; resource -> each receiver: 1 t and 0.5 t.
    assert sorted(quantity for quantity, _ in drawn) == [Decimal("0.5"), 1, Decimal("1.5")]
    width_of = dict(drawn)
    assert width_of[1] == pytest.approx(2 * width_of[Decimal("0.5")], rel=0.01)
    assert width_of[Decimal("1.5")] == pytest.approx(sankey.SCALE, rel=0.01)
    # The table: the same flows, in tonnes, adding up to the total.
    assert sorted(table_quantities(figure)) == [Decimal("0.5"), 1]
    assert 'data-total="1.5' in figure
    assert "Mass: flows in t a year" in figure


def test_one_diagram_per_dimension(client, park):
    water = make_resource(unit=Unit.CUBIC_METRE)
    power = make_resource(category=Resource.Category.ENERGY, unit=Unit.MEGAWATT_HOUR)
    a, b = make_organisation(), make_organisation()
    flow(park, water, a, b, 100)
    flow(park, power, b, a, 5000, unit=Unit.KILOWATT_HOUR, period=Period.MONTHLY)

    page = page_of(client, park)

    assert page.count('class="sankey-diagram"') == 2
    energy = figure_of(page, f"park-{Unit.MEGAWATT_HOUR}")
    # 5,000 kWh a month: 60 MWh a year.
    assert {quantity for quantity, _ in bands(energy)} == {Decimal(60)}
    assert {quantity for quantity, _ in bands(figure_of(page, "park-m3"))} == {Decimal(100)}


def test_flows_without_an_annual_quantity_are_left_out_and_counted(client, park):
    water = make_resource(unit=Unit.CUBIC_METRE)
    power = make_resource(category=Resource.Category.ENERGY, unit=Unit.MEGAWATT_HOUR)
    a, b = make_organisation(), make_organisation()
    flow(park, water, a, b, 100)
    flow(park, water, b, a)  # no quantity
    flow(park, water, b, a, 30, period=Period.ONE_OFF)  # not a quantity a year
    flow(park, power, a, b)  # a dimension with no quantity at all: no diagram

    page = page_of(client, park)

    figure = figure_of(page, "park-m3")
    assert 'data-left-out="2"' in figure
    assert "2 flows without an annual quantity" in figure
    assert len(bands(figure)) == 2
    assert page.count('class="sankey-diagram"') == 1
    assert re.search(r"data-sankey-left-out>\s*1 flow of another dimension", page)


def test_beyond_twelve_organisations_a_side_shows_sectors(client, park):
    water = make_resource(unit=Unit.CUBIC_METRE)
    receiver = make_organisation(name_en="Utility")
    providers = [make_organisation(sector="24") for _ in range(12)]  # manufacturing (C)
    providers.append(make_organisation(sector="35"))  # electricity (D)
    providers.append(make_agency())  # no sector: by its kind
    for number, provider in enumerate(providers):
        flow(park, water, provider, receiver, 10 + number)

    page = page_of(client, park)

    figure = figure_of(page, "park-m3")
    assert sorted(node_labels(figure, 0)) == sorted(
        [
            "Manufacturing",
            "Electricity, gas, steam and air conditioning su…"[: sankey.LABEL_CHARS - 1].rstrip()
            + "…",
            "Government agency",
        ]
    )
    assert node_labels(figure, 2) == ["Utility"]  # one receiver: by name
    assert "Sector C: Manufacturing" in figure  # full name in the <title> and the table
    total = sum(10 + number for number in range(14))
    assert sum(table_quantities(figure)) == total


def test_the_table_gives_the_diagrams_numbers(client, park):
    water = make_resource(unit=Unit.CUBIC_METRE)
    steam = make_resource(unit=Unit.CUBIC_METRE, category=Resource.Category.ENERGY)
    a, b, c = make_organisation(), make_organisation(), make_organisation()
    flow(park, water, a, b, 7)
    flow(park, water, a, c, 3)
    flow(park, steam, c, b, 11)

    figure = figure_of(page_of(client, park), "park-m3")

    drawn = bands(figure)
    rows = table_quantities(figure)
    # Every band out of the providers, and every band into the receivers, add up to the table.
    assert sum(q for q, _ in drawn) == 2 * sum(rows) == 42
    scale = drawn[0][1] / float(drawn[0][0])
    for quantity, width in drawn:
        assert width == pytest.approx(float(quantity) * scale, rel=0.01)


def test_unverified_and_ended_agreements_are_not_drawn_on_the_park_page(client, park):
    water = make_resource(unit=Unit.CUBIC_METRE)
    a, b = make_organisation(), make_organisation()
    secret = make_organisation(name_en="Secret Steel")
    flow(park, water, a, b, 5)
    flow(park, water, secret, b, 9, review_state=Agreement.ReviewState.SUBMITTED)

    page = page_of(client, park)

    assert "Secret Steel" not in page
    assert {q for q, _ in bands(figure_of(page, "park-m3"))} == {Decimal(5)}


def test_labels_are_in_vietnamese(client, park):
    water = make_resource(
        unit=Unit.CUBIC_METRE, name_en="Treated wastewater", name_vi="Nước thải đã xử lý"
    )
    a = make_organisation(name_en="Police", name_vi="Công an quận Hải An")
    b = make_organisation(name_en="Developer", name_vi="Đình Vũ")
    flow(park, water, a, b, 5)

    page = page_of(client, park, "vi")

    figure = figure_of(page, "park-m3")
    assert "Nước thải đã xử lý" in figure
    assert "Công an quận Hải An" in figure
    assert "Treated wastewater" not in figure
    assert "Khối lượng" in figure or "Thể tích" in figure  # the dimension, in Vietnamese


def test_band_colours_keep_three_to_one_on_white():
    def luminance(hex_colour, opacity):
        channels = []
        for index in (1, 3, 5):
            value = int(hex_colour[index : index + 2], 16) / 255
            value = value * opacity + (1 - opacity)  # over white
            channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
        red, green, blue = channels
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    for colour, _dash in [*CATEGORY_STYLES.values(), OTHER_STYLE]:
        contrast = 1.05 / (luminance(colour, float(sankey.BAND_OPACITY)) + 0.05)
        assert contrast >= 3, colour


def test_the_park_page_adds_no_query_once_its_figures_are_kept(
    client, park, django_assert_num_queries
):
    water = make_resource(unit=Unit.CUBIC_METRE)
    a, b = make_organisation(), make_organisation()
    flow(park, water, a, b, 5)
    page_of(client, park)
    cache.clear()

    # The same seven queries as without the diagrams (test_park_page.py).
    with django_assert_num_queries(7):
        page = page_of(client, park)
    assert 'class="sankey-diagram"' in page


def test_parks_added_up_on_the_dashboard_show_sectors_once_too_many(client):
    agency = make_agency()
    water = make_resource(unit=Unit.CUBIC_METRE)
    receiver = make_organisation(name_en="Utility")
    for _park in range(2):
        park = make_park(managing_authority=agency)
        for _ in range(7):  # seven a park: fourteen together
            flow(park, water, make_organisation(sector="24"), receiver, 2)
    client.force_login(make_official(agency))

    page = client.get(reverse("agreements:dashboard")).content.decode()

    figure = figure_of(page, "dashboard-m3")
    assert node_labels(figure, 0) == ["Manufacturing"]
    assert {q for q, _ in bands(figure)} == {Decimal(28)}


def test_the_dashboard_follows_its_filters(client):
    agency = make_agency()
    park = make_park(managing_authority=agency, slug="alpha")
    other = make_park(managing_authority=agency, slug="beta")
    water = make_resource(unit=Unit.CUBIC_METRE)
    a, b = make_organisation(name_en="Alpha Co"), make_organisation(name_en="Beta Co")
    flow(park, water, a, b, 5)
    flow(other, water, b, a, 8, kind=Agreement.Kind.INDUSTRIAL_URBAN)
    client.force_login(make_official(agency))
    url = reverse("agreements:dashboard")

    def quantities(**query):
        cache.clear()
        page = client.get(url, query).content.decode()
        return sorted(table_quantities(figure_of(page, "dashboard-m3")))

    assert quantities() == [5, 8]
    assert quantities(park="alpha") == [5]
    assert quantities(kind="industrial_urban") == [8]


def test_merged_data_equals_the_data_of_all_flows_at_once(park):
    """Kept per park and added up, or computed for all: the same bands."""
    from django.utils import timezone

    water = make_resource(unit=Unit.CUBIC_METRE)
    second = make_park()
    orgs = [make_organisation() for _ in range(4)]
    flow(park, water, orgs[0], orgs[1], 4)
    flow(second, water, orgs[2], orgs[1], 6)
    flow(second, water, orgs[0], orgs[1], 1)
    today = timezone.localdate()
    each = [
        sankey.kept(sankey.sankey_rows(ResourceFlow.objects.filter(agreement__park=p), today=today))
        for p in (park, second)
    ]
    together = sankey.kept(sankey.sankey_rows(ResourceFlow.objects.all(), today=today))

    def normal(data):
        return {unit: sorted(map(tuple, f["bands"])) for unit, f in data["units"].items()}

    assert normal(sankey.merged(each)) == normal(together)


def test_beyond_twelve_resources_the_middle_shows_their_categories(client, park):
    a, b = make_organisation(), make_organisation()
    for number in range(13):
        category = Resource.Category.WATER if number % 2 else Resource.Category.ENERGY
        flow(park, make_resource(unit=Unit.CUBIC_METRE, category=category), a, b, 1)

    figure = figure_of(page_of(client, park), "park-m3")

    assert sorted(node_labels(figure, 1)) == ["Energy", "Water"]
    assert sorted(q for q, _ in bands(figure)) == [6, 6, 7, 7]  # 7 energy, 6 water


def test_figures_kept_before_the_diagrams_are_worked_out_again(client, park):
    from agreements.reporting.models import ParkFigures

    water = make_resource(unit=Unit.CUBIC_METRE)
    flow(park, water, make_organisation(), make_organisation(), 5)
    page_of(client, park)
    row = ParkFigures.objects.get(park=park)
    del row.figures["sankey"]  # as kept before the diagrams were drawn
    row.save()
    cache.clear()

    page = page_of(client, park)

    assert {q for q, _ in bands(figure_of(page, "park-m3"))} == {Decimal(5)}
    assert "sankey" in ParkFigures.objects.get(park=park).figures
