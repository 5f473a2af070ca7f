"""The bulletins pages. Every view requires sign-in; who may use each is in `bulletins.rules`:
the taskforce reads all and builds; a site's people read their own site's part; anyone else is
refused (403). A month or version that does not exist, or is not issued, is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bulletins import rules, services, workbook
from bulletins.models import Bulletin, BulletinStatus
from bulletins.tables import day_label, display, tables
from metrics.models import ReportingPeriod

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_YOURS = "The bulletins are for the national taskforce and each site's own staff and site lead."


def _readable(request: HttpRequest) -> None:
    if not rules.can_read_bulletins(request.user):
        raise PermissionDenied(NOT_YOURS)


def _buildable_months() -> list[ReportingPeriod]:
    """Months that have ended: a bulletin can be built for them (before the final deadline it is
    provisional, and says so)."""
    return list(ReportingPeriod.objects.filter(period_end__lt=timezone.localdate()).order_by("-month"))


@login_required
@require_GET
def bulletin_list(request: HttpRequest) -> HttpResponse:
    """The taskforce, and each site's staff and site lead."""
    _readable(request)
    found = list(Bulletin.objects.select_related("period").order_by("-period__month", "-version"))
    months: dict[int, dict] = {}
    for b in found:
        entry = months.setdefault(b.period_id, {"period": b.period, "latest": None, "earlier": [], "building": None})
        if b.status == BulletinStatus.BUILDING:
            entry["building"] = b
        elif b.is_issued:
            if entry["latest"] is None:
                entry["latest"] = b
            else:
                entry["earlier"].append(b)
    return render(request, "bulletins/list.jinja", {
        "page_title": "Monthly bulletins", "nav": "dashboards", "months": list(months.values()),
        "can_build": rules.can_request_bulletin(request.user), "buildable": _buildable_months(),
        "own_part_only": not rules.reads_everything(request.user),
    })  # fmt: skip


@login_required
@require_POST
def bulletin_build(request: HttpRequest) -> HttpResponse:
    """The taskforce: build (or re-issue) a month's bulletin now. Idempotent while one is building."""
    if not rules.can_request_bulletin(request.user):
        raise PermissionDenied("Only the national taskforce can build a bulletin.")
    slug = request.POST.get("month", "")
    period = next((p for p in _buildable_months() if p.slug == slug), None)
    if period is None:
        messages.error(request, "Choose a month that has ended to build its bulletin.")
        return redirect("bulletin-list")
    bulletin, created = services.request(period, by=request.user)
    if created:
        messages.success(request, f"The bulletin for {period} (version {bulletin.version}) is being built. "
                                  "The taskforce is e-mailed a link when it is ready.")  # fmt: skip
    else:
        messages.info(request, f"The bulletin for {period} is already being built (version {bulletin.version}).")
    return redirect("bulletin-list")


def _bulletin(slug: str, version: int | None) -> Bulletin:
    issued = Bulletin.objects.select_related("period").filter(period__month__isnull=False, status=BulletinStatus.ISSUED)
    try:
        year, month = (int(part) for part in slug.split("-"))
    except ValueError:
        raise Http404("No such month.") from None
    issued = issued.filter(period__month__year=year, period__month__month=month)
    found = issued.filter(version=version).first() if version is not None else issued.order_by("-version").first()
    if found is None:
        raise Http404("No bulletin has been issued for that month yet.")
    return found


@login_required
@require_GET
def bulletin_detail(request: HttpRequest, month: str, version: int | None = None) -> HttpResponse:
    """The taskforce (everything), and a site's staff and site lead (their own site's part)."""
    _readable(request)
    bulletin = _bulletin(month, version)
    scope = rules.site_scope(request.user)
    versions = list(Bulletin.objects.filter(period=bulletin.period, status=BulletinStatus.ISSUED).order_by("-version"))
    contents = bulletin.contents
    return render(request, "bulletins/detail.jinja", {
        "page_title": f"Bulletin for {bulletin.period}", "nav": "dashboards", "bulletin": bulletin,
        "contents": contents, "headline": contents["headline"], "tables": tables(contents, scope), "display": display,
        "day_label": day_label, "versions": versions, "latest": versions[0] if versions else bulletin,
        "own_part_only": scope is not None, "back_link": {"href": reverse("bulletin-list"), "text": "All bulletins"},
    })  # fmt: skip


@login_required
@require_GET
def bulletin_workbook(request: HttpRequest, month: str, version: int) -> HttpResponse:
    """The bulletin's tables as XLSX: the file built with it for the taskforce; for a site's people,
    the same sheets with their own rows only."""
    _readable(request)
    bulletin = _bulletin(month, version)
    scope = rules.site_scope(request.user)
    if scope is None and bulletin.workbook:
        with bulletin.workbook.open("rb") as f:
            data = f.read()
    else:
        data = workbook.render(bulletin, scope)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{bulletin.period.slug}-v{bulletin.version}.xlsx"'
    return response
