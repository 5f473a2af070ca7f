"""Pages for large rollup exports: progress, and the download once the file is ready.

Who may use them: the person who asked for the export, and administrators; anyone else gets
a 404, so another person's export does not show it exists.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from metrics.api.rollups import MISSING_EXPORT_FILE, download_refusal, export_file_response
from metrics.models import ExportJob, ExportStatus
from metrics.rollups import export as rollup_export


def _visible_job(request: HttpRequest, pk: int) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("requested_by"), pk=pk)
    if not rollup_export.can_download(request.user, job):
        raise Http404("No such export.")
    return job


@login_required
@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _visible_job(request, pk)
    percent = int(job.rows_done * 100 / job.rows_total) if job.rows_total else 0
    return render(
        request,
        "metrics/export_job.jinja",
        {
            "page_title": "Rollup export",
            "job": job,
            "percent": percent,
            "building": job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
            "refusal": download_refusal(job),
        },
    )


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    job = _visible_job(request, pk)
    refusal = download_refusal(job)
    response = None if refusal else export_file_response(job, request.user)
    if response is None:
        return render(
            request,
            "metrics/export_job.jinja",
            {"page_title": "Rollup export", "job": job, "refusal": refusal or MISSING_EXPORT_FILE},
            status=409,
        )
    return response
