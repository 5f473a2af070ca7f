"""Filing a return (upload, web form) and downloading it as the official template.
Every filing goes through `metrics.services`, which checks it completely first."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from metrics import services
from metrics.returns import grid, rules, selectors
from metrics.returns import workbook as export
from metrics.views.forms import UploadForm
from nhsportal import params, uploads
from nhsportal.forms import add_service_errors
from nhsportal.jinja2 import uk_date
from nhsportal.roles import roles_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(site_name: str, slug: str, suffix: str = "") -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in site_name).strip("-")
    return f"NNHIP-{safe}-{slug}{suffix}.xlsx"


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Site staff and site leads. The file says which site and month it is for."""
    if not (roles_of(request.user).site_ids or roles_of(request.user).is_admin):
        raise PermissionDenied("Returns are filed by each site's own staff.")
    # A body larger than a return may be is refused from its declared length, unread.
    too_big = request.method == "POST" and uploads.oversize_request(request, uploads.return_upload_max_bytes())
    if too_big:
        form = UploadForm({}, MultiValueDict())
        uploads.refuse_file_field(form, too_big)
    else:
        form = UploadForm(request.POST or None, request.FILES or None, initial={"based_on": request.GET.get("based_on")})
    problems = []
    if request.method == "POST" and not too_big and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            version = services.upload_return(
                data=upload_file.read(),
                filename=upload_file.name,
                by=request.user,
                based_on=form.cleaned_data["based_on"],
                note=form.cleaned_data["note"],
            )
        except services.ReturnRefused as refused:
            problems = refused.problems
            form.add_error(
                "file",
                f"The file was not accepted: {len(problems)} {'problem' if len(problems) == 1 else 'problems'} to put right. Nothing has been stored.",
            )
        except services.ReturnConflict as conflict:
            form.add_error(None, str(conflict))
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error if isinstance(error, ValidationError) else ValidationError(str(error)))
        else:
            record = version.return_record
            if version.unchanged:
                messages.info(request, services.unchanged_message(version))
                return redirect("return-detail", site_pk=record.site_id, month=record.period.slug)
            count = version.warnings.count()
            note = f" It has {count} {'warning' if count == 1 else 'warnings'} to check." if count else ""
            messages.success(request, f"Version {version.number} of the {record.period} return has been stored.{note}")
            return redirect("return-detail", site_pk=record.site_id, month=record.period.slug)
    return render(
        request,
        "metrics/upload.jinja",
        {
            "page_title": "Upload a monthly return",
            "nav": "returns",
            "back_link": {"href": reverse("returns"), "text": "Back to returns"},
            "form": form,
            "problems": problems,
            "form_has_errors": bool(form.errors),
        },
    )


@login_required
def download_version(request: HttpRequest, site_pk: int, month: str, number: int) -> HttpResponse:
    """The taskforce and the site's own people: any version as a filled-in v1.2 template."""
    site, period, _, version = selectors.get_visible_version(request.user, site_pk, month, number)
    data = export.write_return(selectors.parsed_values(version), place_name=site.name, month=period.month)
    return _xlsx(data, _filename(site.name, period.slug, f"-v{version.number}"))


@login_required
def blank_template(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """Everyone who may see the site's return (the taskforce too): the official template with Place and month filled in."""
    site, period, _ = selectors.get_visible_return(request.user, site_pk, month)
    return _xlsx(export.write_blank(site.name, period.month), _filename(site.name, period.slug))


@login_required
def edit_grid(request: HttpRequest, site_pk: int, month: str) -> HttpResponse:
    """Site staff and site lead: small corrections in the template's own grid."""
    site, period, return_record = selectors.get_visible_return(request.user, site_pk, month)
    if not rules.can_prepare_return(request.user, site):
        raise PermissionDenied("Only the site's own staff and site lead can change its return.")
    # A month that cannot be filed shows no grid to fill in (the importer would refuse it anyway).
    # A grid already typed (the month closed meanwhile) goes to the service, which says why
    # it is refused on the grid itself, keeping what was typed.
    state = selectors.period_state(period, timezone.localdate())
    if request.method != "POST" and state == "not_open":
        messages.info(
            request,
            f"{period} has not ended yet: its return can be filed from {uk_date(period.period_end + timedelta(days=1))}.",
        )
        return redirect("return-detail", site_pk=site.pk, month=period.slug)
    if request.method != "POST" and state == "closed" and not rules.can_change_locked_period(request.user):
        messages.info(
            request,
            f"The {period} period is closed, so its return can no longer be changed. Contact the programme team if a correction is needed.",
        )
        return redirect("return-detail", site_pk=site.pk, month=period.slug)
    latest = return_record.latest_version if return_record else None
    problems: list = []
    message = ""
    if request.method == "POST":
        cells = {name: request.POST.get(name, "") for name in grid.input_cells()}
        try:
            based_on = params.whole_number(request.POST.get("based_on"), name="based_on")
        except params.BadParameter:
            based_on = None
        try:
            version = services.submit_cells(
                site=site, period=period, cells=cells, by=request.user, based_on=based_on, note=request.POST.get("note", "")
            )
        except services.ReturnRefused as refused:
            problems = refused.problems
        except services.ReturnConflict as conflict:
            message = str(conflict)
        except ValidationError as invalid:
            message = " ".join(invalid.messages)
        except PermissionDenied as denied:
            message = str(denied) or "You cannot change this return."
        else:
            if version.unchanged:
                messages.info(request, services.unchanged_message(version))
            else:
                messages.success(request, f"Version {version.number} of the {period} return has been stored.")
            return redirect("return-detail", site_pk=site.pk, month=period.slug)
    else:
        cells = grid.cells_from_values(selectors.parsed_values(latest)) if latest else {}
        based_on = latest.number if latest else 0
    bad_cells: dict[str, str] = {}
    for problem in problems:
        if problem.cell:
            bad_cells[problem.cell] = " ".join(filter(None, [bad_cells.get(problem.cell), problem.message]))
    return render(
        request,
        "metrics/edit_grid.jinja",
        {
            "page_title": f"Correct the {period} return",
            "nav": "returns",
            "site": site,
            "period": period,
            "rows": grid.input_rows(),
            "columns": grid.LAYOUT.columns,
            "cells": cells,
            "bad_cells": bad_cells,
            "problems": problems,
            "message": message,
            "error_list": grid.error_summary(problems, message),
            "based_on": based_on,
            "latest": latest,
            "form_has_errors": bool(problems or message),
            "back_link": {"href": reverse("return-detail", args=[site.pk, period.slug]), "text": f"Back to the {period} return"},
        },
    )
