"""The metric dictionary in Chromium: open to anyone from the public summary, reached from a chart's
"Definition of this metric" link, with the guide and the blank template to download once signed in;
every page passes an axe scan."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dictionary.reference import load_definitions
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


def test_anyone_reads_the_dictionary_from_the_public_summary(page):
    load_metrics()
    load_definitions()

    page.goto("/summary/")
    page.get_by_role("link", name="What each metric means: the metric dictionary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Metric dictionary")
    expect(page.get_by_role("heading", name="Ambulance conveyances (O4)")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sign in to download the measurement guide")
    assert_accessible(page)

    page.get_by_role("link", name="Inpatient bed days per 1,000 patients in the cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inpatient bed days per 1,000 patients in the cohort")
    expect(page.locator("main")).to_contain_text("SUS Inpatients")
    expect(page.locator("main")).to_contain_text("From 1 December 2025, still in force")
    assert_accessible(page)


def test_a_chart_links_to_its_definition_and_the_taskforce_downloads_the_guide_and_template(page, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the sign-off rolls up in-process
    load_metrics()
    load_definitions()
    period = ReportingPeriodFactory(today=timezone.localdate())
    croydon = SiteFactory(place__name="Croydon")
    staff, lead = user_with_role(Role.SITE_STAFF, site=croydon), user_with_role(Role.SITE_LEAD, site=croydon)
    values = synthetic_return(seed="Croydon", cohort=8000)
    services.submit_values(site=croydon, period=period, values=values, layout="1.2", source="api", by=staff, based_on=None)
    record = croydon.returns.get(period=period)
    if record.latest_version.warnings.exists():
        services.acknowledge_warnings(return_record=record, by=staff, comment="Checked.")
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)
    user_with_role(Role.TASKFORCE_MEMBER, username="taskforce")

    sign_in(page, "taskforce")
    page.goto("/dashboards/spc/O3_BED_DAYS/")
    assert_accessible(page)
    page.get_by_role("link", name="Definition of this metric").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inpatient bed days per 1,000 patients in the cohort")
    expect(page.locator("main")).to_contain_text("AcuteNonElectiveDefs")
    assert_accessible(page)

    page.get_by_role("link", name="Every metric in the dictionary").click()
    with page.expect_download() as guide:
        page.get_by_role("link", name="Download the measurement guide (PDF, version 1.2, December 2025)").click()
    assert guide.value.suggested_filename == "NNHIP-measurement-guide-v1.2.pdf"
    with page.expect_download() as blank:
        page.get_by_role("link", name="Download the blank data collection template (XLSX, version 1.2)").click()
    assert blank.value.suggested_filename == "NNHIPDataCollectionTemplatev1.2.xlsx"
    assert_accessible(page)

    # The taskforce is no longer refused a site's own blank template.
    with page.expect_download() as own:
        page.evaluate(
            f"() => {{ const a = document.createElement('a'); a.href = '/returns/{croydon.pk}/{period.slug}/template.xlsx'; a.download = ''; document.body.append(a); a.click(); }}"
        )
    assert own.value.suggested_filename.startswith("NNHIP-Croydon-")
