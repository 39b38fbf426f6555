"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Without /usr/bin/chromium they skip with the reason, except in CI (CI=true), where they fail:
CI installs Chromium and requires them.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there (fixtures, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium)"
        if _in_ci():
            pytest.fail(message)
        pytest.skip(message)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def vietnamese_page(browser, live_server):
    """A browser whose language is Vietnamese: it sends Accept-Language: vi-VN."""
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
