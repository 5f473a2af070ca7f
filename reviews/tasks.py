import datetime

from celery import shared_task
from django.utils import timezone

from reviews import reminders, services


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(
    name="reviews.tasks.send_review_reminders", autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5
)
def send_review_reminders(today: str | None = None) -> dict[str, int]:
    """Daily: actions due soon or overdue, and onboarding milestones overdue. `today`
    (YYYY-MM-DD) lets an operator catch up a day the job missed."""
    day = _day(today)
    return {
        "actions": len(reminders.send_action_reminders(today=day)),
        "milestones": len(reminders.send_milestone_reminders(today=day)),
    }


@shared_task(name="reviews.tasks.sync_onboarding")
def sync_onboarding(today: str | None = None) -> dict[str, int]:
    """Daily: tick milestones the data shows and activate sites whose checklist is complete."""
    return services.sync_onboarding(today=_day(today))
