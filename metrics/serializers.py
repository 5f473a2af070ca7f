from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics import rules, template
from metrics.checks import ParsedValue, is_suppression_marker
from metrics.models import (
    BreakdownCategory,
    DataQualityQuery,
    MetricDefinition,
    ReportingPeriod,
    Return,
    ReturnValue,
    ReturnVersion,
    ReturnWarning,
)
from sites.models import Site
from sites.selectors import sites_visible_to


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
    created_by = serializers.StringRelatedField()
    signed_off_by = serializers.StringRelatedField()
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
    """A count (a whole number) or a suppression marker: `*`, `<6`, `-` or `null` (as text)."""

    default_error_messages = {"invalid": 'Give a whole number of 0 or more, or "*" where the count is fewer than 6.'}

    def to_internal_value(self, data: Any) -> int | str:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return data
        if isinstance(data, str) and is_suppression_marker(data):
            return "*"
        self.fail("invalid")

    def to_representation(self, value: Any) -> Any:
        return value


class JsonValueSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=[m.code for m in template.METRIC_LINES])
    category = serializers.ChoiceField(choices=[c.code for c in template.CATEGORIES])
    numerator = FigureField()
    denominator = FigureField(required=False, help_text="Patients in the cohort; not for P1_CASELOAD.")


class JsonReturnSerializer(serializers.Serializer):
    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.none())
    month = serializers.DateField(help_text="The first day of the reporting month, e.g. 2026-09-01.")
    layout = serializers.ChoiceField(choices=sorted(template.LAYOUTS), default=template.CURRENT_LAYOUT.version)
    values = JsonValueSerializer(many=True)
    based_on_version = serializers.IntegerField(required=False, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")  # absent when the OpenAPI schema is generated
        if request is not None:
            self.fields["site"].queryset = sites_visible_to(request.user)

    def validate_site(self, site: Site) -> Site:
        if not rules.can_prepare_return(self.context["request"].user, site):
            raise serializers.ValidationError("Only the site's own staff and site lead can file its return.")
        return site

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        period = ReportingPeriod.objects.filter(month=data["month"]).first()
        if period is None:
            raise serializers.ValidationError(
                {"month": f"{data['month']} is not a reporting month. Give the first day of a month in the timetable."}
            )
        layout = template.LAYOUTS[data["layout"]]
        expected = {(m.code, c) for m in template.METRIC_LINES for c in layout.categories}
        given = [(v["metric"], v["category"]) for v in data["values"]]
        duplicates = sorted({key for key in given if given.count(key) > 1})
        missing = sorted(expected - set(given))
        stray = sorted(set(given) - expected)
        problems = []
        if missing:
            problems.extend(
                f"{metric} / {category} is missing: send every metric line for every category of {layout.description}."
                for metric, category in missing
            )
        if stray:
            problems.append(f"{stray[0][1]} is not a category of the {layout.description}.")
        if duplicates:
            problems.append(f"{duplicates[0][0]} / {duplicates[0][1]} is sent more than once.")
        for v in data["values"]:
            has_rate = template.METRICS_BY_CODE[v["metric"]].has_rate
            if has_rate and "denominator" not in v:
                problems.append(f"{v['metric']} / {v['category']} needs a denominator (patients in the cohort).")
                break
        if problems:
            raise serializers.ValidationError({"values": problems})
        data["period"] = period
        data["values"] = _parsed(data["values"], layout)
        return data


def _parsed(values: list[dict[str, Any]], layout: template.Layout) -> list[ParsedValue]:
    """JSON figures as the importer's values, each named by its cell in the template, plus
    the cohort size (the template's row 7: O1 new appointments' denominators)."""
    result = []
    for v in values:
        metric = template.METRICS_BY_CODE[v["metric"]]
        numerator, denominator = v["numerator"], v.get("denominator")
        result.append(
            ParsedValue(
                metric=metric.code,
                category=v["category"],
                numerator=None if numerator == "*" else numerator,
                denominator=None if denominator in ("*", None) else denominator,
                numerator_suppressed=numerator == "*",
                denominator_suppressed=denominator == "*",
                numerator_cell=layout.cell(v["category"], metric.numerator_row),
                denominator_cell=layout.cell(v["category"], metric.denominator_row) if metric.denominator_row else "",
            )
        )
    first = template.METRICS_BY_CODE["O1_NEW"]
    for value in [r for r in result if r.metric == first.code]:
        result.append(
            ParsedValue(
                metric="COHORT",
                category=value.category,
                numerator=value.denominator,
                denominator=None,
                numerator_suppressed=value.denominator_suppressed,
                denominator_suppressed=False,
                numerator_cell=value.denominator_cell,
                denominator_cell="",
            )
        )
    return result


class PersonField(serializers.StringRelatedField):
    """A person's name, or null when nobody was recorded or the account has been deleted."""

    def to_representation(self, value: Any) -> str:
        return value.get_full_name() or value.get_username()


class DataQualityQuerySerializer(serializers.ModelSerializer):
    return_id = serializers.IntegerField(source="return_record_id", read_only=True)
    site = serializers.IntegerField(source="return_record.site_id", read_only=True)
    month = serializers.DateField(source="return_record.period.month", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True, allow_null=True, default=None)
    raised_by = PersonField()
    answered_by = PersonField()
    closed_by = PersonField()
    reopened_by = PersonField()

    class Meta:
        model = DataQualityQuery
        fields = [
            "id",
            "return_id",
            "site",
            "month",
            "version",
            "status",
            "round",
            "question",
            "raised_by",
            "raised_at",
            "answer",
            "answered_by",
            "answered_at",
            "closing_note",
            "closed_by",
            "closed_at",
            "reopening_note",
            "reopened_by",
            "reopened_at",
        ]
        read_only_fields = fields


class RaiseQuerySerializer(serializers.Serializer):
    return_id = serializers.IntegerField(help_text="The return the query is about.")
    question = serializers.CharField(max_length=2000)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


class CloseQuerySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReopenQuerySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="What the site should answer now.")
