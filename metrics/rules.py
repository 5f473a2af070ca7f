"""Who may do what with monthly returns."""

from __future__ import annotations

from typing import Any

from nhsportal.roles import roles_of
from sites.models import Site


def can_prepare_return(user: Any, site: Site) -> bool:
    """Site staff and the site lead upload, correct and send returns for sign-off."""
    roles = roles_of(user)
    return roles.is_admin or site.pk in roles.site_ids


def can_sign_off(user: Any, site: Site) -> bool:
    """Only the site lead (the senior responsible officer) signs a return off."""
    roles = roles_of(user)
    return roles.is_admin or site.pk in roles.lead_site_ids


def can_query_returns(user: Any) -> bool:
    """The taskforce requests corrections and raises data-quality queries."""
    return roles_of(user).is_national


def can_change_locked_period(user: Any) -> bool:
    """After the final deadline only an administrator may change a return, giving a reason."""
    return roles_of(user).is_admin
