"""The action list, the coaching log and the national ratings matrix (with its XLSX export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from nhsportal.roles import roles_of
from reviews import rules, selectors, services
from reviews.export import matrix_workbook
from reviews.forms import ActionFilterForm, ActionUpdateForm, CoachingForm, MatrixFilterForm
from reviews.models import ActionStatus
from reviews.pack import TREND_LABELS, national_matrix
from reviews.views.common import attempt, page
from sites.models import Site
from sites.selectors import sites_visible_to

ACTIONS_PER_PAGE = 50


def _require_programme_person(request: HttpRequest) -> None:
    roles = roles_of(request.user)
    if not (roles.is_national or roles.site_ids or roles.place_ids):
        raise PermissionDenied("This page is for the taskforce and the sites' own people.")


@login_required
def action_list(request: HttpRequest) -> HttpResponse:
    """The taskforce: every agreed action. A site's people: their site's (from published reviews)."""
    _require_programme_person(request)
    form = ActionFilterForm(request.GET or None, sites=list(sites_visible_to(request.user).order_by("name")))
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    actions = selectors.action_list(
        request.user,
        site=filters.get("site", ""),
        owner=filters.get("owner", ""),
        status=filters.get("status", ""),
        due_before=filters.get("due_before"),
        overdue=bool(filters.get("overdue")),
        today=today,
    )
    paged = Paginator(actions, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = page("Actions", form=form, actions=paged, today=today, query=query.urlencode(), filtered=any(filters.values()))
    context["form_has_errors"] = False  # a filter form: its errors are shown by the fields
    return render(request, "reviews/actions.jinja", context)


@login_required
def action_update(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce and the site's staff and lead: move an action on, or close it with a note."""
    action = selectors.get_visible_action(request.user, pk)
    # A closed action stays closed (reviews.services.update_action): no form to offer.
    closed = action.status == ActionStatus.CLOSED
    can_update = rules.can_update_action(request.user, action) and not closed
    if request.method == "POST" and not can_update:
        raise PermissionDenied("This action is closed and cannot be changed." if closed else "You cannot update this action.")
    form = ActionUpdateForm(request.POST or None, initial={"status": action.status})
    if (
        request.method == "POST"
        and form.is_valid()
        and attempt(form, lambda: services.update_action(action=action, by=request.user, **form.cleaned_data))[0]
    ):
        messages.success(request, "The action has been updated.")
        return redirect("action-update", pk=action.pk)
    context = page(
        "Action",
        form=form,
        action=action,
        can_update=can_update,
        today=timezone.localdate(),
        back=(reverse("action-list"), "Back to actions"),
    )
    return render(request, "reviews/action.jinja", context)


@login_required
def coaching_list(request: HttpRequest) -> HttpResponse:
    """The taskforce: the whole log. A site's people: the sessions their site attended."""
    _require_programme_person(request)
    context = page(
        "Coaching and support",
        sessions=selectors.coaching_log(request.user),
        can_record=rules.can_record_coaching(request.user),
    )
    return render(request, "reviews/coaching.jinja", context)


@login_required
def coaching_add(request: HttpRequest) -> HttpResponse:
    """The taskforce."""
    if not rules.can_record_coaching(request.user):
        raise PermissionDenied("Only the taskforce records coaching sessions.")
    form = CoachingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sites = Site.objects.in_bulk([site for site, _, _ in form.attendees()])
        data = {k: form.cleaned_data[k] for k in ("kind", "title", "held_on", "facilitator", "topics", "follow_ups")}
        attendees = [(sites[site], name, job) for site, name, job in form.attendees()]
        if attempt(form, lambda: services.record_session(by=request.user, attendees=attendees, **data))[0]:
            messages.success(request, f"“{data['title']}” has been recorded.")
            return redirect("coaching-list")
    return render(
        request,
        "reviews/coaching_form.jinja",
        page("Record a coaching session or workshop", form=form, back=(reverse("coaching-list"), "Back to coaching")),
    )


@login_required
def review_matrix(request: HttpRequest) -> HttpResponse:
    """The taskforce only: ratings are never public and never shown to other sites."""
    if not rules.can_see_national_matrix(request.user):
        raise PermissionDenied("The national ratings matrix is for the taskforce.")
    form = MatrixFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = national_matrix(region=filters.get("region", ""), wave=filters.get("wave", ""))
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            matrix_workbook(rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="site-ratings-{timezone.localdate():%Y-%m-%d}.xlsx"'
        response["Cache-Control"] = "private, no-store"
        return response
    query = request.GET.copy()
    query["format"] = "xlsx"
    context = page("Site ratings", form=form, rows=rows, trend_labels=TREND_LABELS, export_query=query.urlencode())
    context["form_has_errors"] = False
    return render(request, "reviews/matrix.jinja", context)
