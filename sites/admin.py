"""Admin for the organisation hierarchy: regions, ICBs, local authorities, Places, waves,
sites and neighbourhoods. Most of it is reference data loaded by `load_reference_data`;
administrators mostly change sites (status, programme lead, summary) and neighbourhoods, and
correct a Place's ICB memberships (inline on the Place)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils import timezone

from nhsportal.admin import ReadOnlyAdmin
from sites import services
from sites.models import ICB, LocalAuthority, Neighbourhood, Place, PlaceICBMembership, Region, Site, Wave, long_date, overlapping


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "ods_code", "ons_code", "icb_count")
    search_fields = ("name", "ods_code", "ons_code")
    ordering = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Region]:
        return super().get_queryset(request).annotate(icb_count=Count("icbs"))

    @admin.display(description="ICBs", ordering="icb_count")
    def icb_count(self, region: Region) -> int:
        return region.icb_count  # type: ignore[attr-defined]


class InForceFilter(admin.SimpleListFilter):
    """ICBs merge from April 2026: which rows describe today's ICBs and which are history."""

    title = "in force"
    parameter_name = "in_force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "In force today"), ("no", "Not in force today")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ICB]) -> QuerySet[ICB] | None:
        today = timezone.localdate()
        in_force = ICB.objects.in_force_on(today).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=in_force)
        if self.value() == "no":
            return queryset.exclude(pk__in=in_force)
        return queryset


@admin.register(ICB)
class ICBAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "short_name",
        "ods_code",
        "ons_code",
        "ons_code_previous",
        "region",
        "effective_from",
        "effective_to",
        "successor",
        "gp_registered_population_16_plus",
    )
    list_filter = (InForceFilter, "region", "effective_from", "effective_to")
    list_select_related = ("region", "successor")
    search_fields = ("name", "short_name", "ods_code", "ons_code", "ons_code_previous")
    autocomplete_fields = ("successor",)
    ordering = ("name",)
    fieldsets = (
        (None, {"fields": ("name", "short_name", "region")}),
        ("Codes", {"fields": ("ods_code", "ons_code", "ons_code_previous")}),
        ("In force", {"fields": ("effective_from", "effective_to", "successor")}),
        ("Population and source", {"fields": ("gp_registered_population_16_plus", "source_note")}),
    )


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "population",
        "imd_rank_of_average_rank",
        "imd_decile",
        "pct_lsoas_most_deprived_10",
        "pct_lsoas_most_deprived_20",
    )
    list_filter = ("imd_decile",)
    search_fields = ("name", "code")
    ordering = ("name",)


class ICBMembershipFormSet(BaseInlineFormSet):
    """A Place's memberships, checked together: no two share a day."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form.instance
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE") and form.instance.effective_from
        ]
        clash = overlapping(kept)
        if clash:
            earlier, later = clash
            until = f"to {long_date(earlier.effective_to)}" if earlier.effective_to else "with no end"
            raise ValidationError(
                f"Two memberships overlap: {earlier.icb} from {long_date(earlier.effective_from)} ({until}) and "
                f"{later.icb} from {long_date(later.effective_from)}. End the earlier one on the last day "
                f"before the later one starts."
            )


class ICBMembershipInline(admin.TabularInline):
    """Which ICB the Place belonged to, when: each month's ICB figures follow these."""

    model = PlaceICBMembership
    formset = ICBMembershipFormSet
    fields = ("icb", "effective_from", "effective_to", "source", "inferred")
    autocomplete_fields = ("icb",)
    extra = 0


def _membership_changes(formset: BaseInlineFormSet) -> dict[str, Any]:
    """What an administrator did to a Place's memberships, for the audit trail."""
    return {
        "added": [str(m) for m in formset.new_objects],
        "changed": [f"{m}: {', '.join(fields)}" for m, fields in formset.changed_objects],
        "removed": [str(m) for m in formset.deleted_objects],
    }


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "icb", "region", "population", "local_authority_note")
    list_filter = ("icb__region",)
    list_select_related = ("icb__region",)
    search_fields = ("name", "icb__name", "icb__short_name", "icb__ods_code")
    autocomplete_fields = ("icb", "local_authorities")
    ordering = ("name",)
    inlines = [ICBMembershipInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Memberships (or the ICB) changed: audited, the Place follows the membership in force
        today, and the rollups are rebuilt so every month's ICB figures follow them."""
        super().save_related(request, form, formsets, change)
        changes: dict[str, Any] = {}
        for formset in formsets:
            if isinstance(formset, ICBMembershipFormSet) and formset.has_changed():
                changes |= _membership_changes(formset)
        if "icb" in form.changed_data and change:
            changes["icb"] = str(form.instance.icb)
        if changes:
            services.record_icb_membership_change(place=form.instance, by=request.user, changes=changes)

    @admin.display(description="region", ordering="icb__region__name")
    def region(self, place: Place) -> Region:
        return place.icb.region


@admin.register(PlaceICBMembership)
class PlaceICBMembershipAdmin(ReadOnlyAdmin):
    """Every Place's ICB over time, to find and check them (which moved, what is inferred).
    They are changed on their Place's page, where overlaps are checked together, the change is
    audited and the rollups rebuilt."""

    list_display = ("place", "icb", "effective_from", "effective_to", "inferred", "source")
    list_filter = ("inferred", "effective_from", "icb__region")
    list_select_related = ("place", "icb")
    search_fields = ("place__name", "icb__name", "icb__short_name", "icb__ods_code", "icb__ons_code")
    ordering = ("place__name", "effective_from")


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "start_date", "site_count")
    search_fields = ("name",)
    ordering = ("number",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Wave]:
        return super().get_queryset(request).annotate(site_count=Count("sites"))

    @admin.display(description="sites", ordering="site_count")
    def site_count(self, wave: Wave) -> int:
        return wave.site_count  # type: ignore[attr-defined]


class NeighbourhoodInline(admin.TabularInline):
    model = Neighbourhood
    fields = ("name", "population")
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "place", "icb", "region", "wave", "status", "programme_lead", "joined_on")
    list_filter = ("wave", "status", "place__icb__region")
    list_select_related = ("place__icb__region", "wave", "programme_lead")
    search_fields = ("name", "place__name", "place__icb__name", "place__icb__short_name", "programme_lead__username")
    autocomplete_fields = ("place", "wave")
    raw_id_fields = ("programme_lead",)
    date_hierarchy = "joined_on"
    ordering = ("name",)
    inlines = [NeighbourhoodInline]

    @admin.display(description="ICB", ordering="place__icb__name")
    def icb(self, site: Site) -> ICB:
        return site.place.icb

    @admin.display(description="region", ordering="place__icb__region__name")
    def region(self, site: Site) -> Region:
        return site.place.icb.region


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "population", "team_count")
    list_filter = ("site__status", "site__wave", "site__place__icb__region")
    list_select_related = ("site",)
    search_fields = ("name", "site__name")
    autocomplete_fields = ("site",)
    ordering = ("site__name", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Neighbourhood]:
        return super().get_queryset(request).annotate(team_count=Count("teams"))

    @admin.display(description="teams", ordering="team_count")
    def team_count(self, neighbourhood: Neighbourhood) -> int:
        return neighbourhood.team_count  # type: ignore[attr-defined]
