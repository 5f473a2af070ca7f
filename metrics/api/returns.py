"""API for the metric catalogue, reporting periods, returns, versions and values.

Reads are scoped like the pages. Filing goes through the same services as the pages:
an upload (multipart .xlsx) or JSON values, checked by the same importer; refusals come
back as 400 `{"detail": …, "errors": [{sheet, cell, code, message}, …]}` (for JSON, a
malformed request too, each figure at its template cell); an impossible step or a filing
against an out-of-date version is a 409. Months are YYYY-MM in every filter.
"""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from metrics import services
from metrics.api import rollups as rollup_api
from metrics.api.json_returns import JsonReturnSerializer, refusal_problems
from metrics.api.query_serializers import (
    AnswerSerializer,
    CloseQuerySerializer,
    DataQualityQuerySerializer,
    RaiseQuerySerializer,
    ReopenQuerySerializer,
)
from metrics.api.serializers import (
    BreakdownCategorySerializer,
    CommentSerializer,
    MetricSerializer,
    ProblemSerializer,
    ReasonSerializer,
    ReportingPeriodSerializer,
    ReturnSerializer,
    ReturnValueSerializer,
    ReturnVersionSerializer,
    UploadSerializer,
)
from metrics.models import (
    BreakdownCategory,
    DataQualityQuery,
    MetricDefinition,
    ReportingPeriod,
    Return,
    ReturnValue,
    ReturnVersion,
)
from metrics.returns import selectors
from metrics.returns.checks import Problem
from metrics.rollups.selectors import MonthFilter
from nhsportal import uploads
from nhsportal.params import WholeNumberFilter
from sites.selectors import sites_visible_to


class RefusedResponse(serializers.Serializer):
    detail = serializers.CharField()
    # SerializerMetaclass takes declared fields out of the class body, so this field (the 400's
    # `errors` key in the schema) does not replace Serializer.errors; the stubs cannot see that.
    errors = ProblemSerializer(many=True)  # type: ignore[assignment]


# A 400 is either the return's figures refused cell by cell, or a malformed request ({field: [messages]}).
REFUSED_OR_INVALID = {
    "anyOf": [
        {"$ref": "#/components/schemas/RefusedResponse"},
        {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    ]
}


def _refused(refused: services.ReturnRefused) -> Response:
    count = len(refused.problems)
    return Response(
        {
            "detail": f"The return was not accepted: {count} {'problem' if count == 1 else 'problems'} to put right. Nothing has been stored.",
            "errors": [ProblemSerializer(p).data for p in refused.problems],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


def _filed(version) -> Response:
    """201 with the new version; 200 with the latest one, `unchanged` and a `detail` saying so,
    when the filing held exactly its figures and nothing was stored."""
    if version.unchanged:
        data = {**ReturnVersionSerializer(version).data, "unchanged": True, "detail": services.unchanged_message(version)}
        return Response(data, status=status.HTTP_200_OK)
    return Response(ReturnVersionSerializer(version).data, status=status.HTTP_201_CREATED)


def _conflict(error: Exception) -> Response:
    return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)


class MetricViewSet(viewsets.ReadOnlyModelViewSet):
    """The metric lines of the official template. Any signed-in user."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = MetricDefinition.objects.all()
    serializer_class = MetricSerializer
    filterset_fields = ["kind", "template_id", "has_rate"]
    ordering_fields = ["order", "code"]


class BreakdownCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The template's columns: Total, age bands, ethnic groups, IMD quintiles. Any signed-in user."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = BreakdownCategory.objects.all()
    serializer_class = BreakdownCategorySerializer
    filterset_fields = ["dimension"]
    ordering_fields = ["order", "code"]


MONTH_HELP = "A month, YYYY-MM (e.g. 2026-09); its first day (2026-09-01) is accepted too."


class PeriodFilter(filters.FilterSet):
    month = MonthFilter(help_text=MONTH_HELP)
    month_from = MonthFilter(field_name="month", lookup_expr="gte", help_text=f"From this month (inclusive). {MONTH_HELP}")
    month_to = MonthFilter(field_name="month", lookup_expr="lte", help_text=f"To this month (inclusive). {MONTH_HELP}")

    class Meta:
        model = ReportingPeriod
        fields: list[str] = []


class ReportingPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting months and their deadlines. Any signed-in user."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = ReportingPeriod.objects.all()
    serializer_class = ReportingPeriodSerializer
    filterset_class = PeriodFilter
    ordering_fields = ["month"]


class ReturnFilter(filters.FilterSet):
    month = MonthFilter(field_name="period__month", help_text=MONTH_HELP)
    month_from = MonthFilter(
        field_name="period__month", lookup_expr="gte", help_text=f"From this month (inclusive). {MONTH_HELP}"
    )
    month_to = MonthFilter(field_name="period__month", lookup_expr="lte", help_text=f"To this month (inclusive). {MONTH_HELP}")

    class Meta:
        model = Return
        fields = ["site", "status"]


class ReturnViewSet(viewsets.ReadOnlyModelViewSet):
    """Returns: the taskforce reads all, a site's own people theirs (others are 404).
    Site staff and site leads file; the site lead signs off; the taskforce requests corrections."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReturnSerializer
    filterset_class = ReturnFilter
    ordering_fields = ["period__month", "site__name", "status"]

    def get_queryset(self):
        return selectors.returns_visible_to(self.request.user).select_related(
            "site", "period", "latest_version", "signed_off_version"
        )

    @extend_schema(
        request=UploadSerializer,
        responses={200: ReturnVersionSerializer, 201: ReturnVersionSerializer, 400: REFUSED_OR_INVALID, 409: RefusedResponse},
    )
    @action(detail=False, methods=["post"], parser_classes=[parsers.MultiPartParser])
    def upload(self, request: Request) -> Response:
        """File the completed template (.xlsx). The file says which site and month it is for."""
        # Refused from its declared length before DRF reads (or spools) a byte of the body.
        too_big = uploads.oversize_request(request, uploads.return_upload_max_bytes())
        if too_big:
            return _refused(services.ReturnRefused([Problem("", "", "too_large", too_big)]))
        payload = UploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        try:
            version = services.upload_return(
                data=upload.read(),
                filename=upload.name,
                by=request.user,
                based_on=payload.validated_data.get("based_on_version"),
                note=payload.validated_data.get("note", ""),
            )
        except services.ReturnRefused as refused:
            return _refused(refused)
        except services.ReturnConflict as conflict:
            return _conflict(conflict)
        return _filed(version)

    @extend_schema(
        request=JsonReturnSerializer,
        responses={200: ReturnVersionSerializer, 201: ReturnVersionSerializer, 400: RefusedResponse, 409: RefusedResponse},
    )
    @action(detail=False, methods=["post"], url_path="submit")
    def submit(self, request: Request) -> Response:
        """File a return as JSON values (for sites whose systems submit automatically). Every
        refusal, of the request's shape or of its figures, is one list of problems, each naming
        the template cell the figure would occupy, as an upload's are."""
        payload = JsonReturnSerializer(data=request.data, context={"request": request})
        if not payload.is_valid():
            return _refused(services.ReturnRefused(refusal_problems(payload)))
        data = payload.validated_data
        try:
            version = services.submit_values(
                site=data["site"],
                period=data["period"],
                values=data["values"],
                layout=data["layout"],
                source="api",
                by=request.user,
                based_on=data.get("based_on_version"),
                note=data.get("note", ""),
            )
        except services.ReturnRefused as refused:
            return _refused(refused)
        except services.ReturnConflict as conflict:
            return _conflict(conflict)
        return _filed(version)

    def _step(self, step: Any, **kwargs: Any) -> Response:
        return_record = self.get_object()
        try:
            step(return_record=return_record, by=self.request.user, **kwargs)
        except (services.TransitionRefused, services.ReturnConflict) as refused:
            return _conflict(refused)
        return_record.refresh_from_db()
        return Response(ReturnSerializer(return_record).data)

    @extend_schema(request=CommentSerializer, responses={200: ReturnSerializer})
    @action(detail=True, methods=["post"], url_path="acknowledge-warnings")
    def acknowledge_warnings(self, request: Request, pk: str | None = None) -> Response:
        payload = CommentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._step(services.acknowledge_warnings, comment=payload.validated_data["comment"])

    @extend_schema(request=None, responses={200: ReturnSerializer})
    @action(detail=True, methods=["post"], url_path="send-for-sign-off")
    def send_for_sign_off(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services.send_for_sign_off)

    @extend_schema(request=None, responses={200: ReturnSerializer})
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: str | None = None) -> Response:
        return self._step(services.sign_off)

    @extend_schema(request=ReasonSerializer, responses={200: ReturnSerializer})
    @action(detail=True, methods=["post"], url_path="request-correction")
    def request_correction(self, request: Request, pk: str | None = None) -> Response:
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._step(services.request_correction, reason=payload.validated_data["reason"])


class QueryFilter(filters.FilterSet):
    site = WholeNumberFilter(field_name="return_record__site")
    month = MonthFilter(field_name="return_record__period__month", help_text=MONTH_HELP)
    return_id = WholeNumberFilter(field_name="return_record")

    class Meta:
        model = DataQualityQuery
        fields = ["status"]


class DataQualityQueryViewSet(viewsets.ReadOnlyModelViewSet):
    """Data-quality queries on the returns the user may see (another site's are 404): open
    first, then answered, then closed. The taskforce, the chair and administrators raise
    (`POST`), close and reopen them; the site's staff and site lead answer. An impossible step
    (answering or closing a closed query, reopening an open one) is a 409. Each step is audited
    against the return and e-mails the other side once."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DataQualityQuerySerializer
    filterset_class = QueryFilter
    ordering_fields = ["raised_at", "status"]

    def get_queryset(self):
        return selectors.queries_visible_to(self.request.user).select_related("version")

    def _respond(self, query: DataQualityQuery, code: int = status.HTTP_200_OK) -> Response:
        return Response(DataQualityQuerySerializer(self.get_queryset().get(pk=query.pk)).data, status=code)

    @extend_schema(request=RaiseQuerySerializer, responses={201: DataQualityQuerySerializer})
    def create(self, request: Request) -> Response:
        """Raise a query about a return (the taskforce). A return the user may not see is a 404."""
        payload = RaiseQuerySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return_record = get_object_or_404(
            selectors.returns_visible_to(request.user).select_related("latest_version"), pk=payload.validated_data["return_id"]
        )
        if return_record.latest_version is None:
            return _conflict(services.TransitionRefused("Nothing has been filed for this return yet: there is nothing to query."))
        query = services.raise_query(return_record=return_record, by=request.user, question=payload.validated_data["question"])
        return self._respond(query, status.HTTP_201_CREATED)

    def _step(self, step: Any, **kwargs: Any) -> Response:
        query = self.get_object()
        try:
            query = step(query=query, by=self.request.user, **kwargs)
        except services.TransitionRefused as refused:
            return _conflict(refused)
        return self._respond(query)

    @extend_schema(request=AnswerSerializer, responses={200: DataQualityQuerySerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """The site's staff and site lead answer an open query."""
        payload = AnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._step(services.answer_query, answer=payload.validated_data["answer"])

    @extend_schema(request=CloseQuerySerializer, responses={200: DataQualityQuerySerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """The taskforce closes an open or answered query, with an optional note."""
        payload = CloseQuerySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._step(services.close_query, note=payload.validated_data["note"])

    @extend_schema(request=ReopenQuerySerializer, responses={200: DataQualityQuerySerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        """The taskforce reopens an answered or closed query, saying what the site should answer now."""
        payload = ReopenQuerySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._step(services.reopen_query, note=payload.validated_data["note"])


class VersionFilter(filters.FilterSet):
    site = WholeNumberFilter(field_name="return_record__site")
    month = MonthFilter(field_name="return_record__period__month", help_text=MONTH_HELP)
    signed_off = filters.BooleanFilter(field_name="signed_off_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = ReturnVersion
        fields = ["return_record", "source", "layout"]


class ReturnVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Every version of every return the user may see; versions never change."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReturnVersionSerializer
    filterset_class = VersionFilter
    ordering_fields = ["created_at", "number"]

    def get_queryset(self):
        return (
            ReturnVersion.objects.filter(return_record__site__in=sites_visible_to(self.request.user))
            .select_related("return_record__site", "return_record__period", "created_by", "signed_off_by")
            .prefetch_related("warnings")
            .order_by("-created_at")
        )


class ValueFilter(filters.FilterSet):
    site = WholeNumberFilter(field_name="version__return_record__site")
    month = MonthFilter(field_name="version__return_record__period__month", help_text=MONTH_HELP)
    metric = filters.CharFilter(field_name="metric__code")
    category = filters.CharFilter(field_name="category__code")
    dimension = filters.CharFilter(field_name="category__dimension")

    class Meta:
        model = ReturnValue
        fields = ["version"]


class ReturnValueViewSet(viewsets.ReadOnlyModelViewSet):
    """Numerators and denominators of the versions the user may see (suppressed: null with the flag set)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReturnValueSerializer
    filterset_class = ValueFilter
    ordering_fields = ["id"]

    def get_queryset(self):
        return (
            ReturnValue.objects.filter(version__return_record__site__in=sites_visible_to(self.request.user))
            .select_related("metric", "category", "version")
            .order_by("version_id", "metric__order", "category__order")
        )


def register(router: BaseRouter) -> None:
    router.register("metrics", MetricViewSet, basename="metric")
    router.register("breakdown-categories", BreakdownCategoryViewSet, basename="breakdown-category")
    router.register("periods", ReportingPeriodViewSet, basename="period")
    router.register("returns", ReturnViewSet, basename="return")
    router.register("return-versions", ReturnVersionViewSet, basename="return-version")
    router.register("return-values", ReturnValueViewSet, basename="return-value")
    router.register("data-quality-queries", DataQualityQueryViewSet, basename="data-quality-query")
    rollup_api.register(router)
