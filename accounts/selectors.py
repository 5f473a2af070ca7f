"""Scoped reads of access requests and a site's people."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import AccessRequest, RequestStatus
from nhsportal.models import Role, RoleAssignment
from nhsportal.roles import roles_of


def requests_for_approver(user: Any) -> QuerySet[AccessRequest]:
    """The pending requests this person may decide: all of them for an administrator; site staff
    requests at their own sites for a site lead; nothing for anyone else."""
    roles = roles_of(user)
    pending = AccessRequest.objects.filter(status=RequestStatus.PENDING).select_related("user", "site", "place")
    if roles.is_admin:
        return pending.exclude(user=user)
    return pending.filter(role=Role.SITE_STAFF, site_id__in=roles.lead_site_ids).exclude(user=user)


def own_requests(user: Any) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(user=user).select_related("site", "place", "decided_by")


def site_people(site: Any) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(site=site).select_related("user").order_by("user__last_name", "user__username", "role")
    )
