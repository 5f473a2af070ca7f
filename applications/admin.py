"""Admin for application rounds (administrators set them up: dates, guidance, questions,
scoring criteria and their descriptors) and for the e-mail wording.

Applications, reviews and decisions are read-only here: they change only through the
workflow services, which check who may, lock the row and audit the change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from applications.email_defaults import PLACEHOLDERS
from applications.emails import unknown_placeholders
from applications.models import (
    Answer,
    Application,
    ApplicationRound,
    Clarification,
    Collaborator,
    Criterion,
    Decision,
    EmailTemplate,
    EvidenceFile,
    Question,
    Review,
    Score,
    ScoreDescriptor,
    Status,
)
from nhsportal.admin import ReadOnlyAdmin


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class QuestionInline(admin.StackedInline):
    model = Question
    fields = (("number", "required", "word_limit"), "prompt", "help_text")
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ("number", "title", "weight", "max_score")
    extra = 0
    show_change_link = True  # descriptors are set on the criterion's own page


class RoundForm(forms.ModelForm):
    class Meta:
        model = ApplicationRound
        fields = ("name", "wave", "sites_to_select", "opens_at", "closes_at", "guidance", "eligibility")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The round must close after it opens.")
        return data


@admin.register(ApplicationRound)
class ApplicationRoundAdmin(admin.ModelAdmin):
    form = RoundForm
    list_display = ("name", "wave", "opens_at", "closes_at", "state_label", "submitted_count", "draft_count")
    list_filter = ("wave",)
    list_select_related = ("wave",)
    search_fields = ("name",)
    autocomplete_fields = ("wave",)
    date_hierarchy = "closes_at"
    inlines = [QuestionInline, CriterionInline]
    fieldsets = (
        (None, {"fields": ("name", "wave", "sites_to_select")}),
        ("Dates (UK time)", {"fields": ("opens_at", "closes_at")}),
        ("For applicants", {"fields": ("guidance", "eligibility")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApplicationRound]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                submitted_count=Count("applications", filter=Q(applications__submitted_at__isnull=False)),
                draft_count=Count("applications", filter=Q(applications__status=Status.DRAFT)),
            )
        )

    @admin.display(description="state")
    def state_label(self, round_: ApplicationRound) -> str:
        return round_.state_label

    @admin.display(description="submitted", ordering="submitted_count")
    def submitted_count(self, round_: ApplicationRound) -> int:
        return round_.submitted_count  # type: ignore[attr-defined]

    @admin.display(description="drafts", ordering="draft_count")
    def draft_count(self, round_: ApplicationRound) -> int:
        return round_.draft_count  # type: ignore[attr-defined]


class ScoreDescriptorInline(admin.TabularInline):
    model = ScoreDescriptor
    fields = ("score", "description")
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ("title", "round", "number", "weight", "max_score")
    list_filter = ("round",)
    list_select_related = ("round",)
    search_fields = ("title", "round__name")
    autocomplete_fields = ("round",)
    ordering = ("round", "number")
    inlines = [ScoreDescriptorInline]


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ("question", "text", "updated_at", "updated_by")
    readonly_fields = fields


class CollaboratorInline(ReadOnlyInline):
    model = Collaborator
    fields = ("user", "added_by", "added_at")
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = EvidenceFile
    fields = ("original_name", "kind", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = fields


class ClarificationInline(ReadOnlyInline):
    model = Clarification
    fields = ("question", "asked_by", "asked_at", "answer", "answered_by", "answered_at")
    readonly_fields = fields


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = ("reviewer", "conflict", "recommendation", "submitted_at")
    readonly_fields = fields
    show_change_link = True


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("place", "round", "status", "lead_applicant", "submitted_at", "site")
    list_filter = ("status", "round", "place__icb__region")
    list_select_related = ("place", "round", "lead_applicant", "site")
    search_fields = ("place__name", "round__name", "lead_applicant__username")
    date_hierarchy = "submitted_at"
    ordering = ("round", "place__name")
    fields = ("round", "place", "status", "lead_applicant", "submitted_at", "site", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [AnswerInline, CollaboratorInline, EvidenceInline, ClarificationInline, ReviewInline]


class ScoreInline(ReadOnlyInline):
    model = Score
    fields = ("criterion", "score", "comment")
    readonly_fields = fields


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("application", "reviewer", "conflict", "recommendation", "assigned_at", "submitted_at")
    list_filter = ("conflict", "recommendation", "application__round")
    list_select_related = ("application__place", "application__round", "reviewer")
    search_fields = ("application__place__name", "reviewer__username", "reviewer__last_name")
    fields = (
        "application",
        "reviewer",
        "assigned_by",
        "assigned_at",
        "conflict",
        "conflict_details",
        "conflict_declared_at",
        "recommendation",
        "comment",
        "submitted_at",
    )
    readonly_fields = fields
    inlines = [ScoreInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("application", "outcome", "decided_by", "decided_at", "notified_at")
    list_filter = ("outcome", "application__round")
    list_select_related = ("application__place", "application__round", "decided_by")
    search_fields = ("application__place__name", "rationale")
    date_hierarchy = "decided_at"
    fields = ("application", "outcome", "rationale", "decided_by", "decided_at", "notified_at")
    readonly_fields = fields


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ("subject", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 18, "cols": 90})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = self.instance.kind
        for name in ("subject", "body"):
            unknown = unknown_placeholders(kind, data.get(name, ""))
            if unknown:
                allowed = ", ".join("{{ " + p + " }}" for p in PLACEHOLDERS[kind])
                self.add_error(name, f"Unknown placeholder {', '.join(unknown)}. This e-mail can use: {allowed}.")
        return data


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    """The wording of the e-mails applicants receive. The set of e-mails is fixed."""

    form = EmailTemplateForm
    list_display = ("kind", "subject", "updated_at")
    readonly_fields = ("kind", "placeholders", "updated_at")
    fields = ("kind", "placeholders", "subject", "body", "updated_at")

    @admin.display(description="placeholders you can use")
    def placeholders(self, template: EmailTemplate) -> str:
        return format_html("<code>{}</code>", "  ".join("{{ " + p + " }}" for p in PLACEHOLDERS.get(template.kind, ())))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
