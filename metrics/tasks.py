from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from redis.exceptions import RedisError

from metrics.returns import notices, reminders
from metrics.rollups import export as rollup_export
from metrics.rollups import jobs as rollup_jobs


@shared_task(
    name="metrics.tasks.send_return_reminders", autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5
)
def send_return_reminders() -> dict[str, int]:
    """Daily: reminders to sites about returns due or overdue, and Monday's taskforce digest."""
    today = timezone.localdate()
    sent = reminders.send_site_reminders(today=today)
    digest = reminders.send_taskforce_digest(today=today)
    return {"site_reminders": len(sent), "digests": int(digest is not None)}


# Database and broker hiccups are worth retrying; a bug is not.
RETRYABLE = (OperationalError, InterfaceError, RedisError, ConnectionError, TimeoutError)


@shared_task(
    name="metrics.tasks.send_data_quality_notice",
    autoretry_for=(*RETRYABLE, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def send_data_quality_notice(kind: str, object_id: int, key: str) -> int:
    """After a step of the data-quality loop commits: its e-mail, once (metrics.returns.notices). An SMTP
    failure records nothing and is retried."""
    return notices.send(kind, object_id=object_id, key=key)


# The rollup tasks' results are in the database (RollupRun, RollupRequest), not the result backend:
# ignoring them, sending a task never waits on the backend, and a broker outage fails it at once.
@shared_task(
    name="metrics.tasks.rollup_period_task",
    autoretry_for=RETRYABLE,
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
    ignore_result=True,
)
def rollup_period_task(period_id: int, after_run_id: int | None = None) -> str:
    """After a sign-off: build what the outbox holds now, its own request included, coalesced
    with other sign-offs (metrics.rollups.jobs). Only a shortcut: beat drains the outbox anyway."""
    return rollup_jobs.drain(period_id=period_id, after_run_id=after_run_id)


@shared_task(name="metrics.tasks.drain_rollup_requests_task", ignore_result=True)
def drain_rollup_requests_task() -> str:
    """Every minute (beat): the rollup requests' outbox, so a request whose task was never sent
    (broker down at the sign-off) or whose worker died is built within a minute or two."""
    return rollup_jobs.drain()


@shared_task(
    name="metrics.tasks.rebuild_rollups_task",
    autoretry_for=RETRYABLE,
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=3,
    ignore_result=True,
)
def rebuild_rollups_task() -> str:
    """Nightly: every period rebuilt, so deadlines passing (provisional → final) and any missed
    sign-off are caught up. Places first follow the ICB membership in force today (a move
    entered ahead of its date takes effect that night)."""
    from sites.services import follow_icb_memberships

    follow_icb_memberships()
    return rollup_jobs.request_full_rebuild(trigger="nightly")


def request_period_rollup(period_id: int) -> None:
    """Called once a sign-off has committed (transaction.on_commit): its request is already in
    the outbox; this only asks a worker to build it now rather than at beat's next drain."""
    # No publishing retries: someone is waiting for the page, and the outbox has the request anyway.
    rollup_period_task.apply_async((period_id, rollup_jobs.latest_run_id()), retry=False)


@shared_task(
    name="metrics.tasks.build_export_task",
    autoretry_for=RETRYABLE,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
)
def build_export_task(job_id: int) -> str:
    """A large rollup export: its file, with progress (metrics.rollups.export). A retry starts
    the file again; a job already built is left alone."""
    return rollup_export.build_export(job_id).status


@shared_task(name="metrics.tasks.delete_expired_exports_task")
def delete_expired_exports_task() -> int:
    """Daily: delete the files of rollup exports past their expiry."""
    return rollup_export.delete_expired()
