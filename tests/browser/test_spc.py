"""SPC in Chromium as an analyst uses it: an administrator sets a target in the admin and the
assurance icon shows on the site's chart; a taskforce member rebases the chart at a change point
with a reason; the chart is drawn with Making Data Count's colours; every page passes axe."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from dashboards.models import SpcChangePoint
from metrics.models import MetricDefinition
from nhsportal.models import AuditEvent, Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_returns import sign_in
from tests.dashboards.spc_world import set_site_series, site_series
from tests.metrics.rollup_world import rolled_up_world
from tests.nhsportal.factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

METRIC = "O1_NEW"  # lower is better
SERIES = [10, 12, 10, 12, 20, 22, 20, 22]  # the process stepped up in the fifth month


def test_set_a_target_see_the_assurance_icon_and_rebase_at_a_change_point(page):
    cache.clear()
    world = rolled_up_world(sites=2, months=8)
    leeds = world.leeds
    set_site_series(leeds, METRIC, SERIES)
    months, _ = site_series(leeds, METRIC)
    metric = MetricDefinition.objects.get(code=METRIC)
    user_with_role(Role.ADMINISTRATOR, username="office", is_superuser=True)
    user_with_role(Role.TASKFORCE_MEMBER, username="analyst")
    chart = f"/dashboards/spc/{METRIC}/?level=site&org={leeds.pk}"

    # The administrator sets Leeds's target of 14 per 1,000 from the first month.
    sign_in(page, "office")
    page.goto("/admin/dashboards/spctarget/add/")
    page.get_by_label("Metric").select_option(label=metric.name)
    page.get_by_label("Level").select_option(label="Site")
    page.get_by_label("Organisation id").fill(str(leeds.pk))
    page.get_by_label("Value").fill("14")
    page.get_by_label("Valid from").fill(months[0].isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert AuditEvent.objects.filter(action="dashboards.spc_target_saved").count() == 1

    errors = []  # on the portal's pages (Django's admin asks for a /favicon.ico there is none of)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    # The analyst opens the chart: the target lies within the limits of the whole run (8.4 to 23.6).
    sign_in(page, "analyst")
    page.goto(chart)
    assurance = page.locator("#spc-assurance")
    expect(assurance).to_contain_text("Assurance: the target will be hit or missed by chance")
    expect(assurance.locator("img")).to_have_attribute("src", "/static/dashboards/icons/assurance_hit_or_miss.svg")
    expect(page.locator("#spc-legend")).to_contain_text("Special cause: concern: a diamond in orange")
    drawn = page.evaluate(
        "() => window.Chart.getChart(document.querySelector('canvas[data-chart]')).data.datasets[0].pointBackgroundColor"
    )
    assert "#e46c0a" in drawn and "#00b0f0" in drawn  # concern orange and improvement blue, not one colour for both
    assert_accessible(page)

    # The step is a change in the process: the analyst rebases from the fifth month.
    page.get_by_role("button", name="Record the change point").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why the process changed in that month.")
    assert_accessible(page)
    page.get_by_label("The first month of the new stretch").select_option(months[4].isoformat())
    page.get_by_label("Why the process changed then").fill("Same-day discharge began at the hospital.")
    page.get_by_role("button", name="Record the change point").click()
    expect(page.locator("main")).to_contain_text(f"Change point recorded from {months[4]:%B %Y}")
    stretches = page.locator("#stretches-table")
    expect(stretches).to_contain_text(f"{months[0]:%b %Y} to {months[3]:%b %Y}")
    expect(stretches).to_contain_text(f"{months[4]:%b %Y} to {months[7]:%b %Y}")
    # Rebased, the latest stretch's limits are 21 ± 5.32: a target of 14 below 15.68, lower being better,
    # will consistently be missed.
    expect(page.locator("#spc-assurance")).to_contain_text("Assurance: the target will consistently be missed")
    expect(page.locator("#spc-assurance img")).to_have_attribute(
        "src", "/static/dashboards/icons/assurance_consistently_failing.svg"
    )
    expect(page.locator("#change-points-list")).to_contain_text("Same-day discharge began at the hospital.")
    means = page.evaluate("() => window.Chart.getChart(document.querySelector('canvas[data-chart]')).data.datasets[1].data")
    assert means == [11] * 4 + [21] * 4
    assert SpcChangePoint.objects.get().month == months[4]
    assert_accessible(page)

    # And removed again, the chart is one stretch.
    page.get_by_role("button", name=f"Remove the change point from {months[4]:%b %Y}").click()
    expect(page.locator("main")).to_contain_text("removed")
    expect(page.locator("#stretches-table")).to_have_count(0)
    assert errors == [], "no script or Content-Security-Policy errors"
