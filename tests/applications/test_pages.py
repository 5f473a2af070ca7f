"""The application pages as people use them, their query counts, and the exports."""

import csv
import io
import smtplib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from applications import services
from applications.models import Answer, Application, Status
from nhsportal.models import Role
from tests.applications.factories import answer_all, scored_review, submitted
from tests.nhsportal import pages
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import ICBFactory, LocalAuthorityFactory, PlaceFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_a_programme_lead_starts_writes_and_submits(client, cast, round_):
    client.force_login(cast.lead)

    started = client.post(reverse("application-start", args=[round_.pk]), {"place": cast.place.pk})
    application = Application.objects.get(place=cast.place)
    assert started["Location"] == reverse("application-detail", args=[application.pk])

    too_long = client.post(reverse("application-answer", args=[application.pk, 1]), {"text": "word " * 51, "then": "continue"})
    assert "Your answer must be 50 words or fewer. It has 51 words" in too_long.content.decode()
    assert too_long.context["form_has_errors"]

    saved = client.post(reverse("application-answer", args=[application.pk, 1]), {"text": "Our plan.", "then": "continue"})
    assert saved["Location"] == reverse("application-answer", args=[application.pk, 2])
    later = client.post(reverse("application-answer", args=[application.pk, 2]), {"text": "", "then": "later"})
    assert later["Location"] == reverse("application-detail", args=[application.pk])

    looking = client.get(reverse("application-check", args=[application.pk])).content.decode()
    assert "There is a problem" not in looking and "nhsuk-error-summary" not in looking
    assert "cannot be submitted yet: 1 question needs an answer first" in looking
    assert "Submit application" not in looking

    check = client.post(reverse("application-check", args=[application.pk]))
    page = check.content.decode()
    assert check.status_code == 200 and "There is a problem" in page
    assert f"Answer question 2: Question 2 of {round_.name}" in page
    assert reverse("application-answer", args=[application.pk, 2]) in page

    client.post(reverse("application-answer", args=[application.pk, 2]), {"text": "Our teams.", "then": "continue"})
    done = client.post(reverse("application-check", args=[application.pk]))
    assert done["Location"] == reverse("application-detail", args=[application.pk])
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED

    again = client.post(reverse("application-check", args=[application.pk]))
    assert again["Location"] == reverse("application-detail", args=[application.pk])
    detail = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Submitted" in detail and "Timeline" in detail


def test_starting_again_goes_to_the_places_application(client, cast, draft, round_):
    client.force_login(cast.colleague)

    response = client.get(reverse("application-start", args=[round_.pk]))

    assert response["Location"] == reverse("application-detail", args=[draft.pk])


def test_a_lead_names_a_collaborator_from_the_same_place_only(client, cast, draft):
    client.force_login(cast.lead)

    page = client.get(reverse("application-collaborators", args=[draft.pk]))
    offered = [label for value, label in page.context["form"].fields["user"].choices if value]
    added = client.post(reverse("application-collaborators", args=[draft.pk]), {"user": cast.colleague.pk})
    outsider = client.post(reverse("application-collaborators", args=[draft.pk]), {"user": cast.other_lead.pk})

    assert offered == [f"{cast.colleague.get_full_name()} (colleague.knowsley@example.nhs.uk)"]  # not Blackpool's lead
    assert added.status_code == 302
    assert outsider.status_code == 200 and "Select a valid choice" in outsider.content.decode()
    assert [c.user for c in draft.collaborators.all()] == [cast.colleague]


def test_the_taskforce_filters_and_sorts_the_list(client, cast, round_):
    north, south = RegionFactory(name="North West"), RegionFactory(name="South West")
    knowsley_icb = ICBFactory(region=north, ods_code="QYG")
    cast.place.icb = knowsley_icb
    cast.place.save()
    most_deprived = submitted(round=round_, place=cast.place)
    dorset = PlaceFactory(name="Dorset", icb=ICBFactory(region=south))
    dorset.local_authorities.add(LocalAuthorityFactory(imd_decile=7))
    submitted(round=round_, place=dorset)
    Application.objects.create(round=round_, place=cast.other_place)  # a draft: not the taskforce's business
    services.assign_reviewer(application=most_deprived, reviewer=cast.member, by=cast.chair)
    client.force_login(cast.member_two)

    def names(**query):
        return [a.place.name for a in client.get(reverse("application-list"), query).context["rows"]]

    assert names() == ["Dorset", "Knowsley"]
    assert names(region=north.ods_code) == ["Knowsley"]
    assert names(icb="QYG") == ["Knowsley"]
    assert names(status="under_review") == ["Knowsley"]
    assert names(decile="7") == ["Dorset"]
    assert names(sort="deprivation") == ["Knowsley", "Dorset"]
    assert names(round=str(round_.pk), sort="region") == ["Knowsley", "Dorset"]


def _grow(round_, count, reviewers):
    region = RegionFactory()
    for _ in range(count):
        place = PlaceFactory(icb=ICBFactory(region=region))
        place.local_authorities.add(LocalAuthorityFactory(), LocalAuthorityFactory())
        application = submitted(round=round_, place=place, lead_applicant=user_with_role(Role.PROGRAMME_LEAD, place=place))
        Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW)
        for reviewer in reviewers:
            scored_review(application, reviewer, [3, 2])


def _queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(context.captured_queries)


@pytest.mark.parametrize("page", ["list", "moderation", "export-csv", "export-xlsx", "home"])
def test_taskforce_pages_run_the_same_queries_for_2_applications_as_for_20(client, cast, round_, page):
    paths = {
        "list": reverse("application-list"),
        "moderation": reverse("round-moderation", args=[round_.pk]),
        "export-csv": reverse("application-export-csv"),
        "export-xlsx": reverse("application-export-xlsx"),
        "home": reverse("home"),
    }
    client.force_login(cast.chair)
    _grow(round_, 2, [cast.member, cast.member_two])
    client.get(paths[page])  # warm the session and content-type caches
    few = _queries(client, paths[page])

    _grow(round_, 18, [cast.member, cast.member_two])

    assert _queries(client, paths[page]) == few


def test_the_application_page_runs_the_same_queries_whatever_its_size(client, cast, round_):
    application = submitted(round=round_, place=cast.place)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    scored_review(application, cast.member_two, [4, 4])
    client.force_login(cast.chair)
    path = reverse("application-detail", args=[application.pk])
    client.get(path)
    few = _queries(client, path)

    for reviewer in [user_with_role(Role.TASKFORCE_MEMBER) for _ in range(5)]:
        scored_review(application, reviewer, [2, 3])
    for _ in range(5):
        application.collaborators.create(user=user_with_role(Role.PROGRAMME_LEAD, place=cast.place))

    assert _queries(client, path) == few


def _export_world(cast, round_):
    application = submitted(round=round_, place=cast.place)
    application.lead_applicant = cast.lead
    application.save()
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    scored_review(application, cast.member_two, [4, 2])
    Answer.objects.filter(application=application).update(text="=HYPERLINK(1)")
    formula = PlaceFactory(name="=cmd|' /C calc'!A0")
    submitted(round=round_, place=formula)
    return application


def test_the_csv_export_has_scores_and_cannot_run_formulas(client, cast, round_):
    _export_world(cast, round_)
    client.force_login(cast.chair)

    response = client.get(reverse("application-export-csv"), {"round": round_.pk})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="applications-')
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    knowsley = next(row for row in rows if row["Place"] == "Knowsley")
    assert knowsley["Weighted score (mean, out of 100)"] == "75.0"
    assert knowsley["Reviews submitted"] == "1"
    assert knowsley["Lead applicant"] == "Kim Lee"
    assert knowsley["Status"] == "Under review"
    assert any(row["Place"] == "'=cmd|' /C calc'!A0" for row in rows)


def test_an_assigned_reviewer_exports_without_seeing_scores_before_submitting(client, cast, round_):
    _export_world(cast, round_)
    client.force_login(cast.member)

    response = client.get(reverse("application-export-xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    knowsley = next(row for row in rows if row["Place"] == "Knowsley")
    assert knowsley["Weighted score (mean, out of 100)"] == "Hidden until your own review is submitted"
    assert sheet["A1"].font.bold
    assert all(not str(row["Place"]).startswith("=") for row in rows)


def test_a_programme_lead_sees_their_places_applications_and_the_rounds_open_to_them(client, cast, round_, draft):
    other_round = type(round_).objects.create(
        wave=round_.wave, name="Wave two, second call", opens_at=round_.opens_at, closes_at=round_.closes_at
    )
    client.force_login(cast.lead)

    response = client.get(reverse("application-list"))

    assert [a.pk for a in response.context["applications"]] == [draft.pk]
    assert [(r.pk, p.pk) for r, p in response.context["openings"]] == [(other_round.pk, cast.place.pk)]


def test_the_home_page_tells_a_lead_and_the_chair_what_to_do_next(client, cast, round_, draft):
    answer_all(draft)
    client.force_login(cast.lead)
    lead_home = client.get(reverse("home")).content.decode()
    assert "Finish and submit Knowsley&#39;s application" in lead_home

    services.submit_application(application=draft, by=cast.lead)
    client.force_login(cast.chair)
    assert "Assign reviewers to 1 application submitted" in client.get(reverse("home")).content.decode()

    services.assign_reviewer(application=draft, reviewer=cast.member, by=cast.chair)
    client.force_login(cast.member)
    assert "Declare any conflict of interest and score Knowsley&#39;s application" in client.get(reverse("home")).content.decode()


def test_the_chair_asks_a_question_the_place_answers_and_review_resumes(
    client, cast, round_, mailoutbox, django_capture_on_commit_callbacks
):
    application = submitted(round=round_, place=cast.place)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    client.force_login(cast.chair)

    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("clarification-request", args=[application.pk]), {"question": "Who chairs the board?"})
    assert asked.status_code == 302
    assert {m.subject for m in mailoutbox} == {"The taskforce has a question about Knowsley's application"}

    client.force_login(cast.lead)
    detail = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "The taskforce has asked a question" in detail and "Who chairs the board?" in detail
    empty = client.post(reverse("clarification-answer", args=[application.pk]), {"answer": ""})
    assert "Enter your answer to the taskforce&#39;s question." in empty.content.decode()
    client.post(reverse("clarification-answer", args=[application.pk]), {"answer": "The council leader."})
    timeline = [e["title"] for e in client.get(reverse("application-detail", args=[application.pk])).context["timeline"]]
    assert timeline[-2:] == ["The taskforce asked a question", "Question answered and application returned to the taskforce"]
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED

    client.force_login(cast.chair)
    client.post(reverse("application-start-review", args=[application.pk]))
    assert Application.objects.get(pk=application.pk).status == Status.UNDER_REVIEW


def test_the_chair_assigns_and_removes_reviewers_and_decides_one_application(client, cast, round_):
    application = submitted(round=round_, place=cast.place)
    client.force_login(cast.chair)

    client.post(reverse("application-reviewers", args=[application.pk]), {"reviewer": cast.member.pk})
    client.post(reverse("application-reviewers", args=[application.pk]), {"reviewer": cast.member_two.pk})
    review = application.reviews.get(reviewer=cast.member_two)
    client.post(reverse("reviewer-remove", args=[application.pk, review.pk]))
    assert list(application.reviews.values_list("reviewer__username", flat=True)) == ["taskforce.one"]
    offered = [
        label
        for value, label in client.get(reverse("application-reviewers", args=[application.pk]))
        .context["form"]
        .fields["reviewer"]
        .choices
        if value
    ]
    assert "Fiona McKenzie" not in offered and "Omar Haddad" in offered

    early = client.post(reverse("application-decision", args=[application.pk]), {"outcome": "selected", "rationale": "Yes"})
    assert "No review of Knowsley&#39;s application has been submitted yet" in early.content.decode()
    scored_review(application, cast.member_two, [3, 3])
    missing = client.post(reverse("application-decision", args=[application.pk]), {"outcome": "selected"})
    assert "Give the reasons for the decision" in missing.content.decode()
    done = client.post(
        reverse("application-decision", args=[application.pk]), {"outcome": "not_selected", "rationale": "Not yet."}
    )
    assert done.status_code == 302
    assert Application.objects.get(pk=application.pk).status == Status.NOT_SELECTED


def test_a_draft_cannot_be_changed_after_the_deadline_and_the_page_says_so(client, cast, draft):
    from django.utils import timezone

    type(draft.round).objects.filter(pk=draft.round_id).update(
        opens_at=timezone.now() - timezone.timedelta(days=30), closes_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    client.force_login(cast.lead)

    response = client.get(reverse("application-answer", args=[draft.pk, 1]), follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("application-detail", args=[draft.pk])
    assert "The deadline has passed" in page and "can no longer be submitted" in page


def _decide_on_the_page(client, chair, application, outcome="selected"):
    client.force_login(chair)
    response = client.post(
        reverse("application-decision", args=[application.pk]), {"outcome": outcome, "rationale": "Ready."}, follow=True
    )
    assert response.status_code == 200
    return pages.text(response.content, within_class="nhsuk-notification-banner")


# The e-mail is sent once the decision commits, before the page says who was told: these tests
# commit for real (transaction=True) so the banner is written after the sending, as in production.
@pytest.mark.django_db(transaction=True)
def test_selecting_a_place_says_which_programme_leads_were_e_mailed(client, cast, round_, mailoutbox):
    application = submitted(round=round_, place=cast.place)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    scored_review(application, cast.member_two, [3, 3])

    banner = _decide_on_the_page(client, cast.chair, application)

    assert sorted(m.to[0] for m in mailoutbox) == ["colleague.knowsley@example.nhs.uk", "lead.knowsley@example.nhs.uk"]
    assert (
        f"The outcome has been e-mailed to Knowsley's programme leads {cast.colleague.get_full_name()} "
        "(colleague.knowsley@example.nhs.uk) and Kim Lee (lead.knowsley@example.nhs.uk)." in banner
    )


@pytest.fixture
def mail_fails(monkeypatch):
    def fail(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("applications.emails.send_mail", fail)


@pytest.mark.django_db(transaction=True)
def test_a_decision_whose_e_mail_fails_says_it_was_not_e_mailed_and_what_to_do(
    client, cast, round_, mailoutbox, mail_fails, caplog
):
    application = submitted(round=round_, place=cast.place)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    scored_review(application, cast.member_two, [3, 3])

    banner = _decide_on_the_page(client, cast.chair, application)

    assert "has been e-mailed" not in banner
    assert "The outcome could not be e-mailed to Knowsley's programme leads" in banner
    assert "Tell them yourself" in banner
    assert Application.objects.get(pk=application.pk).decision.notified_at is None
    assert any("Could not e-mail the decision" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


@pytest.mark.django_db(transaction=True)
def test_a_question_whose_e_mail_fails_says_it_was_not_e_mailed(client, cast, round_, mailoutbox, mail_fails):
    application = submitted(round=round_, place=cast.place)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    client.force_login(cast.chair)

    response = client.post(
        reverse("clarification-request", args=[application.pk]), {"question": "Who chairs the board?"}, follow=True
    )

    banner = pages.text(response.content, within_class="nhsuk-notification-banner")
    assert banner.count("has been e-mailed") == 0
    assert "Your question has been recorded. Your question could not be e-mailed to Knowsley's programme leads" in banner


@pytest.mark.django_db(transaction=True)
def test_a_question_that_is_e_mailed_says_to_whom(client, cast, round_, mailoutbox):
    application = submitted(round=round_, place=cast.place)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    client.force_login(cast.chair)

    response = client.post(
        reverse("clarification-request", args=[application.pk]), {"question": "Who chairs the board?"}, follow=True
    )

    banner = pages.text(response.content, within_class="nhsuk-notification-banner")
    assert len(mailoutbox) == 2
    assert "Your question has been recorded. Your question has been e-mailed to Knowsley's programme leads" in banner


def test_selecting_a_place_with_no_programme_lead_says_nobody_was_e_mailed_and_what_to_do(
    client, cast, round_, mailoutbox, django_capture_on_commit_callbacks
):
    lonely = PlaceFactory(name="Halton")
    application = submitted(round=round_, place=lonely)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    scored_review(application, cast.member_two, [3, 3])

    with django_capture_on_commit_callbacks(execute=True):
        banner = _decide_on_the_page(client, cast.chair, application)

    assert mailoutbox == []
    assert "The outcome has been e-mailed" not in banner and "leads have been e-mailed" not in banner
    assert "Nobody has been e-mailed about Halton: it has no programme lead with an e-mail address." in banner
    assert "Programme lead role for Halton" in banner


def test_asking_a_place_with_no_programme_lead_a_question_says_nobody_was_e_mailed(
    client, cast, round_, mailoutbox, django_capture_on_commit_callbacks
):
    lonely = PlaceFactory(name="Halton")
    application = submitted(round=round_, place=lonely)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    client.force_login(cast.chair)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("clarification-request", args=[application.pk]), {"question": "Who chairs the board?"}, follow=True
        )

    banner = pages.text(response.content, within_class="nhsuk-notification-banner")
    assert mailoutbox == []
    assert "Your question has been recorded. Nobody has been e-mailed about Halton" in banner


@pytest.mark.parametrize(
    ("opens_in_days", "closes_in_days", "said"),
    [(-30, -1, "You can no longer start an application."), (3, 30, "You can start an application from then.")],
)
def test_a_round_that_is_not_open_shows_no_start_form(client, cast, round_, opens_in_days, closes_in_days, said):
    from django.utils import timezone

    now = timezone.now()
    type(round_).objects.filter(pk=round_.pk).update(
        opens_at=now + timezone.timedelta(days=opens_in_days), closes_at=now + timezone.timedelta(days=closes_in_days)
    )
    client.force_login(cast.lead)

    response = client.get(reverse("application-start", args=[round_.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("round-detail", args=[round_.pk])
    assert said in pages.text(response.content, within_class="nhsuk-notification-banner")
    assert "Start application" not in response.content.decode() and "Start Knowsley" not in response.content.decode()
    posted = client.post(reverse("application-start", args=[round_.pk]), {"place": cast.place.pk})
    assert posted.status_code == 302 and not Application.objects.filter(round=round_).exists()
