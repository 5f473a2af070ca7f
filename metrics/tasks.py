from celery import shared_task
from django.utils import timezone

from metrics import reminders


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def send_return_reminders() -> dict[str, int]:
    """Daily: reminders to sites about returns due or overdue, and Monday's taskforce digest."""
    today = timezone.localdate()
    sent = reminders.send_site_reminders(today=today)
    digest = reminders.send_taskforce_digest(today=today)
    return {"site_reminders": len(sent), "digests": int(digest is not None)}
