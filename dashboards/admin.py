from django.contrib import admin

from dashboards.models import SharingSetting
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
