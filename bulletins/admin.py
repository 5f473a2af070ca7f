from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from bulletins.models import Bulletin


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    """Read-only: a bulletin is built by its job and never edited (its contents are as issued)."""

    list_display = ("period", "version", "status", "trigger", "issued_at", "emailed_at")
    list_filter = ("status", "trigger")
    # The workbook through its own view (who may read it is checked there), never the storage path.
    readonly_fields = [f.name if f.name != "workbook" else "workbook_download" for f in Bulletin._meta.fields]
    fields = tuple(readonly_fields)

    @admin.display(description="Workbook")
    def workbook_download(self, obj: Bulletin) -> str:
        if not obj.workbook:
            return "Not built"
        href = reverse("bulletin-workbook", args=[obj.period.slug, obj.version])
        return format_html('<a href="{}">Download the bulletin (XLSX)</a>', href)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
