"""The application's life, through the services: who may move it, where it may go, what
each move leaves behind (audit rows, e-mails, a new site)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications import services
from applications.exceptions import TransitionNotAllowed
from applications.models import Application, Collaborator, Decision, Status
from applications.selectors import timeline
from nhsportal.models import AuditEvent, Role
from sites.models import Site, SiteStatus
from sites.rules import can_manage_site, can_view_site
from tests.applications.factories import answer_all, scored_review, submitted
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import PlaceFactory, SiteFactory, WaveFactory

pytestmark = pytest.mark.django_db


def states(application):
    return list(
        AuditEvent.objects.filter(object_id=str(application.pk), content_type__model="application")
        .exclude(to_state="")
        .order_by("at", "id")
        .values_list("action", "from_state", "to_state")
    )


def test_a_programme_lead_starts_one_application_for_their_place(cast, round_):
    application = services.start_application(round_=round_, place=cast.place, by=cast.lead)

    assert (application.status, application.lead_applicant) == (Status.DRAFT, cast.lead)
    with pytest.raises(ValidationError, match="already started an application"):
        services.start_application(round_=round_, place=cast.place, by=cast.colleague)
    with pytest.raises(PermissionDenied):
        services.start_application(round_=round_, place=cast.place, by=cast.other_lead)
    with pytest.raises(PermissionDenied):
        services.start_application(round_=round_, place=cast.place, by=cast.chair)


def test_a_place_that_is_already_a_site_does_not_apply_again(cast, round_):
    SiteFactory(place=cast.place, wave=WaveFactory(number=1))

    with pytest.raises(ValidationError, match="already a site in Wave one"):
        services.start_application(round_=round_, place=cast.place, by=cast.lead)


def test_answers_are_kept_within_the_word_limit(cast, draft):
    question = draft.round.questions.get(number=1)

    services.save_answer(application=draft, question=question, by=cast.colleague, text="word " * 50)
    with pytest.raises(ValidationError) as refused:
        services.save_answer(application=draft, question=question, by=cast.lead, text="word " * 51)

    assert refused.value.message_dict["text"] == [
        "Your answer must be 50 words or fewer. It has 51 words: shorten it and save again."
    ]
    assert draft.answers.get().word_count == 50


def test_submitting_needs_every_required_answer_and_says_which_are_missing(cast, draft):
    with pytest.raises(ValidationError) as refused:
        services.submit_application(application=draft, by=cast.lead)

    assert refused.value.message_dict["answers"] == [
        f"Answer question 1: Question 1 of {draft.round.name}",
        f"Answer question 2: Question 2 of {draft.round.name}",
    ]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_complete_draft_is_submitted_once_and_the_move_is_audited(cast, draft):
    answer_all(draft)

    services.submit_application(application=draft, by=cast.lead)
    with pytest.raises(TransitionNotAllowed, match="Knowsley's application has already been submitted"):
        services.submit_application(application=draft, by=cast.colleague)

    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED and draft.submitted_at is not None
    event = AuditEvent.objects.get(action="application.submit")
    assert (event.actor, event.from_state, event.to_state) == (cast.lead, "draft", "submitted")


def test_only_the_places_programme_leads_submit_or_withdraw(cast, draft):
    answer_all(draft)

    for outsider in (cast.other_lead, cast.chair, cast.admin):
        with pytest.raises(PermissionDenied):
            services.submit_application(application=draft, by=outsider)
        with pytest.raises(PermissionDenied):
            services.withdraw_application(application=draft, by=outsider)


def test_withdrawal_is_from_draft_or_submitted_only(cast, round_):
    from_draft = Application.objects.create(round=round_, place=cast.place)
    from_submitted = submitted(round=round_, place=cast.other_place)
    third = PlaceFactory(name="Halton")
    halton_lead = user_with_role(Role.PROGRAMME_LEAD, place=third)
    under_review = submitted(round=round_, place=third)
    Application.objects.filter(pk=under_review.pk).update(status=Status.UNDER_REVIEW)

    services.withdraw_application(application=from_draft, by=cast.lead, reason="Merging with a neighbour")
    services.withdraw_application(application=from_submitted, by=cast.other_lead)

    assert states(from_draft) == [("application.withdraw", "draft", "withdrawn")]
    assert (
        AuditEvent.objects.get(action="application.withdraw", object_id=str(from_draft.pk)).reason == "Merging with a neighbour"
    )
    with pytest.raises(TransitionNotAllowed, match="is under review, so it cannot be withdrawn now"):
        services.withdraw_application(application=under_review, by=halton_lead)


def test_collaborators_must_already_lead_the_same_place(cast, draft):
    services.add_collaborator(application=draft, user=cast.colleague, by=cast.lead)

    with pytest.raises(ValidationError, match="not a programme lead for Knowsley"):
        services.add_collaborator(application=draft, user=cast.other_lead, by=cast.lead)
    with pytest.raises(ValidationError, match="not a programme lead for Knowsley"):
        services.add_collaborator(application=draft, user=cast.member, by=cast.lead)
    with pytest.raises(ValidationError, match="already a collaborator"):
        services.add_collaborator(application=draft, user=cast.colleague, by=cast.lead)
    with pytest.raises(ValidationError, match="started this application"):
        services.add_collaborator(application=draft, user=cast.lead, by=cast.colleague)
    assert [c.user for c in Collaborator.objects.filter(application=draft)] == [cast.colleague]


def test_the_taskforce_asks_a_question_and_the_place_answers(cast, round_, mailoutbox, django_capture_on_commit_callbacks):
    application = submitted(round=round_, place=cast.place)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_clarification(application=application, by=cast.member, question="Who chairs the board?")
    assert sorted(m.to[0] for m in mailoutbox) == ["colleague.knowsley@example.nhs.uk", "lead.knowsley@example.nhs.uk"]
    assert "Who chairs the board?" in mailoutbox[0].body

    with pytest.raises(PermissionDenied):
        services.request_clarification(application=application, by=cast.member_two, question="And another?")
    services.answer_clarification(application=application, by=cast.colleague, answer="The council's chief executive.")
    services.start_review(application=application, by=cast.chair)

    assert states(application) == [
        ("application.start_review", "submitted", "under_review"),
        ("application.request_clarification", "under_review", "clarification_requested"),
        ("application.answer_clarification", "clarification_requested", "submitted"),
        ("application.start_review", "submitted", "under_review"),
    ]
    clarification = application.clarifications.get()
    assert (clarification.answer, clarification.answered_by) == ("The council's chief executive.", cast.colleague)


def test_selection_creates_the_site_and_makes_the_lead_its_programme_lead(cast, round_, django_capture_on_commit_callbacks):
    application = submitted(round=round_, place=cast.place)
    application.lead_applicant = cast.lead
    application.save()
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)
    scored_review(application, cast.member_two, [4, 3])

    with django_capture_on_commit_callbacks(execute=True):
        decision = services.record_decision(
            application=application, by=cast.chair, outcome="selected", rationale="Ready, and in great need."
        )

    site = Site.objects.get(place=cast.place)
    assert (site.name, site.wave, site.status, site.programme_lead) == ("Knowsley", round_.wave, SiteStatus.ONBOARDING, cast.lead)
    assert can_view_site(cast.lead, site) and can_manage_site(cast.lead, site)
    assert not can_view_site(cast.other_lead, site)
    application.refresh_from_db()
    assert (application.status, application.site) == (Status.SELECTED, site)
    assert AuditEvent.objects.filter(action="site.created", object_id=str(site.pk)).exists()
    decision.refresh_from_db()
    assert decision.notified_at is not None
    assert [entry["title"] for entry in timeline(application, viewer=cast.lead)] == [
        "Review started",
        "Selected",
    ]


def test_the_decision_e_mail_uses_the_administrators_wording(cast, round_, mailoutbox, django_capture_on_commit_callbacks):
    from applications.models import EmailKind, EmailTemplate

    EmailTemplate.objects.update_or_create(
        kind=EmailKind.NOT_SELECTED,
        defaults={"subject": "{{ place }}: not this time", "body": "Dear {{ name }}, {{ rationale }} ({{ link }})"},
    )
    application = submitted(round=round_, place=cast.place)
    Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW)
    scored_review(application, cast.member, [1, 1])

    with django_capture_on_commit_callbacks(execute=True):
        services.record_decision(application=application, by=cast.chair, outcome="not_selected", rationale="Not ready yet.")

    assert not Site.objects.filter(place=cast.place).exists()
    subjects = {message.subject for message in mailoutbox}
    assert subjects == {"Knowsley: not this time"}
    kim = next(message for message in mailoutbox if message.to == ["lead.knowsley@example.nhs.uk"])
    assert kim.body.startswith("Dear Kim Lee, Not ready yet. (")
    assert f"/applications/{application.pk}/" in kim.body


def test_selection_links_the_site_already_in_the_wave_instead_of_making_another(cast, round_):
    existing = SiteFactory(place=cast.place, wave=round_.wave, name="Knowsley")
    application = submitted(round=round_, place=cast.place)
    Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW)
    scored_review(application, cast.member, [3, 3])

    services.record_decision(application=application, by=cast.chair, outcome="selected", rationale="Yes.")

    assert list(Site.objects.filter(place=cast.place)) == [existing]
    assert Application.objects.get(pk=application.pk).site == existing


def test_a_decision_needs_a_submitted_review_the_chair_and_reasons(cast, round_):
    application = submitted(round=round_, place=cast.place)
    services.assign_reviewer(application=application, reviewer=cast.member, by=cast.chair)

    with pytest.raises(TransitionNotAllowed, match="No review of Knowsley's application has been submitted"):
        services.record_decision(application=application, by=cast.chair, outcome="selected", rationale="Yes.")
    scored_review(application, cast.member_two, [2, 2])
    with pytest.raises(PermissionDenied):
        services.record_decision(application=application, by=cast.member, outcome="selected", rationale="Yes.")
    with pytest.raises(ValidationError) as refused:
        services.record_decision(application=application, by=cast.chair, outcome="selected", rationale="  ")
    assert "rationale" in refused.value.message_dict

    services.record_decision(application=application, by=cast.admin, outcome="not_selected", rationale="Not yet.")
    with pytest.raises(TransitionNotAllowed, match="already been decided|is not selected"):
        services.record_decision(application=application, by=cast.chair, outcome="selected", rationale="Changed my mind.")
    assert Decision.objects.filter(application=application).count() == 1


def test_a_chair_with_a_conflict_leaves_the_decision_to_an_administrator(cast, round_):
    application = submitted(round=round_, place=cast.place)
    review = services.assign_reviewer(application=application, reviewer=cast.chair, by=cast.chair)
    services.declare_conflict(review=review, by=cast.chair, has_conflict=True, details="I was Knowsley's finance director.")
    scored_review(application, cast.member, [3, 3])

    with pytest.raises(PermissionDenied, match="administrator must decide"):
        services.record_decision(application=application, by=cast.chair, outcome="selected", rationale="Yes.")
    services.record_decision(application=application, by=cast.admin, outcome="selected", rationale="Yes.")


def test_bulk_decisions_are_all_or_nothing(cast, round_):
    ready = submitted(round=round_, place=cast.place)
    not_reviewed = submitted(round=round_, place=cast.other_place)
    Application.objects.filter(pk__in=[ready.pk, not_reviewed.pk]).update(status=Status.UNDER_REVIEW)
    scored_review(ready, cast.member, [4, 4])

    with pytest.raises(TransitionNotAllowed, match="Nothing was recorded. No review of Blackpool's application"):
        services.record_decisions(applications=[ready, not_reviewed], by=cast.chair, outcome="selected", rationale="Both.")

    assert not Decision.objects.exists()
    assert not Site.objects.exists()
    assert set(Application.objects.values_list("status", flat=True)) == {Status.UNDER_REVIEW}
