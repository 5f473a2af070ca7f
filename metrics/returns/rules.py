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


def can_answer_query(user: Any, site: Site) -> bool:
    """The site's own staff and site lead answer the taskforce's data-quality queries."""
    return can_prepare_return(user, site)


def can_close_query(user: Any) -> bool:
    """The taskforce, the chair and administrators close and reopen queries (as they raise them)."""
    return can_query_returns(user)


def can_file_for_period(user: Any, site: Site, *, closed: bool) -> bool:
    """Whether a new version can be filed now: the site's people while the month is open; after
    its final deadline, administrators only."""
    return can_prepare_return(user, site) and (not closed or can_change_locked_period(user))


def can_step_in_period(user: Any, *, closed: bool) -> bool:
    """Whether the workflow steps that change a return (acknowledging its warnings, sending it
    for sign-off, signing it off) are still anyone's but an administrator's: not after the
    month's final deadline."""
    return not closed or can_change_locked_period(user)
