from django.contrib import admin

from metrics.models import (
    BreakdownCategory,
    CurrentRollup,
    DataQualityQuery,
    ExportJob,
    MetricDefinition,
    NoticeSent,
    ReminderSent,
    ReportingPeriod,
    Return,
    ReturnValue,
    ReturnVersion,
    ReturnWarning,
    Rollup,
    RollupRun,
)
from nhsportal.admin import ReadOnlyAdmin


@admin.register(MetricDefinition)
class MetricDefinitionAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "template_id", "name", "kind", "has_rate", "direction")
    list_display_links = ("code",)
    list_filter = ("kind", "has_rate", "direction")
    search_fields = ("code", "name", "numerator_definition")
    ordering = ("order",)


@admin.register(BreakdownCategory)
class BreakdownCategoryAdmin(admin.ModelAdmin):
    list_display = ("order", "code", "dimension", "label", "comparable_code")
    list_display_links = ("code",)
    list_filter = ("dimension",)
    search_fields = ("code", "label")
    ordering = ("order",)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = (
        "month",
        "period_end",
        "initial_submission_due",
        "data_quality_report_due",
        "final_submission_due",
        "final_report_due",
    )
    date_hierarchy = "month"
    ordering = ("-month",)


class ReturnVersionInline(admin.TabularInline):
    model = ReturnVersion
    fields = ("number", "layout", "source", "created_by", "created_at", "signed_off_by", "signed_off_at", "late")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # versions are filed through the portal, where they are checked


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ("site", "period", "status", "latest_version", "signed_off_version", "first_signed_off_at")
    list_filter = ("status", "period", "site__place__icb__region")
    list_select_related = ("site", "period", "latest_version", "signed_off_version")
    search_fields = ("site__name",)
    raw_id_fields = ("site", "latest_version", "signed_off_version")
    readonly_fields = (
        "site",
        "period",
        "status",
        "latest_version",
        "signed_off_version",
        "first_signed_off_at",
        "correction_reason",
    )
    inlines = [ReturnVersionInline]

    def has_add_permission(self, request) -> bool:
        return False  # a return starts with its first filing, through the portal's checks


class ReturnWarningInline(admin.TabularInline):
    model = ReturnWarning
    fields = ("sheet", "cell", "code", "message")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReturnVersion)
class ReturnVersionAdmin(admin.ModelAdmin):
    """Read-only: a filed version is never edited, not even here."""

    list_display = ("return_record", "number", "layout", "source", "created_by", "created_at", "signed_off_at", "late")
    list_filter = ("source", "layout", "late")
    list_select_related = ("return_record__site", "return_record__period", "created_by")
    search_fields = ("return_record__site__name",)
    inlines = [ReturnWarningInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReturnValue)
class ReturnValueAdmin(admin.ModelAdmin):
    list_display = ("version", "metric", "category", "numerator", "denominator", "numerator_suppressed", "denominator_suppressed")
    list_filter = ("metric", "category__dimension")
    list_select_related = ("version__return_record__site", "version__return_record__period", "metric", "category")
    search_fields = ("version__return_record__site__name",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DataQualityQuery)
class DataQualityQueryAdmin(admin.ModelAdmin):
    list_display = ("return_record", "status", "round", "raised_by", "raised_at", "answered_at", "closed_at")
    list_filter = ("status",)
    list_select_related = ("return_record__site", "return_record__period", "raised_by")
    search_fields = ("return_record__site__name", "question", "answer")
    raw_id_fields = ("return_record", "version", "raised_by", "answered_by", "closed_by", "reopened_by")


@admin.register(NoticeSent)
class NoticeSentAdmin(admin.ModelAdmin):
    """The data-quality loop's e-mails, each once (metrics.returns.notices): read only."""

    list_display = ("key", "kind", "sent_at", "recipients")
    list_filter = ("kind",)
    search_fields = ("key",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ("kind", "period", "site", "key", "sent_at", "recipients")
    list_filter = ("kind", "period")
    list_select_related = ("period", "site")
    raw_id_fields = ("site",)


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdmin):
    """Job history, and the progress of a rebuild while it runs."""

    list_display = (
        "id",
        "scope",
        "trigger",
        "status",
        "progress",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "seconds",
        "rows",
        "error_summary",
    )
    list_filter = ("status", "trigger")
    list_select_related = ("period",)
    date_hierarchy = "started_at"

    @admin.display(description="covers")
    def scope(self, run: RollupRun) -> str:
        return str(run.period) if run.period else "every period"

    @admin.display(description="progress")
    def progress(self, run: RollupRun) -> str:
        return f"{run.steps_done} of {run.steps_total} steps"

    @admin.display(description="seconds")
    def seconds(self, run: RollupRun) -> str:
        return f"{(run.finished_at - run.started_at).total_seconds():.2f}" if run.finished_at else "—"

    @admin.display(description="error")
    def error_summary(self, run: RollupRun) -> str:
        return run.error.strip().splitlines()[-1][:120] if run.error.strip() else ""


@admin.register(CurrentRollup)
class CurrentRollupAdmin(ReadOnlyAdmin):
    """Which run's figures readers see, per period, level and organisation."""

    list_display = ("period", "level", "org_id", "run", "version_id", "provisional", "expected")
    list_filter = ("level", "period")
    list_select_related = ("period", "run")


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdmin):
    """The rows readers see now (each period's current generation)."""

    list_display = (
        "period",
        "level",
        "org_id",
        "metric",
        "category",
        "sum_numerator",
        "sum_denominator",
        "rate",
        "units_reporting",
        "units_suppressed",
        "units_expected",
        "provisional",
    )
    list_filter = ("level", "provisional", "metric")
    list_select_related = ("period", "metric", "category")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).current()


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    """Large rollup exports built by Celery: who asked, for what, and how far the job has got."""

    list_display = (
        "id",
        "requested_by",
        "format",
        "status",
        "rows_done",
        "rows_total",
        "created_at",
        "finished_at",
        "expires_at",
    )
    list_filter = ("status", "format")
    search_fields = ("requested_by__username",)
    raw_id_fields = ("requested_by",)
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"
