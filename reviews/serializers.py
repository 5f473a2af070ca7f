"""How reviews, actions, onboarding checklists and coaching sessions read in the API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reviews.models import Action, ActionStatus, Attendance, CoachingSession, DomainRating, Review, ReviewNote
from sites.serializers import SiteSummarySerializer


def _person(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


class DomainRatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = DomainRating
        fields = ["domain", "rating", "narrative"]


class ReviewActionSerializer(serializers.ModelSerializer):
    site = SiteSummarySerializer(read_only=True)
    review: serializers.PrimaryKeyRelatedField[Review] = serializers.PrimaryKeyRelatedField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "review",
            "site",
            "description",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "overdue",
            "closing_note",
            "closed_at",
        ]

    def get_overdue(self, action: Action) -> bool:
        return action.is_overdue_on(self.context["today"])


class ReviewNoteSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = ReviewNote
        fields = ["id", "author_name", "text", "added_at"]

    def get_author_name(self, note: ReviewNote) -> str:
        return _person(note.author)


class SiteReviewSerializer(serializers.ModelSerializer):
    site = SiteSummarySerializer(read_only=True)
    reviewer_name = serializers.SerializerMethodField()
    ratings = DomainRatingSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "site",
            "scheduled_for",
            "reviewer_name",
            "status",
            "overall_rating",
            "summary",
            "ratings",
            "published_at",
            "site_response",
            "reviewer_signed_off_at",
            "site_signed_off_at",
            "locked_at",
        ]

    def get_reviewer_name(self, review: Review) -> str:
        return _person(review.reviewer)


class SiteReviewDetailSerializer(SiteReviewSerializer):
    actions = ReviewActionSerializer(many=True, read_only=True)
    notes = ReviewNoteSerializer(many=True, read_only=True)

    class Meta(SiteReviewSerializer.Meta):
        fields = [*SiteReviewSerializer.Meta.fields, "actions", "notes"]


class ScheduleReviewSerializer(serializers.Serializer):
    site = serializers.IntegerField(help_text="The site's id.")
    scheduled_for = serializers.DateField()
    reviewer = serializers.IntegerField(help_text="The user id of the taskforce member who leads the review.")


class ReviewSignOffSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=["reviewer", "site"], help_text="Sign off for the taskforce (reviewer) or the site.")


class ReviewNoteInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class ReviewActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices)
    note = serializers.CharField(max_length=3000, required=False, allow_blank=True, help_text="Required to close an action.")


class ChecklistItemSerializer(serializers.Serializer):
    template_id = serializers.IntegerField(source="template.pk")
    code = serializers.CharField(source="template.code")
    title = serializers.CharField(source="template.title")
    # The serializer's metaclass takes declared fields off the class, so this does not shadow
    # `Field.required`; the stubs cannot see that.
    required = serializers.BooleanField(source="template.required")  # type: ignore[assignment]
    due_on = serializers.DateField()
    status = serializers.CharField()
    by_data = serializers.BooleanField(help_text="Shown by the portal's own data (a team live, a return signed off).")
    overdue = serializers.BooleanField()


class OnboardingSerializer(serializers.Serializer):
    site = SiteSummarySerializer()
    status = serializers.CharField(help_text="The site's status: onboarding, active, paused or exited.")
    milestones = ChecklistItemSerializer(many=True)


class AttendanceSerializer(serializers.ModelSerializer):
    site = SiteSummarySerializer(read_only=True)

    class Meta:
        model = Attendance
        fields = ["site", "person_name", "job_title"]


class CoachingSessionSerializer(serializers.ModelSerializer):
    attendance = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = CoachingSession
        fields = ["id", "kind", "title", "held_on", "facilitator", "topics", "follow_ups", "attendance"]
