"""API for the metric catalogue, reporting periods, returns, versions and values.

Reads are scoped like the pages. Filing goes through the same services as the pages:
an upload (multipart .xlsx) or JSON values, checked by the same importer; refusals come
back as 400 `{"detail": …, "errors": [{sheet, cell, code, message}, …]}`; an impossible
step or a filing against an out-of-date version is a 409.
"""

from __future__ import annotations

from typing import Any

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import parsers, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from metrics import rollup_api, selectors, services
from metrics.checks import Problem
from metrics.models import BreakdownCategory, MetricDefinition, ReportingPeriod, Return, ReturnValue, ReturnVersion
from metrics.serializers import (
    BreakdownCategorySerializer,
    CommentSerializer,
    JsonReturnSerializer,
    MetricSerializer,
    ProblemSerializer,
    ReasonSerializer,
    ReportingPeriodSerializer,
    ReturnSerializer,
    ReturnValueSerializer,
    ReturnVersionSerializer,
    UploadSerializer,
)
from nhsportal import uploads
from nhsportal.params import WholeNumberFilter
from sites.selectors import sites_visible_to


class RefusedResponse(serializers.Serializer):
    detail = serializers.CharField()
    errors = ProblemSerializer(many=True)


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
    pagination_class = None
    filterset_fields = ["kind", "template_id", "has_rate"]
    ordering_fields = ["order", "code"]


class BreakdownCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """The template's columns: Total, age bands, ethnic groups, IMD quintiles. Any signed-in user."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = BreakdownCategory.objects.all()
    serializer_class = BreakdownCategorySerializer
    pagination_class = None
    filterset_fields = ["dimension"]
    ordering_fields = ["order", "code"]


class PeriodFilter(filters.FilterSet):
    month_from = filters.DateFilter(field_name="month", lookup_expr="gte")
    month_to = filters.DateFilter(field_name="month", lookup_expr="lte")

    class Meta:
        model = ReportingPeriod
        fields = ["month"]


class ReportingPeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting months and their deadlines. Any signed-in user."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = ReportingPeriod.objects.all()
    serializer_class = ReportingPeriodSerializer
    filterset_class = PeriodFilter
    ordering_fields = ["month"]


class ReturnFilter(filters.FilterSet):
    month = filters.DateFilter(field_name="period__month")
    month_from = filters.DateFilter(field_name="period__month", lookup_expr="gte")
    month_to = filters.DateFilter(field_name="period__month", lookup_expr="lte")

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
        responses={200: ReturnVersionSerializer, 201: ReturnVersionSerializer, 400: REFUSED_OR_INVALID, 409: RefusedResponse},
    )
    @action(detail=False, methods=["post"], url_path="submit")
    def submit(self, request: Request) -> Response:
        """File a return as JSON values (for sites whose systems submit automatically)."""
        payload = JsonReturnSerializer(data=request.data, context={"request": request})
        payload.is_valid(raise_exception=True)
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


class VersionFilter(filters.FilterSet):
    site = WholeNumberFilter(field_name="return_record__site")
    month = filters.DateFilter(field_name="return_record__period__month")
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
    month = filters.DateFilter(field_name="version__return_record__period__month")
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
    rollup_api.register(router)
