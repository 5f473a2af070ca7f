"""Granting and revoking roles: audited, and Django admin access follows the Administrator role."""

import pytest

from nhsportal import services
from nhsportal.models import AuditEvent, Role, RoleAssignment
from nhsportal.roles import roles_of
from tests.nhsportal.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_granting_the_administrator_role_opens_django_admin_and_revoking_it_closes_it():
    office = user_with_role(Role.ADMINISTRATOR)
    newcomer = UserFactory()

    assignment = services.save_role_assignment(
        assignment=RoleAssignment(user=newcomer, role=Role.ADMINISTRATOR), by=office, is_new=True
    )
    newcomer.refresh_from_db()
    assert newcomer.is_staff and newcomer.is_superuser
    assert roles_of(newcomer).is_admin

    services.revoke_role(assignment=assignment, by=office)
    newcomer.refresh_from_db()
    assert not newcomer.is_staff and not newcomer.is_superuser
    assert [e.action for e in AuditEvent.objects.order_by("id")] == ["role.granted", "role.revoked"]


def test_a_site_role_grants_nothing_in_django_admin(site):
    office = user_with_role(Role.ADMINISTRATOR)
    person = UserFactory()

    services.save_role_assignment(assignment=RoleAssignment(user=person, role=Role.SITE_STAFF, site=site), by=office, is_new=True)

    person.refresh_from_db()
    assert not person.is_staff
    assert roles_of(person).site_ids == {site.pk}
    assert AuditEvent.objects.get().changes["site"] == str(site)
