from django.contrib import admin

from dashboards.models import SharingSetting, SpcChangePoint, SpcTarget
from nhsportal.audit import record


@admin.register(SharingSetting)
class SharingSettingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:  # one row, made on first read
        return not SharingSetting.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        before = form.initial.get("sharing", "")
        obj.pk = 1
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        record(actor=request.user, action="dashboards.sharing_changed", obj=obj, from_state=before, to_state=obj.sharing)


@admin.register(SpcTarget)
class SpcTargetAdmin(admin.ModelAdmin):
    """Administrators set each metric's targets; the SPC charts draw them and give the assurance icon."""

    list_display = ["metric", "level", "org_id", "value", "valid_from", "valid_to", "updated_by"]
    list_filter = ["level", "metric"]
    readonly_fields = ["updated_at", "updated_by"]

    def save_model(self, request, obj, form, change) -> None:
        before = {name: str(form.initial.get(name, "")) for name in form.changed_data} if change else {}
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        changes = {name: [before.get(name, ""), str(getattr(obj, name))] for name in form.changed_data}
        record(actor=request.user, action="dashboards.spc_target_saved", obj=obj, changes=changes)

    def delete_model(self, request, obj) -> None:
        record(actor=request.user, action="dashboards.spc_target_deleted", obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            record(actor=request.user, action="dashboards.spc_target_deleted", obj=obj)
        super().delete_queryset(request, queryset)


@admin.register(SpcChangePoint)
class SpcChangePointAdmin(admin.ModelAdmin):
    """Read only here: the taskforce records and removes change points on the SPC page, with a reason."""

    list_display = ["metric", "level", "org_id", "month", "created_by", "created_at"]
    list_filter = ["level", "metric"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
