"""API for application rounds, applications, reviews and decisions, with the same rules as
the pages: reads go through the scoped selectors (another Place's application is a 404)
and every write calls one service. A move the application's state does not allow
(submitting twice, deciding a decided application, submitting after the deadline) is a
409 with a message that says why.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from applications import export, rules, selectors, services
from applications.exceptions import TransitionNotAllowed
from applications.filters import ApplicationFilter, DecisionFilter, ReviewFilter, RoundFilter
from applications.models import Answer, Application, ApplicationRound, Criterion, Decision, Review
from applications.serializers import (
    AnswerSerializer,
    AnswerWriteSerializer,
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    ClarificationAnswerSerializer,
    ConflictWriteSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    RecommendationWriteSerializer,
    ReviewAssignSerializer,
    ReviewSerializer,
    RoundSerializer,
    ScoreWriteSerializer,
    WithdrawSerializer,
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The application's current state does not allow this."
    default_code = "conflict"


CONFLICT = OpenApiResponse(description="The application's state does not allow this now; `detail` says why.")


class TransitionsAre409:
    """Answer `TransitionNotAllowed` from a service with 409 and its message."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, TransitionNotAllowed):
            exc = Conflict(detail=str(exc))
        return super().handle_exception(exc)  # type: ignore[misc]


@extend_schema_view(
    list=extend_schema(summary="List application rounds"),
    retrieve=extend_schema(summary="One round, with its questions and scoring criteria"),
)
class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    ordering_fields = ["opens_at", "closes_at", "name"]
    ordering = ["-opens_at", "id"]
    search_fields = ["name"]

    def get_queryset(self) -> QuerySet[ApplicationRound]:
        return ApplicationRound.objects.select_related("wave").prefetch_related(
            "questions", Prefetch("criteria", queryset=Criterion.objects.prefetch_related("descriptors"))
        )


@extend_schema_view(
    list=extend_schema(summary="List the applications you can see"),
    retrieve=extend_schema(summary="One application, with its answers, evidence and decision"),
)
class ApplicationViewSet(
    TransitionsAre409, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """A Place's programme leads see and write its applications; the taskforce reads every
    submitted one."""

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ApplicationFilter
    ordering_fields = ["place__name", "submitted_at", "created_at", "status"]
    ordering = ["place__name", "id"]
    search_fields = ["place__name"]

    def get_queryset(self) -> QuerySet[Application]:
        applications = selectors.application_list(self.request.user).select_related("site")
        if self.action != "list":
            applications = applications.select_related("decision__decided_by", "decision__application__site").prefetch_related(
                Prefetch("answers", queryset=Answer.objects.select_related("question")),
                "collaborators__user",
                "evidence",
                "clarifications",
            )
        return applications

    def get_serializer_class(self) -> type[Any]:
        return ApplicationSerializer if self.action == "list" else ApplicationDetailSerializer

    def _detail(self, application: Application, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=application.pk)
        return Response(ApplicationDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Start your Place's application",
        description="One per Place per round, while the round is open. Only the Place's programme leads may.",
        request=ApplicationCreateSerializer,
        responses={201: ApplicationDetailSerializer, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ApplicationCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        application = services.start_application(
            round_=payload.validated_data["round"], place=payload.validated_data["place"], by=request.user
        )
        return self._detail(application, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Save an answer",
        description="Drafts only, while the round is open. Over the question's word limit is a 400.",
        request=AnswerWriteSerializer,
        responses={200: AnswerSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        payload = AnswerWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        answer = services.save_answer(application=application, by=request.user, **payload.validated_data)
        return Response(AnswerSerializer(answer).data)

    @extend_schema(
        summary="Submit the application",
        description="Before the round's deadline, with every required question answered within its word limit "
        "(a 400 lists what is missing). Submitting twice, or after the deadline, is a 409.",
        request=None,
        responses={200: ApplicationDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._detail(services.submit_application(application=self.get_object(), by=request.user))

    @extend_schema(
        summary="Withdraw the application",
        description="From draft or submitted; once review has started it is a 409.",
        request=WithdrawSerializer,
        responses={200: ApplicationDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._detail(services.withdraw_application(application=application, by=request.user, **payload.validated_data))

    @extend_schema(
        summary="Answer the taskforce's question",
        request=ClarificationAnswerSerializer,
        responses={200: ApplicationDetailSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="answer-clarification")
    def answer_clarification(self, request: Request, pk: str | None = None) -> Response:
        application = self.get_object()
        payload = ClarificationAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.answer_clarification(application=application, by=request.user, **payload.validated_data)
        return self._detail(application)

    @extend_schema(
        summary="Export applications with their scores",
        description="The taskforce only. Takes the list's filters. Scores you may not see yet are marked hidden.",
        parameters=[
            OpenApiParameter("file_format", OpenApiTypes.STR, enum=["csv", "xlsx"], description="`csv` (default) or `xlsx`.")
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request: Request) -> HttpResponse:
        if not rules.can_export(request.user):
            raise exceptions.PermissionDenied("Only the taskforce can export applications.")
        applications = self.filter_queryset(self.get_queryset())
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        if request.query_params.get("file_format") == "xlsx":
            response = HttpResponse(
                export.as_xlsx(request.user, applications),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.xlsx"'
        else:
            response = HttpResponse(export.as_csv(request.user, applications), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.csv"'
        return response


@extend_schema_view(
    list=extend_schema(summary="List the reviews you can see", description="Yours, and others' once you may read them."),
    retrieve=extend_schema(summary="One review"),
)
class ReviewViewSet(
    TransitionsAre409, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Reviews stay blind: an assigned reviewer reads the others' only after submitting their
    own, and never after declaring a conflict of interest."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["assigned_at", "submitted_at"]
    ordering = ["application_id", "assigned_at", "id"]

    def get_queryset(self) -> QuerySet[Review]:
        return (
            selectors.reviews_visible_to(self.request.user)
            .select_related("reviewer", "application__round")
            .prefetch_related("scores", "application__round__criteria")
        )

    def _review(self, review: Review, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data, status=code)

    @extend_schema(
        summary="Assign a reviewer (the chair)",
        request=ReviewAssignSerializer,
        responses={201: ReviewSerializer, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ReviewAssignSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        review = services.assign_reviewer(by=request.user, **payload.validated_data)
        # A new assignment has nothing to hide yet, and the chair may not read it once scored.
        fresh = Review.objects.select_related("reviewer", "application__round").prefetch_related("application__round__criteria")
        return Response(self.get_serializer(fresh.get(pk=review.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Declare whether you have a conflict of interest",
        request=ConflictWriteSerializer,
        responses={200: ReviewSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def conflict(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        payload = ConflictWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._review(services.declare_conflict(review=review, by=request.user, **payload.validated_data))

    @extend_schema(summary="Score one criterion", request=ScoreWriteSerializer, responses={200: ReviewSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def scores(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        payload = ScoreWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.save_score(review=review, by=request.user, **payload.validated_data)
        return self._review(review)

    @extend_schema(
        summary="Give your overall recommendation",
        request=RecommendationWriteSerializer,
        responses={200: ReviewSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def recommendation(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        payload = RecommendationWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._review(services.save_recommendation(review=review, by=request.user, **payload.validated_data))

    @extend_schema(
        summary="Submit your review",
        description="Every criterion scored and a recommendation given (a 400 lists what is missing). Final.",
        request=None,
        responses={200: ReviewSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        return self._review(services.submit_review(review=self.get_object(), by=request.user))


@extend_schema_view(
    list=extend_schema(summary="List the decisions you can see"),
    retrieve=extend_schema(summary="One decision"),
)
class DecisionViewSet(
    TransitionsAre409, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["decided_at"]
    ordering = ["-decided_at", "id"]

    def get_queryset(self) -> QuerySet[Decision]:
        return selectors.decisions_visible_to(self.request.user).select_related(
            "application__place", "application__site", "decided_by"
        )

    @extend_schema(
        summary="Record a decision (the chair)",
        description="On an application under review with at least one submitted review. Selection creates the site "
        "and e-mails the Place's programme leads. Deciding twice is a 409.",
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, 409: CONFLICT},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = DecisionCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        decision = services.record_decision(by=request.user, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to /api/v1/."""
    router.register("application-rounds", RoundViewSet, basename="application-round")
    router.register("applications", ApplicationViewSet, basename="application")
    router.register("reviews", ReviewViewSet, basename="review")
    router.register("decisions", DecisionViewSet, basename="decision")
