"""The funnel in Chromium: an analyst switches to limits adjusted for overdispersion from the page's
form (a bookmarkable GET), reads which limits are drawn and why, and steps through the sites' points
by keyboard, each named; the site's own staff see their site labelled. Axe passes throughout."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from metrics import services
from metrics.returns.reference import load_metrics
from metrics.returns.synthetic import synthetic_return
from nhsportal.celery import app
from nhsportal.models import Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_returns import sign_in
from tests.metrics.factories import ReportingPeriodFactory
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITES = {"Croydon": 400, "Leeds": 9000, "Bradford": 6000, "York": 3000}


def test_the_funnel_switches_limits_and_names_its_points(page, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # each sign-off rolls up in-process
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    staff_of = {}
    for name, cohort in SITES.items():
        site = SiteFactory(place__name=name)
        staff = user_with_role(Role.SITE_STAFF, site=site, username=f"staff.{name.lower()}")
        lead = user_with_role(Role.SITE_LEAD, site=site)
        values = synthetic_return(seed=name, cohort=cohort)
        services.submit_values(site=site, period=period, values=values, layout="1.2", source="api", by=staff, based_on=None)
        record = site.returns.get(period=period)
        if record.latest_version.warnings.exists():
            services.acknowledge_warnings(return_record=record, by=staff, comment="Checked.")
        services.send_for_sign_off(return_record=record, by=staff)
        services.sign_off(return_record=record, by=lead)
        staff_of[name] = staff
    user_with_role(Role.TASKFORCE_CHAIR, username="chair")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    sign_in(page, "chair")
    page.goto("/dashboards/funnel/O1_NEW/")
    expect(page.locator("#funnel-limits")).to_contain_text("exact Poisson 95% and 99% limits")
    page.get_by_label("Limits", exact=True).select_option("cqc")
    page.get_by_label("Names on the chart", exact=True).select_option("outliers")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"limits=cqc.*label=outliers"))  # bookmarkable
    expect(page.locator("#funnel-limits")).to_contain_text("Limits at 95% and 99.8%, by the CQC")
    expect(page.locator("#funnel-limits")).to_contain_text("φ = ")
    expect(page.locator("#funnel-table")).to_contain_text("Upper 99.8%")

    # One Tab stop for the points; the arrow keys move through them from left to right, each named.
    points = page.locator(".app-funnel-points [role=img]")
    expect(points).to_have_count(len(SITES))
    first = page.locator(".app-funnel-points [tabindex='0']")
    first.focus()
    names = [page.evaluate("() => document.activeElement.getAttribute('aria-label')")]
    for _ in range(len(SITES) - 1):
        page.keyboard.press("ArrowRight")
        names.append(page.evaluate("() => document.activeElement.getAttribute('aria-label')"))
    assert {name.split(":")[0] for name in names} == set(SITES)
    assert all(" per 1,000" in name and ("Within" in name or "Outside" in name) for name in names)
    assert page.evaluate("() => window.Chart.getChart(document.querySelector('canvas[data-chart]')).tooltip.opacity") > 0
    assert points.first.get_attribute("title")  # shown on hover too
    assert_accessible(page)

    # A site's own staff: their site is the one labelled, and named as theirs.
    page.context.clear_cookies()
    sign_in(page, "staff.croydon")
    page.goto("/dashboards/funnel/O1_NEW/?limits=shmi")
    own = page.locator(".app-funnel-points [role=img][aria-label^='Croydon (your site)']")
    expect(own).to_have_count(1)
    assert_accessible(page)
    assert errors == [], "no script or Content-Security-Policy errors on the funnel"
