"""Who may read the bulletins, and build one. The taskforce (and administrators) read every part
and ask for a bulletin to be built; a site's staff and site lead read their own site's part (their
rows, their coverage line and England's headline); nobody else reads them."""

from __future__ import annotations

from typing import Any

from nhsportal.roles import roles_of


def reads_everything(user: Any) -> bool:
    return roles_of(user).is_national


def own_sites(user: Any) -> frozenset[int]:
    return roles_of(user).site_ids


def can_read_bulletins(user: Any) -> bool:
    return reads_everything(user) or bool(own_sites(user))


def can_request_bulletin(user: Any) -> bool:
    return reads_everything(user)


def site_scope(user: Any) -> set[int] | None:
    """None: every row; else the sites whose rows the person sees."""
    return None if reads_everything(user) else set(own_sites(user))
