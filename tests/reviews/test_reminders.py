"""Reminders by the daily beat job: an action due in a week, an overdue action every week,
overdue onboarding milestones weekly. Running the job twice sends nothing twice."""

import datetime

import pytest
from django.core import mail

from reviews import tasks
from reviews.reminders import send_action_reminders, send_milestone_reminders
from tests.reviews.conftest import write_review
from tests.reviews.factories import MilestoneTemplateFactory, ReviewFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 5, 4)


@pytest.fixture
def action(site, people):
    review = ReviewFactory(site=site, reviewer=people["taskforce_member"])
    write_review(review, people["taskforce_member"], actions=1)
    return review.actions.get()


def test_an_overdue_action_reminds_the_site_once_a_week_copying_the_reviewer(action, people):
    action.due_on = MONDAY - datetime.timedelta(days=3)
    action.save()

    sent = send_action_reminders(today=MONDAY)
    again = send_action_reminders(today=MONDAY + datetime.timedelta(days=2))  # same ISO week

    assert len(sent) == 1 and again == []
    message = mail.outbox[0]
    assert "overdue" in message.subject and action.site.name in message.subject
    assert set(message.to) == {people["site_staff"].email, people["site_lead"].email}
    assert message.cc == [people["taskforce_member"].email]
    assert action.description in message.body and f"/reviews/actions/{action.pk}/" in message.body
    assert len(send_action_reminders(today=MONDAY + datetime.timedelta(days=7))) == 1  # next week, again


def test_a_closed_action_and_a_draft_reviews_action_send_nothing(action, people, site):
    from reviews import services

    action.due_on = MONDAY - datetime.timedelta(days=3)
    action.save()
    services.update_action(action=action, by=people["site_staff"], status="closed", note="Done in April.")
    draft = ReviewFactory(site=site, reviewer=people["taskforce_member"])
    services.add_action(
        review=draft,
        by=people["taskforce_member"],
        description="Not agreed yet",
        owner="site",
        due_on=MONDAY - datetime.timedelta(days=1),
    )

    assert send_action_reminders(today=MONDAY) == []
    assert mail.outbox == []


def test_an_action_due_within_a_week_reminds_once_and_a_national_one_goes_to_the_reviewer(action, people):
    action.due_on, action.owner = MONDAY + datetime.timedelta(days=5), "national"
    action.save()

    sent = send_action_reminders(today=MONDAY)
    assert [s.to for s in sent] == [(people["taskforce_member"].email,)]
    assert send_action_reminders(today=MONDAY + datetime.timedelta(days=1)) == []


def test_overdue_milestones_remind_the_site_weekly_and_the_task_runs_both(site, people):
    site.wave.start_date = MONDAY - datetime.timedelta(days=100)
    site.wave.save()
    MilestoneTemplateFactory(wave=site.wave, title="DPIA completed", due_after_days=30)

    sent = send_milestone_reminders(today=MONDAY)

    assert len(sent) == 1
    assert set(mail.outbox[0].to) == {people["site_staff"].email, people["site_lead"].email, people["programme_lead"].email}
    assert "DPIA completed" in mail.outbox[0].body
    assert send_milestone_reminders(today=MONDAY) == []
    assert tasks.send_review_reminders.apply().get() == {"actions": 0, "milestones": 1}  # today: a new week
