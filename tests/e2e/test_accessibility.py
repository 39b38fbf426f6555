"""Every page people use, checked in a real browser in English and in Vietnamese, at a desktop's
width (1366 px) and a phone's (390 px): axe-core finds no violation of WCAG 2.1 A and AA, nothing
scrolls sideways on the phone, and every chart and diagram has a text alternative (its name, and
a table or list of what it shows). The public pages, each role's pages, a form with its errors,
the dashboard and the map. One browser, one live server and one data set (the demo) for the
whole run; each page is visited once per language and width. The session's summary lists the
pages covered."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from agreements.models import Agreement, ImportBatch, ReportedQuantity
from agreements.sample_data.demo import FOUNDING_REFERENCE, load_demo
from parks.models import AuthorityMembership, Organisation, Park, ParkMembership
from tests.e2e.accessibility import (
    COVERED,
    charts_without_alternative,
    sideways_scroll,
    violations,
)
from tests.e2e.conftest import watched_page
from tests.e2e.test_staff import PASSWORD
from tests.factories import make_reported_quantity, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = {"en": "en-GB", "vi": "vi-VN"}
WIDTHS = {1366: 900, 390: 844}
DRAFT = "DEEPC-ILLUSTRATIVE-SOLAR"
SUBMITTED = "DEEPC-ILLUSTRATIVE-WATER"
CHARTS = "svg.bar-chart, svg.year-chart, svg.network-diagram, svg.park-map-svg"


@pytest.fixture
def world(db):
    """The demo data with one agreement awaiting review, one measured figure awaiting review,
    one import batch, and a user of each role."""
    load_demo()
    Agreement.objects.filter(reference=SUBMITTED).update(
        review_state=Agreement.ReviewState.SUBMITTED
    )
    founding = Agreement.objects.get(reference=FOUNDING_REFERENCE)
    make_reported_quantity(
        founding.flows.get(), 2024, 3, state=ReportedQuantity.ReviewState.SUBMITTED
    )
    staff = make_user("deepc-staff")
    ParkMembership.objects.create(user=staff, park=Park.objects.get(slug="deep-c"))
    official = make_user("heza-official")
    AuthorityMembership.objects.create(user=official, agency=Organisation.objects.get(slug="heza"))
    make_user("admin", is_staff=True, is_superuser=True)
    batch = ImportBatch.objects.create(
        created_by=staff,
        columns=["Reference", "Title in English"],
        rows=[[2, "DEEPC-IMPORTED-1", "Imported agreement"], [3, "", ""]],
        total=2,
    )
    return {"founding": founding, "batch": batch}


def public_pages(world):
    founding = world["founding"]
    flow = founding.flows.get()
    return [
        ("Home", reverse("home")),
        ("Agreement list", reverse("agreements:list")),
        ("Agreement detail", founding.get_absolute_url()),
        ("Park list", reverse("parks:list")),
        ("Park detail (network)", reverse("parks:detail", kwargs={"slug": "deep-c"})),
        ("Map of parks", reverse("parks:map")),
        ("Organisation", flow.provider.get_absolute_url()),
        ("Resource list", reverse("agreements:resource-list")),
        ("Resource detail", flow.resource.get_absolute_url()),
        ("Open data", reverse("open_data:index")),
        ("API documentation", reverse("api:docs"), ".opblock-summary"),
        ("Sign in", reverse("login")),
    ]


def staff_pages(world):
    return [
        ("My agreements (staff)", reverse("agreements:mine")),
        ("New agreement form", reverse("agreements:create")),
        ("Edit agreement form", reverse("agreements:update", kwargs={"reference": DRAFT})),
        (
            "Measured quantities",
            reverse("agreements:quantities", kwargs={"reference": FOUNDING_REFERENCE}),
        ),
        ("Import upload", reverse("agreements:import")),
        ("Import preview", reverse("agreements:import-preview", kwargs={"pk": world["batch"].pk})),
    ]


def official_pages(world):
    year = world["founding"].starts_on.year
    return [
        ("Dashboard", reverse("agreements:dashboard")),
        ("Review", reverse("agreements:review", kwargs={"reference": SUBMITTED})),
        ("Quantities review", reverse("agreements:quantities-review")),
        ("Park report", reverse("parks:report", kwargs={"slug": "deep-c", "year": year})),
    ]


def admin_pages(world):
    return [
        (
            "Admin: agreement change",
            reverse("admin:agreements_agreement_change", args=[world["founding"].pk]),
        )
    ]


def sign_in(page, username):
    page.goto(reverse("login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")


class Run:
    """The checks of one language at one width: every violation and sideways scroll found."""

    def __init__(self, page, language, width):
        self.page, self.language, self.width = page, language, width
        self.problems = []
        self.charts = {}

    def check(self, label, path=None, drawn=None):
        """Open ``path`` (or check the page as it is), wait for what its script draws (the
        ``drawn`` selector), and record what it fails."""
        if path is not None:
            response = self.page.goto(path)
            assert response.ok, f"{path}: {response.status}"
        if drawn:
            self.page.locator(drawn).first.wait_for()
        path = path or urlsplit(self.page.url).path
        where = f"{label} [{self.language}, {self.width}px] {path}"
        self.problems += violations(self.page, where)
        if self.width == 390 and (extra := sideways_scroll(self.page)):
            self.problems.append(f"sideways scroll of {extra}px at 390px on {where}")
        self.charts[label] = self.page.locator(CHARTS).count()
        for chart in charts_without_alternative(self.page):
            self.problems.append(f"{chart} without a text alternative on {where}")
        COVERED.append((label, path, self.language, self.width))


def test_every_page_meets_wcag_21_aa_in_both_languages_at_both_widths(
    browser, live_server, world, policy_violations
):
    problems = []
    charts = {}
    for language, locale in LANGUAGES.items():
        for width, height in WIDTHS.items():
            for role, pages in [
                (None, public_pages),
                ("deepc-staff", staff_pages),
                ("heza-official", official_pages),
                ("admin", admin_pages),
            ]:
                context, page = watched_page(
                    browser,
                    live_server,
                    policy_violations,
                    locale=locale,
                    viewport={"width": width, "height": height},
                )
                run = Run(page, language, width)
                if role:
                    sign_in(page, role)
                for label, path, *drawn in pages(world):
                    run.check(label, path, *drawn)
                if role == "deepc-staff":
                    # The agreement form sent empty comes back with its errors.
                    page.goto(reverse("agreements:create"))
                    with page.expect_navigation():
                        page.locator("main form button.btn-success[type=submit]").first.click()
                    assert page.locator(".invalid-feedback, .is-invalid").count() > 0
                    run.check("New agreement form with errors")
                problems += run.problems
                charts.update({label: count for label, count in run.charts.items() if count})
                context.close()
    # The charts' check saw the charts: the dashboard's, the park's network, the map.
    assert {"Dashboard", "Park detail (network)", "Map of parks"} <= set(charts)
    assert problems == [], f"{len(problems)} accessibility problems:\n" + "\n".join(problems)
