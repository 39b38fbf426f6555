"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Without /usr/bin/chromium they skip with the reason, except in CI (CI=true), where they fail:
CI installs Chromium and requires them.

Every page a test opens is watched for what its Content-Security-Policy or Permissions-Policy
refuses (``policy_violations``): a test that meets any fails, whatever it was testing.
"""

import os
from pathlib import Path

import pytest

from agreements.models import Agreement
from agreements.sample_data.demo import FOUNDING_REFERENCE, load_demo
from parks.models import AuthorityMembership, Organisation, Park, ParkMembership
from tests.factories import make_user

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


# Added to every page before its own scripts: each violation the page's policy reports is
# passed to the test (the binding outlives the page, so a navigation loses none).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.reportPolicyViolation([
    event.violatedDirective, event.blockedURI, event.sourceFile + ":" + event.lineNumber,
    event.sample, document.location.pathname,
  ].join(" | "));
});
"""
# What Chromium writes to the console when a policy refuses something, or cannot read one.
POLICY_MESSAGES = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


@pytest.fixture
def policy_violations():
    """What the watched pages' policies refused: the ``securitypolicyviolation`` events and
    the console's policy messages. Tests may check it as they go; it must end empty."""
    violations = []
    yield violations
    assert violations == [], "the page's policies refused:\n" + "\n".join(violations)


def watched_page(browser, live_server, violations, **options):
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(10_000)
    page = None

    def report(violation):
        violations.append(violation)

    def console(message):
        if any(words in message.text for words in POLICY_MESSAGES):
            violations.append(f"console {message.type}: {message.text} | {page.url}")

    context.expose_function("reportPolicyViolation", report)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on("console", console)
    return context, page


@pytest.fixture
def page(browser, live_server, policy_violations):
    context, page = watched_page(browser, live_server, policy_violations, locale="en-GB")
    yield page
    context.close()


@pytest.fixture
def vietnamese_page(browser, live_server, policy_violations):
    """A browser whose language is Vietnamese: it sends Accept-Language: vi-VN."""
    context, page = watched_page(browser, live_server, policy_violations, locale="vi-VN")
    yield page
    context.close()


@pytest.fixture
def registry(db):
    """The demo data without the founding agreement (staff enter it from scratch), a Deep C
    staff member and a HEZA official."""
    load_demo()
    Agreement.objects.filter(reference=FOUNDING_REFERENCE).delete()
    staff = make_user("deepc-staff")
    ParkMembership.objects.create(user=staff, park=Park.objects.get(slug="deep-c"))
    official = make_user("heza-official")
    AuthorityMembership.objects.create(user=official, agency=Organisation.objects.get(slug="heza"))
    return {"staff": staff, "official": official}


def pytest_terminal_summary(terminalreporter):
    """The pages the accessibility run covered (tests/e2e/test_accessibility.py), in the
    normal output of ``make test``."""
    from tests.e2e.accessibility import summary

    lines = summary()
    if lines:
        terminalreporter.section("accessibility: pages covered")
        for line in lines:
            terminalreporter.write_line(line)
