from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics.models import (
    BreakdownCategory,
    MetricDefinition,
    ReportingPeriod,
    Return,
    ReturnValue,
    ReturnVersion,
    ReturnWarning,
)
from metrics.returns.checks import parse_count
from metrics.rollups.selectors import MonthField


class ProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    cell = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = MetricDefinition
        fields = [
            "id",
            "code",
            "template_id",
            "name",
            "kind",
            "numerator_definition",
            "denominator_definition",
            "has_rate",
            "direction",
            "order",
        ]


class BreakdownCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = BreakdownCategory
        fields = ["id", "code", "dimension", "label", "order", "comparable_code"]


class ReportingPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "month",
            "period_start",
            "period_end",
            "initial_submission_due",
            "data_quality_report_due",
            "final_submission_due",
            "final_report_due",
        ]


class ReturnSerializer(serializers.ModelSerializer):
    site_name = serializers.CharField(source="site.name", read_only=True)
    month = serializers.DateField(source="period.month", read_only=True)
    latest_version = serializers.IntegerField(source="latest_version.number", read_only=True, allow_null=True, default=None)
    signed_off_version = serializers.IntegerField(
        source="signed_off_version.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Return
        fields = [
            "id",
            "site",
            "site_name",
            "period",
            "month",
            "status",
            "latest_version",
            "signed_off_version",
            "first_signed_off_at",
            "correction_reason",
        ]


class WarningSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnWarning
        fields = ["sheet", "cell", "code", "message"]


class ReturnVersionSerializer(serializers.ModelSerializer):
    return_id = serializers.IntegerField(source="return_record_id", read_only=True)
    site = serializers.IntegerField(source="return_record.site_id", read_only=True)
    month = serializers.DateField(source="return_record.period.month", read_only=True)
    created_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    signed_off_by: serializers.StringRelatedField[Any] = serializers.StringRelatedField()
    warnings = WarningSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnVersion
        fields = [
            "id",
            "return_id",
            "site",
            "month",
            "number",
            "layout",
            "source",
            "note",
            "created_by",
            "created_at",
            "warnings",
            "warnings_acknowledged_at",
            "warnings_comment",
            "signed_off_by",
            "signed_off_at",
            "late",
        ]


class ReturnValueSerializer(serializers.ModelSerializer):
    metric = serializers.CharField(source="metric.code")
    category = serializers.CharField(source="category.code")
    version = serializers.IntegerField(source="version.number")
    return_id = serializers.IntegerField(source="version.return_record_id")

    class Meta:
        model = ReturnValue
        fields = [
            "id",
            "return_id",
            "version",
            "metric",
            "category",
            "numerator",
            "denominator",
            "numerator_suppressed",
            "denominator_suppressed",
        ]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The completed NNHIP data collection template (.xlsx).")
    based_on_version = serializers.IntegerField(
        required=False,
        min_value=0,
        help_text="The version you started from; 0 for the first. Guards against overwriting someone else's newer version.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["*", "<6", "-", "null"]}],
        "description": "A count, or a suppression marker where the count is fewer than 6.",
    }
)
class FigureField(serializers.Field):
    """A count (a whole number) or a suppression marker: `*`, `<6`, `-` or `null` (as text),
    read by the importer's own rule for a cell (`checks.parse_count`), so 12.5 is refused here
    exactly as it is in the workbook."""

    default_error_messages = {
        "decimal": 'Give a whole number of 0 or more, or "*" where the count is fewer than 6.',
        "text": 'Give a whole number of 0 or more, or "*" where the count is fewer than 6.',
        "blank": 'Give a whole number of 0 or more, or "*" where the count is fewer than 6.',
    }

    def to_internal_value(self, data: Any) -> int | str:
        kind, count = parse_count(data)
        if kind == "count":
            return count  # type: ignore[return-value]
        if kind == "suppressed":
            return "*"
        self.fail(kind)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}(-01)?$", "example": "2026-09"})
class MonthSerializerField(serializers.Field):
    """A reporting month as YYYY-MM (its first day, 2026-09-01, is accepted too): the same
    rule as every month filter of the API (`rollup_selectors.MonthField`)."""

    def to_internal_value(self, data: Any) -> datetime.date:
        try:
            month = MonthField(required=True).clean(data if isinstance(data, str) else "")
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.messages[0] if isinstance(data, str) else "Enter a month as YYYY-MM, for example 2026-09."
            ) from error
        return month

    def to_representation(self, value: datetime.date) -> str:
        return f"{value:%Y-%m}"
