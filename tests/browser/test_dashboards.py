"""The dashboards in Chromium: a site lead signs off a month's return and, within seconds, it is on
the dashboards (through a real Celery worker on Redis where CI has one — PostgreSQL and Redis —
and in-process on the embedded default); every dashboard page passes an axe scan; the public
summary is open to anyone."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from metrics import services
from metrics.returns.reference import load_metrics
from metrics.returns.synthetic import synthetic_return
from metrics.rollups import jobs as rollup_jobs
from nhsportal.celery import app
from nhsportal.models import Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_returns import sign_in
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.metrics.test_rollup_worker import worker_on_the_test_database  # noqa: F401 - the real worker, as a fixture
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECONDS = 30


@pytest.fixture
def rollups_run_after_sign_off(request, monkeypatch):
    """A real worker on Redis reading the test database where both exist (CI), else the embedded
    default: the task runs in-process once the sign-off commits."""
    cache.delete(rollup_jobs.LOCK)
    if settings.REDIS_URL and connection.vendor == "postgresql":
        yield request.getfixturevalue("worker_on_the_test_database")
    else:
        monkeypatch.setitem(app.conf, "task_always_eager", True)
        yield None
    cache.delete(rollup_jobs.LOCK)


def open_until(page, url, text):
    """Reload `url` until `text` shows: the rollup runs after the sign-off, off the request."""
    deadline = time.monotonic() + SECONDS
    while True:
        page.goto(url)
        if text in page.locator("main").inner_text():
            return
        assert time.monotonic() < deadline, f"{text!r} did not reach {url} within {SECONDS} seconds"
        time.sleep(0.5)


def test_a_sign_off_reaches_the_dashboards_within_seconds(page, rollups_run_after_sign_off):
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    croydon = SiteFactory(place__name="Croydon")
    staff = user_with_role(Role.SITE_STAFF, site=croydon, username="staff.croydon")
    user_with_role(Role.SITE_LEAD, site=croydon, username="lead.croydon")
    values = synthetic_return(seed="Croydon", cohort=9000)
    services.submit_values(site=croydon, period=period, values=values, layout="1.2", source="api", by=staff, based_on=None)
    record = croydon.returns.get(period=period)
    if record.latest_version.warnings.exists():
        services.acknowledge_warnings(return_record=record, by=staff, comment="Checked with the analyst.")
    services.send_for_sign_off(return_record=record, by=staff)
    cohort = next(v.numerator for v in values if v.metric == "COHORT" and v.category == "total")

    sign_in(page, "lead.croydon")
    page.goto("/dashboards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboards")
    expect(page.locator("main")).to_contain_text("There are no figures yet")
    page.goto(f"/returns/{croydon.pk}/{period.slug}/")
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.get_by_role("alert")).to_contain_text("signed off and submitted")

    open_until(page, "/dashboards/", f"{cohort:,}")
    expect(page.locator("#overview-table")).to_contain_text("Number of patients in the cohort")
    assert_accessible(page)

    # The lead's own site page, reached from the home page, shows the same month.
    page.goto("/")
    page.get_by_role("link", name="Croydon's dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Croydon")
    expect(page.locator("#org-table")).to_contain_text(f"{cohort:,}")
    assert_accessible(page)


def test_every_dashboard_page_passes_an_axe_scan(page, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # each sign-off rolls up in-process
    load_metrics()
    today = timezone.localdate()
    periods = [ReportingPeriodFactory(today=today)]
    croydon = SiteFactory(place__name="Croydon")
    leeds = SiteFactory(place__name="Leeds")
    for site in (croydon, leeds):
        staff = user_with_role(Role.SITE_STAFF, site=site)
        lead = user_with_role(Role.SITE_LEAD, site=site)
        for period in periods:
            values = synthetic_return(seed=site.name, cohort=8000)
            services.submit_values(site=site, period=period, values=values, layout="1.2", source="api", by=staff, based_on=None)
            record = site.returns.get(period=period)
            if record.latest_version.warnings.exists():
                services.acknowledge_warnings(return_record=record, by=staff, comment="Checked.")
            services.send_for_sign_off(return_record=record, by=staff)
            services.sign_off(return_record=record, by=lead)
    user_with_role(Role.TASKFORCE_CHAIR, username="chair")
    region, icb = croydon.place.icb.region_id, croydon.place.icb_id

    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, "chair")
    page.goto("/")
    page.get_by_role("link", name="Dashboards", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboards")
    for url, heading in [
        ("/dashboards/", "Dashboards"),
        ("/dashboards/engagement/", "Engagement"),
        ("/dashboards/demographics/", "Demographics of the cohort"),
        ("/dashboards/funnel/O1_NEW/", None),
        ("/dashboards/spc/O1_NEW/", None),
        (f"/dashboards/region/{region}/", None),
        (f"/dashboards/icb/{icb}/", None),
        (f"/dashboards/site/{croydon.pk}/", "Croydon"),
        ("/dashboards/sharing/", "What sites see of each other"),
    ]:
        page.goto(url)
        if heading:
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        drawn = page.evaluate("() => [...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart.getChart(c))")
        assert drawn, f"a chart on {url} was not drawn"
        assert_accessible(page)
    # The funnel's table opens from its expander and lists both sites.
    page.goto("/dashboards/funnel/O1_NEW/")
    page.get_by_text("Show the figures as a table").click()
    expect(page.locator("#funnel-table")).to_contain_text("Leeds")
    assert errors == [], "no script or Content-Security-Policy errors on the dashboards"
    assert page.evaluate("() => window.Chart.getChart(document.querySelector('canvas[data-chart]')) !== undefined")

    # Signed out: the home page links to the public summary, which passes too.
    page.context.clear_cookies()
    page.goto("/")
    page.get_by_role("link", name="See the programme's monthly figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme summary")
    expect(page.locator("main")).not_to_contain_text("Croydon")
    assert_accessible(page)


def test_an_analyst_picks_a_region_a_month_and_a_breakdown_and_a_colleague_opens_the_same_view(
    page, browser, live_server, monkeypatch
):
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # each sign-off rolls up in-process
    load_metrics()
    today = timezone.localdate()
    periods = [ReportingPeriodFactory(month=month_start(today, back), today=today) for back in (2, 1)]
    croydon, leeds = SiteFactory(place__name="Croydon"), SiteFactory(place__name="Leeds")
    for site in (croydon, leeds):
        staff, lead = user_with_role(Role.SITE_STAFF, site=site), user_with_role(Role.SITE_LEAD, site=site)
        for index, period in enumerate(periods):
            values = synthetic_return(seed=site.name, cohort=8000, month_index=index)
            services.submit_values(site=site, period=period, values=values, layout="1.2", source="api", by=staff, based_on=None)
            record = site.returns.get(period=period)
            if record.latest_version.warnings.exists():
                services.acknowledge_warnings(return_record=record, by=staff, comment="Checked.")
            services.send_for_sign_off(return_record=record, by=staff)
            services.sign_off(return_record=record, by=lead)
    user_with_role(Role.TASKFORCE_MEMBER, username="analyst")
    user_with_role(Role.TASKFORCE_CHAIR, username="colleague")
    region = croydon.place.icb.region

    sign_in(page, "analyst")
    page.goto("/dashboards/")
    page.get_by_label("Month", exact=True).select_option(periods[0].slug)
    page.get_by_label("Patients (breakdown)").select_option("age_80_plus")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#overview-table caption")).to_contain_text(f"England, {periods[0]}: every metric (Age group: 80+)")
    expect(page.locator("#as-at")).to_contain_text("Figures as at")
    assert_accessible(page)

    page.goto("/dashboards/demographics/")
    page.get_by_label("Level").select_option("region")
    page.get_by_label("Organisation").select_option(label=region.name)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text(f"{region.name}'s cohort by age band")
    assert_accessible(page)
    shared = [page.url]

    page.goto(f"/dashboards/spc/O1_NEW/?level=region&org={region.pk}")
    expect(page.get_by_label("Organisation")).to_have_value(str(region.pk))
    assert_accessible(page)
    page.goto(f"/dashboards/?month={periods[0].slug}&category=age_80_plus")
    shared.append(page.url)
    seen = [page.locator("#overview-table").inner_text()]

    # The colleague opens the shared URLs in a browser of their own, and sees the same view.
    colleague = browser.new_context(base_url=live_server.url).new_page()
    try:
        sign_in(colleague, "colleague")
        colleague.goto(shared[0])
        expect(colleague.get_by_label("Level")).to_have_value("region")
        expect(colleague.get_by_label("Organisation")).to_have_value(str(region.pk))
        expect(colleague.locator("main")).to_contain_text(f"{region.name}'s cohort by age band")
        colleague.goto(shared[1])
        expect(colleague.get_by_label("Month", exact=True)).to_have_value(periods[0].slug)
        expect(colleague.get_by_label("Patients (breakdown)")).to_have_value("age_80_plus")
        assert colleague.locator("#overview-table").inner_text() == seen[0]
        assert_accessible(colleague)
    finally:
        colleague.context.close()
