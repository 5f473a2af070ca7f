"""API for teams, partner organisations and workforce.

Reads are scoped as the pages are: a team or workforce entry outside the person's scope
is a 404. Every write goes through `teams.services`, which checks the permission again,
validates, writes atomically and audits; its PermissionDenied becomes a 403 and its
ValidationError a 400 naming the field (see `nhsportal.api.exception_handler`).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from teams import services
from teams.filters import PartnerOrganisationFilter, ProfessionFilter, TeamFilter, WorkforceEntryFilter
from teams.models import FocusCohort, FocusCondition, NeighbourhoodTeam, PartnerOrganisation, Profession, WorkforceEntry
from teams.selectors import current_on, teams_visible_to, workforce_visible_to
from teams.serializers import (
    FocusCohortSerializer,
    FocusConditionSerializer,
    PartnerOrganisationCreateSerializer,
    PartnerOrganisationSerializer,
    ProfessionSerializer,
    TeamCreateSerializer,
    TeamSerializer,
    TeamUpdateSerializer,
    WorkforceEntryCreateSerializer,
    WorkforceEntrySerializer,
    WorkforceEntryUpdateSerializer,
)

# Reference vocabularies: any signed-in person reads them, so clients can find ids.


@extend_schema_view(list=extend_schema(summary="List professions"), retrieve=extend_schema(summary="One profession"))
class ProfessionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    queryset = Profession.objects.all()
    serializer_class = ProfessionSerializer
    filterset_class = ProfessionFilter
    ordering_fields = ["name", "code", "group"]
    ordering = ["group", "name"]
    search_fields = ["name", "code"]


@extend_schema_view(list=extend_schema(summary="List focus conditions"), retrieve=extend_schema(summary="One focus condition"))
class FocusConditionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    queryset = FocusCondition.objects.all()
    serializer_class = FocusConditionSerializer
    ordering_fields = ["name"]
    ordering = ["name"]
    search_fields = ["name"]


@extend_schema_view(list=extend_schema(summary="List focus cohorts"), retrieve=extend_schema(summary="One focus cohort"))
class FocusCohortViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    queryset = FocusCohort.objects.all()
    serializer_class = FocusCohortSerializer
    ordering_fields = ["name"]
    ordering = ["name"]
    search_fields = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List partner organisations"),
    retrieve=extend_schema(summary="One partner organisation"),
)
class PartnerOrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Employers of team members. Anyone who registers teams may add one that is not listed yet."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = PartnerOrganisation.objects.all()
    serializer_class = PartnerOrganisationSerializer
    filterset_class = PartnerOrganisationFilter
    ordering_fields = ["name", "kind", "ods_code"]
    ordering = ["name", "id"]
    search_fields = ["name", "ods_code"]

    @extend_schema(
        summary="Add a partner organisation",
        request=PartnerOrganisationCreateSerializer,
        responses={201: PartnerOrganisationSerializer},
    )
    def create(self, request: Request) -> Response:
        payload = PartnerOrganisationCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        organisation = services.add_partner_organisation(by=request.user, **payload.validated_data)
        return Response(self.get_serializer(organisation).data, status=status.HTTP_201_CREATED)


def _current_total(field: str) -> Subquery:
    """The sum of `field` over a team's workforce entries in force today, as a subquery."""
    entries = (
        WorkforceEntry.objects.filter(current_on(timezone.localdate()), team=OuterRef("pk"))
        .order_by()
        .values("team")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Subquery(entries)


@extend_schema_view(
    list=extend_schema(summary="List the teams you can see"),
    retrieve=extend_schema(summary="One neighbourhood team"),
)
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["name", "launched_on", "site__name", "created_at", "current_headcount", "current_wte"]
    ordering = ["site__name", "name", "id"]
    search_fields = ["name", "lead_name"]

    def get_queryset(self) -> QuerySet[NeighbourhoodTeam]:
        return (
            teams_visible_to(self.request.user)
            .select_related("site", "neighbourhood")
            .prefetch_related("focus_conditions", "focus_cohorts")
            .annotate(
                current_headcount=Coalesce(_current_total("headcount"), Value(0), output_field=IntegerField()),
                current_wte=Coalesce(
                    _current_total("wte"), Value(Decimal("0")), output_field=DecimalField(max_digits=9, decimal_places=2)
                ),
            )
        )

    def _respond(self, team: NeighbourhoodTeam, status_code: int) -> Response:
        # Read back through the scoped queryset so the response carries the same totals as a GET.
        team = self.get_queryset().get(pk=team.pk)
        return Response(self.get_serializer(team).data, status=status_code)

    @extend_schema(
        summary="Register a neighbourhood team",
        description="Only the site's own staff, its site lead, the Place's programme lead and administrators may.",
        request=TeamCreateSerializer,
        responses={201: TeamSerializer},
    )
    def create(self, request: Request) -> Response:
        payload = TeamCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        team = services.create_team(by=request.user, **payload.validated_data)
        return self._respond(team, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a team's details",
        description="Only the fields sent change. A team cannot move to another site.",
        request=TeamUpdateSerializer,
        responses={200: TeamSerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        team = self.get_object()
        payload = TeamUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        services.update_team(team=team, by=request.user, **payload.validated_data)
        return self._respond(team, status.HTTP_200_OK)


@extend_schema_view(
    list=extend_schema(summary="List workforce entries of the teams you can see"),
    retrieve=extend_schema(summary="One workforce entry"),
)
class WorkforceEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Headcount and WTE of one profession from one employer in a team, over a span of time.
    When people leave, set the entry's end date; delete only entries made in error."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = WorkforceEntrySerializer
    filterset_class = WorkforceEntryFilter
    ordering_fields = ["start_date", "end_date", "headcount", "wte", "profession__name", "team__name"]
    ordering = ["team__name", "profession__name", "start_date", "id"]
    search_fields = ["team__name", "profession__name", "employer__name"]

    def get_queryset(self) -> QuerySet[WorkforceEntry]:
        return workforce_visible_to(self.request.user).select_related("team__site", "profession", "employer")

    @extend_schema(
        summary="Add people of one profession from one employer to a team",
        request=WorkforceEntryCreateSerializer,
        responses={201: WorkforceEntrySerializer},
    )
    def create(self, request: Request) -> Response:
        payload = WorkforceEntryCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        entry = services.add_workforce_entry(by=request.user, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct or end a workforce entry",
        description="Only the fields sent change. An entry cannot move to another team.",
        request=WorkforceEntryUpdateSerializer,
        responses={200: WorkforceEntrySerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        entry = self.get_object()
        payload = WorkforceEntryUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        services.update_workforce_entry(entry=entry, by=request.user, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(
        summary="Delete a workforce entry made in error",
        description="People leaving a team are recorded by setting the entry's end date instead.",
        parameters=[
            OpenApiParameter("reason", OpenApiTypes.STR, description="Why the entry is removed (kept in the audit trail).")
        ],
        responses={204: None},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        entry = self.get_object()
        services.remove_workforce_entry(entry=entry, by=request.user, reason=request.query_params.get("reason", "")[:1000])
        return Response(status=status.HTTP_204_NO_CONTENT)
