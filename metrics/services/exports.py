"""Asking for a large rollup export: an `ExportJob`, built by the Celery task once the request
commits (or on a thread where there is no broker). The file itself is written by
`metrics.rollups.export`, which the task calls: this module sits above the task, so the
builder never imports the tasks."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from metrics import tasks
from metrics.models import ExportJob, ExportStatus
from metrics.rollups.export import FORMATS
from nhsportal import audit

logger = logging.getLogger(__name__)

# Export jobs: the services behind the API, the page and the Celery task.


def request_export(*, by: Any, filters: dict[str, str], fmt: str) -> ExportJob:
    """Ask for a large export. The same person asking again for the same rows and format while
    an earlier job is queued, running or ready gets that job back rather than a second one."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}.")
    now = timezone.now()
    with transaction.atomic():
        existing = (
            ExportJob.objects.select_for_update()
            .filter(
                requested_by=by,
                filters=filters,
                format=fmt,
                status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING, ExportStatus.READY],
            )
            .exclude(expires_at__lt=now)
            .order_by("-created_at")
            .first()
        )
        if existing:
            return existing
        job = ExportJob.objects.create(requested_by=by, filters=filters, format=fmt)
        audit.record(
            actor=by, action="rollups.export_requested", obj=job, to_state=job.status, changes={"filters": filters, "format": fmt}
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    if settings.ROLLUP_EXPORT_IN_THREAD:  # no broker: not in the request, which would wait for the whole file
        threading.Thread(target=_build_on_thread, args=(job_id,), name=f"rollup-export-{job_id}", daemon=True).start()
        return
    try:
        tasks.build_export_task.delay(job_id)
    except Exception:  # the broker is down: the job stays queued and can be asked for again
        logger.exception("Could not enqueue rollup export %s", job_id)


def _build_on_thread(job_id: int) -> None:
    try:
        tasks.build_export_task.apply(args=(job_id,))  # as the worker would run it, with its log lines
    finally:
        connections.close_all()  # this thread's own connections
