"""Queueing a data-quality notice: once the step's transaction commits, the Celery task that
sends it (metrics.tasks.send_data_quality_notice), or, with the broker down, the notice at once.
What each notice says, and its ledger, are metrics.returns.notices; this sits above the tasks,
so that module never imports them."""

from __future__ import annotations

import logging

from django.db import transaction

from metrics import tasks
from metrics.models import DataQualityQuery, Return, ReturnVersion
from metrics.returns import notices

logger = logging.getLogger(__name__)


def queue(kind: str, obj: DataQualityQuery | Return | ReturnVersion) -> None:
    """Send the notice once the current transaction commits (nothing is sent if it rolls back)."""
    key = notices.key_for(kind, obj)
    object_id = obj.pk
    transaction.on_commit(lambda: _dispatch(kind, object_id, key), robust=True)


def _dispatch(kind: str, object_id: int, key: str) -> None:
    try:
        # No publishing retries: someone is waiting for the page. The broker down: send it now.
        tasks.send_data_quality_notice.apply_async((kind, object_id, key), retry=False)
    except Exception:  # noqa: BLE001 - kombu's and redis's errors alike; the ledger keeps it to once
        logger.warning("Broker unavailable: sending the %s notice %s from the request", kind, key, exc_info=True)
        notices.send(kind, object_id=object_id, key=key)
