"""Admin for people and their roles, and the (read-only) audit trail.

Role grants are the heart of the portal's security: every grant, change and revocation
goes through `nhsportal.services`, which audits it and keeps admin access in step.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest

from nhsportal import lockout, services
from nhsportal.models import AuditEvent, Role, RoleAssignment, SignInFailure

User = get_user_model()

admin.site.site_header = "Neighbourhood Health Programme administration"
admin.site.site_title = "NNHIP admin"
admin.site.index_title = "Reference data, people and roles"


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fields = ("role", "place", "site", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("place", "site")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoleAssignment]:
        return super().get_queryset(request).select_related("place", "site")


class HoldsRoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(value), str(label)) for value, label in Role.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value():
            # A subquery rather than a join, so a person with two roles is listed once.
            return queryset.filter(pk__in=RoleAssignment.objects.filter(role=self.value()).values("user_id"))
        return queryset


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users and their role assignments, managed in one place."""

    inlines = [RoleAssignmentInline]
    list_display = ("username", "full_name", "email", "roles", "is_active", "is_staff", "is_superuser", "last_login")
    list_filter = (HoldsRoleFilter, "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    date_hierarchy = "date_joined"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        assignments = RoleAssignment.objects.select_related("place", "site").order_by("role")
        return super().get_queryset(request).prefetch_related(Prefetch("role_assignments", queryset=assignments))

    @admin.display(description="name", ordering="last_name")
    def full_name(self, user: Any) -> str:
        return user.get_full_name()

    @admin.display(description="roles")
    def roles(self, user: Any) -> str:
        return (
            "; ".join(
                assignment.get_role_display()
                + (f" — {assignment.site or assignment.place}" if assignment.site or assignment.place else "")
                for assignment in user.role_assignments.all()
            )
            or "—"
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not RoleAssignment:
            super().save_formset(request, form, formset, change)
            return
        instances = formset.save(commit=False)
        for assignment in formset.deleted_objects:
            services.revoke_role(assignment=assignment, by=request.user)
        changed = {id(obj) for obj, _ in formset.changed_objects}
        for assignment in instances:
            services.save_role_assignment(assignment=assignment, by=request.user, is_new=id(assignment) not in changed)
        formset.save_m2m()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "user_full_name", "role", "place", "site", "created_at")
    list_filter = ("role",)
    list_select_related = ("user", "place", "site")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "site__name",
        "place__name",
    )
    raw_id_fields = ("user",)
    autocomplete_fields = ("place", "site")
    date_hierarchy = "created_at"
    ordering = ("user__username", "role")

    @admin.display(description="name", ordering="user__last_name")
    def user_full_name(self, assignment: RoleAssignment) -> str:
        return assignment.user.get_full_name()

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool) -> None:
        services.save_role_assignment(assignment=obj, by=request.user, is_new=not change)

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        services.revoke_role(assignment=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleAssignment]) -> None:
        for assignment in queryset.select_related("user", "place", "site"):
            services.revoke_role(assignment=assignment, by=request.user)


class AuditAreaFilter(admin.SimpleListFilter):
    """Actions grouped by what they act on (`return.`, `application.`, `role.` …)."""

    title = "area"
    parameter_name = "area"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        actions = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
        areas = sorted({action.split(".", 1)[0] for action in actions})
        return [(area, area.replace("_", " ").capitalize()) for area in areas]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value():
            return queryset.filter(action__startswith=f"{self.value()}.")
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the portal's own services and jobs (audit, rollups, workflow records):
    administrators read them here; nobody adds, changes or deletes them around the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is evidence: nobody adds, edits or deletes it, administrators included."""

    list_display = ("at", "actor", "action", "object_repr", "content_type", "object_id", "from_state", "to_state")
    list_filter = (
        AuditAreaFilter,
        "action",
        ("content_type", admin.RelatedOnlyFieldListFilter),
        ("actor", admin.RelatedOnlyFieldListFilter),
        "at",
    )
    list_select_related = ("actor", "content_type")
    # `=object_id`: searching for 42 finds object 42's whole history (choose its type in the filter).
    search_fields = ("object_repr", "=object_id", "actor__username", "actor__email", "reason")
    date_hierarchy = "at"
    # The trail only grows: skip the second count of the whole table on every filtered page.
    show_full_result_count = False
    ordering = ("-at", "-id")
    fields = ("at", "actor", "action", "content_type", "object_id", "object_repr", "from_state", "to_state", "changes", "reason")
    readonly_fields = fields


class LockAwareAdminAuthenticationForm(lockout.SaysWhenLocked, AdminAuthenticationForm):
    """Django admin's sign-in, which says so plainly when the account or address is locked."""


admin.site.login_form = LockAwareAdminAuthenticationForm


@admin.register(SignInFailure)
class SignInFailureAdmin(admin.ModelAdmin):
    """Failed sign-ins as counted by the lockout (ADR 12). An administrator can lift a lock early."""

    list_display = ("at", "username", "address")
    search_fields = ("username", "address")
    date_hierarchy = "at"
    readonly_fields = ("at", "username", "address")
    actions = ["lift_lock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SignInFailure | None = None) -> bool:
        return False

    @admin.action(description="Lift the lock on these usernames and addresses", permissions=["delete"])
    def lift_lock(self, request: HttpRequest, queryset: QuerySet[SignInFailure]) -> None:
        pairs = set(queryset.values_list("username", "address"))
        for username, address in pairs:
            lockout.unlock(username=username, address=address, by=request.user)
        self.message_user(request, f"Lifted the lock on {len(pairs)} username and address pair(s).")
