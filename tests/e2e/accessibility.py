"""Accessibility checks in a real browser: axe-core (vendored by axe-playwright-python, injected
by Playwright, no CDN) against the WCAG 2.1 A and AA rules, and the phone width's sideways
scroll. What the run covered is kept here for the session's summary (conftest.py)."""

# The rules of WCAG 2.1 levels A and AA; none is turned off.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}

# Every page checked this session: (what it is, its path, language, width).
COVERED = []


def violations(page, label):
    """Each WCAG 2.1 A/AA violation on the page as it stands, one line per element: rule id,
    impact, the page, the element's selector, and what is wrong (colours and ratio, for
    contrast)."""
    from axe_playwright_python.sync_playwright import Axe  # only when a browser test runs

    found = []
    for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]:
        for node in violation["nodes"]:
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            why = checks[0]["message"] if checks else violation["help"]
            found.append(
                f"{violation['id']} ({violation['impact']}) on {label}: "
                f"{' '.join(map(str, node['target']))} | {why}"
            )
    return found


def sideways_scroll(page):
    """How many pixels the page is wider than the window (0 when it scrolls up and down only)."""
    return page.evaluate(
        "Math.max(0, document.documentElement.scrollWidth - window.innerWidth - 1)"
    )


# Each chart and diagram drawn on the server: its name (its <title>), and a table or list of the
# same figures near it (within three levels up: its figure, section or row).
CHARTS_WITHOUT_ALTERNATIVE = """() => [...document.querySelectorAll(
  "svg.bar-chart, svg.year-chart, svg.network-diagram, svg.park-map-svg"
)].filter(svg => {
  const title = svg.querySelector(":scope > title");
  let near = svg.parentElement, found = false;
  for (let level = 0; level < 3 && near && !found; level++, near = near.parentElement) {
    found = near.querySelector("table, ul a, ol a") !== null;
  }
  return !(title && title.textContent.trim()) || !found;
}).map(svg => svg.getAttribute("class"))"""


def charts_without_alternative(page):
    """The classes of the charts on the page that lack a name or a table or list beside them."""
    return page.evaluate(CHARTS_WITHOUT_ALTERNATIVE)


def summary():
    """The pages the accessibility run covered, for the end of the test session's output."""
    if not COVERED:
        return []
    pages = {}
    for label, path, language, width in COVERED:
        pages.setdefault((label, path), set()).add(f"{language} {width}px")
    lines = [
        f"axe-core WCAG 2.1 A/AA and no sideways scroll at 390 px: {len(COVERED)} checks, "
        f"{len(pages)} pages, each in English and Vietnamese at 1366 and 390 px:"
    ]
    for (label, path), seen in pages.items():
        lines.append(f"  {label}: {path} ({', '.join(sorted(seen))})")
    return lines
