"""Site staff sign in, open their site and register a team, by keyboard and mouse, with
every page scanned for accessibility problems."""

import pytest
from playwright.sync_api import expect

from nhsportal.models import Role
from teams.models import NeighbourhoodTeam
from tests.browser.conftest import assert_accessible
from tests.nhsportal.factories import PASSWORD, user_with_role
from tests.sites.factories import NeighbourhoodFactory, SiteFactory
from tests.teams.factories import (
    FocusConditionFactory,
    NeighbourhoodTeamFactory,
    PartnerOrganisationFactory,
    ProfessionFactory,
    WorkforceEntryFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, username):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_site_staff_register_a_team_and_its_workforce(page):
    walsall = SiteFactory(place__name="Walsall")
    NeighbourhoodFactory(site=walsall, name="Blakenall")
    SiteFactory(place__name="Sunderland")
    FocusConditionFactory(name="Diabetes")
    ProfessionFactory(name="District nurse", group="Community health services")
    # The trust already employs people in another of Walsall's teams: one of its partners,
    # which is what the employer list offers (not every organisation in England).
    trust = PartnerOrganisationFactory(name="Walsall Healthcare NHS Trust")
    WorkforceEntryFactory(team=NeighbourhoodTeamFactory(site=walsall, name="Willenhall"), employer=trust)
    user_with_role(Role.SITE_STAFF, site=walsall, username="staff.walsall", first_name="Jo", last_name="Bell")

    page.goto("/")
    assert_accessible(page)
    sign_in(page, "staff.walsall")

    expect(page.get_by_role("heading", name="Your site")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Walsall", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Walsall")
    assert_accessible(page)

    page.get_by_role("button", name="Register a team").click()
    assert_accessible(page)
    # Submitting with no name shows the NHS error summary, focused, linking to the field.
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter the team's name.")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    assert_accessible(page)

    summary.get_by_role("link", name="Enter the team's name.").click()
    expect(page.get_by_label("Team name")).to_be_focused()
    page.keyboard.type("Blakenall and Bloxwich")
    page.get_by_label("Neighbourhood (optional)").select_option(label="Blakenall")
    page.get_by_label("Team lead (optional)").fill("Priya Shah")
    page.get_by_label("Day").fill("5")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Diabetes").check()
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Blakenall and Bloxwich")
    expect(page.get_by_role("alert")).to_contain_text("has been registered")
    assert_accessible(page)

    page.get_by_role("button", name="Add people to the team").click()
    page.get_by_label("Profession").select_option(label="District nurse")
    page.get_by_label("Employing organisation").select_option(label="Walsall Healthcare NHS Trust")
    page.get_by_label("Headcount").fill("4")
    page.get_by_label("Whole-time equivalent (WTE)").fill("3.5")
    started = page.get_by_role("group", name="Date they started in the team")
    started.get_by_label("Day").fill("5")
    started.get_by_label("Month").fill("1")
    started.get_by_label("Year").fill("2026")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("table").first).to_contain_text("District nurse")
    team = NeighbourhoodTeam.objects.get(site=walsall, name="Blakenall and Bloxwich")
    assert team.neighbourhood.name == "Blakenall"
    assert [e.headcount for e in team.workforce.all()] == [4]

    page.get_by_role("link", name="Back to Walsall").click()
    expect(page.locator("#teams ~ table").first).to_contain_text("Blakenall and Bloxwich")
    assert_accessible(page)


def test_site_staff_get_not_found_for_another_sites_page(page):
    walsall = SiteFactory(place__name="Walsall")
    sunderland = SiteFactory(place__name="Sunderland")
    user_with_role(Role.SITE_STAFF, site=walsall, username="staff.walsall")

    sign_in(page, "staff.walsall")
    response = page.goto(f"/sites/{sunderland.pk}/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)
