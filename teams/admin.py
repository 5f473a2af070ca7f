"""Admin for teams, the organisations that employ their people, the workforce, and the
team vocabulary (professions, focus conditions and cohorts) loaded by `load_reference_data`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from teams.models import (
    FocusCohort,
    FocusCondition,
    NeighbourhoodTeam,
    PartnerOrganisation,
    Profession,
    WorkforceEntry,
)


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "ods_code")
    list_filter = ("kind",)
    search_fields = ("name", "ods_code")
    ordering = ("name",)


@admin.register(Profession)
class ProfessionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "group")
    list_filter = ("group",)
    search_fields = ("name", "code", "group")
    ordering = ("group", "name")


@admin.register(FocusCondition)
class FocusConditionAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    ordering = ("name",)


@admin.register(FocusCohort)
class FocusCohortAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name", "description")
    ordering = ("name",)


class WorkforceInline(admin.TabularInline):
    model = WorkforceEntry
    fields = ("profession", "employer", "headcount", "wte", "start_date", "end_date")
    autocomplete_fields = ("profession", "employer")
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[WorkforceEntry]:
        return super().get_queryset(request).select_related("profession", "employer")


class NeighbourhoodTeamForm(forms.ModelForm):
    # No Meta: the admin builds it from the ModelAdmin's fields.

    def clean(self) -> dict[str, Any]:
        # The same rule the team services enforce: a team works in one of its own site's neighbourhoods.
        super().clean()
        cleaned = self.cleaned_data
        site, neighbourhood = cleaned.get("site"), cleaned.get("neighbourhood")
        if site is not None and neighbourhood is not None and neighbourhood.site_id != site.pk:
            self.add_error("neighbourhood", f"Choose one of {site}'s own neighbourhoods.")
        return cleaned


@admin.register(NeighbourhoodTeam)
class NeighbourhoodTeamAdmin(admin.ModelAdmin):
    form = NeighbourhoodTeamForm
    list_display = ("name", "site", "neighbourhood", "lead_name", "launched_on", "conditions", "cohorts", "updated_at")
    list_filter = ("site__status", "site__wave", "site__place__icb__region", "focus_conditions", "focus_cohorts")
    list_select_related = ("site", "neighbourhood")
    search_fields = ("name", "lead_name", "lead_email", "site__name", "neighbourhood__name")
    autocomplete_fields = ("site", "neighbourhood")
    filter_horizontal = ("focus_conditions", "focus_cohorts")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "launched_on"
    ordering = ("site__name", "name")
    inlines = [WorkforceInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NeighbourhoodTeam]:
        return super().get_queryset(request).prefetch_related("focus_conditions", "focus_cohorts")

    @admin.display(description="focus conditions")
    def conditions(self, team: NeighbourhoodTeam) -> str:
        return ", ".join(condition.name for condition in team.focus_conditions.all())

    @admin.display(description="focus cohorts")
    def cohorts(self, team: NeighbourhoodTeam) -> str:
        return ", ".join(cohort.name for cohort in team.focus_cohorts.all())


class CurrentFilter(admin.SimpleListFilter):
    """Entries with an end date in the past are history; the rest make up teams today."""

    title = "current or ended"
    parameter_name = "current"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Current"), ("no", "Ended")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[WorkforceEntry]) -> QuerySet[WorkforceEntry] | None:
        current = Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(current)
        if self.value() == "no":
            return queryset.exclude(current)
        return queryset


@admin.register(WorkforceEntry)
class WorkforceEntryAdmin(admin.ModelAdmin):
    list_display = ("team", "site", "profession", "employer", "headcount", "wte", "start_date", "end_date")
    list_filter = (CurrentFilter, "profession__group", "profession", "employer__kind", "team__site")
    list_select_related = ("team__site", "profession", "employer")
    search_fields = ("team__name", "team__site__name", "profession__name", "employer__name", "employer__ods_code")
    autocomplete_fields = ("team", "profession", "employer")
    date_hierarchy = "start_date"
    ordering = ("team__site__name", "team__name", "profession__name", "start_date")

    @admin.display(description="site", ordering="team__site__name")
    def site(self, entry: WorkforceEntry) -> Any:
        return entry.team.site
