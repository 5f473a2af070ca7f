from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "celery:last-heartbeat"


@shared_task(name="nhsportal.tasks.heartbeat")
def heartbeat() -> str:
    """Beat runs this every five minutes so operators can see the worker is alive (/readyz)."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now
