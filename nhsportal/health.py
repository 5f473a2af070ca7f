"""Health endpoints for load balancers and operators. Open to all: they reveal nothing but up or down."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nhsportal.tasks import HEARTBEAT_KEY


@never_cache
@require_GET
def healthz(request):
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False


def _broker_ok() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False


@never_cache
@require_GET
def readyz(request):
    """Ready to serve: the database answers and, when REDIS_URL is set, so does the broker."""
    checks = {"database": "ok" if _database_ok() else "unavailable"}
    if settings.REDIS_URL:
        checks["broker"] = "ok" if _broker_ok() else "unavailable"
        try:
            checks["worker_last_heartbeat"] = cache.get(HEARTBEAT_KEY) or "none yet"
        except Exception:  # noqa: BLE001 - cache is the broker; its state is already reported
            checks["worker_last_heartbeat"] = "unknown"
    ready = all(value == "ok" for key, value in checks.items() if key in {"database", "broker"})
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)
