from django.contrib import admin

from bulletins.models import Bulletin


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Read-only: a bulletin is built by its job and never edited (its contents are as issued)."""

    list_display = ("period", "version", "status", "trigger", "issued_at", "emailed_at")
    list_filter = ("status", "trigger")
    readonly_fields = [f.name for f in Bulletin._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
