"""Who may decide access and confirm a site's people. Every page asks here."""

from __future__ import annotations

from typing import Any

from nhsportal.models import Role
from nhsportal.roles import roles_of


def can_decide(user: Any, request: Any) -> bool:
    """Site staff: the site's lead or an administrator. Site leads, programme leads and
    national roles: administrators only. Nobody decides their own request."""
    roles = roles_of(user)
    if request.user_id == getattr(user, "pk", None):
        return False
    if roles.is_admin:
        return True
    return request.role == Role.SITE_STAFF and request.site_id in roles.lead_site_ids


def is_approver(user: Any) -> bool:
    """Whether the requests page is theirs at all (site leads and administrators)."""
    roles = roles_of(user)
    return roles.is_admin or bool(roles.lead_site_ids)


def can_confirm_site(user: Any, site: Any) -> bool:
    roles = roles_of(user)
    return roles.is_admin or site.pk in roles.lead_site_ids
