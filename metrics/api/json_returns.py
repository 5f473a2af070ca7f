"""A return filed as JSON: its lines, checked field by field, turned into the same
`ParsedValue`s an upload gives, with problems named as an upload's are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any, cast

from rest_framework import serializers

from metrics.api.serializers import FigureField, MonthSerializerField
from metrics.models import (
    ReportingPeriod,
)
from metrics.returns import rules, template
from metrics.returns.checks import ParsedValue, Problem, problem, show, unit_of
from sites.models import Site
from sites.selectors import sites_visible_to


class JsonValueSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(
        choices=[m.code for m in template.METRICS],
        help_text="A metric line; COHORT (optional, as return-values lists it) is the template's cohort row, "
        "the same cell as O1_NEW's denominator, and must agree with it.",
    )
    category = serializers.ChoiceField(choices=[c.code for c in template.CATEGORIES])
    numerator = FigureField()
    denominator = FigureField(required=False, help_text="Patients in the cohort; not for P1_CASELOAD or COHORT.")


class JsonReturnSerializer(serializers.Serializer):
    """A return as JSON. Refusals are not DRF's field errors but the importer's problems, each at
    the template cell the figure would occupy (`refusal_problems`)."""

    site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.none(),
        error_messages={
            "does_not_exist": "There is no site {pk_value} you can see: give your own site's id (GET /api/v1/sites/)."
        },
    )
    month = MonthSerializerField(help_text="The reporting month, YYYY-MM (e.g. 2026-09); 2026-09-01 is accepted too.")
    layout = serializers.ChoiceField(choices=sorted(template.LAYOUTS), default=template.CURRENT_LAYOUT.version)
    values = JsonValueSerializer(many=True)
    based_on_version = serializers.IntegerField(required=False, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[Problem] = []
        request = self.context.get("request")  # absent when the OpenAPI schema is generated
        if request is not None:
            site_field = cast(serializers.PrimaryKeyRelatedField, self.fields["site"])
            site_field.queryset = sites_visible_to(request.user)

    def validate_site(self, site: Site) -> Site:
        if not rules.can_prepare_return(self.context["request"].user, site):
            raise serializers.ValidationError("Only the site's own staff and site lead can file its return.")
        return site

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        period = ReportingPeriod.objects.filter(month=data["month"]).first()
        if period is None:
            raise serializers.ValidationError(
                {"month": f"{data['month']:%Y-%m} is not a reporting month: give a month of the reporting timetable."}
            )
        layout = template.LAYOUTS[data["layout"]]
        self.problems = _line_problems(data["values"], layout)
        if self.problems:
            raise serializers.ValidationError({"values": [p.message for p in self.problems]})
        data["period"] = period
        data["values"] = _parsed([v for v in data["values"] if v["metric"] != "COHORT"], layout)
        return data


def _line_problems(values: list[dict[str, Any]], layout: template.Layout) -> list[Problem]:
    """Every metric line for every category of the layout, once each, with its denominator; a
    COHORT row, if sent, agreeing with O1_NEW's denominator (one template cell, one figure)."""
    problems = []
    strays = sorted({v["category"] for v in values if v["category"] not in layout.categories})
    problems += [problem("", "not_in_layout", f"{category} is not a category of {layout.description}.") for category in strays]
    values = [v for v in values if v["category"] in layout.categories]
    given = Counter((v["metric"], v["category"]) for v in values)
    for (metric, category), times in sorted(given.items()):
        if times > 1:
            cell = layout.cell(category, template.METRICS_BY_CODE[metric].numerator_row)
            problems.append(problem(cell, "sent_twice", f"{metric} / {category} is sent {times} times: send it once."))
    for metric in template.METRIC_LINES:
        for category in layout.categories:
            if (metric.code, category) not in given:
                text = (
                    f"{metric.code} / {category} is missing: send every metric line for every category of {layout.description}."
                )
                problems.append(problem(layout.cell(category, metric.numerator_row), "missing_value", text))
    cohort_row = template.METRICS_BY_CODE["COHORT"].numerator_row
    denominators = {v["category"]: v.get("denominator") for v in values if v["metric"] == "O1_NEW"}
    for v in values:
        metric = template.METRICS_BY_CODE[v["metric"]]
        if metric.has_rate and "denominator" not in v:
            text = f"{v['metric']} / {v['category']} needs a denominator (patients in the cohort)."
            row = cast(int, metric.denominator_row)  # a metric with a rate has a denominator row
            problems.append(problem(layout.cell(v["category"], row), "missing_denominator", text))
        if metric.code == "COHORT" and denominators.get(v["category"], v["numerator"]) != v["numerator"]:
            text = (
                f"COHORT / {v['category']} is {v['numerator']} but O1_NEW / {v['category']}'s denominator is "
                f"{denominators[v['category']]}: both are this one cell of the template, so send the same figure "
                "(or leave the COHORT row out)."
            )
            problems.append(problem(layout.cell(v["category"], cohort_row), "cohort_mismatch", text))
    return problems


def refusal_problems(serializer: JsonReturnSerializer) -> list[Problem]:
    """An invalid JSON return's errors in the one shape every refusal of a return has: problems
    with sheet and cell (the template cell a figure would occupy, where there is one), code and
    message. Field errors of a value name its cell; other fields are named in the message."""
    if serializer.problems:
        return list(serializer.problems)
    raw = serializer.initial_data if isinstance(serializer.initial_data, Mapping) else {}
    layout_name = raw.get("layout")
    layout = template.LAYOUTS.get(layout_name if isinstance(layout_name, str) else "", template.CURRENT_LAYOUT)
    sent_values = raw.get("values")
    items: list[Any] = sent_values if isinstance(sent_values, list) else []
    found: list[Problem] = []
    for field, detail in serializer.errors.items():
        if field == "values" and not _messages(detail):
            entries = detail.items() if isinstance(detail, Mapping) else enumerate(detail)
            for index, errors in entries:
                item = items[int(index)] if int(index) < len(items) and isinstance(items[int(index)], Mapping) else {}
                if isinstance(errors, Mapping):
                    found += [_value_problem(int(index), item, name, m, layout) for name, ms in errors.items() for m in ms]
                else:
                    found += [Problem("", "", _code(m), f"values[{index}]: {m}") for m in _messages(errors) or [errors]]
            continue
        label = "" if field == "non_field_errors" else f"{field}: "
        found += [Problem("", "", _code(m), f"{label}{m}") for m in (_messages(detail) or [detail])]
    return found


def _messages(detail: Any) -> list[Any]:
    """The messages of a field's errors, or [] when the errors are per item or per field."""
    if isinstance(detail, list) and all(isinstance(m, str) for m in detail):
        return detail
    return []


def _code(message: Any) -> str:
    return getattr(message, "code", None) or "invalid"


def _value_problem(index: int, item: Mapping[str, Any], name: str, message: Any, layout: template.Layout) -> Problem:
    metric_code = item.get("metric")
    metric = template.METRICS_BY_CODE.get(metric_code) if isinstance(metric_code, str) else None
    category = item.get("category") if isinstance(item.get("category"), str) else None
    row = None
    if metric is not None and name in ("numerator", "denominator"):
        row = metric.numerator_row if name == "numerator" else metric.denominator_row
    if metric is None or row is None or category not in layout.categories:
        return Problem("", "", _code(message), f"values[{index}].{name}: {message}")
    cell, unit, raw = layout.cell(category, row), unit_of(metric.code, name), item.get(name)
    code = _code(message)
    if code in ("required", "null", "blank"):
        return problem(
            cell, "blank_cell", f"no figure was sent. Enter a count of {unit} (0 if there were none), or * if it is fewer than 6."
        )
    if code == "decimal":
        return problem(
            cell, "not_a_count", f'"{show(raw)}" is not a whole number. Enter a count of {unit}, or * if it is fewer than 6.'
        )
    return problem(cell, "not_a_count", f'"{show(raw)}" is not a count. Enter a count of {unit}, or * if it is fewer than 6.')


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
