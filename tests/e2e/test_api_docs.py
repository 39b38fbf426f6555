"""The API's documentation page in a real browser, under the site's Content-Security-Policy:
Swagger UI (vendored, from our static files) draws every operation of the schema, and a visitor
can send a request from it, with nothing refused (``policy_violations``)."""

import pytest
from playwright.sync_api import expect

from agreements.sample_data.demo import load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPERATIONS = [
    "/api/v1/agreements/",
    "/api/v1/agreements/{reference}/",
    "/api/v1/parks/",
    "/api/v1/parks/{slug}/",
    "/api/v1/organisations/",
    "/api/v1/organisations/{slug}/",
    "/api/v1/resources/",
    "/api/v1/resources/{slug}/",
    "/api/v1/flows/",
    "/api/v1/flows/{id}/",
]


def test_the_docs_page_draws_every_operation_and_tries_one(page, policy_violations):
    load_demo()

    page.goto("/")
    page.get_by_role("link", name="Public API").click()

    expect(page.get_by_role("heading", name="Public API", exact=True)).to_be_visible()
    operations = page.locator(".opblock-summary-path")
    expect(operations).to_have_count(len(OPERATIONS))
    # Swagger UI breaks long paths with zero-width spaces.
    shown = [text.replace("\u200b", "") for text in operations.all_inner_texts()]
    assert sorted(shown) == sorted(OPERATIONS)

    # A visitor sends a request from the page: the parks, in JSON.
    page.locator("#operations-parks-parks_list .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    expect(page.locator(".live-responses-table")).to_contain_text("deep-c")
    assert policy_violations == []
