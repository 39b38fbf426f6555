"""The site's frame works in a real browser, offline: local Bootstrap, navigation, language."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_is_styled_from_local_assets_and_collapses_on_a_phone(page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_viewport_size({"width": 375, "height": 740})

    page.goto("/")

    assert page.get_by_role("heading", level=1).inner_text() == "Symbiosis Registry"
    # Bootstrap applied: the collapsed navigation shows its toggler on a phone.
    assert page.get_by_role("button", name="Show navigation").is_visible()
    live = page.url.split("/")[2]
    assert all(url.split("/")[2] == live for url in requests if url.startswith("http"))


def test_the_language_switcher_changes_the_page_language(page):
    page.goto("/")
    with page.expect_navigation():
        page.select_option("#language-select", "vi")

    assert page.locator("html").get_attribute("lang") == "vi"
