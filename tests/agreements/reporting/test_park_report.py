"""A park's symbiosis report for a year (issue 15, items 5 and 6): what its staff and the
officials over it read on the page and in the workbook, and the officials' overview on the
dashboard."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from agreements import services, yearly
from agreements.models import (
    Agreement,
    Document,
    EmissionFactor,
    ReportedQuantity,
    ResourceFlow,
    SymbiosisKind,
)
from agreements.reporting import dashboard, eip
from agreements.reporting import figures as park_figures
from agreements.reporting.models import ParkFigures, ReportCriterion
from agreements.reporting.views import OVERVIEW_PARKS_PER_PAGE
from parks.models import Park
from tests.factories import (
    make_agency,
    make_agreement,
    make_official,
    make_organisation,
    make_park,
    make_park_staff,
    make_resource,
)

pytestmark = pytest.mark.django_db

YEAR = 2024
Indicator = ReportCriterion.Indicator
# The request's savepoint and its release, the session, the user, their memberships (of parks
# and agencies, one query) and the parks those agencies manage, the park; then the report: the
# flows' figures of the year and the tenants kept with the park's (figures.for_park_report), its
# activities with their parties, flows and documents, the criteria. The tenants taking part are
# counted from the list, and the park's totals of the year are added up from the flows' figures
# (yearly.totals_of_flow_years). The flows' emission factors of the year are read in one query
# (none without one).
REPORT_QUERIES = 2 + 4 + 1 + 1 + 4 + 1 + 1
# The first time, they are computed (the flows' agreed figures with the flows,
# yearly.agreed_in_force, their measured ones of the year, the tenants) and kept: three
# queries more.
REPORT_QUERIES_COMPUTED = REPORT_QUERIES + 3


def report_url(park, year=YEAR):
    return reverse("parks:report", kwargs={"slug": park.slug, "year": year})


def xlsx_url(park, year=YEAR):
    return reverse("parks:report-xlsx", kwargs={"slug": park.slug, "year": year})


def set_flow(agreement, **fields):
    ResourceFlow.objects.filter(agreement=agreement).update(**fields)
    return agreement.flows.get()


def measure(flow, quantity, *, month=None, state=ReportedQuantity.ReviewState.ACCEPTED, **extra):
    return ReportedQuantity.objects.create(
        flow=flow,
        year=YEAR,
        month=month,
        quantity=quantity,
        unit=flow.resource.unit,
        source=ReportedQuantity.Source.METERED,
        review_state=state,
        **extra,
    )


class World:
    """A park of three tenant companies: ``active`` takes part through two agreements in force
    in 2024, ``lapsed`` only through one that ended in 2023, ``idle`` in none (a draft aside);
    an agency outside the park is a party too."""

    def __init__(self):
        self.agency = make_agency(name_en="Hai Phong Economic Zone Authority")
        self.park = make_park(managing_authority=self.agency)
        self.other_park = make_park()
        self.active = make_organisation(park=self.park, name_en="Active Co")
        self.lapsed = make_organisation(park=self.park, name_en="Lapsed Co")
        self.idle = make_organisation(park=self.park, name_en="Idle Co")
        self.police = make_agency(name_en="District Police")
        self.neighbour = make_organisation(name_en="Neighbour Co")  # located in no park
        self.water = make_resource(name_en="Treated wastewater", baseline_en="river water")
        self.solar = make_resource(
            name_en="Rooftop solar electricity",
            category="energy",
            unit="MWh",
            emission_factor=Decimal("681.2"),
            emission_factor_source="MONRE 2023",
            baseline_en="grid electricity",
        )
        self.exchange = make_agreement(
            self.park,
            reference="EX-1",
            title_en="Water reuse",
            parties=[self.active, self.neighbour],
            flows=[(self.water, self.active, self.neighbour)],
            starts_on=datetime.date(2023, 1, 1),
            symbiosis_kind=SymbiosisKind.INPUT_OUTPUT_EXCHANGE,
        )
        self.exchange_flow = set_flow(self.exchange, quantity=100, period="yearly")
        self.solar_deal = make_agreement(
            self.park,
            reference="SO-1",
            title_en="Solar sharing",
            parties=[self.active, self.police],
            flows=[(self.solar, self.active, self.police)],
            starts_on=datetime.date(2024, 6, 1),
            symbiosis_kind=SymbiosisKind.INPUT_OUTPUT_EXCHANGE,
        )
        # Its flow is of another kind than its agreement.
        self.solar_flow = set_flow(
            self.solar_deal,
            quantity=10,
            period="monthly",
            symbiosis_kind=SymbiosisKind.SHARED_INFRASTRUCTURE,
            claimed_by=ResourceFlow.Claimant.RECEIVER,
        )
        Document.objects.create(agreement=self.solar_deal, title="Signed PPA", file="x/ppa.pdf")
        self.expired = make_agreement(
            self.park,
            reference="OLD-1",
            parties=[self.lapsed, self.police],
            starts_on=datetime.date(2020, 1, 1),
            ends_on=datetime.date(2023, 12, 31),
        )
        self.draft = make_agreement(
            self.park,
            reference="DR-1",
            parties=[self.idle, self.police],
            starts_on=datetime.date(2024, 1, 1),
            review_state=Agreement.ReviewState.DRAFT,
        )
        # Months of 2024, accepted, add up to the year; one awaiting review is left out.
        measure(self.exchange_flow, 10, month=1)
        measure(self.exchange_flow, 20, month=2)
        measure(self.exchange_flow, 999, month=3, state=ReportedQuantity.ReviewState.SUBMITTED)
        measure(self.solar_flow, 70)
        self.staff = make_park_staff(self.park)
        self.other_staff = make_park_staff(self.other_park)
        self.official = make_official(self.agency)
        self.other_official = make_official(make_agency())


@pytest.fixture
def world():
    return World()


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_tenant_share_counts_a_company_taking_part_once_and_not_one_of_an_expired_agreement(
    client, world
):
    client.force_login(world.staff)
    response = client.get(report_url(world.park))

    report = response.context["report"]
    assert (report.tenant_count, report.taking_part) == (3, 1)
    assert report.tenant_share == Decimal("33.3")
    text = response.content.decode()
    assert f'data-tenant="{world.active.slug}" data-takes-part="yes"' in text
    assert f'data-tenant="{world.lapsed.slug}" data-takes-part="no"' in text
    assert f'data-tenant="{world.idle.slug}" data-takes-part="no"' in text
    assert "1 of 3 (33.3%)" in text


def test_activities_are_grouped_by_the_flows_kind_else_the_agreements(client, world):
    report = eip_report(client, world)

    grouped = {
        group.kind: [activity.agreement.reference for activity in group.activities]
        for group in report.groups
    }
    # The expired agreement and the draft are no activity of 2024.
    assert grouped == {
        SymbiosisKind.INPUT_OUTPUT_EXCHANGE: ["EX-1"],
        SymbiosisKind.SHARED_INFRASTRUCTURE: ["SO-1"],
    }


def test_a_blank_kind_is_listed_as_not_recorded(client, world):
    Agreement.objects.filter(pk=world.exchange.pk).update(symbiosis_kind="")

    text = page(client, world.staff, report_url(world.park))

    assert 'data-kind-group="not-recorded"' in text
    assert "Kind not recorded" in text


def flow_figures(text, flow):
    """The agreed and measured quantities of ``flow`` on the report's page."""
    agreed, measured = re.search(
        rf'data-flow="{flow.pk}" data-agreed="([^"]*)" data-measured="([^"]*)"', text
    ).groups()
    return Decimal(agreed), Decimal(measured)


def eip_report(client, world, user=None):
    client.force_login(user or world.staff)
    return client.get(report_url(world.park)).context["report"]


def test_each_flow_shows_its_agreed_and_measured_quantities_and_the_method(client, world):
    text = page(client, world.staff, report_url(world.park))

    # 10 + 20 accepted in months; the 999 awaiting review is not counted.
    assert flow_figures(text, world.exchange_flow) == (Decimal(100), Decimal(30))
    assert flow_figures(text, world.solar_flow) == (Decimal(120), Decimal(70))  # 10 a month
    assert "grid electricity" in text  # the resource's baseline
    assert "MONRE 2023" in text
    assert "the receiver" in text  # who claims the avoided emissions
    # 70 MWh x 681.2 kg / 1000
    assert eip_report(client, world).measured_tonnes == Decimal("47.684")


def test_the_tonnes_use_the_emission_factor_in_force_that_year(client, world):
    EmissionFactor.objects.create(
        resource=world.solar, value=500, unit="MWh", source="Grid factor 2023", year=2023
    )
    EmissionFactor.objects.create(
        resource=world.solar, value=600, unit="MWh", source="Grid factor 2025", year=2025
    )

    client.force_login(world.staff)
    response = client.get(report_url(world.park))

    text = response.content.decode()
    assert "Grid factor 2023" in text
    assert "Grid factor 2025" not in text
    # 70 MWh measured, 120 MWh agreed, at 500 kg per MWh
    assert response.context["report"].measured_tonnes == Decimal(35)
    assert response.context["report"].agreed_tonnes == Decimal(60)


def test_a_frameworks_flow_that_its_bilateral_records_is_listed_but_counted_once(client, world):
    framework = make_agreement(
        world.park,
        reference="FW-1",
        parties=[world.active, world.police],
        flows=[(world.solar, world.active, world.police)],
        starts_on=datetime.date(2024, 1, 1),
    )
    framework_flow = set_flow(framework, quantity=5, period="monthly")
    measure(framework_flow, 40)
    Agreement.objects.filter(pk=world.solar_deal.pk).update(framework=framework)

    report = eip_report(client, world)

    listed = [flow for group in report.groups for a in group.activities for flow in a.flows]
    assert framework_flow in listed
    # The water exchange and the bilateral's solar flow: the framework's gives way to it.
    assert (report.flow_count, report.measured_flow_count) == (2, 2)
    assert report.agreed_tonnes == Decimal("81.744")  # 120 MWh x 681.2 kg / 1000
    assert report.measured_tonnes == Decimal("47.684")  # 70 MWh, not 110
    # The figures every total of the register gives for those flows.
    flows = ResourceFlow.objects.filter(eip.activity_condition(YEAR, "agreement__"))
    (totals,) = yearly.yearly_totals(flows, first_year=YEAR, last_year=YEAR).tonnes
    assert (report.flow_count, report.measured_flow_count) == (
        totals.flows,
        totals.measured.flows,
    )
    assert (report.agreed_tonnes, report.measured_tonnes) == (
        totals.agreed.tonnes_co2e,
        totals.measured.tonnes_co2e,
    )


def test_an_activity_without_a_document_or_evidenced_figure_is_flagged(client, world):
    text = page(client, world.staff, report_url(world.park))

    assert 'data-activity="EX-1" data-no-evidence' in text
    assert 'data-activity="SO-1">' in text
    assert "Signed PPA" in text  # internal documents are listed too


def test_an_accepted_figure_with_evidence_is_evidence(client, world):
    document = Document.objects.create(agreement=world.exchange, title="Meter", file="x/m.pdf")
    ReportedQuantity.objects.filter(flow=world.exchange_flow, month=1).update(evidence=document)
    Document.objects.filter(pk=document.pk).update(agreement=world.solar_deal)

    report = eip_report(client, world)

    assert report.activities_without_evidence == 0


def criterion(indicator, threshold, comparison="at_least", **extra):
    return ReportCriterion.objects.create(
        text_vi=f"Tiêu chí {indicator}",
        text_en=f"Criterion {indicator}",
        indicator=indicator,
        threshold=threshold,
        comparison=comparison,
        **extra,
    )


def test_criteria_are_met_not_met_or_not_computable(client, world):
    met = criterion(Indicator.TENANT_SHARE, 30)
    not_met = criterion(Indicator.ACTIVITIES, 5)
    at_most = criterion(Indicator.MEASURED_SHARE, 50, comparison="at_most")
    criterion(Indicator.TONNES_AVOIDED, 1, is_active=False)

    text = page(client, world.staff, report_url(world.park))

    assert f'data-criterion="{met.pk}" data-outcome="met"' in text
    assert f'data-criterion="{not_met.pk}" data-outcome="not_met"' in text
    # Both flows are measured: 100% is not at most 50%.
    assert f'data-criterion="{at_most.pk}" data-outcome="not_met"' in text
    assert text.count("data-criterion=") == 3  # the inactive one is not checked


def test_a_share_of_no_tenants_is_not_computable(client, world):
    share = criterion(Indicator.TENANT_SHARE, 30)
    park = make_park(managing_authority=world.agency)

    text = page(client, world.official, report_url(park))

    assert f'data-criterion="{share.pk}" data-outcome="not_computable"' in text
    assert "No verified agreement of the park was in force in 2024." in text


def test_the_workbook_opens_and_matches_the_page(client, world):
    criterion(Indicator.TENANT_SHARE, 30)
    client.force_login(world.official)
    report = client.get(report_url(world.park)).context["report"]

    response = client.get(xlsx_url(world.park))

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["Activities", "Tenants", "Criteria", "About"]
    activities = list(book["Activities"].iter_rows(values_only=True))
    header, rows = activities[0], activities[1:]
    by_reference = {row[header.index("Reference")]: row for row in rows}
    assert set(by_reference) == {"EX-1", "SO-1"}
    measured = header.index("Measured quantity in the year (accepted)")
    assert Decimal(str(by_reference["EX-1"][measured])) == Decimal(30)
    assert by_reference["EX-1"][header.index("Evidence")] == "no"
    assert by_reference["SO-1"][header.index("Baseline")] == "grid electricity"
    tenants = list(book["Tenants"].iter_rows(values_only=True))
    assert ("Active Co", "yes") in tenants
    assert ("Lapsed Co", "no") in tenants
    assert ("Tenant companies", report.tenant_count) in tenants
    assert float(dict(row[:2] for row in tenants if row and row[0])["Share taking part (%)"]) == (
        float(report.tenant_share)
    )
    criteria = list(book["Criteria"].iter_rows(values_only=True))
    assert criteria[1][0] == "Criterion tenant_share"
    assert criteria[1][-1] == "met"


def test_a_formula_in_a_title_comes_out_inert(client, world):
    payload = '=HYPERLINK("http://attacker.example","Click")'
    Agreement.objects.filter(pk=world.exchange.pk).update(title_en=payload)
    client.force_login(world.staff)

    response = client.get(xlsx_url(world.park))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Activities"]
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'" + payload in titles
    assert payload not in titles


class TestAccess:
    def test_the_parks_staff_and_its_official_read_it(self, client, world):
        for user in (world.staff, world.official):
            client.force_login(user)
            assert client.get(report_url(world.park)).status_code == 200
            assert client.get(xlsx_url(world.park)).status_code == 200

    def test_another_parks_staff_and_official_are_refused(self, client, world):
        for user in (world.other_staff, world.other_official):
            client.force_login(user)
            assert client.get(report_url(world.park)).status_code == 403
            assert client.get(xlsx_url(world.park)).status_code == 403

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, world):
        for url in (report_url(world.park), xlsx_url(world.park)):
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("login") + "?next=")

    def test_an_admin_reads_any(self, client, world):
        admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
        client.force_login(admin)
        assert client.get(report_url(world.other_park)).status_code == 200


class TestYears:
    def test_the_report_opens_on_last_year(self, client, world):
        client.force_login(world.staff)
        response = client.get(reverse("parks:report-latest", kwargs={"slug": world.park.slug}))
        last = datetime.date.today().year - 1
        assert response["Location"] == report_url(world.park, last)

    def test_the_picker_opens_the_year_chosen(self, client, world):
        client.force_login(world.staff)
        url = reverse("parks:report-latest", kwargs={"slug": world.park.slug})
        assert client.get(url, {"year": "2024"})["Location"] == report_url(world.park)

    def test_a_bad_year_says_so_and_opens_last_years(self, client, world):
        client.force_login(world.staff)
        url = reverse("parks:report-latest", kwargs={"slug": world.park.slug})
        response = client.get(url, {"year": "twenty"}, follow=True)
        assert response.status_code == 200
        assert "Choose a year from 1990 to" in response.content.decode()
        assert response.context["year"] == datetime.date.today().year - 1

    def test_a_year_out_of_range_is_not_found(self, client, world):
        client.force_login(world.staff)
        assert client.get(report_url(world.park, 1800)).status_code == 404
        assert client.get(report_url(world.park, 9999)).status_code == 404


def test_the_report_reads_in_vietnamese(client, world):
    criterion(Indicator.TENANT_SHARE, 30)
    client.force_login(world.staff)
    client.cookies["django_language"] = "vi"

    text = client.get(report_url(world.park), headers={"accept-language": "vi"}).content.decode()

    assert '<html lang="vi">' in text
    assert "Tiêu chí tenant_share" in text  # the criterion in Vietnamese
    assert "Trao đổi đầu vào, đầu ra giữa các doanh nghiệp trong khu công nghiệp" in text
    assert "Báo cáo cộng sinh" in text  # the page's own words (catalogue filled at merge)


def test_the_workbook_reads_in_vietnamese(client, world):
    client.force_login(world.staff)
    client.cookies["django_language"] = "vi"

    response = client.get(xlsx_url(world.park), headers={"accept-language": "vi"})

    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames[-1] == "Thông tin về tệp"
    assert "Activities" not in book.sheetnames  # (catalogue filled at merge)


def park_of(rows):
    """A park of ``rows`` activities of 2024 (every kind), each with a document, a measured
    figure and a criterion, and its official."""
    agency = make_agency()
    park = make_park(managing_authority=agency)
    hub = make_organisation(park=park)
    resource = make_resource(emission_factor=Decimal(1), emission_factor_source="x")
    EmissionFactor.objects.create(
        resource=resource, value=1, unit=resource.unit, source="x", year=2023
    )
    for number in range(rows):
        other = make_organisation(park=park)
        agreement = make_agreement(
            park,
            parties=[hub, other],
            flows=[(resource, hub, other)],
            symbiosis_kind=list(SymbiosisKind)[number % 4],
        )
        Document.objects.create(agreement=agreement, title="Signed", file="x/s.pdf")
        measure(agreement.flows.get(), 5)
        criterion(Indicator.ACTIVITIES, number)
    return park, make_official(agency)


@pytest.mark.parametrize("rows", [1, 20])
def test_the_report_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    park, official = park_of(rows)
    client.force_login(official)

    with django_assert_num_queries(REPORT_QUERIES_COMPUTED):
        computed = client.get(report_url(park))
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(report_url(park))

    assert computed.context["report"].activity_count == rows
    assert response.context["report"].activity_count == rows
    assert len(response.context["report"].criteria) == rows


@pytest.mark.parametrize("rows", [1, 20])
def test_the_workbook_runs_a_fixed_number_of_queries(client, django_assert_num_queries, rows):
    park, official = park_of(rows)
    client.force_login(official)

    with django_assert_num_queries(REPORT_QUERIES_COMPUTED):
        client.get(xlsx_url(park))
    with django_assert_num_queries(REPORT_QUERIES):
        response = client.get(xlsx_url(park))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Activities"]
    assert sheet.max_row == rows + 1


# The figures kept with the park's


@pytest.fixture
def committed_world(db, django_capture_on_commit_callbacks):
    """``world``, its changes committed as on the site (the test's transaction never commits,
    and the changes' callback would gather every later change)."""
    with django_capture_on_commit_callbacks(execute=True):
        return World()


def test_the_kept_figures_follow_a_new_measured_quantity_and_a_new_emission_factor(
    client, committed_world, django_capture_on_commit_callbacks
):
    world = committed_world
    client.force_login(world.staff)
    first = client.get(report_url(world.park)).content.decode()
    assert flow_figures(first, world.solar_flow) == (Decimal(120), Decimal(70))
    kept = client.get(report_url(world.park)).content.decode()  # read back from the kept row
    assert flow_figures(kept, world.solar_flow) == (Decimal(120), Decimal(70))
    assert ParkFigures.objects.get(park=world.park).report.keys() == {str(YEAR)}

    # Each change commits, as on the site (the test's own transaction never does).
    with django_capture_on_commit_callbacks(execute=True):
        measure(world.solar_flow, 5, month=1)
    text = client.get(report_url(world.park)).content.decode()
    assert flow_figures(text, world.solar_flow) == (Decimal(120), Decimal(75))

    # 75 MWh x 681.2 kg / 1000, then at a factor of 2024 set since
    assert eip_report(client, world).measured_tonnes == Decimal("51.090")
    with django_capture_on_commit_callbacks(execute=True):
        services.set_emission_factor(
            resource=world.solar,
            value=Decimal(400),
            unit="MWh",
            source="Grid factor 2024",
            year=YEAR,
            by=world.official,
        )
    response = client.get(report_url(world.park))
    assert response.context["report"].measured_tonnes == Decimal(30)
    assert "Grid factor 2024" in response.content.decode()


def test_an_emission_factor_saved_outside_the_service_moves_every_parks_figures_on(
    client, committed_world, django_capture_on_commit_callbacks
):
    world = committed_world
    client.force_login(world.staff)
    assert client.get(report_url(world.park)).context["report"].measured_tonnes == Decimal("47.684")
    with django_capture_on_commit_callbacks(execute=True):  # as the admin would
        EmissionFactor.objects.create(
            resource=world.solar, value=500, unit="MWh", source="Grid factor 2023", year=2023
        )
    # 70 MWh at 500 kg per MWh, the factor in force in 2024
    assert client.get(report_url(world.park)).context["report"].measured_tonnes == Decimal(35)


def test_figures_computed_while_a_change_commits_are_not_kept(committed_world):
    world = committed_world

    def compute_while_a_change_commits(compute):
        def racing():
            data = compute()
            park_figures.move_on([world.park.pk])  # a change committed meanwhile
            return data

        return park_figures.for_park_report(world.park.pk, year=YEAR, compute=racing)

    before = ParkFigures.objects.get(park=world.park).generation
    report = eip.park_report(world.park, YEAR, keep=compute_while_a_change_commits)

    assert report.measured_tonnes == Decimal("47.684")
    row = ParkFigures.objects.get(park=world.park)
    assert (row.generation, row.report) == (before + 1, None)


def test_the_kept_tenants_follow_a_new_tenant_and_a_new_name(
    client, committed_world, django_capture_on_commit_callbacks
):
    world = committed_world
    client.force_login(world.staff)
    assert client.get(report_url(world.park)).context["report"].tenant_count == 3

    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_organisation(park=world.park, name_en="Newcomer Co")
    report = client.get(report_url(world.park)).context["report"]
    assert (report.tenant_count, report.taking_part) == (4, 1)

    newcomer.name_en = "Newcomer Renamed"
    with django_capture_on_commit_callbacks(execute=True):
        newcomer.save()
    text = client.get(report_url(world.park)).content.decode()
    assert f'data-tenant="{newcomer.slug}" data-takes-part="no"><td>Newcomer Renamed<' in text


def test_each_year_is_kept_apart(client, committed_world):
    world = committed_world
    client.force_login(world.staff)
    client.get(report_url(world.park))
    client.get(report_url(world.park, YEAR - 1))

    assert ParkFigures.objects.get(park=world.park).report.keys() == {str(YEAR), str(YEAR - 1)}
    # The year before, no measured figure: read back from the kept row as computed.
    before = client.get(report_url(world.park, YEAR - 1)).context["report"]
    assert before.measured_flow_count == 0
    assert eip_report(client, world).measured_tonnes == Decimal("47.684")


# The officials' overview on the dashboard


DASHBOARD = reverse("agreements:dashboard")


def test_the_dashboard_shows_each_parks_overview_for_last_year(client, world, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    last = datetime.date.today().year - 1
    ReportedQuantity.objects.update(year=last)
    client.force_login(world.official)

    response = client.get(DASHBOARD)

    rows = {row.park.pk: row for row in response.context["park_overview"]}
    row = rows[world.park.pk]
    assert (row.tenants, row.taking_part) == (3, 1)
    assert row.measured_flows == 2
    assert [count for _label, count in row.by_kind] == [1, 1]
    assert cells_of_overview(response, world.park)[0] == "1 / 3 (33.3%)"

    # In Vietnamese, with its decimal comma and the kinds' names.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    cells = cells_of_overview(client.get(DASHBOARD), world.park)
    assert cells[0] == "1 / 3 (33,3%)"
    assert [line.rsplit(": ", 1)[1] for line in cells[1].split("<br>") if line] == ["1", "1"]
    assert cells[2] == "2"


def cells_of_overview(response, park):
    """The figures' cells of ``park``'s row of the overview, as written."""
    html = response.content.decode()
    row = html[html.index(f'data-park-overview="{park.slug}"') :]
    row = row[: row.index("</tr>")]
    return [cell.strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


@pytest.mark.parametrize("parks", [1, 12])
def test_the_overview_figures_are_two_queries_whatever_the_number_of_parks(
    django_assert_num_queries, parks
):
    agency = make_agency()
    for _ in range(parks):
        park = make_park(managing_authority=agency)
        tenant = make_organisation(park=park)
        make_agreement(park, parties=[tenant, make_organisation()])
    rows = dashboard.park_counts(Park.objects.all())

    with django_assert_num_queries(2):
        figures = eip.overview_figures([row.pk for row in rows], year=2024)
    # The dashboard keeps them with each park's figures, and reads them from there.
    overview = eip.overview(
        rows, figures={pk: {"report_overview": f} for pk, f in figures.items()}, year=2024
    )

    assert [(row.tenants, row.taking_part) for row in overview] == [(1, 1)] * parks
    assert all(row.by_kind == [("Kind not recorded", 1)] for row in overview)
    assert [row.report_url for row in overview] == [
        reverse("parks:report", kwargs={"slug": row.slug, "year": 2024}) for row in rows
    ]


def test_the_overview_is_paged(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    agency = make_agency()
    for number in range(OVERVIEW_PARKS_PER_PAGE + 1):
        make_park(managing_authority=agency, name_en=f"Park {number:02d}", slug=f"p-{number:02d}")
    client.force_login(make_official(agency))

    first = client.get(DASHBOARD).content.decode()
    second = client.get(DASHBOARD, {"overview_page": 2}).content.decode()

    assert first.count("data-park-overview=") == OVERVIEW_PARKS_PER_PAGE
    assert second.count("data-park-overview=") == 1
    assert 'data-park-overview="p-25"' in second


def test_an_admin_enters_a_criterion_in_both_languages_and_the_report_checks_it(client, world):
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x")
    client.force_login(admin)
    add = reverse("admin:reporting_reportcriterion_add")
    assert client.get(add).status_code == 200

    response = client.post(
        add,
        {
            "text_vi": "Ít nhất 20% doanh nghiệp thứ cấp tham gia cộng sinh",
            "text_en": "At least 20% of tenants take part in symbiosis",
            "legal_reference": "Decree 35/2022, Article 38",
            "indicator": Indicator.TENANT_SHARE,
            "comparison": "at_least",
            "threshold": "20",
            "is_active": "on",
            "order": "1",
        },
    )

    assert response.status_code == 302
    text = page(client, admin, report_url(world.park))
    assert "At least 20% of tenants take part in symbiosis" in text
    assert "Decree 35/2022, Article 38" in text
    assert 'data-outcome="met"' in text


def test_the_page_prints_without_navigation(client, world):
    text = page(client, world.staff, report_url(world.park))

    assert "css/report-print.css" in text
    assert "data-print-hint" in text
    assert f'action="/parks/{world.park.slug}/report/"' in text  # the year picker


def test_the_park_page_links_its_report_for_those_who_may_read_it(client, world):
    assert "data-park-report" not in client.get(world.park.get_absolute_url()).content.decode()

    assert "data-park-report" in page(client, world.staff, world.park.get_absolute_url())
    assert "data-park-report" not in page(client, world.other_staff, world.park.get_absolute_url())
