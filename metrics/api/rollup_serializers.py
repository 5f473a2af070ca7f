"""Shapes of the rollups, coverage and export-job endpoints."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from metrics.models import ExportJob, Rollup, RollupLevel


class RollupSerializer(serializers.ModelSerializer):
    """One metric and category at one level for one month: the sums, the rate made from them,
    and how many units reported, were expected and were suppressed."""

    month = serializers.SerializerMethodField()
    org_id = serializers.SerializerMethodField(
        help_text="Site, ICB, region or wave id; 0 for England; null for a site not named to you."
    )
    organisation = serializers.SerializerMethodField()
    metric = serializers.CharField(source="metric.code")
    category = serializers.CharField(source="category.code")
    rate = serializers.DecimalField(
        max_digits=20, decimal_places=6, allow_null=True, read_only=True, help_text="Per 1,000: Σ numerator / Σ denominator."
    )

    class Meta:
        model = Rollup
        fields = [
            "month",
            "level",
            "org_id",
            "organisation",
            "metric",
            "category",
            "sum_numerator",
            "sum_denominator",
            "rate",
            "units_reporting",
            "units_expected",
            "units_suppressed",
            "provisional",
        ]

    def get_month(self, row: Rollup) -> str:
        return row.period.month.strftime("%Y-%m")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_org_id(self, row: Rollup) -> int | None:
        return self.context["names"].org_id(row.level, row.org_id)

    def get_organisation(self, row: Rollup) -> str:
        return self.context["names"].name(row.level, row.org_id)


class CoverageSiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    region = serializers.CharField()
    icb = serializers.CharField()
    wave = serializers.IntegerField()


class CoverageCellSerializer(serializers.Serializer):
    month = serializers.CharField()
    state = serializers.ChoiceField(choices=["on_time", "late", "missing", "not_yet_due", "not_expected"])
    return_status = serializers.CharField(allow_null=True)


class CoverageRowSerializer(serializers.Serializer):
    site = CoverageSiteSerializer()
    cells = CoverageCellSerializer(many=True)


class CoverageMonthSerializer(serializers.Serializer):
    month = serializers.CharField()
    expected = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    missing = serializers.IntegerField()
    completeness = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="% of expected returns signed off."
    )
    timeliness = serializers.DecimalField(
        max_digits=5, decimal_places=1, allow_null=True, help_text="% of expected returns signed off by the initial deadline."
    )


class CoverageSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.CharField())
    summary = CoverageMonthSerializer(many=True)
    rows = CoverageRowSerializer(many=True)

    @staticmethod
    def from_selector(data: dict[str, Any]) -> dict[str, Any]:
        """`metrics.returns.coverage.coverage` as this serializer's output, built directly: the grid has up
        to 24,000 cells, too many to pass field by field through the serializers above. The
        selector shares one cell object among every cell in the same state; so does this, per month
        (a few dozen objects, rendered to the same JSON as one per cell)."""
        months = [p.month.strftime("%Y-%m") for p in data["periods"]]
        shown: list[dict[Any, dict[str, Any]]] = [{} for _ in months]
        rows = []
        for row in data["rows"]:
            site = row["site"]
            rows.append(
                {
                    "site": {
                        "id": site.pk,
                        "name": site.name,
                        "region": site.place.icb.region.name,
                        "icb": site.place.icb.short_name or site.place.icb.name,
                        "wave": site.wave.number,
                    },
                    "cells": [
                        month_cells.get(cell) or month_cells.setdefault(cell, _coverage_cell(month, cell))
                        for month, month_cells, cell in zip(months, shown, row["cells"], strict=True)
                    ],
                }
            )
        summary = [
            {**{k: v for k, v in s.items() if k != "period"}, "month": s["period"].month.strftime("%Y-%m")}
            for s in data["summary"]
        ]
        return {"months": months, "summary": CoverageMonthSerializer(summary, many=True).data, "rows": rows}


def _coverage_cell(month: str, cell: Any) -> dict[str, Any]:
    return {"month": month, "state": cell.state, "return_status": cell.return_record.status if cell.return_record else None}


class CoverageQuerySerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=60, default=12, help_text="How many months back (1–60).")


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "xlsx"], default="csv", help_text="csv or xlsx.")


class ExportJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "url",
            "page",
            "format",
            "filters",
            "status",
            "rows_done",
            "rows_total",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "download",
        ]

    def get_url(self, job: ExportJob) -> str:
        return reverse("api:export-job-detail", args=[job.pk])

    def get_page(self, job: ExportJob) -> str:
        return reverse("export-job", args=[job.pk])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download(self, job: ExportJob) -> str | None:
        return reverse("api:export-job-download", args=[job.pk]) if job.status == "ready" and job.file else None


LEVELS = [choice for choice, _ in RollupLevel.choices]
