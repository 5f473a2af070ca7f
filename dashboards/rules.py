"""Who may see which dashboard."""

from __future__ import annotations

from typing import Any

from nhsportal.roles import roles_of


def can_view_dashboards(user: Any) -> bool:
    """The taskforce, the chair and administrators; site staff, site leads and programme leads
    (scoped by `dashboards.sharing`). A signed-in person with no role sees none."""
    roles = roles_of(user)
    return roles.is_national or bool(roles.site_ids or roles.place_ids)


def can_change_sharing(user: Any) -> bool:
    """The taskforce (members and chair) and administrators choose what sites see of each other."""
    return roles_of(user).is_national


def can_record_change_point(user: Any) -> bool:
    """The taskforce (members and chair) and administrators record and remove SPC change points."""
    return roles_of(user).is_national


def can_view_public_summary(user: Any) -> bool:
    """Anyone, signed in or not: national and regional figures only, small numbers suppressed."""
    return True
