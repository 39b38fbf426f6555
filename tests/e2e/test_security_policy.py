"""The whole story under the pages' Content-Security-Policy, in a real browser: every page sends
it, nothing on them is refused (no inline script, handler or style), and what their scripts and
styles do still works: the language selector, the organisation search, added rows, the dialog,
the dashboard's charts and the park's network, and the Django admin."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Agreement
from agreements.sample_data.demo import FOUNDING_REFERENCE
from tests.e2e.test_staff import (
    PASSWORD,
    choose_organisation,
    save_the_fire_fighting_flow_and_upload_the_signed_agreement,
    sign_in,
    sign_in_to_review,
    sign_out,
)
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


class Documents:
    """The policy headers of every page (document) the browser loads."""

    def __init__(self, page):
        self.headers = {}
        page.on("response", self.seen)

    def seen(self, response):
        if response.request.resource_type == "document":
            self.headers[response.url] = response.headers


def strict_policy_missing(documents):
    """The pages whose policy is missing, or lets inline scripts or (outside the admin) styles
    run."""
    missing = []
    for url, headers in documents.headers.items():
        policy = {}
        for part in headers.get("content-security-policy", "").split(";"):
            if part.split():
                name, *sources = part.split()
                policy[name] = sources
        in_admin = "/admin/" in url
        if policy.get("script-src") != ["'self'"]:
            missing.append((url, "script-src", policy.get("script-src")))
        if not in_admin and policy.get("style-src") != ["'self'"]:
            missing.append((url, "style-src", policy.get("style-src")))
        if "camera=()" not in headers.get("permissions-policy", ""):
            missing.append((url, "permissions-policy", headers.get("permissions-policy")))
    return missing


def test_staff_enter_an_agreement_an_official_verifies_it_and_nothing_is_refused(
    page, registry, policy_violations
):
    documents = Documents(page)

    # A visitor switches the page to Vietnamese and back with the selector (its script).
    page.goto("/")
    with page.expect_navigation():
        page.select_option("#language-select", "vi")
    assert page.locator("html").get_attribute("lang") == "vi"
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"

    # Park staff enter the agreement: the organisation search, an added row, the dialog.
    sign_in(page, "deepc-staff")
    page.get_by_role("link", name="Enter a new agreement").click()
    page.get_by_label("Reference").fill(FOUNDING_REFERENCE)
    page.locator("#id_kind").select_option("industrial_urban")
    page.get_by_label("Title in English", exact=True).fill(
        "Fire prevention, fire-fighting and rescue"
    )
    page.get_by_label("Signed on").fill("2023-09-12")
    page.get_by_label("Starts on").fill("2023-09-12")
    choose_organisation(page, 0, "dinh vu", "Dinh Vu Industrial Park Joint Stock Company")
    choose_organisation(page, 1, "cong an quan", "Hai An District Police")
    page.get_by_role("button", name="Add a party").click()
    choose_organisation(page, 3, "heza", "Hai Phong Economic Zone Authority (HEZA)")
    page.locator("#id_parties-3-role").select_option("witness")
    page.get_by_role("link", name="Add a missing organisation").click()
    dialog = page.get_by_role("dialog", name="Add a missing organisation")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    # Its flow and signed document; then the history of changes, the submission.
    save_the_fire_fighting_flow_and_upload_the_signed_agreement(page)
    page.goto(reverse("agreements:history", kwargs={"reference": FOUNDING_REFERENCE}))
    # The table's columns keep their widths from the stylesheet (they were style attributes).
    widths = (
        page.locator("table colgroup")
        .first.locator("col")
        .evaluate_all("cols => cols.map(col => col.getBoundingClientRect().width)")
    )
    assert widths[1] == pytest.approx(2 * widths[0], rel=0.05)
    page.goto(reverse("agreements:mine"))
    page.get_by_role("button", name=f"Submit for verification {FOUNDING_REFERENCE}").click()
    expect(page.get_by_text(f"{FOUNDING_REFERENCE} is submitted")).to_be_visible()
    sign_out(page, "deepc-staff")
    assert policy_violations == []

    # The official verifies it, then opens the dashboard with its charts.
    sign_in_to_review(page, "heza-official")
    awaiting = page.get_by_role("region", name=re.compile("Awaiting your review"))
    awaiting.get_by_role("link", name=f"Review {FOUNDING_REFERENCE}").click()
    page.get_by_label("Verify: the agreement is correct and becomes public").check()
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_text(f"{FOUNDING_REFERENCE} is verified")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    charts = page.locator("svg.bar-chart")
    expect(charts.first).to_be_visible()
    # The charts fit the page from the stylesheet's rules (it was a style attribute): scaled
    # to a desktop's column; on a phone, at their own size inside a scroller that fits it.
    chart_width = charts.first.evaluate("svg => svg.getBoundingClientRect().width")
    assert chart_width <= 640
    page.set_viewport_size({"width": 375, "height": 740})
    scroller = charts.first.locator("xpath=..")
    assert scroller.evaluate("div => div.getBoundingClientRect().right") <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_out(page, "heza-official")
    assert Agreement.objects.get(reference=FOUNDING_REFERENCE).review_state == "verified"

    # The public finds it, and Deep C's network.
    page.goto(reverse("agreements:list"))
    page.get_by_role("link", name=re.compile("Fire prevention, fire-fighting")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fire prevention")
    page.goto(reverse("parks:detail", kwargs={"slug": "deep-c"}))
    expect(page.locator("svg.network-diagram:visible")).to_be_visible()

    assert policy_violations == []
    assert strict_policy_missing(documents) == []
    assert len(documents.headers) >= 10  # every page above was seen


def test_the_admin_works_under_its_policy(page, registry, policy_violations):
    """The admin's pages allow inline styles (templates we do not own have some), never inline
    scripts; its scripts work: the changelist's actions, an added inline row, the autocomplete."""
    make_user("admin", is_staff=True, is_superuser=True)
    documents = Documents(page)
    agreement = Agreement.objects.order_by("pk").first()

    # The admin sends to the site's sign-in page (agreements/accounts/admin_site.py), and back.
    page.goto(reverse("admin:index"))
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    # The change list's actions: ticking a row counts it.
    page.goto(reverse("admin:agreements_agreement_changelist"))
    page.locator("input.action-select").first.check()
    expect(page.locator(".action-counter")).to_contain_text("1 of")

    # The change form: another party row, and the autocomplete of its organisation.
    page.goto(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
    page.get_by_role("button", name="Add another Party").click()
    rows = page.locator("#parties-group tr.form-row.dynamic-parties")
    expect(rows.last).to_be_visible()
    rows.last.locator(".select2-selection").click()
    page.locator(".select2-search__field").press_sequentially("hai an district pol")
    expect(page.locator(".select2-results__option")).to_have_text(["Hai An District Police"])
    page.keyboard.press("Escape")

    # The history page, whose template (django-simple-history's) has an inline style.
    page.goto(reverse("admin:agreements_agreement_history", args=[agreement.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("history", ignore_case=True)

    assert policy_violations == []
    assert strict_policy_missing(documents) == []
