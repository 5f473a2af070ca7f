"""Cross-cutting tables: who holds which role where, and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    PROGRAMME_LEAD = "programme_lead", "Programme lead"
    SITE_STAFF = "site_staff", "Site staff"
    SITE_LEAD = "site_lead", "Site lead"
    TASKFORCE_MEMBER = "taskforce_member", "Taskforce member"
    TASKFORCE_CHAIR = "taskforce_chair", "Taskforce chair"
    ADMINISTRATOR = "administrator", "Administrator"


PLACE_ROLES = {Role.PROGRAMME_LEAD}
SITE_ROLES = {Role.SITE_STAFF, Role.SITE_LEAD}
NATIONAL_ROLES = {Role.TASKFORCE_MEMBER, Role.TASKFORCE_CHAIR, Role.ADMINISTRATOR}


class RoleAssignment(models.Model):
    """One role held by one person, tied to a Place (programme lead), a site (site staff
    and site lead) or to nothing (national roles). A person may hold several."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=Role.choices)
    place = models.ForeignKey("sites.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments")
    site = models.ForeignKey("sites.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_role",
                condition=(
                    Q(role=Role.PROGRAMME_LEAD, place__isnull=False, site__isnull=True)
                    | Q(role__in=[Role.SITE_STAFF, Role.SITE_LEAD], site__isnull=False, place__isnull=True)
                    | Q(
                        role__in=[Role.TASKFORCE_MEMBER, Role.TASKFORCE_CHAIR, Role.ADMINISTRATOR],
                        site__isnull=True,
                        place__isnull=True,
                    )
                ),
                violation_error_message="A programme lead needs a Place, site staff and site leads need a site, "
                "and national roles need neither.",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(place__isnull=True, site__isnull=True),
                name="unique_national_role",
                violation_error_message="This person already holds this role.",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "place"],
                condition=Q(place__isnull=False),
                name="unique_place_role",
                violation_error_message="This person already holds this role for this Place.",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "site"],
                condition=Q(site__isnull=False),
                name="unique_site_role",
                violation_error_message="This person already holds this role at this site.",
            ),
        ]

    def __str__(self) -> str:
        scope = self.site or self.place
        return f"{self.user.get_username()}: {self.get_role_display()}" + (f" — {scope}" if scope else "")


class AuditEvent(models.Model):
    """Who did what to which object, when, and why. Written only by `nhsportal.audit.record`."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    from_state = models.CharField(max_length=64, blank=True)
    to_state = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor or 'the portal'} {self.action} {self.object_repr}"


class SignInFailure(models.Model):
    """One failed sign-in, counted by `nhsportal.lockout` against its username and address."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, blank=True)  # as typed, lower-cased
    address = models.CharField(max_length=45, blank=True)  # the client's IP address

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["username", "at"]), models.Index(fields=["address", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '(no username)'} from {self.address or 'unknown'}"
