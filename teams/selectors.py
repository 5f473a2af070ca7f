"""Reads of teams and workforce, scoped to the person asking."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sites.models import Site
from sites.selectors import sites_visible_to
from teams.models import NeighbourhoodTeam, PartnerOrganisation, WorkforceEntry


def current_on(day: datetime.date) -> Q:
    """Workforce entries in force on `day`."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def teams_visible_to(user: Any) -> QuerySet[NeighbourhoodTeam]:
    return NeighbourhoodTeam.objects.filter(site__in=sites_visible_to(user))


def workforce_visible_to(user: Any) -> QuerySet[WorkforceEntry]:
    return WorkforceEntry.objects.filter(team__site__in=sites_visible_to(user))


def get_visible_team(user: Any, pk: int) -> NeighbourhoodTeam:
    return get_object_or_404(
        teams_visible_to(user)
        .select_related("site__place", "neighbourhood")
        .prefetch_related("focus_conditions", "focus_cohorts"),
        pk=pk,
    )


def get_visible_workforce_entry(user: Any, pk: int) -> WorkforceEntry:
    return get_object_or_404(workforce_visible_to(user).select_related("team__site", "profession", "employer"), pk=pk)


def partners_of(site: Site) -> QuerySet[PartnerOrganisation]:
    """The site's partner organisations: those employing people in any of its teams, now or
    before. What the workforce form offers as employers, rather than every organisation in
    England."""
    return PartnerOrganisation.objects.filter(
        Exists(WorkforceEntry.objects.filter(team__site=site, employer=OuterRef("pk")))
    ).order_by("name")


def unclaimed_partners() -> QuerySet[PartnerOrganisation]:
    """Organisations no team employs anyone through yet (just added): any site may take one on."""
    return PartnerOrganisation.objects.filter(~Exists(WorkforceEntry.objects.filter(employer=OuterRef("pk"))))


def may_employ_for(site: Site, employer: PartnerOrganisation) -> bool:
    """A site's teams record employers among its own partners, or one nobody uses yet."""
    return (partners_of(site) | unclaimed_partners()).filter(pk=employer.pk).exists()


class _TeamTotals(TypedDict):
    current_workforce: list[WorkforceEntry]
    current_headcount: int
    current_wte: Decimal


if TYPE_CHECKING:  # WithAnnotations takes two arguments only to the type checker
    from django_stubs_ext import WithAnnotations

    TeamWithTotals = WithAnnotations[NeighbourhoodTeam, _TeamTotals]


def site_teams(site: Site, *, on: datetime.date | None = None) -> list[TeamWithTotals]:
    """The site's teams with their current workforce, focus and totals, in four queries."""
    day = on or timezone.localdate()
    current = (
        WorkforceEntry.objects.filter(current_on(day))
        .select_related("profession", "employer")
        .order_by("profession__group", "profession__name")
    )
    # The totals are set below, after the query: the type names them beforehand.
    teams = cast(
        "list[TeamWithTotals]",
        list(
            NeighbourhoodTeam.objects.filter(site=site)
            .select_related("neighbourhood")
            .prefetch_related(
                Prefetch("workforce", queryset=current, to_attr="current_workforce"), "focus_conditions", "focus_cohorts"
            )
            .order_by("name")
        ),
    )
    for team in teams:
        team.current_headcount = sum(e.headcount for e in team.current_workforce)
        team.current_wte = sum((e.wte for e in team.current_workforce), Decimal("0"))
    return teams


def workforce_by_profession(site: Site, *, on: datetime.date | None = None) -> list[dict[str, Any]]:
    """The site's current workforce make-up: headcount and WTE by profession, grouped, in one query."""
    day = on or timezone.localdate()
    rows = (
        WorkforceEntry.objects.filter(current_on(day), team__site=site)
        .values("profession__group", "profession__name")
        .annotate(headcount=Sum("headcount"), wte=Sum("wte"), teams=Count("team", distinct=True))
        .order_by("profession__group", "profession__name")
    )
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[row["profession__group"]].append(
            {"profession": row["profession__name"], "headcount": row["headcount"], "wte": row["wte"], "teams": row["teams"]}
        )
    return [
        {
            "group": group,
            "professions": items,
            "headcount": sum(i["headcount"] for i in items),
            "wte": sum((i["wte"] for i in items), Decimal("0")),
        }
        for group, items in groups.items()
    ]


def team_workforce(
    team: NeighbourhoodTeam, *, on: datetime.date | None = None
) -> tuple[list[WorkforceEntry], list[WorkforceEntry]]:
    """The team's entries in force today, and the rest (ended, or starting later), in one query."""
    day = on or timezone.localdate()
    entries = team.workforce.select_related("profession", "employer").order_by(
        "profession__group", "profession__name", "-start_date"
    )
    current: list[WorkforceEntry] = []
    other: list[WorkforceEntry] = []
    for entry in entries:
        in_force = entry.start_date <= day and (entry.end_date is None or entry.end_date >= day)
        (current if in_force else other).append(entry)
    return current, other
