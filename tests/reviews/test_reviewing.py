"""Reviews: scheduled by the taskforce, rated and published by the reviewer, answered and
signed off by the site lead, then locked: later notes append, nothing is edited away."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nhsportal.models import AuditEvent
from reviews import services
from reviews.models import ActionStatus, DomainRating, ReviewStatus
from tests.reviews.conftest import ALL_GREEN, write_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(site, people):
    return services.schedule_review(
        site=site, scheduled_for=datetime.date(2026, 3, 1), reviewer=people["taskforce_member"], by=people["taskforce_chair"]
    )


def test_the_reviewer_must_be_on_the_taskforce_and_site_people_cannot_schedule(site, people):
    with pytest.raises(ValidationError) as refused:
        services.schedule_review(
            site=site, scheduled_for=datetime.date(2026, 3, 1), reviewer=people["site_lead"], by=people["taskforce_chair"]
        )
    assert "reviewer" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.schedule_review(
            site=site, scheduled_for=datetime.date(2026, 3, 1), reviewer=people["taskforce_member"], by=people["site_lead"]
        )


def test_a_review_is_published_only_once_every_domain_and_the_overall_rating_are_recorded(review, people):
    reviewer = people["taskforce_member"]
    services.rate_review(review=review, by=reviewer, ratings={"delivery": ("green", "On track.")}, overall_rating="", summary="")

    with pytest.raises(ValidationError) as refused:
        services.publish_review(review=review, by=reviewer)

    assert "engagement" in refused.value.messages[0]
    services.rate_review(review=review, by=reviewer, ratings=ALL_GREEN, overall_rating="green", summary="Strong start.")
    published = services.publish_review(review=review, by=reviewer)
    assert published.status == ReviewStatus.PUBLISHED


def test_a_rating_without_a_narrative_is_refused_naming_the_field(review, people):
    with pytest.raises(ValidationError) as refused:
        services.rate_review(
            review=review, by=people["taskforce_member"], ratings={"workforce": ("red", " ")}, overall_rating="", summary=""
        )

    assert "workforce_narrative" in refused.value.message_dict
    assert not DomainRating.objects.exists()


def test_only_the_reviewer_or_the_chair_write_the_review(review, people, reviewer_of_nothing):
    with pytest.raises(PermissionDenied):
        services.rate_review(review=review, by=reviewer_of_nothing, ratings=ALL_GREEN, overall_rating="green", summary="")
    with pytest.raises(PermissionDenied):
        services.add_action(
            review=review, by=people["site_lead"], description="x", owner="site", due_on=datetime.date(2026, 5, 1)
        )
    services.rate_review(review=review, by=people["taskforce_chair"], ratings=ALL_GREEN, overall_rating="green", summary="")


def test_once_both_sides_sign_off_the_review_is_locked_and_later_notes_append(review, people):
    reviewer, lead = people["taskforce_member"], people["site_lead"]
    write_review(review, reviewer, actions=2)
    with pytest.raises(ValidationError) as refused:
        services.sign_off_review(review=review, by=lead, side="site")
    assert "response" in refused.value.message_dict

    services.respond_to_review(review=review, by=lead, response="We accept the actions.")
    services.sign_off_review(review=review, by=lead, side="site")
    review = services.sign_off_review(review=review, by=reviewer, side="reviewer")

    assert review.status == ReviewStatus.LOCKED and review.locked_at
    ratings_before = list(review.ratings.values_list("domain", "rating", "narrative"))
    with pytest.raises((ValidationError, PermissionDenied)):
        services.rate_review(
            review=review, by=reviewer, ratings={"delivery": ("red", "Changed.")}, overall_rating="red", summary=""
        )
    with pytest.raises((ValidationError, PermissionDenied)):
        services.rate_review(
            review=review, by=people["taskforce_chair"], ratings={"delivery": ("red", "x")}, overall_rating="red", summary=""
        )
    with pytest.raises((ValidationError, PermissionDenied)):
        services.add_action(review=review, by=reviewer, description="Late", owner="site", due_on=datetime.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="locked"):
        services.respond_to_review(review=review, by=lead, response="Changed our mind.")

    services.add_note(review=review, by=lead, text="Team two launched in April.")
    services.add_note(review=review, by=reviewer, text="Noted, thank you.")

    review.refresh_from_db()
    assert list(review.ratings.values_list("domain", "rating", "narrative")) == ratings_before
    assert review.site_response == "We accept the actions." and review.actions.count() == 2
    assert [n.text for n in review.notes.all()] == ["Team two launched in April.", "Noted, thank you."]
    assert {"review.signed_off_site", "review.signed_off_reviewer", "review.note_added"} <= set(
        AuditEvent.objects.filter(object_id=str(review.pk)).values_list("action", flat=True)
    )


def test_after_one_sign_off_the_reviewer_can_no_longer_change_the_ratings(review, people):
    reviewer, lead = people["taskforce_member"], people["site_lead"]
    write_review(review, reviewer)
    services.respond_to_review(review=review, by=lead, response="Agreed.")
    services.sign_off_review(review=review, by=lead, side="site")

    with pytest.raises(ValidationError):
        services.rate_review(review=review, by=reviewer, ratings={"delivery": ("red", "x")}, overall_rating="red", summary="")


def test_site_staff_read_but_only_the_site_lead_responds(review, people):
    write_review(review, people["taskforce_member"])
    with pytest.raises(PermissionDenied):
        services.respond_to_review(review=review, by=people["site_staff"], response="Hello")


def test_closing_an_action_needs_a_note_and_a_closed_action_stays_closed(review, people):
    write_review(review, people["taskforce_member"], actions=1)
    action = review.actions.get()
    staff = people["site_staff"]

    with pytest.raises(ValidationError) as refused:
        services.update_action(action=action, by=staff, status="closed", note="")
    assert "note" in refused.value.message_dict

    services.update_action(action=action, by=staff, status="in_progress")
    closed = services.update_action(action=action, by=staff, status="closed", note="Cohort agreed with the PCNs.")
    assert (closed.status, closed.closing_note, closed.closed_by) == (ActionStatus.CLOSED, "Cohort agreed with the PCNs.", staff)
    with pytest.raises(ValidationError):
        services.update_action(action=action, by=staff, status="open")
    assert AuditEvent.objects.filter(action="action.updated", object_id=str(action.pk)).count() == 2


def test_a_closed_actions_page_offers_no_form_and_says_why(client, review, people):
    from django.urls import reverse

    write_review(review, people["taskforce_member"], actions=1)
    action = review.actions.get()
    staff = people["site_staff"]
    services.update_action(action=action, by=staff, status="closed", note="Cohort agreed with the PCNs.")
    client.force_login(staff)

    page = client.get(reverse("action-update", args=[action.pk])).content.decode()
    posted = client.post(reverse("action-update", args=[action.pk]), {"status": "open", "note": ""})

    assert "This action is closed. A closed action cannot be changed" in page
    assert "Update the action" not in page and 'id="main-form"' not in page
    assert posted.status_code == 403


def test_another_sites_staff_cannot_move_an_action_on(review, people, other_site):
    from nhsportal.models import Role
    from tests.nhsportal.factories import user_with_role

    write_review(review, people["taskforce_member"], actions=1)
    with pytest.raises(PermissionDenied):
        services.update_action(
            action=review.actions.get(), by=user_with_role(Role.SITE_STAFF, site=other_site), status="in_progress"
        )


def test_coaching_sessions_record_who_came_from_which_site(site, other_site, people):
    with pytest.raises(ValidationError) as refused:
        services.record_session(by=people["taskforce_member"], kind="workshop", title="", held_on=None, topics="", attendees=[])
    assert set(refused.value.message_dict) == {"title", "held_on", "topics", "attendees"}
    with pytest.raises(PermissionDenied):
        services.record_session(
            by=people["site_lead"],
            kind="workshop",
            title="x",
            held_on=datetime.date(2026, 2, 1),
            topics="x",
            attendees=[(site, "A", "")],
        )

    session = services.record_session(
        by=people["taskforce_member"],
        kind="workshop",
        title="Population health management day",
        held_on=datetime.date(2026, 2, 1),
        topics="Risk stratification",
        attendees=[(site, "Asha Patel", "Analyst"), (other_site, "Ben Ode", "GP lead")],
        follow_ups="Share the stratification tool.",
    )
    assert sorted(session.attendance.values_list("person_name", "site__name")) == [
        ("Asha Patel", site.name),
        ("Ben Ode", other_site.name),
    ]
