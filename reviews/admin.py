from django.contrib import admin
from django.db import models

from reviews.models import (
    Action,
    Attendance,
    CoachingSession,
    DomainRating,
    MilestoneTemplate,
    Review,
    ReviewNote,
    ReviewReminderSent,
    SiteMilestone,
)


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(admin.ModelAdmin):
    """Each wave's onboarding checklist: administrators add, reorder and change the items here."""

    list_display = ("wave", "order", "title", "required", "due_after_days", "automatic")
    list_display_links = ("title",)
    list_filter = ("wave", "required", "automatic")
    search_fields = ("title", "code")
    ordering = ("wave__number", "order")


@admin.register(SiteMilestone)
class SiteMilestoneAdmin(admin.ModelAdmin):
    list_display = ("site", "template", "status", "ticked_by_data", "submitted_at", "decided_at")
    list_filter = ("status", "ticked_by_data", "template__wave")
    search_fields = ("site__name", "template__title")
    raw_id_fields = ("site", "template", "submitted_by", "decided_by")
    readonly_fields = ("evidence_sha256", "evidence_size", "evidence_kind")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class DomainRatingInline(admin.TabularInline):
    model = DomainRating
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("site", "scheduled_for", "reviewer", "status", "overall_rating", "locked_at")
    list_filter = ("status", "overall_rating", "site__wave")
    search_fields = ("site__name",)
    raw_id_fields = ("site", "reviewer", "scheduled_by", "site_responded_by", "reviewer_signed_off_by", "site_signed_off_by")
    inlines = [DomainRatingInline]
    date_hierarchy = "scheduled_for"


@admin.register(ReviewNote)
class ReviewNoteAdmin(admin.ModelAdmin):
    list_display = ("review", "author", "added_at")
    raw_id_fields = ("review", "author")
    search_fields = ("review__site__name", "text")


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("description", "site", "owner", "due_on", "status")
    list_filter = ("status", "owner")
    search_fields = ("description", "site__name", "owner_name")
    raw_id_fields = ("review", "site", "created_by", "closed_by")
    date_hierarchy = "due_on"


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ("site",)


@admin.register(CoachingSession)
class CoachingSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "held_on", "facilitator")
    list_filter = ("kind",)
    search_fields = ("title", "topics")
    raw_id_fields = ("recorded_by",)
    inlines = [AttendanceInline]


@admin.register(ReviewReminderSent)
class ReviewReminderSentAdmin(admin.ModelAdmin):
    list_display = ("kind", "action", "site", "key", "sent_at", "recipients")
    list_filter = ("kind",)
    raw_id_fields = ("action", "site")
