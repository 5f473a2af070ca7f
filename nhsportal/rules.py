"""Who may see the portal's cross-cutting records."""

from __future__ import annotations

from typing import Any

from nhsportal.roles import roles_of


def can_view_audit_log(user: Any) -> bool:
    """Administrators only. The trail spans every site and every application, role grants and
    sign-in lockouts; the taskforce read returns and applications through their own pages, where
    the conflict-of-interest rules hide other reviewers' work, so the raw trail is not theirs."""
    return roles_of(user).is_admin
