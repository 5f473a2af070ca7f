"""The team registry. Every view requires sign-in and reads through the scoped selectors,
so another site's team is a 404; changes go through `teams.services`."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from nhsportal.forms import add_service_errors
from sites.models import Site
from sites.rules import can_edit_teams
from sites.selectors import get_visible_site
from teams import selectors, services
from teams.forms import PartnerOrganisationForm, RemoveWorkforceEntryForm, TeamForm, WorkforceEntryForm
from teams.models import NeighbourhoodTeam, PartnerOrganisation
from teams.rules import can_add_partner_organisation, can_change_team

NO_EDIT = "Only the site's own staff, its site lead and the Place's programme lead can change its teams."


def _page(title: str, form: forms.Form, back: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "page_title": title,
        "nav": "sites",
        "form": form,
        "form_has_errors": bool(form.errors),
        "back_link": {"href": back[0], "text": back[1]},
        **extra,
    }


def _employers(request: HttpRequest, site: Site, current: PartnerOrganisation | None = None) -> QuerySet[PartnerOrganisation]:
    """What the employer list offers: the site's partners, the entry's own employer, and an
    organisation just added for this form (`?employer=`) if nobody employs through it yet.
    The service refuses any other, whatever is posted."""
    offered = selectors.partners_of(site)
    extra = Q(pk=current.pk) if current else Q(pk__in=[])
    added = request.GET.get("employer", "")
    if added.isdigit():
        extra |= Q(pk__in=selectors.unclaimed_partners().filter(pk=int(added)).values("pk"))
    return PartnerOrganisation.objects.filter(Q(pk__in=offered.values("pk")) | extra).order_by("name")


def _back_to_team(team: NeighbourhoodTeam) -> tuple[str, str]:
    return reverse("team-detail", args=[team.pk]), f"Back to {team.name}"


@login_required
def team_add(request: HttpRequest, site_pk: int) -> HttpResponse:
    """The site's own staff, site lead and programme lead."""
    site = get_visible_site(request.user, site_pk)
    if not can_edit_teams(request.user, site):
        raise PermissionDenied(NO_EDIT)
    form = TeamForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(site=site, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{team.name} has been registered. Add the people who work in it.")
            return redirect("team-detail", pk=team.pk)
    back = (reverse("site-detail", args=[site.pk]), f"Back to {site.name}")
    return render(request, "teams/team_form.jinja", _page("Register a neighbourhood team", form, back, site=site))


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce and the site's own people."""
    team = selectors.get_visible_team(request.user, pk)
    current, history = selectors.team_workforce(team)
    return render(
        request,
        "teams/team_detail.jinja",
        {
            "page_title": team.name,
            "nav": "sites",
            "team": team,
            "site": team.site,
            "current": current,
            "history": history,
            "can_edit": can_change_team(request.user, team),
            "back_link": {"href": reverse("site-detail", args=[team.site_id]), "text": f"Back to {team.site.name}"},
        },
    )


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's own staff, site lead and programme lead."""
    team = selectors.get_visible_team(request.user, pk)
    if not can_change_team(request.user, team):
        raise PermissionDenied(NO_EDIT)
    initial = {
        "name": team.name,
        "neighbourhood": team.neighbourhood_id,
        "lead_name": team.lead_name,
        "lead_email": team.lead_email,
        "launched_on": team.launched_on,
        "focus_conditions": list(team.focus_conditions.values_list("pk", flat=True)),
        "focus_cohorts": list(team.focus_cohorts.values_list("pk", flat=True)),
    }
    form = TeamForm(request.POST or None, initial=initial, site=team.site)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_team(team=team, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name']} has been saved.")
            return redirect("team-detail", pk=team.pk)
    return render(
        request, "teams/team_form.jinja", _page(f"Change {team.name}", form, _back_to_team(team), site=team.site, team=team)
    )


@login_required
def workforce_add(request: HttpRequest, team_pk: int) -> HttpResponse:
    """The site's own staff, site lead and programme lead."""
    team = selectors.get_visible_team(request.user, team_pk)
    if not can_change_team(request.user, team):
        raise PermissionDenied(NO_EDIT)
    form = WorkforceEntryForm(request.POST or None, employers=_employers(request, team.site))
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.add_workforce_entry(team=team, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{entry.headcount} × {entry.profession} added to {team.name}.")
            return redirect("team-detail", pk=team.pk)
    title = f"Add people to {team.name}"
    return render(request, "teams/workforce_form.jinja", _page(title, form, _back_to_team(team), team=team))


@login_required
def workforce_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's own staff, site lead and programme lead."""
    entry = selectors.get_visible_workforce_entry(request.user, pk)
    team = entry.team
    if not can_change_team(request.user, team):
        raise PermissionDenied(NO_EDIT)
    fields = ("profession", "employer", "headcount", "wte", "start_date", "end_date")
    form = WorkforceEntryForm(
        request.POST or None,
        initial={name: getattr(entry, name) for name in fields},
        employers=_employers(request, team.site, entry.employer),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_workforce_entry(entry=entry, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The {form.cleaned_data['profession']} entry has been saved.")
            return redirect("team-detail", pk=team.pk)
    title = f"Change {entry.profession} in {team.name}"
    return render(request, "teams/workforce_form.jinja", _page(title, form, _back_to_team(team), team=team, entry=entry))


@login_required
def workforce_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """The site's own staff, site lead and programme lead, for entries made in error."""
    entry = selectors.get_visible_workforce_entry(request.user, pk)
    team = entry.team
    if not can_change_team(request.user, team):
        raise PermissionDenied(NO_EDIT)
    form = RemoveWorkforceEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.remove_workforce_entry(entry=entry, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, f"The {entry.profession} entry has been removed.")
        return redirect("team-detail", pk=team.pk)
    title = f"Remove {entry.profession} from {team.name}"
    return render(request, "teams/workforce_remove.jinja", _page(title, form, _back_to_team(team), team=team, entry=entry))


def _with_query(url: str, **params: Any) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | {name: str(value) for name, value in params.items()}
    return urlunsplit(parts._replace(query=urlencode(query)))


@login_required
def partner_add(request: HttpRequest) -> HttpResponse:
    """Anyone who registers teams (site staff, site leads, programme leads, administrators)."""
    if not can_add_partner_organisation(request.user):
        raise PermissionDenied("Only people who register teams can add organisations.")
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("home")
    form = PartnerOrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.add_partner_organisation(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{organisation.name} has been added. You can now choose it as an employer.")
            return redirect(_with_query(next_url, employer=organisation.pk))
    return render(request, "teams/partner_form.jinja", _page("Add an organisation", form, (next_url, "Back"), next_url=next_url))
