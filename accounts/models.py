"""Who a person is at their identity provider, whether they may use a password, and the
access they ask for and keep (ADR 17)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from nhsportal.models import Role


class OidcIdentity(models.Model):
    """A person as an OpenID Connect provider knows them: matched by (issuer, subject), never by
    e-mail. First sign-in creates it; an administrator may link one to an existing account."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_identities")
    provider = models.CharField(max_length=40, help_text="The provider's name in OIDC_PROVIDERS, e.g. cis2.")
    issuer = models.CharField(max_length=300, help_text="The issuer exactly as its ID tokens give it.")
    subject = models.CharField(max_length=255, help_text="The provider's stable subject (`sub`) for this person.")
    organisations = models.JSONField(default=list, blank=True, help_text="Organisations and roles the provider sent.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "identity at a provider"
        verbose_name_plural = "identities at providers"
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="unique_oidc_subject")]

    def __str__(self) -> str:
        return f"{self.user.get_username()} at {self.provider}"


class BreakGlassAccount(models.Model):
    """An account that may sign in with a password when PASSWORD_SIGN_IN is off. Each such
    sign-in is audited and e-mailed to the administrators."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="break_glass")
    reason = models.TextField(help_text="Why this account needs a password (e.g. the provider is down).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "break-glass account"

    def __str__(self) -> str:
        return self.user.get_username()


REQUESTABLE_ROLES = [(Role.SITE_STAFF, "Site staff"), (Role.SITE_LEAD, "Site lead"), (Role.PROGRAMME_LEAD, "Programme lead")]


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


class AccessRequest(models.Model):
    """A person asks for a role at a site (site staff, site lead) or a Place (programme lead)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests")
    role = models.CharField(max_length=32, choices=Role.choices)
    site = models.ForeignKey("sites.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey("sites.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    organisations = models.JSONField(default=list, blank=True, help_text="What the identity provider said of them.")
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="access_request_scope_matches_role",
                condition=Q(role=Role.PROGRAMME_LEAD, place__isnull=False, site__isnull=True)
                | Q(role__in=[Role.SITE_STAFF, Role.SITE_LEAD], site__isnull=False, place__isnull=True),
            ),
            # One pending request per person, role and scope: a site's or a Place's (two partial
            # indexes, as `nulls_distinct` has no SQLite equivalent and would leave it unguarded).
            models.UniqueConstraint(
                fields=["user", "role", "site"],
                condition=Q(status="pending", site__isnull=False),
                name="one_pending_request_per_site_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "place"],
                condition=Q(status="pending", place__isnull=False),
                name="one_pending_request_per_place_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_username()}: {self.get_role_display()} — {self.site or self.place}"


class SiteConfirmation(models.Model):
    """A site lead confirmed who at their site keeps access, for one quarter."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="+")
    quarter = models.CharField(max_length=7, help_text="e.g. 2026-Q4")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)
    kept = models.JSONField(default=list)
    removed = models.JSONField(default=list)

    class Meta:
        ordering = ["-confirmed_at"]
        constraints = [models.UniqueConstraint(fields=["site", "quarter"], name="one_confirmation_per_site_quarter")]

    def __str__(self) -> str:
        return f"{self.site} {self.quarter}"


class AccessNotice(models.Model):
    """A reminder or notice sent once (the quarterly confirmation reminder, the inactivity notice)."""

    key = models.CharField(max_length=120, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
