from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from redis.exceptions import RedisError

from metrics import reminders, rollup_jobs


@shared_task(autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def send_return_reminders() -> dict[str, int]:
    """Daily: reminders to sites about returns due or overdue, and Monday's taskforce digest."""
    today = timezone.localdate()
    sent = reminders.send_site_reminders(today=today)
    digest = reminders.send_taskforce_digest(today=today)
    return {"site_reminders": len(sent), "digests": int(digest is not None)}


# Database and broker hiccups are worth retrying; a bug is not.
RETRYABLE = (OperationalError, InterfaceError, RedisError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=RETRYABLE, retry_backoff=5, retry_backoff_max=600, retry_jitter=True, max_retries=6)
def rollup_period_task(period_id: int, after_run_id: int | None = None) -> str:
    """After a sign-off: its period's rollups, coalesced with other sign-offs (metrics.rollup_jobs)."""
    return rollup_jobs.request_period(period_id, after_run_id=after_run_id)


@shared_task(autoretry_for=RETRYABLE, retry_backoff=60, retry_backoff_max=3600, retry_jitter=True, max_retries=3)
def rebuild_rollups_task() -> str:
    """Nightly: every period rebuilt, so deadlines passing (provisional → final) and any missed
    sign-off are caught up."""
    return rollup_jobs.request_full_rebuild(trigger="nightly")


def request_period_rollup(period_id: int) -> None:
    """Called once a sign-off has committed (transaction.on_commit)."""
    rollup_period_task.delay(period_id, rollup_jobs.latest_run_id())
