"""Granting and revoking roles: the one way role assignments change, each audited.

Administrators manage roles in Django admin, which calls these services.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from nhsportal import audit
from nhsportal.models import Role, RoleAssignment
from nhsportal.roles import forget_roles


def _describe(assignment: RoleAssignment) -> dict[str, Any]:
    return {
        "user": assignment.user.get_username(),
        "role": assignment.get_role_display(),
        "place": str(assignment.place or ""),
        "site": str(assignment.site or ""),
    }


def _sync_admin_access(user: Any) -> None:
    """The Administrator role and Django admin access go together: granting the role opens
    admin (staff and superuser); revoking the last Administrator role closes it."""
    holds_role = user.role_assignments.filter(role=Role.ADMINISTRATOR).exists()
    if holds_role != (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = holds_role
        user.save(update_fields=["is_staff", "is_superuser"])
    forget_roles(user)


@transaction.atomic
def save_role_assignment(*, assignment: RoleAssignment, by: Any, is_new: bool) -> RoleAssignment:
    """Grant a role (or change one): the row, the admin access that follows, the audit."""
    assignment.save()
    if assignment.role == Role.ADMINISTRATOR or not is_new:
        _sync_admin_access(assignment.user)
    audit.record(actor=by, action="role.granted" if is_new else "role.changed", obj=assignment, changes=_describe(assignment))
    return assignment


@transaction.atomic
def revoke_role(*, assignment: RoleAssignment, by: Any) -> None:
    user = assignment.user
    audit.record(actor=by, action="role.revoked", obj=assignment, changes=_describe(assignment))
    assignment.delete()
    _sync_admin_access(user)
