"""Reads of organisations and sites, scoped to the person asking."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from nhsportal.roles import roles_of
from sites.models import ICB, LocalAuthority, Neighbourhood, Place, PlaceICBMembership, Site, weighted_deprivation


def sites_visible_to(user: Any) -> QuerySet[Site]:
    roles = roles_of(user)
    sites = Site.objects.all()
    if roles.is_national:
        return sites
    return sites.filter(Q(pk__in=roles.site_ids) | Q(place_id__in=roles.place_ids))


def places_visible_to(user: Any) -> QuerySet[Place]:
    """The taskforce reads every Place; others read the Places of the sites they can see
    and, for a programme lead, their own Place (which may not have a site yet)."""
    roles = roles_of(user)
    if roles.is_national:
        return Place.objects.all()
    return Place.objects.filter(Q(pk__in=sites_visible_to(user).values("place_id")) | Q(pk__in=roles.place_ids))


def icbs_by_code(code: str) -> QuerySet[ICB]:
    """The ICB an ODS code (QOP) or ONS code (E54000071: the ICBs formed in 2026 have no ODS code yet) names."""
    return ICB.objects.filter(Q(ods_code__iexact=code) | Q(ons_code__iexact=code))


def in_icbs_on(icbs: QuerySet[ICB], day: datetime.date, *, place: str = "place") -> Q:
    """Sites (`place="place"`) or Places (`place=""`) whose Place was in one of `icbs` on `day`:
    its membership in force then, else (no membership covers the day) its ICB, as the rollups
    resolve it."""
    ref = f"{place}_id" if place else "pk"
    icb_field = f"{place}__icb__in" if place else "icb__in"
    in_force = PlaceICBMembership.objects.in_force_on(day).filter(place_id=OuterRef(ref))
    return Q(Exists(in_force.filter(icb__in=icbs))) | (Q(**{icb_field: icbs}) & ~Q(Exists(in_force)))


def site_list(user: Any, *, region: str = "", icb: str = "", status: str = "", wave: str = "", q: str = "") -> QuerySet[Site]:
    """Sites the user may see, with what the list shows, in a fixed number of queries."""
    sites = (
        sites_visible_to(user)
        .select_related("place__icb__region", "wave")
        .annotate(team_count=Count("teams", distinct=True), neighbourhood_count=Count("neighbourhoods", distinct=True))
        .order_by("name")
    )
    if region:
        sites = sites.filter(place__icb__region__ods_code=region)
    if icb:
        sites = sites.filter(place__icb__in=icbs_by_code(icb))
    if status:
        sites = sites.filter(status=status)
    if wave:
        sites = sites.filter(wave__number=wave)
    if q:
        sites = sites.filter(Q(name__icontains=q) | Q(place__name__icontains=q))
    return sites


def get_visible_site(user: Any, pk: int) -> Site:
    """The site, if the user may see it; a 404 otherwise (never a 403: existence must not leak)."""
    return get_object_or_404(sites_visible_to(user).select_related("place__icb__region", "wave", "programme_lead"), pk=pk)


def site_profile(site: Site) -> dict[str, Any]:
    """What the site detail page shows about the site itself, its Place and deprivation."""
    authorities = list(LocalAuthority.objects.filter(places=site.place_id).order_by("name"))
    neighbourhoods = list(Neighbourhood.objects.filter(site=site).annotate(team_count=Count("teams")).order_by("name"))
    return {
        "authorities": authorities,
        "deprivation": weighted_deprivation(authorities),
        "neighbourhoods": neighbourhoods,
    }


def icbs_with_sites() -> QuerySet[ICB]:
    return ICB.objects.filter(places__sites__isnull=False).select_related("region").distinct().order_by("name")


def site_icbs_by_month(months: list[datetime.date], *, sites: QuerySet[Site] | None = None) -> dict[int, list[int]]:
    """For each site, the ICB its Place belonged to on the first day of each of `months`, in
    order: the membership in force then, else the Place's ICB, as the rollups resolve it
    (`metrics.rollups.sql.icb_in_month`). Two queries, whatever the number of sites or months."""
    sites = Site.objects.all() if sites is None else sites
    pairs = list(sites.order_by().values_list("pk", "place_id", "place__icb_id"))
    memberships: dict[int, list[PlaceICBMembership]] = {}
    for membership in PlaceICBMembership.objects.filter(place_id__in={place for _, place, _ in pairs}).order_by(
        "-effective_from"
    ):
        memberships.setdefault(membership.place_id, []).append(membership)
    found: dict[int, list[int]] = {}
    for site_id, place_id, icb_id in pairs:
        own = memberships.get(place_id, [])
        found[site_id] = [
            next((m.icb_id for m in own if m.effective_from <= day and (m.effective_to is None or m.effective_to >= day)), icb_id)
            for day in months
        ]
    return found


def neighbourhoods_visible_to(user: Any) -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.filter(site__in=sites_visible_to(user))
