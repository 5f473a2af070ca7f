"""The metric dictionary as JSON: `/api/v1/metric-definitions/` and `/api/v1/metric-definitions/<code>/`.
Read-only and public, like the dictionary pages (ADR 23)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.routers import BaseRouter

from dictionary import services
from dictionary.domains import domain_of
from dictionary.models import DefinitionVersion
from metrics.models import MetricDefinition


class DefinitionVersionSerializer(serializers.ModelSerializer):
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = DefinitionVersion
        fields = [
            "valid_from", "valid_to", "is_current", "definition", "numerator", "denominator", "inclusions", "exclusions",
            "data_source", "improvement_direction", "direction_note", "source_document", "source_pages", "change_note",
        ]  # fmt: skip


class MetricDefinitionEntrySerializer(serializers.ModelSerializer):
    domain = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()
    versions = DefinitionVersionSerializer(source="definition_versions", many=True, read_only=True)

    class Meta:
        model = MetricDefinition
        fields = ["code", "template_id", "name", "kind", "has_rate", "domain", "current", "versions"]

    def get_domain(self, metric: MetricDefinition) -> str:
        return domain_of(metric).title

    @extend_schema_field(DefinitionVersionSerializer(allow_null=True))
    def get_current(self, metric: MetricDefinition) -> dict | None:
        current = services.current_of(list(metric.definition_versions.all()))
        return DefinitionVersionSerializer(current).data if current else None


class MetricDefinitionViewSet(viewsets.ReadOnlyModelViewSet):
    """Anyone, signed in or not: every metric of the template with its definition in force and all its
    versions (newest first). Look one up by its code (`O3_BED_DAYS`)."""

    serializer_class = MetricDefinitionEntrySerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_]+"
    search_fields = ["code", "name"]
    ordering_fields = ["order", "code"]

    def get_queryset(self) -> QuerySet[MetricDefinition]:
        return MetricDefinition.objects.order_by("order").prefetch_related(
            Prefetch("definition_versions", queryset=DefinitionVersion.objects.order_by("-valid_from"))
        )


def register(router: BaseRouter) -> None:
    router.register("metric-definitions", MetricDefinitionViewSet, basename="metric-definition")
