"""The content security policy (no 'unsafe-inline') breaks nothing: Chromium reports no
violation on the key pages, signed out and as an administrator, and the API docs render."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from playwright.sync_api import expect

from metrics import services as return_services
from metrics.returns.reference import load_metrics
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.workbooks import make_workbook
from tests.nhsportal.factories import PASSWORD, user_with_role
from tests.sites.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script runs (through the DevTools protocol, which the CSP does not govern).
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def optional_url(name, **kwargs):
    """Pages another part of the programme adds (the dashboards): visited when they exist."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@pytest.fixture
def csp_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)  # bypass_csp stays off
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.console_problems = []
    page.on(
        "console",
        lambda message: (
            page.console_problems.append(f"{message.text} ({message.location.get('url')})")
            if (message.type == "error" or "Content Security Policy" in message.text)
            # Django admin's pages name no icon, so Chromium asks for /favicon.ico: not a policy matter.
            and not message.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    yield page
    context.close()


def visit(page, path):
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, f"{path} answered {response.status}"
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{path}: {violations}"
    assert page.console_problems == [], f"{path}: {page.console_problems}"
    # The NHS.UK template's own inline script ran (it is allowed by its hash).
    if not path.startswith(("/admin/", "/api/")):
        assert "js-enabled" in page.evaluate("document.body.className"), path


def test_key_pages_report_no_csp_violation_and_the_api_docs_render(csp_page):
    page = csp_page
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    site = SiteFactory(place__name="Croydon")
    staff = user_with_role(Role.SITE_STAFF, site=site)
    return_services.upload_return(data=make_workbook(place="Croydon", period=period.month), filename="r.xlsx", by=staff)
    user_with_role(Role.ADMINISTRATOR, username="admin.csp", is_superuser=True)

    for path in ["/", "/accessibility/", optional_url("public-summary"), reverse("login")]:
        if path:
            visit(page, path)

    page.get_by_label("Username").fill("admin.csp")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    pages = [
        "/",
        reverse("site-list"),
        reverse("site-detail", kwargs={"pk": site.pk}),
        reverse("returns"),
        reverse("return-detail", kwargs={"site_pk": site.pk, "month": f"{period.month:%Y-%m}"}),
        optional_url("dashboard-overview"),
        optional_url("dashboard-engagement"),
        reverse("admin:index"),
    ]
    for path in filter(None, pages):
        visit(page, path)

    visit(page, reverse("api-docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Neighbourhood Health Programme Portal API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert page.evaluate("window.__cspViolations") == []
