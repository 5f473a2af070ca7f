"""API for the rollups, the returns' coverage and rollup exports.

Who may use them: any signed-in person; what they see is scoped as on the dashboards
(`dashboards.sharing.rollups_visible_to`) and the coverage page (`metrics.returns.coverage.coverage`):
site staff see their own site's rows, England, the regions, the waves and their ICB, and other
sites only as the taskforce shares them. An export job is seen and downloaded only by the
person who asked for it and administrators (anyone else gets a 404).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboards.sharing import rollups_visible_to
from metrics.api.pagination import RollupCursorPagination
from metrics.api.rollup_serializers import (
    CoverageQuerySerializer,
    CoverageSerializer,
    ExportJobSerializer,
    ExportQuerySerializer,
    RollupSerializer,
)
from metrics.models import ExportJob, ExportStatus, Rollup
from metrics.returns import coverage
from metrics.rollups import export as rollup_export
from metrics.rollups import selectors as rollup_reads
from metrics.services import exports as export_requests
from nhsportal.roles import roles_of

logger = logging.getLogger(__name__)

EXPORT_FILTERS = [
    OpenApiParameter(
        name, OpenApiTypes.STR, description=str(rollup_reads.RollupFilter.base_filters[name].extra.get("help_text", ""))
    )
    for name in rollup_reads.FILTER_NAMES
]


class RollupViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rollups (current generation): Σ numerator, Σ denominator, rate per 1,000, units reporting,
    expected and suppressed, provisional; filtered by level, org, metric, category, dimension and
    months (`from`/`to`, YYYY-MM); a page at a time, each naming the next (`cursor`). Any signed-in
    user, scoped as on the dashboards."""

    serializer_class = RollupSerializer
    filterset_class = rollup_reads.RollupFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = RollupCursorPagination  # millions of rows: no count, no full sort

    def get_queryset(self):
        return rollups_visible_to(self.request.user).select_related("period", "metric", "category")

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # The export's `format=csv|xlsx` names the file wanted, not an API renderer; its refusals are JSON.
        if self.action == "export":
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows: list[Rollup] = list(page) if page is not None else []
        names = rollup_reads.org_names(request.user, {(row.level, row.org_id) for row in rows})
        data = self.get_serializer(rows, many=True, context={**self.get_serializer_context(), "names": names}).data
        return self.get_paginated_response(data)

    @extend_schema(
        parameters=[ExportQuerySerializer, *EXPORT_FILTERS],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The rows as CSV (small exports)."),
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The rows as XLSX (small exports)."
            ),
            (202, "application/json"): OpenApiResponse(
                ExportJobSerializer, description="Too many rows to answer at once: an export job."
            ),
            (303, "application/json"): OpenApiResponse(
                ExportJobSerializer, description="The export's file is already built: Location is its download."
            ),
        },
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="export", url_name="export", pagination_class=None, filter_backends=[])
    def export(self, request: Request) -> HttpResponse | StreamingHttpResponse | Response:
        """The same rows as the list, as CSV or XLSX. Up to ROLLUP_EXPORT_DIRECT_MAX_ROWS rows come
        back at once; more become an export job (202) to follow at its `url` and download when ready,
        or, when the file is already built, 303 to its download with the job as the body."""
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        fmt = query.validated_data["format"]
        rows = rollup_reads.filtered_rollups(request.user, request.query_params)
        filters = rollup_reads.export_filters(request.query_params)
        limit = settings.ROLLUP_EXPORT_DIRECT_MAX_ROWS
        count = rows.order_by()[: limit + 1].count()
        if count > limit:
            # The job counts its rows when it starts: a full count here could take seconds.
            job = export_requests.request_export(by=request.user, filters=filters, fmt=fmt)
            job.refresh_from_db()  # built already (run in-process, or asked for before): say so
            body = ExportJobSerializer(job).data
            if body["download"]:
                return Response(body, status=status.HTTP_303_SEE_OTHER, headers={"Location": body["download"]})
            return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})
        rollup_export.record_direct_export(by=request.user, filters=filters, fmt=fmt, rows=count)
        lines = rollup_reads.export_rows(rows, rollup_reads.org_names(request.user))
        if fmt == "csv":
            response: HttpResponse | StreamingHttpResponse = StreamingHttpResponse(
                rollup_export.csv_chunks(lines), content_type=rollup_export.FORMATS["csv"]
            )
        else:
            response = HttpResponse(rollup_export.xlsx_bytes(lines), content_type=rollup_export.FORMATS["xlsx"])
        response["Content-Disposition"] = f'attachment; filename="{rollup_export.filename(fmt)}"'
        return response


class CoverageView(APIView):
    """Returns coverage: sites × months (on time, late, missing, not yet due, not expected), with
    completeness and timeliness per month. Any signed-in user: the taskforce sees every site,
    site staff their own."""

    @extend_schema(parameters=[CoverageQuerySerializer], responses={200: CoverageSerializer})
    def get(self, request: Request) -> Response:
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = coverage.coverage(request.user, months=query.validated_data["months"])
        return Response(CoverageSerializer.from_selector(data))


class ExportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Rollup export jobs: progress (rows done of total) and, once ready, the download. The
    person who asked for a job sees it; administrators see every job; others get a 404."""

    serializer_class = ExportJobSerializer
    filterset_fields = ["status", "format"]
    ordering_fields = ["created_at"]

    def get_queryset(self):
        jobs = ExportJob.objects.order_by("-created_at")
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return jobs.none()
        return jobs if roles_of(self.request.user).is_admin else jobs.filter(requested_by=self.request.user)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment."),
            409: OpenApiResponse(description="Not built yet, failed, or expired."),
        }
    )
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request: Request, pk: str | None = None) -> FileResponse | Response:
        job = self.get_object()
        refusal = download_refusal(job)
        if refusal:
            return Response({"detail": refusal}, status=status.HTTP_409_CONFLICT)
        response = export_file_response(job, request.user)
        if response is None:
            return Response({"detail": MISSING_EXPORT_FILE}, status=status.HTTP_409_CONFLICT)
        return response


def download_refusal(job: ExportJob) -> str:
    """Why a job's file cannot be downloaded now, or "" when it can."""
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        return f"The export is still being built ({job.rows_done:,} of {job.rows_total:,} rows). Try again when it is ready."
    if job.status == ExportStatus.FAILED:
        return "The export failed. Ask for it again; if it fails again, contact the programme office."
    if not job.file or (job.expires_at and job.expires_at < timezone.now()):
        return "The export has expired and its file was deleted. Ask for it again."
    return ""


MISSING_EXPORT_FILE = "The export's file can no longer be found in storage. Ask for the export again."


def export_file_response(job: ExportJob, user) -> FileResponse | None:
    """The job's file as a download; None (logged as an error) when it has gone from storage,
    for the caller to answer with MISSING_EXPORT_FILE rather than a 500."""
    try:
        handle = rollup_export.download(job=job, by=user)
    except FileNotFoundError:
        logger.error("Export %s is ready but its file %s is missing from storage", job.pk, job.file.name)
        return None
    return FileResponse(
        handle, as_attachment=True, filename=rollup_export.filename(job.format), content_type=rollup_export.FORMATS[job.format]
    )


def register(router) -> None:
    router.register("rollups", RollupViewSet, basename="rollup")
    router.register("exports", ExportJobViewSet, basename="export-job")


# Endpoints outside the router (api_urls adds them): `api:coverage`.
urlpatterns = [path("coverage/", CoverageView.as_view(), name="coverage")]
