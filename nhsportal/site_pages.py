"""The pages of one site, for the sub-navigation every one of them shows
(`templates/sites/_nav.jinja`): its profile and teams, its dashboard, its returns, its
reviews and its onboarding. Each link is offered only to someone who may open it, by the
same rules the page itself applies; the site's own pages are open to whoever can see the
site (others get a 404 before any link is drawn), the dashboard as `dashboards.sharing` says."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from dashboards.rules import can_view_dashboards
from dashboards.sharing import may_open_org
from sites.models import Site
from sites.rules import can_view_site
from sites.selectors import sites_visible_to


def site_pages(user: Any, site: Site | int, path: str = "") -> dict[str, Any] | None:
    """{"site", "items": [{"href", "text", "current"}]}, or None when the person cannot see the
    site. `site` may be an id (the dashboard knows only the organisation's id); `path` is the
    page being shown."""
    if not isinstance(site, Site):
        found = sites_visible_to(user).filter(pk=site).first()
        if found is None:
            return None
        site = found
    if not can_view_site(user, site):
        return None
    links = [("Profile and teams", reverse("site-detail", args=[site.pk]))]
    if can_view_dashboards(user) and may_open_org(user, "site", site.pk):
        links.append(("Dashboard", reverse("dashboard-org", args=["site", site.pk])))
    links += [
        ("Monthly returns", reverse("site-returns", args=[site.pk])),
        ("Reviews and support", reverse("site-reviews", args=[site.pk])),
        ("Onboarding", reverse("onboarding", args=[site.pk])),
    ]
    # Only the page itself is "current" (drawn as plain text); from a month's return, the
    # returns list stays a link back.
    return {"site": site, "items": [{"href": href, "text": text, "current": href == path} for text, href in links]}
