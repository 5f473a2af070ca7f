"""The metric dictionary pages and its two downloads.

Who may use them: the dictionary pages are public, like the programme summary they explain
(ADR 23); the measurement guide and the blank template are for every signed-in person."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dictionary import services
from dictionary.domains import DOMAINS, OTHER, domain_of
from dictionary.reference import GUIDE_PDF
from metrics.models import MetricDefinition
from metrics.returns.template import TEMPLATE_PATH

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHO = "anyone. The measurement guide and the blank template are for everyone who is signed in."


@require_GET
def metric_list(request: HttpRequest) -> HttpResponse:
    """Anyone, signed in or not: every metric of the template with its current definition, by domain."""
    versions = services.versions_by_metric()
    groups: dict[str, dict] = {d.key: {"domain": d, "entries": []} for d in (*DOMAINS, OTHER)}
    for metric in MetricDefinition.objects.order_by("order"):
        groups[domain_of(metric).key]["entries"].append(
            {"metric": metric, "current": services.current_of(versions.get(metric.pk, []))}
        )
    return render(
        request,
        "dictionary/list.jinja",
        {"page_title": "Metric dictionary", "groups": [g for g in groups.values() if g["entries"]], "who": WHO},
    )


@require_GET
def metric_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone, signed in or not: one metric's definition in force, and every version of it."""
    metric = MetricDefinition.objects.filter(code=code).first()
    if metric is None:
        raise Http404("There is no metric with that code.")
    versions = list(metric.definition_versions.order_by("-valid_from"))
    current = services.current_of(versions)
    return render(
        request,
        "dictionary/detail.jinja",
        {
            "page_title": f"Definition: {metric.name}",
            "metric": metric,
            "domain": domain_of(metric),
            "current": current,
            "others": [v for v in versions if v is not current],
            "who": WHO,
        },
    )


def _file(path, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def measurement_guide(request: HttpRequest) -> FileResponse:
    """Everyone signed in: NHS England's measurement guide v1.2, unchanged."""
    return _file(GUIDE_PDF, GUIDE_PDF.name, "application/pdf")


@login_required
@require_GET
def blank_template(request: HttpRequest) -> FileResponse:
    """Everyone signed in, the taskforce included: the official data collection template v1.2, unchanged."""
    return _file(TEMPLATE_PATH, TEMPLATE_PATH.name, XLSX)
