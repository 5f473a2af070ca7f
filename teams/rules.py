"""Who may read and change teams and workforce. A team belongs to its site, so the site's rules decide."""

from __future__ import annotations

from typing import Any

from nhsportal.roles import roles_of
from sites.rules import can_edit_teams
from teams.models import NeighbourhoodTeam


def can_change_team(user: Any, team: NeighbourhoodTeam) -> bool:
    return can_edit_teams(user, team.site)


def can_add_partner_organisation(user: Any) -> bool:
    """Anyone who registers teams may add an employer that is not listed yet."""
    roles = roles_of(user)
    return roles.is_admin or bool(roles.site_ids or roles.place_ids)
