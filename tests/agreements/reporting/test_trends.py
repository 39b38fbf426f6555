"""The dashboard's trends: verified agreements signed and in force per year (counted by hand,
with the rule of ``agreements.yearly.in_force_in_year``), the same whether computed from the
agreements or added up from the parks' kept figures; "Active today" counting verified agreements
only, the other review states apart; the chart and its table showing the same figures."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, ResourceFlow
from agreements.permissions import overseen_parks, reviewable_agreements
from agreements.reporting import dashboard
from agreements.reporting import figures as park_figures
from agreements.reporting.filters import Filters
from agreements.reporting.models import ParkFigures, ScopeFigures
from agreements.reporting.trend_chart import FONT_SIZE, trend_chart
from parks.models import AuthorityMembership
from symbiosis.partial_dates import Precision
from tests.agreements.reporting.dashboard_data import TODAY, build_register
from tests.factories import (
    make_agency,
    make_agreement,
    make_official,
    make_organisation,
    make_park,
    make_reported_quantity,
    make_resource,
)

State = Agreement.ReviewState
DASHBOARD = reverse("agreements:dashboard")
BUILDS = [dashboard.from_agreements, dashboard.from_park_figures]


@pytest.fixture
def register(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return build_register()


@pytest.fixture
def pages_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def board(build, user, filters=None, today=TODAY):
    return build(
        agreements=reviewable_agreements(user, Agreement.objects.all()),
        parks=overseen_parks(user),
        filters=filters or Filters(),
        today=today,
    )


def per_year(result):
    return [(row.year, row.signed, row.in_force) for row in result.trends]


def table_rows(html):
    """The trend table's rows as it shows them: [(year, signed, in force)]."""
    start = html.index('data-trend-chart="trends"')
    block = html[start : html.index("</figure>", start)]
    return [
        tuple(int(value) for value in match)
        for match in re.findall(
            r'<tr data-year="(\d+)">\s*<th scope="row" class="fw-normal">\d+</th>\s*'
            r'<td class="text-end" data-shown="signed">(\d+)</td>\s*'
            r'<td class="text-end" data-shown="in-force">(\d+)</td>',
            block,
        )
    ]


def chart_columns(html):
    """The chart's columns: {year: (signed height, in force height)}, and its tooltips."""
    start = html.index('class="trend-chart"')
    svg = html[start : html.index("</svg>", start)]
    years = {}
    for year, body in re.findall(
        r'<g class="trend-chart-year" data-year="(\d+)">(.*?)</g>', svg, re.S
    ):
        heights = re.findall(r'<rect [^>]*height="([\d.]+)"', body)
        years[int(year)] = tuple(float(height) for height in heights)
    titles = re.findall(r"<rect [^>]*><title>([^<]*)</title>", svg)
    return years, titles


class TestPerYear:
    """HEZA's verified agreements (dashboard_data.py): A1 2023-03 open-ended; A2 2024-05 to
    2025-08; A3 started 2022-01, signed 2021-06, terminated 2024-12-31; A4 2022-02 to 2024-06;
    A9 2023-07 open-ended; A11 2024-01, terminated 2025-07-01. A5 (submitted), A7 (returned) and
    A8 (draft) are not verified: counted in no year."""

    @pytest.mark.parametrize("build", BUILDS)
    def test_signed_and_in_force_for_each_year_shown(self, register, build):
        result = board(build, register.heza_official)

        # 2020 (the first year shown) has nothing: left out.
        assert per_year(result) == [
            (2021, 1, 0),  # A3 signed; it starts in 2022
            (2022, 1, 2),  # A4 signed; A3 A4
            (2023, 2, 4),  # A1 A9 signed; A1 A3 A4 A9
            (2024, 2, 6),  # A2 A11 signed; every one: A3 to its termination, A4 to its end
            (2025, 0, 4),  # A1 A2 A9, and A11 until its termination on 1 July
        ]

    @pytest.mark.parametrize("build", BUILDS)
    def test_narrowed_to_one_park(self, register, build):
        result = board(build, register.heza_official, Filters(park="alpha"))

        # Park A's verified agreements: A1 and A2.
        assert per_year(result) == [(2023, 1, 1), (2024, 1, 2), (2025, 0, 2)]

    def test_kept_and_computed_agree_over_several_parks(self, register):
        for user in (register.heza_official, register.national_official):
            kept = board(dashboard.from_park_figures, user)
            assert kept.trends == board(dashboard.from_agreements, user).trends
            assert kept.active_by_state == board(dashboard.from_agreements, user).active_by_state


@pytest.fixture
def dated(db, django_capture_on_commit_callbacks):
    """Agreements whose dates test the rule, in one park, on TODAY (15 June 2025): the years
    shown are 2020 to 2025."""
    agency = make_agency()
    park = make_park(managing_authority=agency)
    with django_capture_on_commit_callbacks(execute=True):
        for reference, fields in {
            # Over three years, from December to January.
            "SPAN": {
                "signed_on": datetime.date(2020, 11, 3),
                "starts_on": datetime.date(2020, 12, 1),
                "ends_on": datetime.date(2022, 1, 15),
            },
            # Neither signed nor start date recorded: in force in every year shown.
            "UNDATED": {"starts_on": None},
            # Signed "2022", started "May 2023", open-ended.
            "PARTIAL": {
                "signed_on": datetime.date(2022, 1, 1),
                "signed_on_precision": Precision.YEAR,
                "starts_on": datetime.date(2023, 5, 1),
                "starts_on_precision": Precision.MONTH,
            },
            # Ends on 1 January 2021: in force that day, so in 2021.
            "NEW-YEAR-END": {
                "starts_on": datetime.date(2019, 3, 1),
                "ends_on": datetime.date(2021, 1, 1),
            },
            # Terminated on 1 January 2023: not in force in 2023.
            "NEW-YEAR-TERMINATION": {
                "starts_on": datetime.date(2021, 6, 1),
                "terminated_on": datetime.date(2023, 1, 1),
            },
            # Signed this year, starting after today: in force during the year, not today.
            "LATER": {
                "signed_on": datetime.date(2025, 5, 1),
                "starts_on": datetime.date(2025, 9, 1),
            },
            # Not verified: in no year, and apart from "Active today".
            "DRAFT": {
                "signed_on": datetime.date(2024, 2, 1),
                "starts_on": datetime.date(2024, 3, 1),
                "review_state": State.DRAFT,
            },
            "SUBMITTED": {
                "signed_on": datetime.date(2024, 2, 1),
                "starts_on": datetime.date(2024, 3, 1),
                "review_state": State.SUBMITTED,
            },
        }.items():
            make_agreement(park, reference=reference, **fields)
    return make_official(agency)


EXPECTED = [
    (2020, 1, 3),  # SPAN signed; SPAN UNDATED NEW-YEAR-END
    (2021, 0, 4),  # SPAN UNDATED NEW-YEAR-END NEW-YEAR-TERMINATION
    (2022, 1, 3),  # PARTIAL signed; SPAN (to 15 January) UNDATED NEW-YEAR-TERMINATION
    (2023, 0, 2),  # UNDATED PARTIAL
    (2024, 0, 2),  # UNDATED PARTIAL (DRAFT and SUBMITTED are not verified)
    (2025, 1, 3),  # LATER signed; UNDATED PARTIAL LATER
]


class TestTheRule:
    @pytest.mark.parametrize("build", BUILDS)
    def test_spanning_open_ended_partial_and_unverified(self, dated, build):
        assert per_year(board(build, dated)) == EXPECTED

    @pytest.mark.parametrize("build", BUILDS)
    def test_active_today_counts_verified_agreements_and_the_other_states_apart(self, dated, build):
        result = board(build, dated)

        assert result.figures["active_verified"] == 2  # UNDATED PARTIAL (LATER starts later)
        assert result.figures["open_ended_verified"] == 2
        assert result.active_by_state == (
            (State.DRAFT, 1),
            (State.SUBMITTED, 1),
            (State.RETURNED, 0),
        )
        assert result.figures["parks_with_active"] == 1

    def test_a_park_with_drafts_alone_has_no_verified_agreement_active(self, db):
        agency = make_agency()
        park = make_park(managing_authority=agency)
        make_agreement(park, review_state=State.DRAFT)
        make_agreement(make_park(managing_authority=agency), review_state=State.VERIFIED)
        official = make_official(agency)

        for build in BUILDS:
            result = board(build, official, today=datetime.date(2025, 6, 15))
            assert result.figures["active"] == 2
            assert result.figures["active_verified"] == 1
            assert result.figures["parks_with_active"] == 1


class TestKept:
    def test_figures_kept_before_the_trends_are_worked_out_again(self, dated):
        board(dashboard.from_park_figures, dated)
        row = ParkFigures.objects.get()
        # As kept before the trends: no per-year counts, no "trends".
        figures = row.figures
        del figures["trends"]
        for name in list(figures["overview"]):
            if name.startswith(("signed_", "in_force_", "active_")):
                del figures["overview"][name]
        ParkFigures.objects.filter(pk=row.pk).update(figures=figures)
        # And so was their sum (one park's is kept with its work lists).
        for sum_row in ScopeFigures.objects.all():
            del sum_row.figures["trends"]
            sum_row.save()

        assert per_year(board(dashboard.from_park_figures, dated)) == EXPECTED
        assert "trends" in ParkFigures.objects.get().figures

    def test_a_sum_kept_before_the_trends_is_added_up_again(self, dated):
        second = make_park(managing_authority=make_agency())
        AuthorityMembership.objects.create(user=dated, agency=second.managing_authority)
        make_agreement(second, reference="ELSEWHERE", starts_on=datetime.date(2024, 1, 1))
        board(dashboard.from_park_figures, dated)  # the sum of the two parks is kept
        sum_row = ScopeFigures.objects.get()
        figures = sum_row.figures
        del figures["trends"]
        ScopeFigures.objects.filter(pk=sum_row.pk).update(figures=figures)

        result = board(dashboard.from_park_figures, dated)

        assert result.trends == board(dashboard.from_agreements, dated).trends
        assert "trends" in ScopeFigures.objects.get().figures

    def test_the_counts_are_read_with_the_kept_row_in_one_query(
        self, dated, django_assert_num_queries
    ):
        park_ids = [park.pk for park in overseen_parks(dated)]
        counts = dashboard.overview_counts(today=TODAY)
        park_figures.current(park_ids, today=TODAY, overview_counts=counts)

        with django_assert_num_queries(1):
            kept = park_figures.current(park_ids, today=TODAY, overview_counts=counts)

        overview = kept[park_ids[0]]["overview"]
        assert [overview[f"in_force_{year}"] for year in range(2020, 2026)] == [
            count for _year, _signed, count in EXPECTED
        ]


class TestPage:
    def test_the_table_shows_what_the_chart_draws(self, client, dated, pages_today):
        client.force_login(dated)
        html = client.get(DASHBOARD).content.decode()

        assert table_rows(html) == EXPECTED
        columns, titles = chart_columns(html)
        assert list(columns) == [year for year, _signed, _in_force in EXPECTED]
        # Drawn to scale: 4 in force (2021, the peak) is the plot's full height.
        scale = columns[2021][1] / 4
        for year, signed, in_force in EXPECTED:
            assert columns[year] == pytest.approx((signed * scale, in_force * scale), abs=0.1)
            assert f"{year}, Signed in the year: {signed}" in titles
            assert f"{year}, In force during the year: {in_force}" in titles
        # Its text at 12 px, never scaled down: drawn at its own size in pixels.
        svg = html[html.index('class="trend-chart"') :]
        svg = svg[: svg.index(">")]
        assert f'font-size="{FONT_SIZE}"' in svg and FONT_SIZE >= 12
        width = re.search(r'width="(\d+)"', svg).group(1)
        assert f'viewBox="0 0 {width} ' in svg

    def test_active_today_shows_verified_agreements_and_each_other_state(
        self, client, dated, pages_today
    ):
        client.force_login(dated)
        html = client.get(DASHBOARD).content.decode()

        assert re.search(r'data-figure="active">2<', html)
        assert "verified agreements only" in html
        for state, count in (("draft", 1), ("submitted", 1), ("returned", 0)):
            assert re.search(rf'data-figure="active-{state}">{count}<', html)
        assert "Draft: <span" in html and "Submitted for verification: <span" in html

    def test_in_vietnamese(self, client, dated, pages_today):
        client.force_login(dated)
        html = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="vi").content.decode()

        assert '<html lang="vi"' in html
        assert table_rows(html) == EXPECTED
        assert "Bản nháp: <span" in html  # the review states by their Vietnamese labels
        assert "Năm</th>" in html

    def test_an_official_without_agreements_sees_this_year_at_zero(self, client, db, pages_today):
        client.force_login(make_official(make_agency()))
        html = client.get(DASHBOARD).content.decode()

        assert table_rows(html) == [(2025, 0, 0)]
        assert re.search(r'data-figure="active">0<', html)


def test_quantities_per_year_are_in_each_dimensions_totals_unit(client, db, pages_today):
    """Energy agreed in kWh a month and measured in kWh add up in MWh on the dashboard."""
    agency = make_agency()
    park = make_park(managing_authority=agency)
    electricity = make_resource(name_en="Electricity", unit="kWh", category="energy")
    first, second = make_organisation(), make_organisation()
    agreement = make_agreement(
        park,
        parties=[first, second],
        flows=[],
        starts_on=datetime.date(2024, 1, 1),
    )
    flow = ResourceFlow.objects.create(
        agreement=agreement,
        resource=electricity,
        provider=first,
        receiver=second,
        quantity=Decimal("5000"),
        period=ResourceFlow.Period.MONTHLY,
    )
    make_reported_quantity(flow, 2024, Decimal("48000"))
    client.force_login(make_official(agency))

    html = client.get(DASHBOARD).content.decode()

    start = html.index('data-year-chart="dashboard-MWh"')
    block = html[start : html.index("</figure>", start)]
    row = re.search(r'<tr data-year="2024" data-agreed="([^"]*)" data-measured="([^"]*)"', block)
    assert Decimal(row.group(1)) == Decimal("60")  # 5,000 kWh x 12 months
    assert Decimal(row.group(2)) == Decimal("48")


def test_the_chart_of_no_year_draws_no_column_and_every_chart_is_the_same_markup():
    empty = trend_chart([]).svg()
    assert "<rect" not in empty and empty.startswith("<svg") and empty.endswith("</svg>")
    rows = [dashboard.TrendYear(2024, 1, 3), dashboard.TrendYear(2025, 0, 2)]
    assert trend_chart(rows).svg() == trend_chart(rows).svg()
    assert trend_chart(rows).svg().count("<rect") == 4
