"""What the home page asks of each person, by role. A read, so a selector: a fixed number
of queries whatever the number of sites."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count
from django.urls import reverse

from accounts.selectors import requests_for_approver
from applications.next_steps import application_tasks_for
from metrics.returns.selectors import missing_returns_summary, return_tasks
from nhsportal.models import Role
from nhsportal.roles import roles_of
from reviews.selectors import national_review_summary, site_review_tasks
from sites.models import Site, SiteStatus
from sites.selectors import sites_visible_to


class _SiteCounts(TypedDict):
    team_count: int
    neighbourhood_count: int


if TYPE_CHECKING:  # WithAnnotations takes two arguments only to the type checker
    from django_stubs_ext import WithAnnotations

    SiteWithCounts = WithAnnotations[Site, _SiteCounts]


def _own_sites(user: Any) -> list[SiteWithCounts]:
    return list(
        sites_visible_to(user)
        .select_related("place__icb__region", "wave")
        .annotate(team_count=Count("teams", distinct=True), neighbourhood_count=Count("neighbourhoods", distinct=True))
        .order_by("name")
    )


def _site_tasks(site: SiteWithCounts, *, can_manage: bool) -> list[dict[str, str]]:
    """The next things a site's own people should do, most urgent first."""
    detail = reverse("site-detail", args=[site.pk])
    tasks = []
    if can_manage and site.neighbourhood_count == 0:
        tasks.append({"text": f"Add the neighbourhoods {site.name} covers", "href": reverse("neighbourhood-add", args=[site.pk])})
    if site.team_count == 0:
        tasks.append({"text": f"Register {site.name}'s first neighbourhood team", "href": reverse("team-add", args=[site.pk])})
    else:
        teams = "team" if site.team_count == 1 else f"{site.team_count} teams"
        tasks.append({"text": f"Keep {site.name}'s {teams} and their workforce up to date", "href": f"{detail}#teams"})
    return tasks


def _access_tasks(user: Any) -> dict[int | None, dict[str, str]]:
    """'Decide N access requests', by site, for the people who approve them (one query)."""
    counts = dict(requests_for_approver(user).values_list("site_id").annotate(n=Count("id")).order_by())
    href = reverse("access-requests")
    return {
        site_id: {"text": f"Decide {n} {'request' if n == 1 else 'requests'} for access", "href": href}
        for site_id, n in counts.items()
    }


def next_steps(user: Any) -> dict[str, Any]:
    roles = roles_of(user)
    if not user.is_authenticated:
        return {"audience": "public"}
    if roles.is_national:
        counts = dict(Site.objects.values_list("status").annotate(n=Count("id")).order_by())
        without_teams = Site.objects.filter(teams__isnull=True).order_by("name")
        return {
            "audience": "national",
            "is_chair": Role.TASKFORCE_CHAIR in roles.roles,
            "is_admin": roles.is_admin,
            "status_counts": [(status.label, counts.get(status.value, 0), status.value) for status in SiteStatus],
            "site_total": sum(counts.values()),
            "sites_without_teams": list(without_teams.values("pk", "name")[:10]),
            "sites_without_teams_count": without_teams.count(),
            "returns": missing_returns_summary(),
            "application_tasks": application_tasks_for(user),
            "reviews": national_review_summary(),
            "access_requests": requests_for_approver(user).count() if roles.is_admin else 0,
        }
    sites = _own_sites(user)
    if not sites and not roles.place_ids:
        return {"audience": "no_role"}
    access = _access_tasks(user) if roles.lead_site_ids else {}
    return {
        "audience": "site",
        "sites": [
            {
                "site": site,
                "tasks": ([access[site.pk]] if site.pk in access else [])
                + (return_tasks(site, can_sign_off=site.pk in roles.lead_site_ids) if site.pk in roles.site_ids else [])
                + _site_tasks(site, can_manage=site.place_id in roles.place_ids or roles.is_admin)
                + site_review_tasks(site),
            }
            for site in sites
        ],
        "is_programme_lead": bool(roles.place_ids),
        "application_tasks": application_tasks_for(user),
    }
