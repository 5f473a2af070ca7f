"""Browser tests drive Debian's Chromium through Playwright against the live test server,
and scan every page they visit with axe-core (served from node_modules, no CDN)."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in this thread; the test database is used from it too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install -y chromium` (the CI script does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
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
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


class AccessibilityViolations(AssertionError):
    pass


WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, tags=WCAG_AA) -> list[str]:
    """The rules axe-core finds broken on the page as it stands, one line each."""
    # Evaluated through the DevTools protocol: an injected <script> tag would be (rightly) refused by the CSP.
    # A click that navigates returns once the navigation starts: scan the page it lands on, not the
    # document being replaced (which axe finds without a documentElement, or whose context is destroyed).
    for attempt in range(3):
        page.wait_for_load_state()
        try:
            if not page.evaluate("typeof window.axe !== 'undefined'"):
                page.evaluate(AXE.read_text())
            result = page.evaluate(
                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                list(tags),
            )
            break
        except PlaywrightError as error:
            if attempt == 2 or not any(sign in str(error) for sign in ("documentElement", "Execution context was destroyed")):
                raise
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it stands."""
    violations = axe_violations(page)
    if violations:
        raise AccessibilityViolations(f"{page.url}:\n" + "\n".join(violations))
