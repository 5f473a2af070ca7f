"""A month's return, as the site and the taskforce file and check it, in Chromium: download
the pre-filled template, fill it, upload it, read and acknowledge the warnings, sign off,
have a correction requested, upload a second version, compare, see it in the coverage grid."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from metrics.models import Return, ReturnStatus
from metrics.returns import template
from metrics.returns.reference import load_metrics
from nhsportal.models import Role
from tests.browser.conftest import assert_accessible
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.workbooks import figures
from tests.nhsportal.factories import PASSWORD, user_with_role
from tests.sites.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fill_like_a_site(data: bytes, **overrides) -> bytes:
    """What a site's analyst does in Excel: type the month's figures into the downloaded template."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[template.SUBMISSION_SHEET]
    layout = template.CURRENT_LAYOUT
    typed = figures("1.2")
    for metric in template.METRICS:
        for category, figure in typed[metric.code].items():
            sheet[layout.cell(category, metric.numerator_row)] = figure
    for row in template.INPUT_DENOMINATOR_ROWS:
        for category, figure in typed["COHORT"].items():
            sheet[layout.cell(category, row)] = figure
    for cell, value in overrides.items():
        sheet[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_month_is_filed_signed_off_corrected_and_shows_as_submitted(page, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    croydon = SiteFactory(place__name="Croydon")
    user_with_role(Role.SITE_STAFF, site=croydon, username="staff.croydon")
    user_with_role(Role.SITE_LEAD, site=croydon, username="lead.croydon")
    user_with_role(Role.TASKFORCE_MEMBER, username="taskforce")

    # Site staff: the home page says what to do; the return page offers the template.
    sign_in(page, "staff.croydon")
    page.get_by_role("link", name=f"File the {period} return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{period} return")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template with your Place and month filled in").click()
    blank = Path(download.value.path()).read_bytes()
    assert openpyxl.load_workbook(io.BytesIO(blank))["Instructions"]["B6"].value == "Croydon"

    # A first upload with a mistake is refused, cell by cell, and nothing is stored.
    broken = tmp_path / "croydon-broken.xlsx"
    broken.write_bytes(fill_like_a_site(blank, J21="12.5"))
    page.get_by_role("button", name="Upload this month's return").click()
    assert_accessible(page)
    page.locator("input[type=file]").set_input_files(str(broken))
    page.get_by_role("button", name="Check and upload").click()
    expect(page.locator("#problems")).to_contain_text("SubmissionTemplate!J21")
    expect(page.locator("#problems")).to_contain_text('"12.5" is not a whole number')
    assert_accessible(page)
    assert not Return.objects.exists()

    # Fixed, with one small count left in: stored, with a warning to acknowledge.
    first = tmp_path / "croydon.xlsx"
    first.write_bytes(fill_like_a_site(blank, E45=4))
    page.locator("input[type=file]").set_input_files(str(first))
    page.get_by_role("button", name="Check and upload").click()
    expect(page.get_by_role("alert")).to_contain_text("Version 1")
    expect(page.get_by_role("table").first).to_contain_text("SubmissionTemplate!E45")
    assert_accessible(page)
    page.get_by_label("Why are the figures right despite the warnings?").fill(
        "4 contacts is already public in the ICB's board papers"
    )
    page.get_by_role("button", name="Acknowledge the warnings").click()
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.get_by_role("alert")).to_contain_text("sent to the site lead")

    # The site lead signs off.
    sign_in(page, "lead.croydon")
    page.get_by_role("link", name=f"Sign off the {period} return").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.get_by_role("alert")).to_contain_text("signed off and submitted")

    # The taskforce asks for a correction.
    sign_in(page, "taskforce")
    page.goto(f"/returns/{croydon.pk}/{period.slug}/")
    page.get_by_label("What needs correcting?").fill("O3 bed days look doubled against last month")
    page.get_by_role("button", name="Request a correction").click()
    expect(page.get_by_role("alert")).to_contain_text("asked to correct")

    # Site staff upload a second version; both versions and their differences are visible.
    sign_in(page, "staff.croydon")
    page.goto(f"/returns/{croydon.pk}/{period.slug}/")
    expect(page.locator("#correction-request")).to_contain_text("O3 bed days look doubled against last month")
    second = tmp_path / "croydon-v2.xlsx"
    second.write_bytes(fill_like_a_site(blank, E45="*", D21=2900, E21=29, F21=130))
    page.get_by_role("button", name="Upload a new version").click()
    page.locator("input[type=file]").set_input_files(str(second))
    page.get_by_label("What changed and why").fill("Bed days de-duplicated")
    page.get_by_role("button", name="Check and upload").click()
    expect(page.get_by_role("alert")).to_contain_text("Version 2")
    page.get_by_role("link", name="Compare with version 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1 against version 2")
    expect(page.get_by_role("table")).to_contain_text("Inpatient bed days")
    assert_accessible(page)
    page.get_by_role("link", name="Back to the").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{period} return")
    if page.get_by_role("button", name="Acknowledge the warnings").count():
        page.get_by_label("Why are the figures right despite the warnings?").fill("Checked against the de-duplicated extract")
        page.get_by_role("button", name="Acknowledge the warnings").click()
    page.get_by_role("button", name="Send for sign-off").click()
    sign_in(page, "lead.croydon")
    page.goto(f"/returns/{croydon.pk}/{period.slug}/")
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.get_by_role("alert")).to_contain_text("signed off and submitted")

    record = Return.objects.get(site=croydon, period=period)
    assert (record.status, record.signed_off_version.number, record.versions.count()) == (ReturnStatus.SUBMITTED, 2, 2)

    # The taskforce's coverage grid shows the site's month as in (not yet due: it is still open).
    sign_in(page, "taskforce")
    page.goto("/returns/")
    expect(page.get_by_role("row", name="Croydon")).to_contain_text("On time")
    assert_accessible(page)
