"""Changes a site's own people make to its profile and neighbourhoods: checked, atomic, audited.

Waves, sites and the hierarchy above them are reference data that administrators keep
in Django admin; selection creates sites (the applications issue).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from nhsportal import audit
from sites.models import Neighbourhood, Site
from sites.rules import can_manage_site


def _require_manager(user: Any, site: Site) -> None:
    if not can_manage_site(user, site):
        raise PermissionDenied("Only the Place's programme lead can change the site's profile and neighbourhoods.")


@transaction.atomic
def update_site_profile(*, site: Site, by: Any, summary: str) -> Site:
    _require_manager(by, site)
    site = Site.objects.select_for_update().get(pk=site.pk)
    changes = audit.changed_fields(site, {"summary": summary})
    if changes:
        site.summary = summary
        site.save(update_fields=["summary"])
        audit.record(actor=by, action="site.profile_updated", obj=site, changes=changes)
    return site


def _check_neighbourhood(*, site: Site, name: str, population: int | None, exclude_pk: int | None = None) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the neighbourhood's name."
    elif Neighbourhood.objects.filter(site=site, name__iexact=name.strip()).exclude(pk=exclude_pk).exists():
        errors["name"] = f"{site} already has a neighbourhood called “{name.strip()}”."
    if population is not None and population < 0:
        errors["population"] = "Population cannot be negative."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_neighbourhood(*, site: Site, by: Any, name: str, population: int | None = None) -> Neighbourhood:
    """Neighbourhood names are unique within a site."""
    _require_manager(by, site)
    _check_neighbourhood(site=site, name=name, population=population)
    try:
        with transaction.atomic():
            neighbourhood = Neighbourhood.objects.create(site=site, name=name.strip(), population=population)
    except IntegrityError as exc:  # another request added the same name a moment ago
        raise ValidationError({"name": f"{site} already has a neighbourhood called “{name.strip()}”."}) from exc
    audit.record(actor=by, action="neighbourhood.added", obj=neighbourhood, changes={"site": str(site), "population": population})
    return neighbourhood


@transaction.atomic
def update_neighbourhood(*, neighbourhood: Neighbourhood, by: Any, name: str, population: int | None) -> Neighbourhood:
    neighbourhood = Neighbourhood.objects.select_for_update(of=("self",)).select_related("site").get(pk=neighbourhood.pk)
    _require_manager(by, neighbourhood.site)
    _check_neighbourhood(site=neighbourhood.site, name=name, population=population, exclude_pk=neighbourhood.pk)
    changes = audit.changed_fields(neighbourhood, {"name": name.strip(), "population": population})
    if changes:
        neighbourhood.name, neighbourhood.population = name.strip(), population
        try:
            with transaction.atomic():
                neighbourhood.save(update_fields=["name", "population"])
        except IntegrityError as exc:
            raise ValidationError(
                {"name": f"{neighbourhood.site} already has a neighbourhood called “{neighbourhood.name}”."}
            ) from exc
        audit.record(actor=by, action="neighbourhood.updated", obj=neighbourhood, changes=changes)
    return neighbourhood
