"""Changes a site's own people make to its profile and neighbourhoods: checked, atomic, audited.

Waves, sites and the hierarchy above them are reference data that administrators keep
in Django admin; selection creates sites (the applications issue).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from nhsportal import audit
from sites.models import Neighbourhood, Place, PlaceICBMembership, Site
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


def _others(rows: QuerySet[Neighbourhood], exclude_pk: int | None) -> QuerySet[Neighbourhood]:
    """`rows` without the one being edited (none when adding)."""
    return rows if exclude_pk is None else rows.exclude(pk=exclude_pk)


def _check_neighbourhood(*, site: Site, name: str, population: int | None, exclude_pk: int | None = None) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the neighbourhood's name."
    elif _others(Neighbourhood.objects.filter(site=site, name__iexact=name.strip()), exclude_pk).exists():
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


# A Place's ICB over time (`PlaceICBMembership`): administrators keep the memberships in admin.


@transaction.atomic
def follow_icb_memberships(*, places: list[Place] | None = None, by: Any = None, today: datetime.date | None = None) -> int:
    """Each Place with a membership in force today gets that membership's ICB as its `icb` (the
    ICB today: the scoping, the site lists and a month no membership covers read it). Places
    without one keep theirs. Returns how many changed; audited when a person made the change."""
    today = today or timezone.localdate()
    memberships = PlaceICBMembership.objects.in_force_on(today).select_related("place__icb", "icb")
    if places is not None:
        memberships = memberships.filter(place__in=[p.pk for p in places])
    changed = 0
    for membership in memberships:
        place = membership.place
        if place.icb_id == membership.icb_id:
            continue
        before = place.icb
        place.icb = membership.icb
        place.save(update_fields=["icb"])
        changed += 1
        if by is not None:
            audit.record(
                actor=by, action="place.icb_followed_membership", obj=place, changes={"icb": [str(before), str(membership.icb)]}
            )
    return changed


@transaction.atomic
def record_icb_membership_change(*, place: Place, by: Any, changes: dict[str, Any]) -> None:
    """After an administrator adds, corrects or removes a Place's memberships (or its ICB): the
    Place follows the membership in force today, the change is audited, and every month's
    rollups are rebuilt (a membership can reach back to any month), through the outbox."""
    from metrics.rollups import jobs as rollup_jobs

    audit.record(actor=by, action="place.icb_memberships_changed", obj=place, changes=changes)
    follow_icb_memberships(places=[place], by=by)
    rollup_jobs.record_request(period_id=None, trigger="icb_membership")
