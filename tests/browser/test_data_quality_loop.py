"""The data-quality loop in Chromium: a site files a month; the taskforce raises a query and
asks for a correction; the site answers and files the corrected figures through the grid in
the browser; the site lead signs off; the taskforce closes the query. Each side is e-mailed
once at each step (the live server runs in this process, so Django's locmem outbox, which
the test run uses, holds what it sent), and each page says what happened."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from metrics.models import DataQualityQuery, QueryStatus, Return, ReturnStatus
from metrics.returns.reference import load_metrics
from nhsportal.celery import app
from nhsportal.models import Role
from tests.browser.conftest import assert_accessible
from tests.browser.test_returns import fill_like_a_site, sign_in
from tests.metrics.factories import ReportingPeriodFactory
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF, LEAD, TASKFORCE = "staff@croydon.example.nhs.uk", "lead@croydon.example.nhs.uk", "taskforce@example.nhs.uk"


def _mail_to(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if address in m.to]


def test_a_query_and_a_correction_go_round_the_loop_and_close(page, tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    settings.PORTAL_BASE_URL = "https://portal.example"
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the notice task runs in the server's thread
    load_metrics()
    period = ReportingPeriodFactory(today=timezone.localdate())
    croydon = SiteFactory(place__name="Croydon")
    user_with_role(Role.SITE_STAFF, site=croydon, username="staff.croydon", email=STAFF)
    user_with_role(Role.SITE_LEAD, site=croydon, username="lead.croydon", email=LEAD)
    user_with_role(Role.TASKFORCE_MEMBER, username="taskforce", email=TASKFORCE)
    return_page = f"/returns/{croydon.pk}/{period.slug}/"

    # The site files the month and its lead signs it off.
    sign_in(page, "staff.croydon")
    page.goto(return_page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template with your Place and month filled in").click()
    filled = tmp_path / "croydon.xlsx"
    filled.write_bytes(fill_like_a_site(Path(download.value.path()).read_bytes()))
    assert openpyxl.load_workbook(io.BytesIO(filled.read_bytes()))["Instructions"]["B6"].value == "Croydon"
    page.get_by_role("button", name="Upload this month's return").click()
    page.locator("input[type=file]").set_input_files(str(filled))
    page.get_by_role("button", name="Check and upload").click()
    expect(page.get_by_role("alert")).to_contain_text("Version 1")
    page.get_by_role("button", name="Send for sign-off").click()
    sign_in(page, "lead.croydon")
    page.goto(return_page)
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.get_by_role("alert")).to_contain_text("signed off and submitted")
    assert mail.outbox == []

    # The taskforce raises a query and asks for a correction: the site's staff and lead are told.
    sign_in(page, "taskforce")
    page.goto(return_page)
    page.get_by_label("Your question for the site").fill("O3 bed days are a fifth above May's. Is a ward counted twice?")
    page.get_by_role("button", name="Send the query").click()
    expect(page.get_by_role("alert")).to_contain_text("Your query has been sent to the site.")
    page.get_by_label("What needs correcting?").fill("O3 bed days double-count the frailty ward")
    page.get_by_role("button", name="Request a correction").click()
    expect(page.get_by_role("alert")).to_contain_text("asked to correct")
    expect(page.locator("#timeline")).to_be_visible()
    expect(page.locator(".app-timeline")).to_contain_text("Data quality query raised")
    expect(page.locator(".app-timeline")).to_contain_text("The taskforce asked for a correction")
    assert_accessible(page)
    for person in (STAFF, LEAD):
        assert _mail_to(person) == [
            f"Croydon: a data-quality query about the {period} return",
            f"Croydon: the taskforce asked for a correction to the {period} return",
        ]
    assert f"https://portal.example{return_page}" in mail.outbox[0].body

    # The site answers, then corrects the figures in the browser: the taskforce member is told of each.
    sign_in(page, "staff.croydon")
    page.goto(return_page)
    expect(page.locator("#correction-request")).to_contain_text("O3 bed days double-count the frailty ward")
    page.get_by_label("Your answer").fill("Yes: the ward's spells were in both extracts. A corrected version follows.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("alert")).to_contain_text("Your answer has been sent to the taskforce.")
    expect(page.get_by_text("Waiting for the taskforce to close the query, or reopen it.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Correct the figures in the browser").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Correct the {period} return")
    page.locator("#cell-D21").fill("2900")
    page.locator("#cell-E21").fill("29")
    page.locator("#cell-F21").fill("130")
    page.get_by_label("What changed and why").fill("Frailty ward spells de-duplicated")
    page.get_by_role("button", name="Check and save as a new version").click()
    expect(page.get_by_role("alert")).to_contain_text("Version 2")
    if page.get_by_role("button", name="Acknowledge the warnings").count():
        page.get_by_label("Why are the figures right despite the warnings?").fill("Checked against the de-duplicated extract")
        page.get_by_role("button", name="Acknowledge the warnings").click()
    page.get_by_role("button", name="Send for sign-off").click()
    expect(page.get_by_role("alert")).to_contain_text("sent to the site lead")
    assert _mail_to(TASKFORCE) == [
        f"Croydon answered your data-quality query about the {period} return",
        f"Croydon filed a corrected {period} return (version 2)",
    ]

    # The site lead signs the corrected version off.
    sign_in(page, "lead.croydon")
    page.goto(return_page)
    page.get_by_role("button", name="Sign off and submit").click()
    expect(page.get_by_role("alert")).to_contain_text("signed off and submitted")

    # The taskforce closes the query; the page and its timeline say so.
    sign_in(page, "taskforce")
    page.goto(return_page)
    page.get_by_label("Closing note (optional)").fill("Thanks: version 2 removes the duplicates")
    page.get_by_role("button", name="Close the query").click()
    expect(page.get_by_role("alert")).to_contain_text("The query has been closed.")
    expect(page.locator("#queries ~ .nhsuk-card").first).to_contain_text("Closed by")
    expect(page.locator("#queries ~ .nhsuk-card").first).to_contain_text("Thanks: version 2 removes the duplicates")
    expect(page.get_by_role("button", name="Close the query")).to_have_count(0)
    timeline = page.locator(".app-timeline")
    for step in ("Version 2 filed", "Signed off and submitted", "Data quality query answered", "Data quality query closed"):
        expect(timeline).to_contain_text(step)
    assert_accessible(page)

    # Each e-mail once: two to the site's people, two to the taskforce member, no more.
    assert len(mail.outbox) == 4  # each to the site goes to its staff and lead together
    record = Return.objects.get(site=croydon, period=period)
    assert (record.status, record.signed_off_version.number) == (ReturnStatus.SUBMITTED, 2)
    assert DataQualityQuery.objects.get(return_record=record).status == QueryStatus.CLOSED
