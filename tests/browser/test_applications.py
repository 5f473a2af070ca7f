"""The applications journeys in the browser, by keyboard and mouse, with every page scanned
for accessibility problems: a programme lead writes and submits their Place's application;
two taskforce members review it (one declares a conflict and is stopped); the chair
selects it; the new site appears in the sites list and its programme lead opens it."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.models import Application, Status
from nhsportal.models import Role
from sites.models import Site
from tests.applications.factories import round_with, submitted
from tests.browser.conftest import assert_accessible
from tests.nhsportal.factories import PASSWORD, user_with_role
from tests.sites.factories import LocalAuthorityFactory, PlaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def sign_in(page, username):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def signed_in(browser, live_server, username):
    """A separate browser session for each person, as if on their own computer."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    sign_in(page, username)
    assert_accessible(page)
    return page


@pytest.fixture
def knowsley(db):
    place = PlaceFactory(name="Knowsley")
    place.local_authorities.add(LocalAuthorityFactory(name="Knowsley", imd_decile=1))
    return place


def test_a_programme_lead_writes_and_submits_the_places_application(page, knowsley, tmp_path):
    round_with(name="Wave two applications")
    user_with_role(Role.PROGRAMME_LEAD, place=knowsley, username="lead.knowsley", first_name="Kim", last_name="Lee")
    user_with_role(Role.PROGRAMME_LEAD, place=knowsley, username="deputy.knowsley", first_name="Sam", last_name="Ode")

    page.goto("/")
    sign_in(page, "lead.knowsley")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your applications")
    assert_accessible(page)

    page.get_by_role("link", name="Start Knowsley's application to Wave two applications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wave two applications")
    assert_accessible(page)
    page.get_by_role("button", name="Start Knowsley's application").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowsley's application")
    expect(page.get_by_role("alert")).to_contain_text("has been started")
    assert_accessible(page)

    # One question a page; the word limit is counted as they type and enforced on saving.
    page.get_by_role("link", name="1. Question 1 of Wave two applications").click()
    answer = page.get_by_role("textbox", name="Question 1 of Wave two applications")
    answer.fill("word " * 51)
    expect(page.get_by_text("You have 1 word too many")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save and continue").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Your answer must be 50 words or fewer. It has 51 words")
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(answer).to_be_focused()
    answer.fill("Our partnership board brings the council, the trust, four PCNs and the voluntary sector together.")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_text("Question 2 of 2")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save and come back later").click()
    expect(page.get_by_role("alert")).to_contain_text("Your answer to question 2 has been saved")

    page.get_by_role("link", name="Collaborators").click()
    assert_accessible(page)
    page.get_by_label("Programme lead").select_option(label="Sam Ode (deputy.knowsley@example.nhs.uk)")
    page.get_by_role("button", name="Add collaborator").click()
    expect(page.get_by_role("table")).to_contain_text("Sam Ode")
    assert_accessible(page)
    page.get_by_role("button", name="Return to the application").click()

    page.get_by_role("link", name="Evidence").click()
    assert_accessible(page)
    renamed = tmp_path / "budget.pdf"
    renamed.write_bytes(EXECUTABLE)
    page.locator("input[type=file]").set_input_files(str(renamed))
    page.get_by_role("button", name="Upload file").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("“budget.pdf” is not a PDF, Word document (DOCX) or Excel")
    assert_accessible(page)
    agreement = tmp_path / "Partnership agreement.pdf"
    agreement.write_bytes(PDF)
    page.locator("input[type=file]").set_input_files(str(agreement))
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_role("table")).to_contain_text("Partnership agreement.pdf")
    assert_accessible(page)
    page.get_by_role("button", name="Return to the application").click()

    # Check the answers: no error before the user has done anything, no submit button while a
    # question is unanswered, and a link to each one that is.
    page.get_by_role("link", name="Check your answers and submit").click()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit application")).to_have_count(0)
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("cannot be submitted yet: 1 question needs an answer first")
    assert_accessible(page)
    page.locator(".nhsuk-inset-text").get_by_role("link", name="Answer question 2").click()
    page.get_by_role("textbox", name="Question 2 of Wave two applications").fill(
        "Three teams start in Huyton, Kirkby and Halewood."
    )
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting")
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Submit application").click()

    expect(page.get_by_role("alert")).to_contain_text("Knowsley's application has been submitted")
    expect(page.locator(".nhsuk-tag").first).to_have_text("Submitted")
    expect(page.get_by_role("heading", name="Submitted", level=3)).to_be_visible()
    assert_accessible(page)
    application = Application.objects.get(place=knowsley)
    assert application.status == Status.SUBMITTED
    assert application.evidence.count() == 1 and application.collaborators.count() == 1


def test_reviewers_score_the_chair_selects_and_the_new_site_opens_for_its_lead(browser, live_server, knowsley):
    round_ = round_with(name="Wave two applications", criteria=2)
    lead = user_with_role(Role.PROGRAMME_LEAD, place=knowsley, username="lead.knowsley", first_name="Kim", last_name="Lee")
    application = submitted(round=round_, place=knowsley)
    application.lead_applicant = lead
    application.save()
    user_with_role(Role.TASKFORCE_MEMBER, username="fiona", first_name="Fiona", last_name="McKenzie")
    user_with_role(Role.TASKFORCE_MEMBER, username="omar", first_name="Omar", last_name="Haddad")
    user_with_role(Role.TASKFORCE_CHAIR, username="chair", first_name="Anne", last_name="Whitfield")

    # The chair assigns two reviewers.
    chair = signed_in(browser, live_server, "chair")
    chair.get_by_role("link", name="Assign reviewers to 1 application submitted").click()
    assert_accessible(chair)
    chair.get_by_role("link", name="Knowsley", exact=True).click()
    assert_accessible(chair)
    chair.get_by_role("link", name="Assign reviewers").click()
    assert_accessible(chair)
    for name in ("Fiona McKenzie", "Omar Haddad"):
        chair.get_by_label("Reviewer").select_option(label=name)
        chair.get_by_role("button", name="Assign reviewer").click()
        expect(chair.get_by_role("alert")).to_contain_text(f"{name} will review Knowsley's application")
    assert_accessible(chair)

    # Omar declares a conflict and is stopped.
    omar = signed_in(browser, live_server, "omar")
    omar.get_by_role("link", name="Declare any conflict of interest and score Knowsley's application").click()
    assert_accessible(omar)
    omar.get_by_role("radio", name="Yes").check()
    omar.get_by_role("button", name="Continue").click()
    expect(omar.locator(".nhsuk-error-summary")).to_contain_text("Describe the conflict of interest.")
    assert_accessible(omar)
    omar.get_by_label("If yes, describe the conflict").fill("I was Knowsley's director of public health until 2025.")
    omar.get_by_role("button", name="Continue").click()
    expect(omar.get_by_role("heading", level=1)).to_have_text("You have declared a conflict of interest")
    assert_accessible(omar)
    blocked = omar.goto(f"/applications/{application.pk}/review/criteria/1/")
    assert blocked.status == 403
    expect(omar.get_by_role("heading", level=1)).to_have_text("You cannot do that")
    assert_accessible(omar)

    # Fiona scores each criterion, recommends and submits.
    fiona = signed_in(browser, live_server, "fiona")
    fiona.get_by_role("link", name="Declare any conflict of interest and score Knowsley's application").click()
    fiona.get_by_role("radio", name="No").check()
    fiona.get_by_role("button", name="Continue").click()
    for score in ("4", "3"):
        expect(fiona.get_by_role("heading", level=1)).to_contain_text("Criterion")
        assert_accessible(fiona)
        fiona.get_by_role("radio", name=score, exact=True).check()
        fiona.get_by_label("Comment (optional)").fill("Clear evidence of joint working.")
        fiona.get_by_role("button", name="Save and continue").click()
    assert_accessible(fiona)
    fiona.get_by_role("radio", name="Select", exact=True).check()
    fiona.get_by_role("button", name="Save and continue").click()
    expect(fiona.get_by_text("87.5")).to_be_visible()
    assert_accessible(fiona)
    fiona.get_by_role("button", name="Submit review").click()
    expect(fiona.get_by_role("alert")).to_contain_text("Your review has been submitted")
    expect(fiona.get_by_role("heading", name="Fiona McKenzie: Select")).to_be_visible()
    assert_accessible(fiona)

    # The chair moderates and selects.
    chair.goto("/applications/")
    chair.get_by_role("link", name="Moderate Wave two applications").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Moderate Wave two applications")
    assert_accessible(chair)
    chair.get_by_label("Choose Knowsley").check()
    chair.get_by_role("radio", name="Selected", exact=True).check()
    chair.get_by_label("Reasons for the decision").fill("A ready partnership in one of England's most deprived boroughs.")
    chair.get_by_role("button", name="Record decisions").click()
    expect(chair.get_by_role("alert")).to_contain_text("1 decision recorded")
    assert_accessible(chair)

    site = Site.objects.get(place=knowsley)
    assert (site.wave, site.programme_lead, site.status) == (round_.wave, lead, "onboarding")
    assert "lead.knowsley@example.nhs.uk" in [to for message in mail.outbox for to in message.to]

    chair.goto("/sites/?q=Knowsley")
    expect(chair.get_by_role("link", name="Knowsley", exact=True)).to_be_visible()
    assert_accessible(chair)

    # The new site's programme lead finds it and opens it.
    kim = signed_in(browser, live_server, "lead.knowsley")
    expect(kim.get_by_role("heading", level=1)).to_have_text("Your site")
    assert_accessible(kim)
    kim.get_by_role("link", name="Sites", exact=True).click()
    kim.get_by_role("link", name="Knowsley", exact=True).click()
    expect(kim.get_by_role("heading", level=1)).to_have_text("Knowsley")
    expect(kim.get_by_role("button", name="Add a neighbourhood")).to_be_visible()
    assert_accessible(kim)
    for person in (chair, omar, fiona, kim):
        person.context.close()
