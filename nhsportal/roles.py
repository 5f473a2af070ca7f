"""What a person's role assignments mean. Loaded once per request and kept on the user.

Permission predicates in each app's `rules.py` build on these; nothing else reads
`RoleAssignment` to make an access decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nhsportal.models import NATIONAL_ROLES, Role, RoleAssignment

_CACHE_ATTR = "_nhsportal_roles"


@dataclass(frozen=True)
class Roles:
    roles: frozenset[str] = field(default_factory=frozenset)
    site_ids: frozenset[int] = field(default_factory=frozenset)
    lead_site_ids: frozenset[int] = field(default_factory=frozenset)
    place_ids: frozenset[int] = field(default_factory=frozenset)
    superuser: bool = False

    @property
    def is_admin(self) -> bool:
        return self.superuser or Role.ADMINISTRATOR in self.roles

    @property
    def is_national(self) -> bool:
        """Taskforce members, the chair and administrators read every site."""
        return self.is_admin or bool(self.roles & NATIONAL_ROLES)

    @property
    def is_chair(self) -> bool:
        return self.is_admin or Role.TASKFORCE_CHAIR in self.roles


ANONYMOUS = Roles()


def roles_of(user: Any) -> Roles:
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    rows = list(RoleAssignment.objects.filter(user=user).values_list("role", "site_id", "place_id"))
    result = Roles(
        roles=frozenset(role for role, _, _ in rows),
        site_ids=frozenset(site for role, site, _ in rows if site is not None),
        lead_site_ids=frozenset(site for role, site, _ in rows if role == Role.SITE_LEAD),
        place_ids=frozenset(place for role, _, place in rows if place is not None),
        superuser=user.is_superuser,
    )
    setattr(user, _CACHE_ATTR, result)
    return result


def forget_roles(user: Any) -> None:
    """Drop the cached roles (after an assignment changes within one request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
