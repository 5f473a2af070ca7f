"""Dashboard data as JSON: the overview of England or an organisation, a funnel plot, an SPC chart.
Scoped exactly like the pages (`dashboards.sharing`); who may call each is in its docstring."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from dashboards import charts, controls, funnel_limits, rules, selectors, spc
from dashboards.serializers import FunnelSerializer, OverviewSerializer, SpcSerializer
from metrics.models import RollupLevel


class CanViewDashboards(permissions.BasePermission):
    message = "The dashboards are for the taskforce and the programme's sites."

    def has_permission(self, request: Request, view: Any) -> bool:
        return rules.can_view_dashboards(request.user)


SUMMARY_FIELDS = [
    "code", "name", "unit", "latest", "previous", "difference", "sites_compared", "latest_same_sites",
    "previous_published", "average", "national", "variation", "variation_side", "provisional", "units_reporting",
    "units_expected", "outside_95", "in_funnel",
]  # fmt: skip


class DashboardViewSet(viewsets.ViewSet):
    """Signed-in people with a role: the taskforce sees every site; site staff, site leads and
    programme leads their own, England, the regions and their ICB, and other sites as shared."""

    permission_classes = [permissions.IsAuthenticated, CanViewDashboards]

    @extend_schema(
        summary="Every metric (total) for England or one organisation",
        parameters=[
            OpenApiParameter(
                "level", OpenApiTypes.STR, enum=["national", "region", "icb", "site"], description="Default national."
            ),
            OpenApiParameter("org", OpenApiTypes.INT, description="The region, ICB or site id (not for national)."),
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                description="YYYY-MM (or the month's first day, 2026-09-01); default the latest settled month (final, or every site due has reported).",
            ),
            OpenApiParameter("category", OpenApiTypes.STR, description="Breakdown category code; default total."),
        ],
        responses=OverviewSerializer,
    )
    @action(detail=False, methods=["get"], url_path="overview", url_name="overview")
    def overview(self, request: Request) -> Response:
        level, org_id = controls.level_org(request.query_params, request.user)
        month, category = request.query_params.get("month", ""), request.query_params.get("category", "")
        if level == RollupLevel.NATIONAL:
            data = selectors.national_overview(request.user, month=month, category=category)
            name = "England"
        else:
            data = selectors.org_overview(request.user, level, org_id, month=month, category=category)
            name = data["name"]
        period, previous, headline = data["latest_period"], data["previous_period"], data.get("headline")
        metrics = [{field: s.get(field) for field in SUMMARY_FIELDS} for s in data["metrics"]]
        body = {
            "level": level,
            "org_id": org_id,
            "name": name,
            "category": data["category"].code,
            "month": period.month if period else None,
            "previous_month": previous.month if previous else None,
            "provisional": bool(headline and headline.provisional),
            "final_submission_due": period.final_submission_due if period else None,
            "sites_reporting": headline.reporting if headline else None,
            "sites_expected": headline.expected if headline else None,
            "metrics": metrics,
        }
        return Response(OverviewSerializer(body).data)

    @extend_schema(
        summary="A funnel plot of one rate: England's pooled rate, exact Poisson limits, each site classified",
        parameters=[
            OpenApiParameter("metric_code", OpenApiTypes.STR, OpenApiParameter.PATH, description="A rate metric, e.g. O1_NEW."),
            OpenApiParameter(
                "month",
                OpenApiTypes.STR,
                description="YYYY-MM (or the month's first day, 2026-09-01); default the latest month with figures.",
            ),
            OpenApiParameter("category", OpenApiTypes.STR, description="Breakdown category code; default total."),
            OpenApiParameter(
                "limits",
                OpenApiTypes.STR,
                enum=list(funnel_limits.LIMITS),
                description="poisson (default): exact Poisson 95% and 99% limits. shmi or cqc: limits at 95% and 99.8% "
                "adjusted for overdispersion (FunnelPlotR's SHMI and CQC methods, ADR 21); `band` and `side` follow them.",
            ),
            OpenApiParameter(
                "trim",
                OpenApiTypes.STR,
                enum=["winsorise", "truncate"],
                description="How extreme z-scores are tamed before φ is estimated: default truncate for shmi, winsorise for cqc.",
            ),
        ],
        responses=FunnelSerializer,
    )
    @action(detail=False, methods=["get"], url_path=r"funnel/(?P<metric_code>[A-Za-z0-9_]+)", url_name="funnel")
    def funnel(self, request: Request, metric_code: str) -> Response:
        choices = funnel_limits.read(request.query_params)
        data = charts.funnel_chart(
            request.user,
            metric_code,
            month=request.query_params.get("month", ""),
            category=request.query_params.get("category", ""),
            choices=choices,
        )
        funnel, shown = data["data"], data["shown"]
        units = [
            {**{k: u[k] for k in ("name", "own", "numerator", "denominator", "rate", "limits", "band", "side")},
             "site_id": u["site_id"] if u["named"] else None,
             "classification": "inside" if u["side"] is None else u["side"],
             "adjusted_limits": (
                 {k: u["shown"]["limits"][k] for k in ("lower95", "upper95", "lower998", "upper998")}
                 if shown["method"] != "poisson" else None
             )}
            for u in data["units"]
        ]  # fmt: skip
        body = {
            "metric": data["metric"].code,
            "category": data["category"].code,
            "month": data["period"].month if data["period"] else None,
            "target": funnel["target"] if funnel else None,
            "sites_in_funnel": data.get("sites_in_funnel", 0),
            "hidden": data.get("hidden", 0),
            "limits": shown["method"],
            "limits_asked": choices["limits"],
            "trim": shown["trim"],
            "trim_proportion": shown["proportion"],
            "outer_level": shown["outer"],
            "phi": shown["phi"],
            "tau2": shown["tau2"],
            "overdispersed": shown["overdispersed"],
            "units_in_estimate": shown["units_in_estimate"],
            "limits_text": shown["text"],
            "units": units,
        }
        return Response(FunnelSerializer(body).data)

    @extend_schema(
        summary="An XmR chart of one metric (total) for England, a region, an ICB or a site",
        parameters=[
            OpenApiParameter("metric_code", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. O1_NEW or COHORT."),
            OpenApiParameter(
                "level", OpenApiTypes.STR, enum=["national", "region", "icb", "site"], description="Default national."
            ),
            OpenApiParameter("org", OpenApiTypes.INT, description="The region, ICB or site id (not for national)."),
        ],
        responses=SpcSerializer,
    )
    @action(detail=False, methods=["get"], url_path=r"spc/(?P<metric_code>[A-Za-z0-9_]+)", url_name="spc")
    def spc(self, request: Request, metric_code: str) -> Response:
        level, org_id = controls.level_org(request.query_params, request.user)
        data = charts.spc_chart(request.user, metric_code, level=level, org_id=org_id)
        return Response(SpcSerializer(spc_body(data)).data)


def spc_body(data: dict[str, Any]) -> dict[str, Any]:
    """An SPC chart (`dashboards.spc.spc_chart`) as the API returns it."""
    result, target = data["spc"], data["target"]
    point_fields = ("value", "provisional", "variation", "category", "colour", "mean", "lower_limit", "upper_limit",
                    "target", "change_point", "events")  # fmt: skip
    return {
        "metric": data["metric"].code,
        "level": data["level"],
        "org_id": data["org_id"],
        "name": data["name"],
        "improvement": data["metric"].direction,
        "mean": result.mean if result else None,
        "lower_limit": result.lower_limit if result else None,
        "upper_limit": result.upper_limit if result else None,
        "reliable": result.reliable if result else None,
        "variation": result.variation if result else None,
        "assurance": result.assurance if result else None,
        "target": target,
        "colours": spc.COLOURS,
        "segments": data["segments"],
        "change_points": [
            {"month": c["month"], "reason": c["object"].reason, "status": c["status"]} for c in data["change_points"]
        ],
        "annotations": data["annotations"],
        "points": [
            {"month": p["period"].month, "rules": list(p["rules"]), **{k: p[k] for k in point_fields}} for p in data["points"]
        ],
    }


def register(router: BaseRouter) -> None:
    # /api/v1/dashboards/overview/, …/funnel/<metric>/, …/spc/<metric>/ named api:dashboard-overview, -funnel, -spc
    router.register("dashboards", DashboardViewSet, basename="dashboard")
