"""Rollup exports: the API's filtered rows as CSV or XLSX.

A small export (up to `ROLLUP_EXPORT_DIRECT_MAX_ROWS`) is answered at once, the CSV streamed
as it is read. A larger one becomes an `ExportJob` that a Celery task builds into a file under
MEDIA_ROOT with a random name, updating its progress as it writes; only the person who asked
and administrators may download it, and it is deleted after `ROLLUP_EXPORT_KEEP_DAYS`.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import secrets
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from metrics.models import ExportJob, ExportStatus
from metrics.rollups import selectors
from nhsportal import audit
from nhsportal.roles import roles_of

logger = logging.getLogger(__name__)

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PROGRESS_EVERY = 5000  # rows between progress updates


def filename(fmt: str) -> str:
    return f"nnhip-rollups-{timezone.localdate():%Y-%m-%d}.{fmt}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """CSV text a line at a time, header first, for a streaming response."""
    writer = csv.writer(_Echo())
    yield writer.writerow(selectors.EXPORT_HEADER)
    for row in rows:
        yield writer.writerow(["" if value is None else value for value in row])


def _xlsx_row(row: tuple[Any, ...]) -> list[Any]:
    # Excel has no Decimal: a rate of up to 6 places is exact enough as float for a spreadsheet,
    # and the sums it comes from are in the same row.
    return [float(value) if hasattr(value, "as_tuple") else value for value in row]


def xlsx_bytes(rows: Iterable[tuple[Any, ...]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Rollups")
    sheet.append(list(selectors.EXPORT_HEADER))
    for row in rows:
        sheet.append(_xlsx_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def record_direct_export(*, by: Any, filters: dict[str, str], fmt: str, rows: int) -> None:
    audit.record(actor=by, action="rollups.exported", changes={"filters": filters, "format": fmt, "rows": rows})


def can_download(user: Any, job: ExportJob) -> bool:
    """Only the person who asked for an export, and administrators, may download it."""
    return job.requested_by_id == getattr(user, "pk", None) or roles_of(user).is_admin


def build_export(job_id: int) -> ExportJob:
    """Write the export's file, updating its progress as it goes. Idempotent: a job already
    built is left alone, and a retry after a failure starts the file again from the top."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("requested_by").get(pk=job_id)
        if job.status == ExportStatus.READY:
            return job
        job.status, job.rows_done, job.error = ExportStatus.RUNNING, 0, ""
        job.save(update_fields=["status", "rows_done", "error"])
    try:
        rows = selectors.filtered_rollups(job.requested_by, job.filters)
        job.rows_total = rows.count()
        job.save(update_fields=["rows_total"])
        names = selectors.org_names(job.requested_by)
        directory = Path(settings.MEDIA_ROOT) / "exports"
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".building-{job.pk}-{secrets.token_hex(8)}"
        try:
            _write(job, selectors.export_rows(rows, names), partial)
            with partial.open("rb") as handle:
                job.file.save(f"{secrets.token_urlsafe(24)}.{job.format}", File(handle), save=False)
        finally:
            partial.unlink(missing_ok=True)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    job.status, job.finished_at = ExportStatus.READY, timezone.now()
    job.expires_at = job.finished_at + timedelta(days=settings.ROLLUP_EXPORT_KEEP_DAYS)
    job.save(update_fields=["status", "file", "finished_at", "expires_at", "rows_done"])
    audit.record(actor=None, action="rollups.export_built", obj=job, from_state=ExportStatus.RUNNING, to_state=job.status)
    return job


def _counted(job: ExportJob, rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            job.rows_done = done
            job.save(update_fields=["rows_done"])
    job.rows_done = job.rows_total


def _write(job: ExportJob, rows: Iterable[tuple[Any, ...]], path: Path) -> None:
    counted = _counted(job, rows)
    if job.format == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            handle.writelines(csv_chunks(counted))
        return
    book = Workbook(write_only=True)  # rows go to a temporary file as they are added, not into memory
    sheet = book.create_sheet("Rollups")
    sheet.append(list(selectors.EXPORT_HEADER))
    for row in counted:
        sheet.append(_xlsx_row(row))
    book.save(str(path))


def download(*, job: ExportJob, by: Any) -> File:
    """The job's file, opened (FileNotFoundError when it has gone from storage: not audited)."""
    handle = job.file.open("rb")
    audit.record(actor=by, action="rollups.export_downloaded", obj=job)
    return handle


def delete_expired(now: Any = None) -> int:
    """Delete the files of exports past their expiry (daily beat job)."""
    now = now or timezone.now()
    count = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file=""):
        try:
            if job.file and os.path.exists(job.file.path):
                job.file.delete(save=False)
        finally:
            job.file = ""
            job.save(update_fields=["file"])
            count += 1
    return count
