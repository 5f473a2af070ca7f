"""Large rollup exports (CSV or XLSX) started from a dashboard page: a POST with the page's view as
the rollup API's filters (`metrics.rollup_selectors.RollupFilter`), which starts the existing export
job (`metrics.services.exports.request_export`) and goes to its progress page (`export-job`).

Who may use it: signed-in people with a role, as the dashboards; the job's rows are only those the
person may see (`dashboards.sharing.rollups_visible_to`, applied when the job builds the file)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dashboards import rules
from metrics.models import RollupLevel
from metrics.rollups import selectors as rollup_reads
from metrics.services import exports as rollup_export

FORMATS = {"csv": "CSV", "xlsx": "XLSX (Excel)"}


def filters_for(*, level: str = RollupLevel.NATIONAL, org: int | None = 0, **more: Any) -> dict[str, str]:
    """A page's view as export filters (empty values left out), for `export_form` in _macros.jinja."""
    return {k: str(v) for k, v in {"level": level, "org": org, **more}.items() if v not in (None, "")}


@login_required
@require_POST
def start_export(request: HttpRequest) -> HttpResponse:
    """Signed-in people with a role (`dashboards.rules.can_view_dashboards`)."""
    if not rules.can_view_dashboards(request.user):
        raise PermissionDenied("The dashboards are for the taskforce and the programme's sites.")
    fmt = request.POST.get("format", "")
    filters = rollup_reads.export_filters(request.POST)
    problem = None if fmt in FORMATS else f"`format` must be one of {', '.join(FORMATS)}; {fmt[:40]!r} is not."
    if problem is None:
        try:
            rollup_reads.filtered_rollups(request.user, filters)  # the filters' own checks, as the API makes them
        except ValidationError as bad:
            problem = "; ".join(f"`{name}`: {' '.join(errors)}" for name, errors in bad.message_dict.items())
    if problem:
        context = {
            "page_title": "That export cannot be started",
            "message": problem,
            "back": request.META.get("HTTP_REFERER", "/"),
        }
        return render(request, "dashboards/bad_choice.jinja", context, status=400)
    job = rollup_export.request_export(by=request.user, filters=filters, fmt=fmt)
    return redirect("export-job", job.pk)
