"""Who may do what with organisations and sites. Every page and endpoint asks here."""

from __future__ import annotations

from typing import Any

from nhsportal.roles import roles_of
from sites.models import Site


def can_view_site(user: Any, site: Site) -> bool:
    """The taskforce reads every site; site staff, site leads and the Place's programme
    lead read their own. Anyone else gets a 404, so a site's existence does not leak."""
    roles = roles_of(user)
    return roles.is_national or site.pk in roles.site_ids or site.place_id in roles.place_ids


def can_manage_site(user: Any, site: Site) -> bool:
    """The Place's programme lead keeps the site's profile and neighbourhoods; so do administrators."""
    roles = roles_of(user)
    return roles.is_admin or site.place_id in roles.place_ids


def can_edit_teams(user: Any, site: Site) -> bool:
    """A site's own people register its teams and workforce. The taskforce reads, but does not edit."""
    roles = roles_of(user)
    return roles.is_admin or site.pk in roles.site_ids or site.place_id in roles.place_ids
