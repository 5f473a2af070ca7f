"""Administrators link a password account to a person's identity at a provider, keep the
break-glass accounts, and read access requests (decided on the portal's own pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts import services
from accounts.models import AccessRequest, BreakGlassAccount, OidcIdentity, SiteConfirmation
from nhsportal import audit


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "provider", "subject", "issuer", "last_sign_in_at")
    list_filter = ("provider",)
    search_fields = ("user__username", "user__email", "subject")
    raw_id_fields = ("user",)
    readonly_fields = ("organisations", "created_at", "last_sign_in_at")

    def save_model(self, request: HttpRequest, obj: OidcIdentity, form: Any, change: bool) -> None:
        if change:
            obj.save()
            audit.record(actor=request.user, action="account.identity_changed", obj=obj.user, changes={"subject": obj.subject})
        else:
            services.link_identity(user=obj.user, provider=obj.provider, issuer=obj.issuer, subject=obj.subject, by=request.user)


@admin.register(BreakGlassAccount)
class BreakGlassAccountAdmin(admin.ModelAdmin):
    list_display = ("user", "reason", "created_at")
    raw_id_fields = ("user",)

    def save_model(self, request: HttpRequest, obj: BreakGlassAccount, form: Any, change: bool) -> None:
        obj.save()
        audit.record(actor=request.user, action="account.break_glass_set", obj=obj.user, reason=obj.reason)

    def delete_model(self, request: HttpRequest, obj: BreakGlassAccount) -> None:
        audit.record(actor=request.user, action="account.break_glass_removed", obj=obj.user)
        obj.delete()


@admin.register(AccessRequest)
class AccessRequestAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "site", "place", "status", "created_at", "decided_by")
    list_filter = ("status", "role")
    search_fields = ("user__username", "user__email")
    readonly_fields = [f.name for f in AccessRequest._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SiteConfirmation)
class SiteConfirmationAdmin(admin.ModelAdmin):
    list_display = ("site", "quarter", "confirmed_by", "confirmed_at")
    readonly_fields = [f.name for f in SiteConfirmation._meta.fields]
