"""Read-only API for the organisation hierarchy. Administrators change it in Django admin.

Regions, ICBs and waves are reference data any signed-in person may read. Places, sites
and neighbourhoods are scoped exactly as the pages are: an object outside the person's
scope is a 404, so its existence does not leak.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, viewsets
from rest_framework.serializers import BaseSerializer

from sites.filters import ICBFilter, NeighbourhoodFilter, PlaceFilter, SiteFilter
from sites.models import ICB, Neighbourhood, Place, Region, Site, Wave
from sites.selectors import neighbourhoods_visible_to, places_visible_to, sites_visible_to
from sites.serializers import (
    ICBSerializer,
    NeighbourhoodSerializer,
    PlaceSerializer,
    RegionSerializer,
    SiteDetailSerializer,
    SiteSerializer,
    WaveSerializer,
)


@extend_schema_view(
    list=extend_schema(summary="List NHS England regions"),
    retrieve=extend_schema(summary="One NHS England region"),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    ordering_fields = ["name", "ods_code"]
    ordering = ["name"]
    search_fields = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List integrated care boards", description="Includes ICBs merged away; filter by `in_force_on`."),
    retrieve=extend_schema(summary="One integrated care board"),
)
class ICBViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    queryset = ICB.objects.select_related("region", "successor")
    serializer_class = ICBSerializer
    filterset_class = ICBFilter
    ordering_fields = ["name", "ods_code", "effective_from"]
    ordering = ["name", "id"]
    search_fields = ["name", "short_name"]


@extend_schema_view(
    list=extend_schema(summary="List waves"),
    retrieve=extend_schema(summary="One wave"),
)
class WaveViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    queryset = Wave.objects.all()
    serializer_class = WaveSerializer
    ordering_fields = ["number", "start_date"]
    ordering = ["number"]
    search_fields = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List the Places you can see"),
    retrieve=extend_schema(summary="One Place"),
)
class PlaceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PlaceSerializer
    filterset_class = PlaceFilter
    ordering_fields = ["name", "population"]
    ordering = ["name"]
    search_fields = ["name"]

    def get_queryset(self) -> QuerySet[Place]:
        return (
            places_visible_to(self.request.user)
            .select_related("icb__region")
            .prefetch_related("local_authorities", "icb_memberships__icb")
        )


@extend_schema_view(
    list=extend_schema(summary="List the sites you can see"),
    retrieve=extend_schema(summary="One site, with its profile and deprivation"),
)
class SiteViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = SiteFilter
    ordering_fields = ["name", "status", "joined_on", "wave__number"]
    ordering = ["name", "id"]
    search_fields = ["name", "place__name"]

    def get_queryset(self) -> QuerySet[Site]:
        sites = (
            sites_visible_to(self.request.user)
            .select_related("place__icb__region", "wave")
            .annotate(
                neighbourhood_count=Count("neighbourhoods", distinct=True),
                team_count=Count("teams", distinct=True),
            )
        )
        if self.action == "retrieve":
            sites = sites.select_related("programme_lead").prefetch_related("place__local_authorities", "neighbourhoods")
        return sites

    def get_serializer_class(self) -> type[BaseSerializer]:
        return SiteDetailSerializer if self.action == "retrieve" else SiteSerializer


@extend_schema_view(
    list=extend_schema(summary="List the neighbourhoods of the sites you can see"),
    retrieve=extend_schema(summary="One neighbourhood"),
)
class NeighbourhoodViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NeighbourhoodSerializer
    filterset_class = NeighbourhoodFilter
    ordering_fields = ["name", "population"]
    ordering = ["site__name", "name", "id"]
    search_fields = ["name"]

    def get_queryset(self) -> QuerySet[Neighbourhood]:
        return (
            neighbourhoods_visible_to(self.request.user).select_related("site").annotate(team_count=Count("teams", distinct=True))
        )
