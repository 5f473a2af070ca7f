"""Dashboard pages. Each states who may use it; what it shows is scoped by `dashboards.sharing`.
`?format=csv` downloads the same figures as the page's tables."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from dashboards import as_at, charts, controls, exports, figures, funnel_limits, presenters, rules, selectors, services, sharing
from dashboards.forms import SharingForm
from dashboards.tables import Table, csv_response, present
from metrics.models import RollupLevel

WHO = {
    "signed_in": "The taskforce, the chair and administrators see every site. Site staff, site leads and programme "
    "leads see their own site, England, the regions and their ICB, and other sites only as the taskforce shares them.",
}


def _require_dashboards(request: HttpRequest) -> None:
    if not rules.can_view_dashboards(request.user):
        raise PermissionDenied("The dashboards are for the taskforce and the programme's sites.")


def _page(request: HttpRequest, template: str, tables: list[Table], filename: str, context: dict[str, Any]) -> HttpResponse:
    if request.GET.get("format") == "csv":
        return csv_response(tables, filename)
    others = sharing.other_sites_shown(request.user)
    if "as_at" not in context:
        context["as_at"] = as_at.of_coverage(context.get("headline"))
    return render(
        request,
        template,
        {
            "nav": "dashboards",
            "tables": tables,
            "who": WHO["signed_in"],
            "others_shown": others,
            "csv_url": csv_url(request),
            **context,
        },
    )


def csv_url(request: HttpRequest) -> str:
    params = request.GET.copy()
    params["format"] = "csv"
    return f"{request.path}?{params.urlencode()}"


def category_text(category: Any) -> str:
    """A caption's category: "total", or the category by its dimension ("Age band: 80+")."""
    return "total" if category.code == "total" else str(category)


def _month_and_category(data: dict[str, Any]) -> list[controls.Select]:
    if not data["latest_period"]:
        return []
    return [
        controls.month_select(data["coverage"], data["latest_period"]),
        controls.category_select(data["catalogue"], data["category"]),
    ]


@login_required
@require_GET
@controls.answers_bad_choices
def overview(request: HttpRequest) -> HttpResponse:
    """Signed-in people with a role (see `dashboards.rules.can_view_dashboards`). `?month=` and
    `?category=` choose the view (`dashboards.controls`)."""
    _require_dashboards(request)
    level, org_id = controls.level_org(request.GET, request.user)
    if level != RollupLevel.NATIONAL:  # a region, ICB or site chosen here: its own page, with the same month and category
        rest = request.GET.copy()
        for name in ("level", "org"):
            rest.pop(name, None)
        return redirect(reverse("dashboard-org", args=[level, org_id]) + (f"?{rest.urlencode()}" if rest else ""))
    data = selectors.national_overview(request.user, month=request.GET.get("month", ""), category=request.GET.get("category", ""))
    caption = (
        f"England, {data['latest_period']}: every metric ({category_text(data['category'])})"
        if data["latest_period"]
        else "England"
    )
    table = presenters.metric_table("overview", caption, data["metrics"], with_funnel=True)
    return _page(
        request,
        "dashboards/overview.jinja",
        [table],
        "england-overview",
        {
            "page_title": "Dashboards",
            "selects": controls.area_selects(request.user, level, org_id) + _month_and_category(data),
            **data,
            "export_filters": exports.filters_for(category=data["category"].code),
        },  # fmt: skip
    )


@login_required
@require_GET
@controls.answers_bad_choices
def org_overview(request: HttpRequest, level: str, org_id: int) -> HttpResponse:
    """Signed-in people with a role; other sites' and ICBs' pages only when the taskforce shares
    other sites by name (a 404 otherwise). `?month=` and `?category=` as on the overview."""
    _require_dashboards(request)
    data = selectors.org_overview(
        request.user, level, org_id, month=request.GET.get("month", ""), category=request.GET.get("category", "")
    )
    data["selects"] = _month_and_category(data)
    data["export_filters"] = exports.filters_for(level=level, org=org_id, category=data["category"].code)
    caption = (
        f"{data['name']}, {data['latest_period']}: every metric ({category_text(data['category'])})"
        if data["latest_period"]
        else data["name"]
    )
    table = presenters.metric_table("org", caption, data["metrics"])
    return _page(
        request,
        "dashboards/org.jinja",
        [table],
        f"{level}-{org_id}-overview",
        {"page_title": f"{data['name']}: dashboards", **data},
    )


@login_required
@require_GET
@controls.answers_bad_choices
def engagement(request: HttpRequest) -> HttpResponse:
    """Signed-in people with a role; other sites' rows only as the taskforce shares them.
    `?month=` chooses the month of the sites' table (default the latest settled one)."""
    _require_dashboards(request)
    data = charts.engagement(request.user, month=request.GET.get("month", ""))
    tables = presenters.engagement_tables(data)
    selects = [controls.month_select(data["coverage"], data["latest_period"])] if data["latest_period"] else []
    data["export_filters"] = exports.filters_for(level=RollupLevel.SITE, org=None, category="total")
    return _page(
        request, "dashboards/engagement.jinja", tables, "engagement", {"page_title": "Engagement", "selects": selects, **data}
    )


@login_required
@require_GET
@controls.answers_bad_choices
def demographics(request: HttpRequest) -> HttpResponse:
    """Signed-in people with a role: England's and the regions' cohort for anyone of them, an
    ICB's or a site's only where they may open that organisation (`?level=&org=`; a 404 otherwise)."""
    _require_dashboards(request)
    level, org_id = controls.level_org(request.GET, request.user)
    data = charts.demographics(request.user, level=level, org_id=org_id)
    name = figures.org_name(level, org_id)
    tables = presenters.demographic_tables(data, name)
    selects = controls.area_selects(request.user, level, org_id)
    data["export_filters"] = exports.filters_for(level=level, org=org_id, metric="COHORT")
    return _page(
        request,
        "dashboards/demographics.jinja",
        tables,
        "demographics" if level == RollupLevel.NATIONAL else f"demographics-{level}-{org_id}",
        {
            "page_title": "Demographics of the cohort",
            "selects": selects,
            "place": name,
            "level": level,
            **data,
            "as_at": demographics_as_at(data),
        },  # fmt: skip
    )


@login_required
@require_GET
@controls.answers_bad_choices
def funnel(request: HttpRequest, metric_code: str) -> HttpResponse:
    """Signed-in people with a role; their own site highlighted, other sites named, unnamed or left
    out as the taskforce shares them. `?limits=poisson|shmi|cqc`, `?trim=winsorise|truncate` and
    `?label=own|outliers` choose the limits and the labels (a 400 for anything else)."""
    _require_dashboards(request)
    choices = funnel_limits.read(request.GET)
    data = charts.funnel_chart(
        request.user,
        metric_code,
        month=request.GET.get("month", ""),
        category=request.GET.get("category", ""),
        choices=choices,
    )
    tables = [presenters.funnel_table(data)] if data["period"] else []
    data["target_shown"] = present(data["data"]["target"]) if data["data"] else None
    data["selects"] = controls.funnel_selects(data, request.GET) if data["period"] else []
    data["export_filters"] = exports.filters_for(
        level=RollupLevel.SITE, org=None, metric=metric_code, category=data["category"].code
    )
    return _page(
        request,
        "dashboards/funnel.jinja",
        tables,
        f"funnel-{metric_code}-{data['period'].slug if data['period'] else 'none'}",
        {"page_title": f"Funnel plot: {data['metric'].name}", **data},
    )


@login_required
@require_GET
@controls.answers_bad_choices
def spc(request: HttpRequest, metric_code: str) -> HttpResponse:
    """Signed-in people with a role; a region's chart for anyone of them, an ICB's or a site's only
    where they may open that organisation (a 404 otherwise). The taskforce records change points here."""
    return spc_page_response(request, metric_code)


def spc_page_response(request: HttpRequest, metric_code: str, *, form: Any = None) -> HttpResponse:
    from dashboards import spc_page

    _require_dashboards(request)
    data = spc_page.context(request, metric_code, form=form)
    data["export_filters"] = exports.filters_for(level=data["level"], org=data["org_id"], metric=metric_code, category="total")
    return _page(
        request,
        "dashboards/spc.jinja",
        [data["table"]],
        f"spc-{metric_code}-{data['level']}-{data['org_id']}",
        {"page_title": f"SPC chart: {data['metric'].name}, {data['name']}", **data},
    )


@require_GET
@controls.answers_bad_choices
def public_summary(request: HttpRequest) -> HttpResponse:
    """Anyone, signed in or not: England and the regions only, counts below 6 shown as `*`;
    final months only (`?month=` one of them)."""
    data = selectors.public_summary(month=request.GET.get("month", ""))
    period = data["latest_period"]
    table = Table(
        "summary",
        f"England and its regions, {period}: every metric (total)" if period else "England and its regions",
        ["Metric", "Area", "Value", "Numerator", "Denominator", "Sites reporting"],
    )
    for entry in data["metrics"]:
        for cell in entry["cells"]:
            table.add(
                entry["metric"].name, cell["org"], cell["value"], cell["numerator"], cell["denominator"], cell["units_reporting"]
            )
    if request.GET.get("format") == "csv":
        return csv_response([table], "programme-summary")
    return render(
        request,
        "dashboards/public_summary.jinja",
        {
            "page_title": "Programme summary",
            "table": table,
            "csv_url": csv_url(request),
            "selects": public_selects(data),
            "as_at": public_as_at(data),
            **data,
        },  # fmt: skip
    )


def demographics_as_at(data: dict[str, Any]) -> as_at.AsAt:
    """The latest month's cohort: the sites behind it, of those due."""
    latest = data["months"][-1] if data["months"] else None
    if latest is None:
        return as_at.as_at(None, None, None)
    return as_at.as_at(latest["period"], latest["sites"], latest["expected"])


def public_as_at(data: dict[str, Any]) -> as_at.AsAt:
    """England's sites behind the month shown (the rows' own coverage)."""
    england = next((c for entry in data["metrics"][:1] for c in entry["cells"] if c["level"] == RollupLevel.NATIONAL), None)
    if england is None or england["units_reporting"] == "":
        return as_at.as_at(None, None, None)
    return as_at.as_at(data["latest_period"], england["units_reporting"], england.get("units_expected"))


def public_selects(data: dict[str, Any]) -> list[controls.Select]:
    """The public summary's month: the final months only, newest first."""
    if not data["latest_period"]:
        return []
    options = [(p.slug, str(p)) for p in reversed(data["final"])]
    return [controls.Select("month", "Month (final figures)", options, data["latest_period"].slug)]


@login_required
@require_http_methods(["GET", "POST"])
def sharing_setting(request: HttpRequest) -> HttpResponse:
    """The taskforce (members and chair) and administrators."""
    if not rules.can_change_sharing(request.user):
        raise PermissionDenied("Only the taskforce chooses what sites see of each other.")
    form = SharingForm(request.POST or None, initial={"sharing": sharing.current_sharing()})
    if request.method == "POST" and form.is_valid():
        services.change_sharing(sharing=form.cleaned_data["sharing"], by=request.user)
        messages.success(request, "What sites see of each other has been changed.")
        return redirect("dashboard-sharing")
    return render(
        request,
        "dashboards/sharing.jinja",
        {"page_title": "What sites see of each other", "nav": "dashboards", "form": form, "form_has_errors": bool(form.errors)},
    )
