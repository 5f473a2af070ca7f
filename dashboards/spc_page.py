"""The SPC page (ADR 22): its table and chart as Making Data Count draws them, and the taskforce's
change points, recorded (with a reason) and removed there, each audited."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from dashboards import controls, presenters, rules, sharing, spc
from dashboards.models import SpcChangePoint
from dashboards.tables import Table, as_text, present
from metrics.models import RollupLevel
from nhsportal import audit
from nhsportal.http import AuthenticatedHttpRequest

ASSURANCE_SHORT = {
    "consistently_passing": "consistently hit",
    "consistently_failing": "consistently fail",
    "hit_or_miss": "pass or fail inconsistently",
}
CHANGE_POINT_STATUS = {
    "applied": "The limits are recalculated from this month.",
    "outside": "Not applied: this month is not on the chart (no settled figures for it yet).",
    "too_short": "Not applied: it would leave a stretch without two months in a row.",
}


class ChangePointForm(forms.Form):
    month = forms.ChoiceField(label="The first month of the new stretch", help_text="The limits are worked out afresh from it.")
    reason = forms.CharField(
        label="Why the process changed then",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="For example, a new triage pathway began. Everyone who can see this chart reads it.",
        error_messages={"required": "Say why the process changed in that month."},
    )

    def __init__(self, *args: Any, months: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["month"]).choices = [(p.month.isoformat(), str(p)) for p in months]
        self.fields["month"].error_messages["invalid_choice"] = (
            "Choose a month of the chart, after its first and before its last."
        )


def category_text(category: str | None) -> str:
    if category is None:
        return "no point (a gap)"
    return f"{spc.CATEGORY_TEXT[category]} ({spc.MARKER_TEXT[spc.MARKERS[category]]})"


def spc_table(chart: dict[str, Any]) -> Table:
    """Month by month, as the chart draws it: the value, its stretch's mean and limits, the target,
    what the point means (its colour and marker in words), the rules it broke and the site's events."""
    result = chart["spc"]
    table = Table(
        "spc",
        f"{chart['metric'].name}, {chart['name']}: month by month against the process limits",
        ["Month", "Value", "Mean", "Lower limit", "Upper limit", "Target", "Variation", "Special cause rules", "Events",
         "Provisional"],
    )  # fmt: skip
    for point in chart["points"]:
        rules_text = ", ".join(presenters.RULE_TEXT[r] for r in point["rules"]) or "none"
        events = "; ".join(e["text"] for e in point["events"])
        if point["change_point"]:
            events = "; ".join(filter(None, ["Change point: limits recalculated from here", events]))
        table.add(
            point["label"],
            point["value"],
            point["mean"],
            point["lower_limit"],
            point["upper_limit"],
            point["target"],
            category_text(point["category"]) if point["value"] is not None else "no figure (a gap)",
            rules_text,
            events,
            "yes" if point["provisional"] else "no",
        )
    if result:
        table.chart = chart_data(chart)
        counts = {c: sum(p["category"] == c for p in chart["points"]) for c in ("improvement", "concern", "neither")}
        said = ", ".join(f"{n} {spc.CATEGORY_TEXT[c].split(': ', 1)[-1].split(' (')[0]}" for c, n in counts.items() if n)
        stretches = len(chart["segments"])
        table.summary = (
            f"XmR chart over {sum(p['value'] is not None for p in chart['points'])} months"
            + (f" in {stretches} stretches (limits recalculated at each change point)" if stretches > 1 else "")
            + f": latest mean {as_text(result.mean)}, limits {as_text(result.lower_limit)} to {as_text(result.upper_limit)}; "
            + (f"special cause months: {said}." if said else "no month flagged as special cause.")
            + (f" Target {as_text(chart['target'].value)}." if chart["target"] else "")
        )
    else:
        table.summary = "Fewer than two months in a row have figures: no chart yet."
    return table


def chart_data(chart: dict[str, Any]) -> dict[str, Any]:
    """What static/js/dashboards.mjs draws: each point's colour and marker by its category, the
    mean and limits of its stretch (a step at each change point), the target, events."""
    points = chart["points"]
    labels = [p["label"] + (" (provisional)" if p["provisional"] else "") for p in points]
    return {
        "type": "spc",
        "labels": labels,
        "values": [present(p["value"]) for p in points],
        "categories": [p["category"] for p in points],
        "colours": [p["colour"] for p in points],
        "markers": [spc.MARKERS.get(p["category"] or "", "circle") for p in points],
        "mean": [present(p["mean"]) for p in points],
        "lower": [present(p["lower_limit"]) for p in points],
        "upper": [present(p["upper_limit"]) for p in points],
        "target": [present(p["target"]) for p in points],
        "change_points": [label for label, p in zip(labels, points, strict=True) if p["change_point"]],
        "events": [label for label, p in zip(labels, points, strict=True) if p["events"]],
        "palette": spc.COLOURS,
        "legend": {c: spc.CATEGORY_TEXT[c] for c in spc.CATEGORY_TEXT},
        "y_title": "Rate per 1,000" if chart["metric"].has_rate else "Patients",
    }


def legend() -> list[dict[str, str]]:
    return [
        {"category": c, "colour": spc.COLOURS[c], "marker": spc.MARKER_TEXT[spc.MARKERS[c]], "text": text}
        for c, text in spc.CATEGORY_TEXT.items()
    ]


def context(request: HttpRequest, metric_code: str, *, form: ChangePointForm | None = None) -> dict[str, Any]:
    """Everything spc.jinja shows, for the SPC view in `dashboards.views`."""
    level, org = controls.level_org(request.GET, request.user)
    data = spc.spc_chart(request.user, metric_code, level=level, org_id=org)
    data["selects"] = controls.area_selects(request.user, level, org)
    result = data["spc"]
    data["table"] = spc_table(data)
    data["variation_icon"] = presenters.variation_icon(result.variation, result.variation_side) if result else None
    data["assurance_icon"] = presenters.assurance_icon(result.assurance) if result else None
    data["assurance_short"] = ASSURANCE_SHORT.get(result.assurance) if result else None
    data["limits_shown"] = {k: present(getattr(result, k)) for k in ("mean", "lower_limit", "upper_limit")} if result else None
    data["legend"] = legend()
    data["colours"] = spc.COLOURS
    data["may_record"] = rules.can_record_change_point(request.user)
    data["status_text"] = CHANGE_POINT_STATUS
    if data["may_record"]:
        data["form"] = form or ChangePointForm(months=data["chartable_months"])
        data["form_has_errors"] = bool(form and form.errors)
    return data


def _back(metric_code: str, level: str, org_id: int) -> str:
    url = reverse("dashboard-spc", args=[metric_code])
    return url if level == RollupLevel.NATIONAL else f"{url}?level={level}&org={org_id}"


@login_required
@require_POST
def record_change_point(request: AuthenticatedHttpRequest, metric_code: str) -> HttpResponse:
    """The taskforce (members and chair) and administrators, on a chart they may open (404 otherwise)."""
    if not rules.can_record_change_point(request.user):
        raise PermissionDenied("Only the taskforce records change points on SPC charts.")
    from dashboards.views import spc_page_response

    data = context(request, metric_code)
    form = ChangePointForm(request.POST, months=data["chartable_months"])
    if not form.is_valid():
        return spc_page_response(request, metric_code, form=form)
    level, org_id = data["level"], data["org_id"]
    month = datetime.date.fromisoformat(form.cleaned_data["month"])
    try:
        with transaction.atomic():
            change = SpcChangePoint.objects.create(
                metric=data["metric"], level=level, org_id=org_id, month=month, reason=form.cleaned_data["reason"],
                created_by=request.user,
            )  # fmt: skip
            audit.record(actor=request.user, action="dashboards.spc_change_point_recorded", obj=change,
                         to_state=month.isoformat(), reason=change.reason)  # fmt: skip
    except IntegrityError:
        form.add_error("month", "A change point is already recorded from that month.")
        return spc_page_response(request, metric_code, form=form)
    messages.success(request, f"Change point recorded from {change.month:%B %Y}: the limits are recalculated from it.")
    return redirect(_back(metric_code, level, org_id))


@login_required
@require_POST
def remove_change_point(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce (members and chair) and administrators."""
    if not rules.can_record_change_point(request.user):
        raise PermissionDenied("Only the taskforce removes change points on SPC charts.")
    change = get_object_or_404(SpcChangePoint.objects.select_related("metric"), pk=pk)
    if not sharing.may_open_org(request.user, change.level, change.org_id):
        raise Http404("No such change point.")
    back = _back(change.metric.code, change.level, change.org_id)
    with transaction.atomic():
        audit.record(actor=request.user, action="dashboards.spc_change_point_removed", obj=change,
                     from_state=change.month.isoformat(), reason=change.reason)  # fmt: skip
        change.delete()
    messages.success(request, f"Change point from {change.month:%B %Y} removed.")
    return redirect(back)
