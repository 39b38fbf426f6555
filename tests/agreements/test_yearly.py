"""Agreed and measured, year by year (``agreements.yearly``), on a small register worked out by
hand. Today is 30 June 2026.

Resources: E electricity (MWh), with two factors: 600 kg CO2e/MWh published in 2023, then
0.5 kg/kWh (500 kg/MWh) published in 2025, the current one; W treated wastewater (m³), no
factor.

ref  state      in force           flows
A    verified   12 Sep 2023 ->     E 10 MWh/month (120 a year), W 1000 m³/year
B    verified   2022 -> 30 Jun 24  E 50 MWh/year
D    submitted  2023 ->            E 999 MWh/year (never counted)

Reported (accepted unless said):
A's E: 2023 100 MWh submitted; 2024 115 MWh whole year; 2025 4000 kWh (Jan) + 6000 kWh (Feb)
       + 5 MWh (Mar) = 15 MWh in three months
B's E: 2023 45 MWh returned; 2024 48 MWh
A's W: 2024 900 m³
D's E: 2024 777 MWh accepted (its agreement is not verified)

By hand, electricity (agreed: flows in force that year; tonnes by that year's factor):
year  agreed MWh  flows  factor  agreed t  measured MWh  flows  measured t
2022   50         1      500     25        -             0      -
2023  170         2      600     102       -             0      -
2024  170         2      600     102       163           2      97.8
2025  120         1      500     60        15            1      7.5
2026  120         1      500     60        -             0      -
Wastewater: 1000 m³ a year from 2023 (1 flow), measured 900 m³ in 2024, no tonnes.
All dimensions, 2025: agreed 60 t over 2 flows, measured 7.5 t for 1 of those 2 flows.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agreements import services, yearly
from agreements.models import Agreement, ReportedQuantity, Resource, ResourceFlow
from tests.factories import (
    make_agency,
    make_agreement,
    make_official,
    make_organisation,
    make_park,
    make_reported_quantity,
    make_resource,
    make_user,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)
State = ReportedQuantity.ReviewState
Period = ResourceFlow.Period


def flow(agreement, resource, quantity, period=Period.YEARLY):
    provider, receiver = (party.organisation for party in agreement.parties.order_by("pk"))
    return ResourceFlow.objects.create(
        agreement=agreement,
        resource=resource,
        provider=provider,
        receiver=receiver,
        quantity=quantity,
        period=period,
    )


@pytest.fixture
def register():
    official = make_user()
    park = make_park()
    electricity = make_resource(category=Resource.Category.ENERGY, unit=Resource.Unit.MEGAWATT_HOUR)
    services.set_emission_factor(
        resource=electricity, value="600", unit="MWh", source="Grid 2023", year=2023, by=official
    )
    services.set_emission_factor(
        resource=electricity, value="0.5", unit="kWh", source="Grid 2025", year=2025, by=official
    )
    water = make_resource()
    a, b = make_organisation(), make_organisation()
    agreement_a = make_agreement(park, parties=[a, b], flows=[])
    agreement_b = make_agreement(
        park,
        parties=[a, b],
        flows=[],
        starts_on=datetime.date(2022, 1, 1),
        starts_on_precision="year",
        ends_on=datetime.date(2024, 6, 30),
    )
    agreement_d = make_agreement(
        park,
        parties=[a, b],
        flows=[],
        starts_on=datetime.date(2023, 1, 1),
        review_state=Agreement.ReviewState.SUBMITTED,
    )
    a_e = flow(agreement_a, electricity, 10, Period.MONTHLY)
    a_w = flow(agreement_a, water, 1000)
    b_e = flow(agreement_b, electricity, 50)
    d_e = flow(agreement_d, electricity, 999)
    make_reported_quantity(a_e, 2023, 100, state=State.SUBMITTED)
    make_reported_quantity(a_e, 2024, 115)
    make_reported_quantity(a_e, 2025, 4000, month=1, unit="kWh")
    make_reported_quantity(a_e, 2025, 6000, month=2, unit="kWh", source="invoiced")
    make_reported_quantity(a_e, 2025, 5, month=3)
    make_reported_quantity(b_e, 2023, 45, state=State.RETURNED)
    make_reported_quantity(b_e, 2024, 48)
    make_reported_quantity(a_w, 2024, 900)
    make_reported_quantity(d_e, 2024, 777)
    return {
        "park": park,
        "electricity": electricity,
        "water": water,
        "a_e": a_e,
        "a_w": a_w,
        "b_e": b_e,
        "d_e": d_e,
        "agreement_a": agreement_a,
    }


def totals(flows=None):
    return yearly.yearly_totals(
        flows if flows is not None else ResourceFlow.objects.all(),
        first_year=2022,
        last_year=2026,
        today=TODAY,
    )


def column(rows, attribute):
    values = []
    for row in rows:
        for name in attribute.split("."):
            row = getattr(row, name)
        values.append(row)
    return values


def test_agreed_per_year_counts_each_flow_in_the_years_its_agreement_is_in_force(register):
    electricity = totals().by_unit["MWh"]
    assert column(electricity, "year") == [2022, 2023, 2024, 2025, 2026]
    assert column(electricity, "agreed.quantity") == [50, 170, 170, 120, 120]
    assert column(electricity, "flows") == [1, 2, 2, 1, 1]
    assert {row.agreed.basis for row in electricity} == {"agreed"}


def test_agreed_tonnes_use_the_factor_in_force_each_year(register):
    # 2022: no factor published yet, the current one (500/MWh); 2023-24: 600; 2025-: 500.
    electricity = totals().by_unit["MWh"]
    assert column(electricity, "agreed.tonnes_co2e") == [25, 102, 102, 60, 60]


def test_measured_per_year_adds_months_converted_and_only_accepted_figures(register):
    electricity = totals().by_unit["MWh"]
    assert column(electricity, "measured.quantity") == [None, None, 163, 15, None]
    assert column(electricity, "measured.flows") == [0, 0, 2, 1, 0]
    assert column(electricity, "measured.tonnes_co2e") == [
        None,
        None,
        Decimal("97.8"),
        Decimal("7.5"),
        None,
    ]
    assert {row.measured.basis for row in electricity} == {"measured"}


def test_a_dimension_without_factor_has_quantities_and_no_tonnes(register):
    water = totals().by_unit["m3"]
    assert column(water, "agreed.quantity") == [None, 1000, 1000, 1000, 1000]
    assert column(water, "measured.quantity") == [None, None, 900, None, None]
    assert column(water, "agreed.tonnes_co2e") == [None] * 5
    assert column(water, "measured.tonnes_co2e") == [None] * 5


def test_a_year_measured_for_some_flows_keeps_the_two_totals_apart(register):
    year_2025 = totals().tonnes[3]
    assert year_2025.year == 2025
    assert (year_2025.agreed.basis, year_2025.agreed.tonnes_co2e, year_2025.agreed.flows) == (
        "agreed",
        60,
        2,
    )
    assert (
        year_2025.measured.basis,
        year_2025.measured.tonnes_co2e,
        year_2025.measured.flows,
    ) == ("measured", Decimal("7.5"), 1)
    assert year_2025.measured_in_part
    year_2024 = totals().tonnes[2]
    assert not year_2024.measured_in_part  # all three flows measured


def test_measured_by_year_per_flow(register):
    rows = yearly.measured_by_year(ResourceFlow.objects.filter(pk=register["a_e"].pk))
    assert [
        (row["year"], row["quantity"], row["months"], row["totals_unit"], row["sources"])
        for row in rows
    ] == [
        (2024, 115, 0, "MWh", ["metered"]),
        (2025, 15, 3, "MWh", ["metered", "invoiced"]),
    ]
    # By the factor in force each year: 600 kg CO2e per MWh in 2024, 500 in 2025.
    assert [row["tonnes_co2e"] for row in rows] == [Decimal("69"), Decimal("7.5")]
    only_2025 = yearly.measured_by_year(
        ResourceFlow.objects.filter(pk=register["a_e"].pk), years=[2025]
    )
    assert [row["year"] for row in only_2025] == [2025]


def test_an_agreement_in_force_part_of_the_years(register):
    per_flow = yearly.flow_years(
        ResourceFlow.objects.filter(pk=register["b_e"].pk), years=[2021, 2022, 2024, 2025]
    )
    years = per_flow[register["b_e"].pk].years
    # B's 2023 figure was returned: it adds no year (only accepted figures do).
    assert column(years, "year") == [2021, 2022, 2024, 2025]
    assert column(years, "in_force") == [False, True, True, False]
    assert column(years, "agreed.quantity") == [None, 50, 50, None]
    assert column(years, "measured.quantity") == [None, None, 48, None]


@pytest.mark.parametrize(
    ("dates", "years_in_force"),
    [
        # start known to its month only: from the stored 1st of it
        ({"starts_on": datetime.date(2023, 9, 1), "starts_on_precision": "month"}, [2023, 2024]),
        # start unknown: from the signing
        ({"starts_on": None, "signed_on": datetime.date(2023, 5, 2)}, [2023, 2024]),
        # neither known: in force in every year, as today's totals count it
        ({"starts_on": None, "signed_on": None}, [2021, 2022, 2023, 2024]),
        # ended on 1 January: in force that day
        (
            {"starts_on": datetime.date(2021, 3, 1), "ends_on": datetime.date(2023, 1, 1)},
            [2021, 2022, 2023],
        ),
        # terminated on 1 January: no longer that day
        (
            {"starts_on": datetime.date(2021, 3, 1), "terminated_on": datetime.date(2023, 1, 1)},
            [2021, 2022],
        ),
    ],
)
def test_the_years_an_agreement_is_in_force(dates, years_in_force):
    a, b = make_organisation(), make_organisation()
    agreement = make_agreement(parties=[a, b], flows=[], **dates)
    flow(agreement, make_resource(), 5)
    rows = yearly.yearly_totals(
        ResourceFlow.objects.filter(agreement=agreement), first_year=2021, last_year=2024
    ).by_unit["m3"]
    assert [row.year for row in rows if row.flows] == years_in_force
    assert [row.agreed.quantity for row in rows if row.flows] == [5] * len(years_in_force)
    # The agreement's page reads the same years from the agreement's own dates.
    agreement.refresh_from_db()
    assert [
        year for year in range(2021, 2025) if agreement.is_in_force_in_year(year)
    ] == years_in_force


def test_submitted_and_returned_figures_are_never_counted(register):
    assert (
        yearly.measured_by_year(ResourceFlow.objects.filter(pk=register["b_e"].pk))[0]["year"]
        == 2024
    )
    ReportedQuantity.objects.filter(review_state=State.ACCEPTED).update(
        review_state=State.SUBMITTED
    )
    assert not totals().has_measured


def test_a_framework_flow_recorded_by_its_bilateral_counts_once(register):
    a_e = register["a_e"]
    bilateral = make_agreement(
        register["park"],
        parties=[a_e.provider, a_e.receiver],
        flows=[],
        framework=a_e.agreement,
    )
    flow(bilateral, register["electricity"], 30)
    electricity = totals().by_unit["MWh"]
    # A's E (120) gives way to the bilateral's (30) from 2023; B's 50 stays in 2023-24.
    assert column(electricity, "agreed.quantity") == [50, 80, 80, 30, 30]


def test_the_flows_own_figures_add_up_to_their_totals(register):
    """What the park report does: its totals from the figures it lists flow by flow."""
    bilateral = make_agreement(
        register["park"],
        parties=[register["a_e"].provider, register["a_e"].receiver],
        flows=[],
        framework=register["agreement_a"],
    )
    flow(bilateral, register["electricity"], 30)
    counted = ResourceFlow.objects.public().counted_once()
    years = list(range(2022, 2027))

    figures = yearly.flow_years(counted, years=years, measured_outside=False)

    assert yearly.totals_of_flow_years(figures, years=years) == totals(counted)


def test_queries_are_fixed_whatever_the_flows_and_years(register, django_assert_num_queries):
    with django_assert_num_queries(2):
        yearly.yearly_totals(
            ResourceFlow.objects.all(), first_year=2026, last_year=2026, today=TODAY
        )
    for number in range(5):
        make_reported_quantity(register["a_w"], 2010 + number, number)
    with django_assert_num_queries(2):
        yearly.yearly_totals(
            ResourceFlow.objects.all(), first_year=2010, last_year=2026, today=TODAY
        )
    with django_assert_num_queries(2):
        yearly.flow_years(ResourceFlow.objects.all(), years=range(2010, 2027))


# The pages (their day is TODAY)


@pytest.fixture(autouse=True)
def pages_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def figure(html, slug):
    """The rows of the table of the chart ``slug``: {year: (agreed, measured, note)}, the
    figures as their data- attributes give them (unrounded, "" for none), normalised."""
    start = html.index(f'data-year-chart="{slug}"')
    block = html[start : html.index("</figure>", start)]
    rows = {}
    for match in re.finditer(
        r'<tr data-year="(\d+)" data-agreed="([^"]*)" data-measured="([^"]*)">.*?'
        r'<td class="small">([^<]*)</td>',
        block,
        re.S,
    ):
        year, agreed, measured, note = match.groups()
        rows[int(year)] = (_normal(agreed), _normal(measured), note.strip())
    return rows


def _normal(text):
    return f"{Decimal(text).normalize():f}" if text else ""


def shown(html, slug, year):
    """What the table of the chart ``slug`` shows for ``year``: (agreed, measured)."""
    start = html.index(f'data-year-chart="{slug}"')
    row = html[html.index(f'data-year="{year}"', start) :]
    cells = re.findall(r'<td class="text-end" data-shown="\w+">(.*?)</td>', row, re.S)[:2]
    return tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in cells)


# The agreement page


def test_the_agreement_page_shows_each_flow_agreed_and_measured_per_year(client, register):
    agreement = register["agreement_a"]
    response = client.get(agreement.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    electricity = html[html.index(f'data-flow-years="{register["a_e"].pk}"') :]
    electricity = electricity[: electricity.index("</figure>")]
    # 2023 to 2026; the submitted 2023 figure is not shown, the months of 2025 are summed.
    rows = figure(html, f"flow-{register['a_e'].pk}")
    assert rows == {
        2023: ("120", "", ""),
        2024: ("120", "115", ""),
        2025: ("120", "15", "sum of 3 months reported"),
        2026: ("120", "", ""),
    }
    assert shown(html, f"flow-{register['a_e'].pk}", 2023) == ("120", "no measured figure yet")
    assert "sum of 3 months reported" in electricity
    assert "<svg" in electricity and "<title" in electricity
    assert "style=" not in electricity


def test_a_flow_without_a_measured_figure_says_so(client, register):
    register["a_w"].reported_quantities.all().delete()
    html = client.get(register["agreement_a"].get_absolute_url()).content.decode()
    water = html[html.index(f'data-flow-years="{register["a_w"].pk}"') :]
    assert "No measured figure yet." in water[: water.index("</figure>")]


def test_the_agreement_page_in_vietnamese(client, register, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = client.get(register["agreement_a"].get_absolute_url()).content.decode()
    assert 'lang="vi"' in html
    # The wastewater's figures written the Vietnamese way.
    assert shown(html, f"flow-{register['a_w'].pk}", 2024) == ("1.000", "900")


# The park, resource and dashboard pages: totals per year and dimension


def test_the_park_page_shows_totals_per_year_agreed_and_measured_apart(client, register):
    html = client.get(register["park"].get_absolute_url()).content.decode()
    assert figure(html, "park-MWh") == {
        2022: ("50", "", ""),
        2023: ("170", "", ""),
        2024: ("170", "163", ""),
        2025: ("120", "15", ""),
        2026: ("120", "", ""),
    }
    assert figure(html, "park-m3")[2024] == ("1000", "900", "")
    # In 2025 only one flow of two (electricity, wastewater) has a measured figure.
    assert figure(html, "park-co2e") == {
        2022: ("25", "", ""),
        2023: ("102", "", ""),
        2024: ("102", "97.8", ""),
        2025: ("60", "7.5", "measured for 1 of 2 flows"),
        2026: ("60", "", ""),
    }
    # D (submitted) and its accepted 777 MWh count nowhere; nor do submitted/returned figures.
    assert "777" not in html and "999" not in html
    assert "style=" not in html[html.index('id="yearly"') :]


def test_the_park_page_in_vietnamese(client, register, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = client.get(register["park"].get_absolute_url()).content.decode()
    # Figures in the Vietnamese way (1.000; 97,8).
    assert shown(html, "park-m3", 2024) == ("1.000", "900")
    assert shown(html, "park-co2e", 2024) == ("102", "97,8")


def test_the_resource_page_shows_its_totals_per_year(client, register):
    html = client.get(register["electricity"].get_absolute_url()).content.decode()
    rows = figure(html, "resource-MWh")
    assert rows[2024] == ("170", "163", "")
    assert rows[2025] == ("120", "15", "")
    assert 'data-year-chart="resource-m3"' not in html


def test_the_dashboard_shows_totals_per_year_for_its_scope(client, register):
    agency = make_agency()
    park = register["park"]
    park.managing_authority = agency
    park.save()
    client.force_login(make_official(agency))
    html = client.get(reverse("agreements:dashboard")).content.decode()
    assert figure(html, "dashboard-MWh")[2024] == ("170", "163", "")
    assert figure(html, "dashboard-co2e")[2025] == ("60", "7.5", "measured for 1 of 2 flows")
    # Narrowed to water, only the water figures.
    html = client.get(reverse("agreements:dashboard"), {"category": "water"}).content.decode()
    assert 'data-year-chart="dashboard-MWh"' not in html
    assert figure(html, "dashboard-m3")[2024] == ("1000", "900", "")


def test_the_dashboard_kept_figures_and_computed_ones_agree(client, register):
    """Chosen by parks only, the dashboard adds up each park's kept figures; narrowed by a
    kind, it computes them from the flows: the same figures."""
    agency = make_agency()
    park = register["park"]
    park.managing_authority = agency
    park.save()
    client.force_login(make_official(agency))
    kept = client.get(reverse("agreements:dashboard")).content.decode()
    computed = client.get(reverse("agreements:dashboard"), {"kind": "industrial"})
    computed = computed.content.decode()
    for slug in ["dashboard-MWh", "dashboard-m3", "dashboard-co2e"]:
        assert figure(kept, slug) == figure(computed, slug)


def test_a_figure_accepted_moves_the_parks_kept_figures_on(
    client, register, django_capture_on_commit_callbacks
):
    agency = make_agency()
    park = register["park"]
    park.managing_authority = agency
    park.save()
    client.force_login(make_official(agency))
    assert figure(client.get(reverse("agreements:dashboard")).content.decode(), "dashboard-m3")[
        2025
    ] == ("1000", "", "")
    # (In a savepoint of its own: the fixture's changes, never committed, are pending apart.)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # By the flow's id alone: its park is read when the change commits.
        ReportedQuantity.objects.create(
            flow_id=register["a_w"].pk,
            year=2025,
            quantity=7,
            unit="m3",
            source=ReportedQuantity.Source.METERED,
            review_state=State.ACCEPTED,
        )
    cache.clear()
    html = client.get(reverse("agreements:dashboard")).content.decode()
    assert figure(html, "dashboard-m3")[2025] == ("1000", "7", "")


def test_a_park_with_nothing_to_show_has_no_yearly_section(client):
    park = make_park()
    html = client.get(park.get_absolute_url()).content.decode()
    assert 'id="yearly"' not in html
    # A verified agreement in force whose flow has no quantity (the Deep C fire-fighting
    # service): nothing to draw either.
    make_agreement(park)
    html = client.get(park.get_absolute_url()).content.decode()
    assert 'id="yearly"' not in html


def test_the_pages_run_the_same_queries_for_one_flow_and_year_or_many(
    client, django_capture_on_commit_callbacks
):
    """Each page's count, with one flow measured one year, then with twelve more flows measured
    over six years (their own tests pin the counts: these add two queries to each). The rows
    are written as committed changes, so that the park's kept figures are worked out again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_capture_on_commit_callbacks(execute=True):
        park = make_park()
        resource = make_resource(category=Resource.Category.ENERGY, unit="MWh")
        a, b = make_organisation(), make_organisation()
        agreement = make_agreement(park, parties=[a, b], flows=[])
        make_reported_quantity(flow(agreement, resource, 12), 2026, 10)
        # One related agreement from the start (the page reads related ones only if any).
        flow(make_agreement(park, parties=[a, b], flows=[]), resource, 1)

    def counts():
        result = []
        for url in [
            park.get_absolute_url(),
            resource.get_absolute_url(),
            agreement.get_absolute_url(),
        ]:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    few = counts()
    with django_capture_on_commit_callbacks(execute=True):
        add_twelve_flows_measured_over_six_years(park, resource, agreement, a, b)
    assert counts() == few


def add_twelve_flows_measured_over_six_years(park, resource, agreement, a, b):
    for number in range(12):
        other = make_agreement(
            park, parties=[a, b], flows=[], starts_on=datetime.date(2021 + number % 6, 1, 1)
        )
        for year in range(2021 + number % 6, 2027):
            make_reported_quantity(flow(other, resource, number + 1), year, number)
        make_reported_quantity(flow(agreement, resource, number), 2021 + number % 6, 1)


def test_the_yearly_figures_read_in_vietnamese(client, register, settings):
    """(Passes once the catalogue holds this section's strings: /tmp/h/i15-yearly-vi.json.)"""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    html = client.get(register["park"].get_absolute_url()).content.decode()
    section = html[html.index('id="yearly"') :]
    assert "Theo thỏa thuận và đo đạc, từng năm" in section
    assert "đo đạc cho 1 trên 2 dòng tài nguyên" in section  # 2025's tonnes
    assert "Agreed" not in section


def test_the_chart_escapes_its_texts_and_draws_agreed_beside_measured():
    from agreements.year_chart import YearChart, YearPoint

    chart = YearChart(
        slug="flow-1",
        title='<script>alert("x")</script>',
        unit="m³",
        points=(YearPoint(2024, Decimal(200), Decimal(100), 1, 1), YearPoint(2025, None, None)),
    )
    svg = str(chart.svg())
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg
    # 2024: the agreed column full height (the peak), the measured one half of it; 2025 none.
    heights = re.findall(r'height="([\d.]+)" fill="#\w+"><title>', svg)
    assert [float(height) for height in heights] == [146.0, 73.0]
    assert svg == str(chart.svg())  # the same markup every time
