"""The bulletin's jobs: building one (after the final deadline, or on request) and e-mailing it."""

from celery import shared_task
from django.utils import timezone

from bulletins import services
from metrics.tasks import RETRYABLE

# A month at national scale (400 sites × 60 months) builds in well under a minute (bench/bulletin.py);
# five minutes leaves room, and a minute after the soft limit to mark the bulletin failed.
SOFT_LIMIT, HARD_LIMIT = 300, 360


@shared_task(
    name="bulletins.build_bulletin",
    autoretry_for=RETRYABLE,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=SOFT_LIMIT,
    time_limit=HARD_LIMIT,
    ignore_result=True,
)
def build_bulletin(bulletin_id: int) -> str:
    """Build, store and issue one bulletin version; a version already issued is left alone."""
    return services.build(bulletin_id, retryable=RETRYABLE).status


@shared_task(name="bulletins.request_due_bulletins", ignore_result=True)
def request_due_bulletins() -> int:
    """Daily (beat): a bulletin for each month whose final submission deadline has passed and that
    has none yet; and any left building because the broker was down when it was asked for."""
    made = services.request_due(timezone.localdate())
    services.resend_stuck()
    return len(made)


@shared_task(
    name="bulletins.send_bulletin_email",
    autoretry_for=(*RETRYABLE, OSError),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def send_bulletin_email(bulletin_id: int) -> int:
    """The taskforce's e-mail with the link, once per version (the NoticeSent ledger)."""
    return services.send_email(bulletin_id)
