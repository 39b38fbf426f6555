"""The dashboard and export pages: who may open them, what each official sees, what bad filter
input does, and what they cost in queries."""

import csv
import datetime
import html
import io
import re

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.urls import resolve, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agreements.models import Agreement, ResourceFlow
from agreements.reporting import views
from agreements.reporting.views import CsvExportView, DashboardView, XlsxExportView
from agreements.sample_data.demo import create_demo_users
from tests.agreements.reporting.dashboard_data import build_register
from tests.factories import (
    make_agency,
    make_agreement,
    make_official,
    make_organisation,
    make_park,
    make_park_staff,
    make_resource,
    make_user,
)
from tests.pages import Page

DASHBOARD = reverse("agreements:dashboard")
CSV = reverse("agreements:export-csv")
XLSX = reverse("agreements:export-xlsx")
PAGES = [DASHBOARD, CSV, XLSX]


@pytest.fixture
def register(db):
    return build_register()


def figure(response, name):
    """A figure as the page shows it (marked with ``data-figure`` for the tests)."""
    match = re.search(rf'data-figure="{name}">([^<]*)<', response.content.decode())
    assert match, f"no figure {name} on the page"
    return match.group(1).strip()


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(content(response).decode("utf-8-sig"))))


def xlsx_sheets(response):
    """Each sheet of the downloaded workbook as a list of rows keyed by the header."""
    book = openpyxl.load_workbook(io.BytesIO(content(response)))
    sheets = {}
    for sheet in book.worksheets:
        header, *rows = sheet.iter_rows(values_only=True)
        sheets[sheet.title] = [dict(zip(header, row, strict=False)) for row in rows]
    return sheets


class TestAccess:
    @pytest.mark.parametrize("url", PAGES)
    def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(self, client, db, url):
        response = client.get(url)

        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"

    @pytest.mark.parametrize("url", PAGES)
    def test_park_staff_are_refused(self, client, register, url):
        client.force_login(make_park_staff(register.park_a))

        assert client.get(url).status_code == 403

    @pytest.mark.parametrize("url", PAGES)
    def test_a_signed_in_user_with_no_role_is_refused(self, client, db, url):
        client.force_login(make_user())

        assert client.get(url).status_code == 403

    def test_an_official_sees_only_the_parks_their_agency_manages(self, client, register):
        client.force_login(register.heza_official)

        response = client.get(DASHBOARD)

        assert response.status_code == 200
        assert figure(response, "total") == "10"
        page = response.content.decode()
        assert "Alpha Park" in page and "Beta Park" in page
        assert "Gamma Park" not in page
        assert "Quang Ninh" not in page  # not even as a province to filter by

    def test_an_official_of_the_other_authority_sees_only_its_park(self, client, register):
        client.force_login(register.other_official)

        response = client.get(DASHBOARD)

        assert figure(response, "total") == "1"
        assert "Gamma Park" in response.content.decode()
        assert "Alpha Park" not in response.content.decode()

    def test_a_national_official_sees_every_park(self, client, register):
        client.force_login(register.national_official)

        response = client.get(DASHBOARD)

        assert figure(response, "total") == "11"
        assert all(park.name in response.content.decode() for park in register.parks)

    def test_an_admin_sees_every_park(self, client, register):
        client.force_login(make_user(is_superuser=True, is_staff=True))

        assert figure(client.get(DASHBOARD), "total") == "11"

    def test_an_official_exports_only_their_parks(self, client, register):
        client.force_login(register.heza_official)

        rows = csv_rows(client.get(CSV))

        assert {row["Park"] for row in rows} == {"Alpha Park", "Beta Park"}

    def test_an_official_cannot_filter_their_way_into_another_park(self, client, register):
        client.force_login(register.heza_official)

        response = client.get(DASHBOARD, {"park": "gamma"})

        assert response.status_code == 200
        assert "These filters could not be applied: Park" in response.content.decode()
        assert figure(response, "total") == "10"

    def test_the_dashboard_urls_are_not_shadowed_by_other_pages(self):
        assert resolve(DASHBOARD).func.view_class is DashboardView
        assert resolve(CSV).func.view_class is CsvExportView
        assert resolve(XLSX).func.view_class is XlsxExportView


class TestFiltersOnThePage:
    def test_filters_live_in_the_url_and_narrow_figures_and_exports(self, client, register):
        client.force_login(register.heza_official)

        response = client.get(DASHBOARD, {"park": "beta", "kind": "shared_service"})

        assert figure(response, "total") == "2"  # A4 A11
        page = response.content.decode()
        assert 'value="beta" selected' in page  # the form shows the filters in force
        assert f"{CSV}?park=beta&amp;kind=shared_service" in page
        assert f"{XLSX}?park=beta&amp;kind=shared_service" in page

    def test_the_form_draws_every_filter_labelled_and_ties_a_bad_one_to_its_message(
        self, client, register
    ):
        client.force_login(register.heza_official)

        response = client.get(DASHBOARD, {"signed_from": "2024-05-01", "signed_to": "2023-01-01"})

        page = Page(response.content)
        for name in response.context["form"].fields:
            field = page.find(name=name)
            assert page.find("label", for_=field.attrs["id"])
        signed_to = page.find(name="signed_to")
        assert "is-invalid" in signed_to.classes
        assert "id_signed_to_error" in signed_to.words("aria-describedby")
        assert page.find(id="id_signed_to_error").text == (
            "The end of the date range must not be before its start."
        )

    def test_each_breakdown_row_links_to_the_dashboard_narrowed_to_it(self, client, register):
        client.force_login(register.heza_official)

        page = client.get(DASHBOARD, {"kind": "industrial"}).content.decode()

        assert 'href="?park=alpha&amp;kind=industrial"' in page
        assert 'href="?kind=industrial&amp;signed_from=2023-01-01&amp;signed_to=2023-12-31"' in page

    def test_the_chart_by_park_draws_the_parks_with_most_agreements_and_adds_up_the_others(
        self, client, register, monkeypatch
    ):
        monkeypatch.setattr(views, "PARKS_CHARTED", 1)
        client.force_login(register.national_official)

        response = client.get(DASHBOARD)

        by_park = next(chart for chart in response.context["charts"] if chart.slug == "by-park")
        counts = {park.name: park.agreement_count for park in response.context["dashboard"].by_park}
        busiest = max(counts, key=counts.get)
        assert [(bar.label, bar.value) for bar in by_park.bars] == [
            (busiest, counts[busiest]),
            ("2 other parks", sum(counts.values()) - counts[busiest]),
        ]
        assert "2 other parks" in response.content.decode()

    def test_invalid_filters_give_a_message_not_an_error(self, client, register):
        client.force_login(register.heza_official)

        response = client.get(
            DASHBOARD,
            {"signed_from": "2024-13-40", "signed_to": "yesterday", "category": "plutonium"},
        )

        assert response.status_code == 200
        page = html.unescape(response.content.decode())
        assert (
            "These filters could not be applied: Resource category, Signed from, Signed until"
            in page
        )
        assert "This date could not be read: type it as yyyy-mm-dd" in page
        assert 'value="2024-13-40"' in page  # what was typed is still there to correct
        assert figure(response, "total") == "10"

    def test_a_reversed_date_range_is_explained(self, client, register):
        client.force_login(register.heza_official)

        response = client.get(DASHBOARD, {"signed_from": "2024-01-01", "signed_to": "2023-01-01"})

        assert (
            "The end of the date range must not be before its start." in response.content.decode()
        )

    @pytest.mark.parametrize("url", [CSV, XLSX])
    def test_an_export_with_invalid_filters_sends_back_to_the_dashboard(
        self, client, register, url
    ):
        client.force_login(register.heza_official)

        response = client.get(url, {"signed_from": "not a date"}, follow=True)

        assert response.redirect_chain == [(f"{DASHBOARD}?signed_from=not+a+date", 302)]
        page = response.content.decode()
        assert "No file was made: correct the filters below." in page
        assert "This date could not be read: type it as yyyy-mm-dd" in page


class TestWorkLists:
    def test_work_lists_show_and_link_each_agreement(self, client, db):
        agency = make_agency()
        park = make_park(managing_authority=agency)
        today = timezone.localdate()
        waiting = make_agreement(
            park,
            review_state=Agreement.ReviewState.SUBMITTED,
            submitted_at=timezone.now() - datetime.timedelta(days=3),
            title_en="Steam from the boiler house",
        )
        ending = make_agreement(park, ends_on=today + datetime.timedelta(days=10))
        returned = make_agreement(
            park, review_state=Agreement.ReviewState.RETURNED, review_comment="Add the document."
        )
        client.force_login(make_official(agency))

        response = client.get(DASHBOARD)

        assert figure(response, "awaiting-verification") == "1"
        assert figure(response, "ending-soon") == "1"
        assert figure(response, "returned") == "1"
        page = response.content.decode()
        assert "Steam from the boiler house" in page
        assert "Add the document." in page
        # An agreement awaiting verification opens on its review page, the others on theirs.
        assert f'href="{reverse("agreements:review", args=[waiting.reference])}"' in page
        for agreement in (ending, returned):
            assert f'href="{agreement.get_absolute_url()}"' in page

    @pytest.mark.parametrize("language", ["en", "vi"])
    def test_each_row_shows_its_cells_under_their_columns_names(self, client, db, language):
        agency = make_agency()
        park = make_park(managing_authority=agency, name_en="Harbour Park", name_vi="KCN Cảng")
        submitted = timezone.make_aware(datetime.datetime(2026, 3, 4, 23, 30))
        make_agreement(
            park,
            review_state=Agreement.ReviewState.SUBMITTED,
            submitted_at=submitted,
            title_en="Steam <b>&</b> heat",
            title_vi="Hơi nước <b>&</b> nhiệt",
        )
        comment = " ".join(f"word{number}" for number in range(40))
        make_agreement(park, review_state=Agreement.ReviewState.RETURNED, review_comment=comment)
        ending = make_agreement(park, ends_on=timezone.localdate() + datetime.timedelta(days=10))
        client.force_login(make_official(agency))

        page = Page(client.get(DASHBOARD, headers={"accept-language": language}).content)

        with translation.override(language):
            waiting = page.find("table", id="awaiting-verification").find("tbody").find("tr")
            cells = waiting.children
            assert [cell.attrs["data-label"] for cell in cells] == [
                _("Reference"),
                _("Title"),
                _("Park"),
                _("Submitted on"),
            ]
            title = "Steam <b>&</b> heat" if language == "en" else "Hơi nước <b>&</b> nhiệt"
            assert cells[1].text == title  # escaped: shown as typed
            assert cells[2].text == ("Harbour Park" if language == "en" else "KCN Cảng")
            shown_day = date_format(timezone.localtime(submitted), "DATE_FORMAT")
            assert cells[3].text == shown_day
            soon = page.find("table", id="ending-soon").find("tbody").find("tr")
            assert soon.children[-1].attrs["data-label"] == _("Review state")
            assert soon.children[-1].text == str(ending.get_review_state_display())
            assert soon.children[3].text == date_format(ending.ends_on, "DATE_FORMAT")
            returned = page.find("table", id="returned").find("tbody").find("tr")
            assert returned.children[-1].attrs["data-label"] == _("Reviewer's comment")
            # The first 30 words, then an ellipsis.
            assert returned.children[-1].text == " ".join(comment.split()[:30]) + " …"


class TestDownloads:
    def test_file_names_carry_the_date(self, client, register):
        client.force_login(register.heza_official)
        day = timezone.localdate().isoformat()

        csv_response = client.get(CSV)
        xlsx_response = client.get(XLSX)

        assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="symbiosis-register-{day}.csv"' in csv_response["Content-Disposition"]
        assert csv_response.streaming
        assert f'filename="symbiosis-register-{day}.xlsx"' in xlsx_response["Content-Disposition"]
        assert xlsx_response["Content-Type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml"
        )

    def test_the_spreadsheet_holds_the_agreements_the_page_counts(self, client, register):
        client.force_login(register.heza_official)
        query = {"park": "alpha"}

        page = client.get(DASHBOARD, query)
        sheets = xlsx_sheets(client.get(XLSX, query))
        agreements = sheets["Agreements"]
        flows = csv_rows(client.get(CSV, query))

        assert len(agreements) == int(figure(page, "total")) == 5
        assert {row["Reference"] for row in flows} == {row["Reference"] for row in agreements}
        assert ("Filters", "Park: alpha") in [tuple(row.values())[:2] for row in sheets["About"]]


def build_agreements(count, *, agency=None):
    """``count`` agreements in every review state, half of them ending soon, each with two
    parties and a flow with a quantity, in a new park managed by the returned agency (a new
    one unless given)."""
    agency = agency or make_agency()
    park = make_park(managing_authority=agency)
    resource = make_resource()
    first, second = make_organisation(), make_organisation()
    today = timezone.localdate()
    states = list(Agreement.ReviewState)
    for number in range(count):
        agreement = make_agreement(
            park,
            parties=[first, second],
            flows=[],
            review_state=states[number % len(states)],
            submitted_at=timezone.now(),
            ends_on=today + datetime.timedelta(days=30) if number % 2 else None,
        )
        ResourceFlow.objects.create(
            agreement=agreement, resource=resource, provider=first, receiver=second, quantity=5
        )
    return agency


class TestQueryCount:
    """Whatever the number of agreements: the request's savepoint and its release, the
    session, the user, their memberships (parks and agencies), the parks to filter by; then
    the dashboard's eleven figures and lists (the impact in two: its rows, then the emission
    factors; its totals are the rows' sums) and the parks' report overview in two, or the
    export's rows and parties (twice for the workbook's two sheets)."""

    @pytest.mark.parametrize("count", [1, 100])
    def test_the_dashboard(self, client, db, django_assert_num_queries, count):
        client.force_login(make_official(build_agreements(count)))

        # and the measured quantities awaiting review, two for agreed and measured per year
        # (agreements.yearly); the parks' report overview reads the parks' kept figures,
        # computed and kept here the first time (eleven queries, and the upsert): issue 15;
        # one for the flow diagrams' bands of the filtered flows
        with django_assert_num_queries(34):
            response = client.get(DASHBOARD, {"kind": "industrial"})

        assert figure(response, "total") == str(count)

    @pytest.mark.parametrize("count", [1, 100])
    def test_the_csv_export(self, client, db, django_assert_num_queries, count):
        client.force_login(make_official(build_agreements(count)))

        with django_assert_num_queries(8):
            rows = csv_rows(client.get(CSV))

        assert len(rows) == count

    @pytest.mark.parametrize("count", [1, 100])
    def test_the_xlsx_export(self, client, db, django_assert_num_queries, count):
        client.force_login(make_official(build_agreements(count)))

        with django_assert_num_queries(10):
            response = client.get(XLSX)
            rows = xlsx_sheets(response)["Resource flows"]

        assert len(rows) == count


def test_a_work_list_shows_its_first_ten_and_how_many_there_are_in_all(client, db):
    agency = make_agency()
    park = make_park(managing_authority=agency)
    first, second = make_organisation(), make_organisation()
    for number in range(15):
        make_agreement(
            park,
            reference=f"WAIT-{number:02d}",
            parties=[first, second],
            review_state=Agreement.ReviewState.SUBMITTED,
            submitted_at=timezone.now() - datetime.timedelta(days=60 - number),
        )
    client.force_login(make_official(agency))

    response = client.get(DASHBOARD)

    listed = [a.reference for a in response.context["dashboard"].awaiting_verification]
    assert listed == [f"WAIT-{number:02d}" for number in range(10)]
    assert figure(response, "awaiting-verification") == "15"
    assert "The first 10 of 15: the export holds them all." in response.content.decode()


def test_heza_official_sees_deep_c_narrows_it_and_downloads_a_matching_spreadsheet(client, demo):
    """Done when: an official signed in on the demo data sees the Deep C figures and work
    lists, narrows them by park and year, and downloads a spreadsheet that opens and matches
    the page."""
    create_demo_users()
    # Deep C's staff have completed one of the demo's illustrative drafts and submitted it.
    wind = Agreement.objects.get(reference="DEEPC-ILLUSTRATIVE-WIND")
    wind.review_state = Agreement.ReviewState.SUBMITTED
    wind.submitted_at = timezone.now()
    wind.save()
    client.force_login(get_user_model().objects.get(username="heza-official"))

    # The whole picture: HEZA's two parks, Deep C's five agreements: the founding one
    # verified, the submitted one, the three illustrative drafts HEZA sees but the public does not.
    overview = client.get(DASHBOARD)
    page = overview.content.decode()
    assert overview.status_code == 200
    assert figure(overview, "total") == "5"
    assert figure(overview, "state-verified") == "1"
    assert figure(overview, "state-draft") == "3"
    assert figure(overview, "parks-with-active") == "1"
    assert "of 2 parks in view" in page
    assert figure(overview, "organisations") == "11"
    assert "Deep C Industrial Park (Dinh Vu Industrial Park)" in page
    assert "Nam Cau Kien Industrial Park" in page
    # The work list shows what awaits HEZA's verification.
    assert figure(overview, "awaiting-verification") == "1"
    assert "Wind power at Deep C (illustrative)" in page
    # Only the verified founding flow counts in the impact, and the article records no
    # quantity for it: the impact says the totals are partial.
    assert figure(overview, "impact-flows") == "1"
    assert figure(overview, "impact-without-quantity") == "1"
    assert "1 of the 1 flows has no quantity recorded" in page

    # Narrowed to Deep C, signed in 2023 (the year link of the per-year table).
    assert 'href="?signed_from=2023-01-01&amp;signed_to=2023-12-31"' in page
    narrowed = client.get(
        DASHBOARD, {"park": "deep-c", "signed_from": "2023-01-01", "signed_to": "2023-12-31"}
    )
    assert figure(narrowed, "total") == "1"  # the founding agreement; the others have no date
    assert "Nam Cau Kien Industrial Park</a>" not in narrowed.content.decode()

    # The spreadsheet link on that page gives the same agreement.
    link = re.search(r'href="([^"]*register\.xlsx[^"]*)"', narrowed.content.decode()).group(1)
    download = client.get(html.unescape(link))
    assert download.status_code == 200
    sheets = xlsx_sheets(download)
    agreements, flows = sheets["Agreements"], sheets["Resource flows"]
    assert len(agreements) == int(figure(narrowed, "total"))
    assert [row["Reference"] for row in agreements] == ["DEEPC-2023-IUS-01"]
    assert [(row["Resource"], row["Direction"]) for row in flows] == [
        ("Fire prevention, fire-fighting and rescue capacity", "Mutual")
    ]
    assert "Hai An District Police (Signatory)" in flows[0]["Parties and roles"]
