"""In a browser: park staff report what a verified agreement's flow shared in a year, and the
official over the park accepts it from the review list."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import ReportedQuantity
from parks.models import Park
from tests.e2e.test_staff import sign_in, sign_out
from tests.factories import make_agreement, make_organisation, make_resource

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_report_a_year_and_the_official_accepts_it(page, live_server, registry):
    park = Park.objects.get(slug="deep-c")
    provider, receiver = make_organisation(name_en="Solar Co"), make_organisation(name_en="Mill")
    water = make_resource(name_en="Treated wastewater", unit="m3")
    agreement = make_agreement(
        park,
        reference="DC-WATER",
        parties=[provider, receiver],
        flows=[(water, provider, receiver)],
    )
    sign_in(page, "deepc-staff")

    page.goto(live_server.url + agreement.get_absolute_url())
    page.get_by_role("link", name="Measured quantities").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Measured quantities of DC-WATER")
    form = page.get_by_role("region", name="Report a measured quantity")
    form.get_by_role("spinbutton", name="Year").fill("2025")
    form.get_by_role("spinbutton", name="Quantity").fill("125000")
    form.get_by_label("Source*", exact=True).select_option("metered")
    form.get_by_role("button", name="Report it").click()

    expect(page.get_by_text("The figure for 2025 is reported")).to_be_visible()
    row = page.locator("tr", has_text="2025").first
    expect(row).to_contain_text("125,000 m³")
    expect(row).to_contain_text("awaiting review")
    sign_out(page, "deepc-staff")

    sign_in(page, "heza-official", lands_on="Officials' dashboard")
    page.get_by_role("link", name="Review measured quantities").click()
    page.get_by_label("Accept the figure of DC-WATER for 2025").check()
    page.get_by_role("button", name="Accept the figures ticked").click()

    expect(page.get_by_text("1 figure accepted")).to_be_visible()
    assert ReportedQuantity.objects.get().review_state == ReportedQuantity.ReviewState.ACCEPTED
    assert reverse("agreements:quantities-review") in page.url
