"""What of the rollups each person may see (docs/adr/0011-dashboards.md).

The taskforce, the chair and administrators see everything. Site staff, site leads and
programme leads see their own site(s) in full, England, every region and wave, and their
own ICB; of other sites only what the taskforce's sharing setting allows (by default
nothing). Anonymous visitors see England and the regions, with small numbers suppressed
by the caller (`suppress_small`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from dashboards.models import Sharing, SharingSetting
from metrics.models import Rollup, RollupLevel
from nhsportal.roles import roles_of
from sites.models import Site

SMALL_NUMBER = 6  # PRODUCT.md: counts below 6 are shown as *
SUPPRESSED = "*"
_CACHE_ATTR = "_dashboards_viewer"


@dataclass(frozen=True)
class Viewer:
    """What one person may see, worked out once per request (like `roles_of`)."""

    signed_in: bool
    national: bool
    site_ids: frozenset[int]  # their own sites: site roles and the sites of their Place(s)
    icb_ids: frozenset[int]
    others: str  # how other sites appear: "named", "unnamed" or "none"


def current_sharing() -> str:
    """The taskforce's setting: one of `dashboards.models.Sharing`. One query."""
    row = SharingSetting.objects.filter(pk=1).values_list("sharing", flat=True).first()
    return row or Sharing.NATIONAL_ONLY


def viewer(user: Any) -> Viewer:
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    roles = roles_of(user)
    signed_in = bool(user is not None and user.is_authenticated and user.is_active)
    if not signed_in:
        return Viewer(False, False, frozenset(), frozenset(), "none")
    if roles.is_national:
        result = Viewer(True, True, frozenset(), frozenset(), "named")
    else:
        sites = Site.objects.filter(Q(pk__in=roles.site_ids) | Q(place_id__in=roles.place_ids))
        # Their own ICB: every ICB their Place has belonged to (its figures for those months are
        # their site's), as well as today's.
        found = (
            list(sites.values_list("pk", "place__icb_id", "place__icb_memberships__icb_id"))
            if roles.site_ids or roles.place_ids
            else []
        )
        setting = current_sharing()
        shown: dict[str, str] = {Sharing.NAMED: "named", Sharing.UNNAMED: "unnamed"}
        others = shown.get(setting, "none")
        icb_ids = frozenset(i for _, today, member in found for i in (today, member) if i is not None)
        result = Viewer(True, False, frozenset(p for p, _, _ in found), icb_ids, others)
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_viewer(user: Any) -> None:
    """Drop the cached view (after the setting or a role changes within one request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def own_site_ids(user: Any) -> frozenset[int]:
    return viewer(user).site_ids


def sees_everything(user: Any) -> bool:
    return viewer(user).national


def other_sites_shown(user: Any) -> str:
    """How this person sees sites other than their own: "named", "unnamed" or "none"."""
    return viewer(user).others


def rollups_visible_to(user: Any) -> QuerySet[Rollup]:
    """The current rollup rows this person may see."""
    rows = Rollup.objects.current()
    seen = viewer(user)
    if seen.national:
        return rows
    public = Q(level__in=[RollupLevel.NATIONAL, RollupLevel.REGION])
    if not seen.signed_in:
        return rows.filter(public)
    allowed = public | Q(level=RollupLevel.WAVE)
    allowed |= Q(level=RollupLevel.SITE, org_id__in=seen.site_ids) | Q(level=RollupLevel.ICB, org_id__in=seen.icb_ids)
    if seen.others in {"named", "unnamed"}:
        allowed |= Q(level=RollupLevel.SITE)
    if seen.others == "named":  # an ICB's figures would name its sites
        allowed |= Q(level=RollupLevel.ICB)
    return rows.filter(allowed)


def may_open_org(user: Any, level: str, org_id: int) -> bool:
    """Whether an organisation's own overview or chart is open to this person: a site or ICB page
    names it, so other sites' pages open only when the taskforce shares other sites by name."""
    seen = viewer(user)
    if level in {RollupLevel.NATIONAL, RollupLevel.REGION}:
        return True
    if not seen.signed_in:
        return False
    if seen.national or seen.others == "named" or level == RollupLevel.WAVE:
        return True
    if level == RollupLevel.SITE:
        return org_id in seen.site_ids
    return level == RollupLevel.ICB and org_id in seen.icb_ids


def label_sites(user: Any, site_ids: list[int], names: dict[int, str]) -> dict[int, dict[str, Any]]:
    """How each site appears to this person, in the order given: {id: {"name", "own", "named"}}.
    Sites left out may not be shown at all. Unnamed sites are numbered in the order given (callers
    order them by the figure shown, so a number does not follow a site from chart to chart)."""
    seen = viewer(user)
    labels: dict[int, dict[str, Any]] = {}
    number = 0
    for site_id in site_ids:
        own = site_id in seen.site_ids
        if own or seen.others == "named":
            labels[site_id] = {"name": names.get(site_id, ""), "own": own, "named": True}
        elif seen.others == "unnamed":
            number += 1
            labels[site_id] = {"name": f"Another site ({number})", "own": False, "named": False}
    return labels


_NO_NUMERATOR = object()


def suppress_small(value: Any, *, numerator: Any = _NO_NUMERATOR) -> Any:
    """For public output: a count below 6 (0 included) → "*", None → "". A rate passed with its
    numerator is "*" when that numerator is below 6 or unknown (suppressed at source)."""
    if value is None:
        return ""
    if numerator is not _NO_NUMERATOR:
        return SUPPRESSED if numerator is None or numerator < SMALL_NUMBER else value
    if isinstance(value, int) and not isinstance(value, bool) and value < SMALL_NUMBER:
        return SUPPRESSED
    return value
