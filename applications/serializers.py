"""How rounds, applications, reviews and decisions read and are written in the API.

Read serializers shape responses. Write serializers only check a request's shape and turn
ids into objects the person may use (an id outside their scope reads exactly like one
that does not exist); the rules live in `applications.services`, which the views call.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import (
    Answer,
    Application,
    ApplicationRound,
    Clarification,
    Criterion,
    Decision,
    EvidenceFile,
    Outcome,
    Question,
    Recommendation,
    Review,
    RoundState,
    Score,
    ScoreDescriptor,
)
from applications.rules import REVIEWER_ROLES
from applications.scoring import weighted_score
from applications.selectors import applications_visible_to
from nhsportal.roles import roles_of
from sites.models import Place
from sites.serializers import (
    ICBSummarySerializer,
    PlaceSummarySerializer,
    RegionSummarySerializer,
    SiteSummarySerializer,
    WaveSummarySerializer,
)


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


# Rounds.


class ScoreDescriptorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoreDescriptor
        fields = ["score", "description"]


class CriterionSerializer(serializers.ModelSerializer):
    descriptors = ScoreDescriptorSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "number", "title", "guidance", "weight", "max_score", "descriptors"]


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "number", "prompt", "help_text", "word_limit", "required"]


class RoundSerializer(serializers.ModelSerializer):
    wave = WaveSummarySerializer(read_only=True)
    state = serializers.SerializerMethodField()
    questions = QuestionSerializer(many=True, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = ApplicationRound
        fields = [
            "id",
            "name",
            "wave",
            "opens_at",
            "closes_at",
            "state",
            "guidance",
            "eligibility",
            "sites_to_select",
            "questions",
            "criteria",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=RoundState.choices))
    def get_state(self, round_: ApplicationRound) -> str:
        return round_.state().value


class RoundSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationRound
        fields = ["id", "name"]


# Applications.


class ApplicationSerializer(serializers.ModelSerializer):
    """An application as lists show it."""

    round = RoundSummarySerializer(read_only=True)
    place = PlaceSummarySerializer(read_only=True)
    icb = ICBSummarySerializer(source="place.icb", read_only=True)
    region = RegionSummarySerializer(source="place.icb.region", read_only=True)
    lead_applicant_name = serializers.SerializerMethodField()
    site = SiteSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "round",
            "place",
            "icb",
            "region",
            "status",
            "lead_applicant_name",
            "submitted_at",
            "created_at",
            "updated_at",
            "site",
        ]

    def get_lead_applicant_name(self, application: Application) -> str:
        return _name(application.lead_applicant)


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.IntegerField(source="question_id", read_only=True)
    number = serializers.IntegerField(source="question.number", read_only=True)
    word_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Answer
        fields = ["question", "number", "text", "word_count", "updated_at"]


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField(help_text="Signed-in download (session).")

    class Meta:
        model = EvidenceFile
        fields = ["id", "name", "kind", "size", "sha256", "uploaded_at", "download_url"]

    def get_download_url(self, item: EvidenceFile) -> str:
        return reverse("evidence-download", args=[item.application_id, item.pk])


class ClarificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clarification
        fields = ["question", "asked_at", "answer", "answered_at"]


class DecisionSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="application.place.name", read_only=True)
    decided_by_name = serializers.SerializerMethodField()
    site = SiteSummarySerializer(source="application.site", read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = ["id", "application", "place", "outcome", "rationale", "decided_by_name", "decided_at", "site"]

    def get_decided_by_name(self, decision: Decision) -> str:
        return _name(decision.decided_by)


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application adds its answers, collaborators, evidence, questions asked and decision."""

    answers = AnswerSerializer(many=True, read_only=True)
    collaborators = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)
    clarifications = ClarificationSerializer(many=True, read_only=True)
    decision = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "answers", "collaborators", "evidence", "clarifications", "decision"]

    def get_collaborators(self, application: Application) -> list[str]:
        return [_name(collaborator.user) for collaborator in application.collaborators.all()]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, application: Application) -> dict[str, Any] | None:
        decision = getattr(application, "decision", None)
        return DecisionSerializer(decision).data if decision else None


class _ScopedToRequester(serializers.Serializer):
    def requester(self) -> Any:
        return getattr(self.context.get("request"), "user", None)


class ApplicationCreateSerializer(_ScopedToRequester):
    """Start your Place's application to an open round."""

    round = serializers.PrimaryKeyRelatedField(queryset=ApplicationRound.objects.all())
    place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.none(), help_text="A Place you are programme lead for.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.RelatedField, self.fields["place"]).queryset = Place.objects.filter(
            pk__in=roles_of(self.requester()).place_ids
        )


class AnswerWriteSerializer(serializers.Serializer):
    question = serializers.PrimaryKeyRelatedField(
        queryset=Question.objects.all(), help_text="A question of the application's round."
    )
    text = serializers.CharField(allow_blank=True, trim_whitespace=True, max_length=100_000)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the Place is withdrawing (the taskforce reads it).")


class ClarificationAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=8000)


# Reviews.


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["criterion", "score", "comment"]


class ReviewSerializer(serializers.ModelSerializer):
    reviewer_name = serializers.SerializerMethodField()
    progress = serializers.CharField(read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)
    weighted_score = serializers.SerializerMethodField(help_text="Out of 100, once every criterion is scored.")

    class Meta:
        model = Review
        fields = [
            "id",
            "application",
            "reviewer_name",
            "conflict",
            "progress",
            "scores",
            "weighted_score",
            "recommendation",
            "comment",
            "assigned_at",
            "submitted_at",
        ]

    def get_reviewer_name(self, review: Review) -> str:
        return _name(review.reviewer)

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True))
    def get_weighted_score(self, review: Review) -> str | None:
        score = weighted_score(review.scores.all(), list(review.application.round.criteria.all()))
        return None if score is None else str(score)  # decimals are strings in this API, as DRF writes them


class ReviewAssignSerializer(_ScopedToRequester):
    """The chair assigns a taskforce member to review an application."""

    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.none())
    reviewer = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(), help_text="A taskforce member's user id."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.RelatedField, self.fields["application"]).queryset = applications_visible_to(self.requester())
        cast(serializers.RelatedField, self.fields["reviewer"]).queryset = (
            get_user_model().objects.filter(role_assignments__role__in=REVIEWER_ROLES, is_active=True).distinct()
        )


class ConflictWriteSerializer(serializers.Serializer):
    has_conflict = serializers.BooleanField()
    details = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Required when there is a conflict."
    )


class ScoreWriteSerializer(serializers.Serializer):
    criterion = serializers.PrimaryKeyRelatedField(queryset=Criterion.objects.all())
    score = serializers.IntegerField(min_value=0, max_value=10)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class RecommendationWriteSerializer(serializers.Serializer):
    recommendation = serializers.ChoiceField(choices=Recommendation.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=6000)


# Decisions.


class DecisionCreateSerializer(_ScopedToRequester):
    application = serializers.PrimaryKeyRelatedField(queryset=Application.objects.none())
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    rationale = serializers.CharField(max_length=6000, help_text="The Place's programme leads are e-mailed it.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.RelatedField, self.fields["application"]).queryset = applications_visible_to(self.requester())
