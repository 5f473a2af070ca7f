"""The site review journey and the onboarding journey, as new users would take them in the
browser, with every page scanned for accessibility problems."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from nhsportal.models import Role
from reviews import tasks
from reviews.models import Action, AutomaticCheck, Review, ReviewStatus
from sites.models import SiteStatus
from tests.browser.conftest import assert_accessible
from tests.nhsportal.factories import PASSWORD, user_with_role
from tests.reviews.factories import MilestoneTemplateFactory
from tests.sites.factories import SiteFactory, WaveFactory
from tests.teams.factories import NeighbourhoodTeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def signed_in(browser, live_server, username):
    """A separate browser session for each person, as if on their own computer."""
    # axe is injected as a script tag, which the strict CSP would block; tests/browser/test_csp.py checks the CSP.
    page = browser.new_context(base_url=live_server.url, bypass_csp=True).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)
    return page


def fill_date(page, group_name, day):
    group = page.get_by_role("group", name=group_name)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_review_from_scheduling_to_sign_off_an_overdue_action_and_the_matrix(browser, live_server):
    today = timezone.localdate()
    wave = WaveFactory(number=1, start_date=today - datetime.timedelta(days=200))
    walsall = SiteFactory(place__name="Walsall", wave=wave)
    NeighbourhoodTeamFactory(site=walsall, name="Blakenall team", launched_on=today - datetime.timedelta(days=90))
    user_with_role(Role.TASKFORCE_CHAIR, username="chair", first_name="Chris", last_name="Chair")
    user_with_role(Role.TASKFORCE_MEMBER, username="tina", first_name="Tina", last_name="Reviewer", email="tina@example.nhs.uk")
    user_with_role(
        Role.SITE_LEAD, site=walsall, username="lead.walsall", first_name="Lee", last_name="Lead", email="lead@walsall.nhs.uk"
    )
    user_with_role(Role.SITE_STAFF, site=walsall, username="staff.walsall", email="staff@walsall.nhs.uk")

    # The chair schedules the review.
    chair = signed_in(browser, live_server, "chair")
    chair.get_by_role("link", name="Reviews").first.click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Site reviews")
    assert_accessible(chair)
    chair.get_by_role("button", name="Schedule a review").click()
    chair.get_by_role("button", name="Save").click()
    expect(chair.locator(".nhsuk-error-summary")).to_contain_text("Choose the site to review.")
    assert_accessible(chair)
    chair.get_by_label("Site").select_option(label="Walsall")
    fill_date(chair, "Date of the review", today)
    chair.get_by_label("Reviewer").select_option(label="Tina Reviewer")
    chair.get_by_role("button", name="Save").click()
    expect(chair.get_by_role("alert")).to_contain_text("has been scheduled")
    expect(chair.get_by_text("Only the taskforce can see this draft.")).to_be_visible()
    assert_accessible(chair)

    # A taskforce member opens the assembled pack, rates the domains and agrees two actions.
    tina = signed_in(browser, live_server, "tina")
    tina.get_by_role("link", name="Reviews").first.click()
    tina.get_by_role("link", name="Walsall").click()
    for section in ["Site profile", "Returns and data quality", "Key metrics", "Open actions"]:
        expect(tina.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(tina.get_by_role("link", name="Blakenall team")).to_be_visible()  # the team started since the site joined
    assert_accessible(tina)
    tina.get_by_role("button", name="Rate the domains").click()
    tina.get_by_label("Delivery rating").select_option(label="Green")
    tina.get_by_role("button", name="Save ratings").click()
    expect(tina.locator(".nhsuk-error-summary")).to_contain_text("Write a short narrative for the delivery rating.")
    assert_accessible(tina)
    for domain, rating in [
        ("Delivery", "Green"),
        ("Engagement", "Amber"),
        ("Data quality", "Red"),
        ("Workforce", "Green"),
        ("Governance", "Amber"),
    ]:
        tina.get_by_label(f"{domain} rating").select_option(label=rating)
        tina.get_by_label(f"{domain} narrative").fill(f"{domain}: evidence discussed with the site.")
    tina.get_by_label("Overall rating").select_option(label="Amber")
    tina.get_by_role("button", name="Save ratings").click()
    expect(tina.get_by_role("alert")).to_contain_text("The ratings have been saved.")
    for description, due in [
        ("Agree the local cohort definition with the PCNs", today + datetime.timedelta(days=30)),
        ("Resubmit the October return with the O3 correction", today + datetime.timedelta(days=7)),
    ]:
        tina.get_by_role("button", name="Agree an action").click()
        tina.get_by_label("Action", exact=True).fill(description)
        tina.get_by_label("Who owns it").select_option(label="The site")
        fill_date(tina, "Due date", due)
        assert_accessible(tina)
        tina.get_by_role("button", name="Save").click()
        expect(tina.get_by_role("alert")).to_contain_text("The action has been added.")
    tina.get_by_role("button", name="Publish the review").click()
    assert_accessible(tina)
    tina.get_by_role("button", name="Publish the review").click()
    expect(tina.get_by_role("alert")).to_contain_text("has been published")
    tina.get_by_role("button", name="Sign off the review for the taskforce").click()
    expect(tina.get_by_role("alert")).to_contain_text("locks once the other side signs it off")
    assert_accessible(tina)

    # The site lead reads the review, responds and signs off: the review locks.
    lee = signed_in(browser, live_server, "lead.walsall")
    lee.get_by_role("link", name="Reviews").first.click()
    lee.get_by_role("link", name="Walsall").click()
    expect(lee.get_by_role("row", name="Data quality")).to_contain_text("Red")
    assert_accessible(lee)
    lee.get_by_role("button", name="Respond to the review").click()
    lee.get_by_label("The site's response").fill("We accept both actions; the O3 fix is with our analyst.")
    assert_accessible(lee)
    lee.get_by_role("button", name="Save").click()
    lee.get_by_role("button", name="Sign off the review for the site").click()
    expect(lee.get_by_role("alert")).to_contain_text("now locked")
    expect(lee.get_by_role("button", name="Respond to the review")).to_have_count(0)
    lee.get_by_label("Add a note").fill("Team two starts in January.")
    lee.get_by_role("button", name="Add note").click()
    expect(lee.get_by_role("alert")).to_contain_text("Your note has been added.")
    assert_accessible(lee)
    review = Review.objects.get(site=walsall)
    assert review.status == ReviewStatus.LOCKED and review.notes.count() == 1

    # An action goes overdue: the daily reminder reaches the site, copying the reviewer.
    late = Action.objects.get(description__startswith="Resubmit")
    result = tasks.send_review_reminders.apply(kwargs={"today": (late.due_on + datetime.timedelta(days=1)).isoformat()}).get()
    assert result["actions"] == 1
    reminder = next(m for m in mail.outbox if "overdue" in m.subject)
    assert set(reminder.to) == {"lead@walsall.nhs.uk", "staff@walsall.nhs.uk"} and reminder.cc == ["tina@example.nhs.uk"]
    assert "Resubmit the October return" in reminder.body

    # The national matrix shows the site's ratings.
    chair.goto("/reviews/")
    chair.get_by_role("link", name="Site ratings across the programme").click()
    row = chair.get_by_role("row", name="Walsall")
    expect(row).to_contain_text("Green")
    expect(row).to_contain_text("Red")
    assert_accessible(chair)
    chair.get_by_role("link", name="Actions agreed at reviews").count()  # the list is a link away from the reviews page
    chair.goto("/reviews/actions/")
    expect(chair.get_by_role("row", name="Agree the local cohort definition")).to_be_visible()
    assert_accessible(chair)


def test_a_site_marks_a_milestone_done_with_evidence_the_taskforce_confirms_and_the_site_becomes_active(
    browser, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    today = timezone.localdate()
    wave = WaveFactory(number=1, start_date=today - datetime.timedelta(days=100))
    sandwell = SiteFactory(place__name="Sandwell", wave=wave)
    MilestoneTemplateFactory(wave=wave, code="dsa", title="Data sharing agreement signed", due_after_days=60, order=1)
    MilestoneTemplateFactory(
        wave=wave, code="team", title="First neighbourhood team live", automatic=AutomaticCheck.FIRST_TEAM_LIVE, order=2
    )
    NeighbourhoodTeamFactory(site=sandwell, launched_on=today - datetime.timedelta(days=10))
    user_with_role(Role.SITE_STAFF, site=sandwell, username="staff.sandwell")
    user_with_role(Role.TASKFORCE_MEMBER, username="tina")
    evidence = tmp_path / "data-sharing-agreement.pdf"
    evidence.write_bytes(PDF)

    sam = signed_in(browser, live_server, "staff.sandwell")
    expect(sam.get_by_role("link", name="1 onboarding milestone is overdue")).to_be_visible()
    sam.get_by_role("link", name="1 onboarding milestone is overdue").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Sandwell: onboarding")
    expect(sam.get_by_role("row", name="First neighbourhood team live")).to_contain_text("Done (shown by the portal's data)")
    assert_accessible(sam)
    sam.get_by_role("link", name=re.compile(r"^Mark as done\W+Data sharing agreement signed$")).click()
    sam.get_by_role("button", name="Send to the taskforce").click()
    expect(sam.locator(".nhsuk-error-summary")).to_contain_text("Enter a note saying what was done.")
    assert_accessible(sam)
    sam.get_by_label("What was done").fill("Signed by the ICB, the council and all four PCNs.")
    sam.locator("input[type=file][name=file]").set_input_files(str(evidence))
    sam.get_by_role("button", name="Send to the taskforce").click()
    expect(sam.get_by_role("alert")).to_contain_text("has been sent to the taskforce to confirm")
    expect(sam.get_by_role("row", name="Data sharing agreement signed")).to_contain_text("Waiting for the taskforce")
    assert_accessible(sam)

    tina = signed_in(browser, live_server, "tina")
    expect(tina.get_by_text("1 onboarding milestone is waiting for the taskforce to confirm")).to_be_visible()
    tina.goto(f"/sites/{sandwell.pk}/")
    tina.get_by_role("link", name="Onboarding, reviews and coaching for Sandwell").click()
    assert_accessible(tina)
    tina.get_by_role("link", name="See the onboarding checklist").click()
    tina.get_by_role("link", name="Confirm or send back Data sharing agreement signed").click()
    expect(tina.get_by_role("link", name="data-sharing-agreement.pdf")).to_be_visible()
    assert_accessible(tina)
    tina.get_by_role("button", name="Confirm the milestone").click()
    expect(tina.get_by_role("alert")).to_contain_text("Sandwell is now active")
    assert_accessible(tina)
    sandwell.refresh_from_db()
    assert sandwell.status == SiteStatus.ACTIVE
