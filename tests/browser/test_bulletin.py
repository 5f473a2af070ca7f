"""November's bulletin in Chromium: the taskforce builds it from the bulletins page and reads every
part; a site lead reads their own site's part. Every page passes axe."""

import pytest
from playwright.sync_api import expect

from nhsportal.celery import app
from tests.browser.conftest import assert_accessible
from tests.browser.test_returns import sign_in
from tests.bulletins.world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_novembers_bulletin_as_the_taskforce_and_as_a_site_lead(page, monkeypatch, settings, tmp_path):
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the build runs in the server's thread
    settings.MEDIA_ROOT = str(tmp_path / "media")
    build_world()

    sign_in(page, "analyst")
    page.goto("/bulletins/")
    expect(page.get_by_role("heading", name="Monthly bulletins")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Month").select_option(label="November 2026")
    page.get_by_role("button", name="Build the bulletin").click()
    expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "The bulletin for November 2026 (version 1) is being built"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Bulletin for November 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("November 2026")
    expect(page.locator("#signals-table caption")).to_contain_text("New special-cause signals in November 2026")
    expect(page.locator("#signals-table")).to_contain_text("Leeds")
    expect(page.locator("#missing-table")).to_contain_text("Hull")
    expect(page.locator("#moved-table")).to_contain_text("North ICB")
    assert_accessible(page)

    sign_in(page, "lead.leeds")
    page.goto("/bulletins/2026-11/")
    expect(page.get_by_text("You see your own site's part of the bulletin and England's headline.")).to_be_visible()
    expect(page.locator("#coverage-table tbody tr")).to_have_count(1)
    expect(page.locator("#coverage-table")).to_contain_text("Leeds")
    expect(page.locator("#moved-table")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Croydon")
    assert_accessible(page)
