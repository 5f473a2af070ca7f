"""Site pages. Every view requires sign-in and reads sites through the scoped selectors:
another site's page is a 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from nhsportal.forms import add_service_errors
from sites import selectors, services
from sites.forms import NeighbourhoodForm, SiteFilterForm, SiteProfileForm
from sites.models import Site
from sites.rules import can_edit_teams, can_manage_site
from teams.selectors import site_teams, workforce_by_profession

SITES_PER_PAGE = 50


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    """Signed-in people: the sites they may see (all of them for the taskforce)."""
    form = SiteFilterForm(request.GET or None, icbs=list(selectors.icbs_with_sites()))
    filters = form.cleaned_data if form.is_valid() else {}
    sites = selectors.site_list(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(sites, SITES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sites/list.jinja",
        {
            "page_title": "Sites",
            "nav": "sites",
            "form": form,
            "page": page,
            "filtered": any(filters.values()),
            "query": query.urlencode(),
        },
    )


@login_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The taskforce and the site's own people."""
    site = selectors.get_visible_site(request.user, pk)
    context = {
        "page_title": site.name,
        "nav": "sites",
        "site": site,
        "teams": site_teams(site),
        "workforce": workforce_by_profession(site),
        "can_manage": can_manage_site(request.user, site),
        "can_edit_teams": can_edit_teams(request.user, site),
        **selectors.site_profile(site),
    }
    return render(request, "sites/detail.jinja", context)


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The Place's programme lead and administrators."""
    site = selectors.get_visible_site(request.user, pk)
    if not can_manage_site(request.user, site):
        raise PermissionDenied("Only the Place's programme lead can change the site's profile.")
    form = SiteProfileForm(request.POST or None, initial={"summary": site.summary})
    if request.method == "POST" and form.is_valid():
        services.update_site_profile(site=site, by=request.user, summary=form.cleaned_data["summary"])
        messages.success(request, "The site's profile has been saved.")
        return redirect("site-detail", pk=site.pk)
    return render(request, "sites/profile_form.jinja", _form_context(site, form, "Change the site's profile"))


@login_required
def neighbourhood_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The Place's programme lead and administrators."""
    site = selectors.get_visible_site(request.user, pk)
    if not can_manage_site(request.user, site):
        raise PermissionDenied("Only the Place's programme lead can add neighbourhoods.")
    form = NeighbourhoodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            neighbourhood = services.add_neighbourhood(site=site, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{neighbourhood.name} has been added.")
            return redirect("site-detail", pk=site.pk)
    return render(request, "sites/neighbourhood_form.jinja", _form_context(site, form, "Add a neighbourhood"))


@login_required
def neighbourhood_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The Place's programme lead and administrators."""
    neighbourhood = get_object_or_404(selectors.neighbourhoods_visible_to(request.user).select_related("site"), pk=pk)
    site = neighbourhood.site
    if not can_manage_site(request.user, site):
        raise PermissionDenied("Only the Place's programme lead can change neighbourhoods.")
    form = NeighbourhoodForm(request.POST or None, initial={"name": neighbourhood.name, "population": neighbourhood.population})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_neighbourhood(neighbourhood=neighbourhood, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['name']} has been saved.")
            return redirect("site-detail", pk=site.pk)
    return render(request, "sites/neighbourhood_form.jinja", _form_context(site, form, f"Change {neighbourhood.name}"))


def _form_context(site: Site, form: forms.Form, title: str) -> dict[str, Any]:
    return {
        "page_title": title,
        "nav": "sites",
        "site": site,
        "form": form,
        "form_has_errors": bool(form.errors),
        "back_link": {"href": reverse("site-detail", args=[site.pk]), "text": f"Back to {site.name}"},
    }
