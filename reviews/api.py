"""API for site reviews, their actions, onboarding checklists and the coaching log.

Scoped as the pages are: the taskforce reads everything; a site's people read their own
site's published reviews and actions (drafts are a 404 to them, as is another site's
review). Workflow steps call the same services as the pages, so the same rules apply.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from nhsportal.roles import roles_of
from reviews import selectors, services
from reviews.models import Action, ActionOwner, ActionStatus, Attendance, CoachingSession, Review, ReviewNote, ReviewStatus
from reviews.serializers import (
    CoachingSessionSerializer,
    OnboardingSerializer,
    ReviewActionSerializer,
    ReviewActionUpdateSerializer,
    ReviewNoteInSerializer,
    ReviewSignOffSerializer,
    ScheduleReviewSerializer,
    SiteReviewDetailSerializer,
    SiteReviewSerializer,
)
from sites.filters import IdFilter
from sites.selectors import sites_visible_to


class ReviewFilter(filters.FilterSet):
    site = IdFilter(field_name="site_id", label="Site id.")
    status = filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = Review
        fields = ["site", "status"]


@extend_schema_view(
    list=extend_schema(summary="List the site reviews you can see"),
    retrieve=extend_schema(summary="One review, with its ratings, actions and notes"),
)
class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """The taskforce: every review, drafts included. A site's people: its published reviews."""

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ReviewFilter
    ordering_fields = ["scheduled_for", "site__name"]
    ordering = ["-scheduled_for", "-id"]

    def get_queryset(self) -> QuerySet[Review]:
        reviews = selectors.reviews_visible_to(self.request.user).select_related("site", "reviewer").prefetch_related("ratings")
        if self.action != "list":
            reviews = reviews.prefetch_related(
                Prefetch("actions", queryset=Action.objects.select_related("site").order_by("due_on", "id")),
                Prefetch("notes", queryset=ReviewNote.objects.select_related("author").order_by("added_at", "id")),
            )
        return reviews

    def get_serializer_class(self) -> Any:
        return SiteReviewSerializer if self.action == "list" else SiteReviewDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(
        summary="Schedule a review (the taskforce)", request=ScheduleReviewSerializer, responses={201: SiteReviewDetailSerializer}
    )
    def create(self, request: Request) -> Response:
        payload = ScheduleReviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        site = get_object_or_404(sites_visible_to(request.user), pk=data["site"])
        reviewer = get_user_model().objects.filter(pk=data["reviewer"]).first()
        review = services.schedule_review(site=site, scheduled_for=data["scheduled_for"], reviewer=reviewer, by=request.user)
        return Response(
            SiteReviewDetailSerializer(review, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Sign the review off, for the taskforce or the site",
        request=ReviewSignOffSerializer,
        responses={200: SiteReviewDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request: Request, pk: str | None = None) -> Response:
        payload = ReviewSignOffSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = services.sign_off_review(review=self.get_object(), by=request.user, side=payload.validated_data["side"])
        return Response(
            SiteReviewDetailSerializer(self.get_queryset().get(pk=review.pk), context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Append a note (never edited)", request=ReviewNoteInSerializer, responses={201: SiteReviewDetailSerializer}
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str | None = None) -> Response:
        payload = ReviewNoteInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = self.get_object()
        services.add_note(review=review, by=request.user, text=payload.validated_data["text"])
        fresh = self.get_queryset().get(pk=review.pk)
        return Response(
            SiteReviewDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )


class ActionFilter(filters.FilterSet):
    site = IdFilter(field_name="site_id", label="Site id.")
    owner = filters.ChoiceFilter(choices=ActionOwner.choices)
    status = filters.ChoiceFilter(choices=ActionStatus.choices)
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte", label="Due on or before (YYYY-MM-DD).")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Only open actions past their due date.")

    class Meta:
        model = Action
        fields = ["site", "owner", "status", "due_before", "overdue"]

    def filter_overdue(self, queryset: QuerySet[Action], name: str, value: bool) -> QuerySet[Action]:
        if not value:
            return queryset
        return queryset.exclude(status=ActionStatus.CLOSED).filter(due_on__lt=timezone.localdate())


@extend_schema_view(
    list=extend_schema(summary="List the review actions you can see"),
    retrieve=extend_schema(summary="One review action"),
)
class ActionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = ReviewActionSerializer
    filterset_class = ActionFilter
    ordering_fields = ["due_on", "status", "site__name"]
    ordering = ["due_on", "id"]

    def get_queryset(self) -> QuerySet[Action]:
        return selectors.actions_visible_to(self.request.user).select_related("site")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @extend_schema(
        summary="Move an action on, or close it with a note",
        request=ReviewActionUpdateSerializer,
        responses={200: ReviewActionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="status")
    def update_status(self, request: Request, pk: str | None = None) -> Response:
        payload = ReviewActionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        updated = services.update_action(action=self.get_object(), by=request.user, **payload.validated_data)
        return Response(
            ReviewActionSerializer(self.get_queryset().get(pk=updated.pk), context=self.get_serializer_context()).data
        )


class OnboardingViewSet(viewsets.GenericViewSet):
    """A site's onboarding checklist, by site id: the taskforce and the site's own people."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OnboardingSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet:
        return sites_visible_to(self.request.user).select_related("wave")

    @extend_schema(summary="A site's onboarding checklist (by site id)")
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        site = self.get_object()
        data = {"site": site, "status": site.status, "milestones": selectors.site_checklist(site)}
        return Response(OnboardingSerializer(data).data)


@extend_schema_view(
    list=extend_schema(summary="List coaching sessions and workshop days you can see"),
    retrieve=extend_schema(summary="One coaching session or workshop day"),
)
class CoachingSessionViewSet(viewsets.ReadOnlyModelViewSet):
    """The taskforce: the whole log. A site's people: the sessions their site attended (their own attendees)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CoachingSessionSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["held_on"]
    ordering = ["-held_on", "-id"]

    def get_queryset(self) -> QuerySet[CoachingSession]:
        attendance = Attendance.objects.select_related("site").order_by("site__name", "person_name")
        if not roles_of(self.request.user).is_national:
            attendance = attendance.filter(site__in=sites_visible_to(self.request.user))
        return selectors.coaching_visible_to(self.request.user).prefetch_related(Prefetch("attendance", queryset=attendance))


def register(router: BaseRouter) -> None:
    router.register("site-reviews", ReviewViewSet, basename="site-review")
    router.register("review-actions", ActionViewSet, basename="review-action")
    router.register("onboarding", OnboardingViewSet, basename="onboarding")
    router.register("coaching-sessions", CoachingSessionViewSet, basename="coaching-session")
