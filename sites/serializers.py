"""How organisations and sites read in the API. All read-only: administrators change them in admin."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sites.models import ICB, LocalAuthority, Neighbourhood, Place, PlaceICBMembership, Region, Site, Wave, weighted_deprivation

# Small summaries, nested where a client would otherwise need a second request.


class RegionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "ods_code", "name"]


class ICBSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ICB
        fields = ["id", "ods_code", "ons_code", "name", "short_name"]


class PlaceSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ["id", "name"]


class WaveSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Wave
        fields = ["id", "number", "name"]


class SiteSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name"]


class NeighbourhoodSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "population"]


class LocalAuthoritySerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalAuthority
        fields = ["code", "name", "population", "imd_rank_of_average_rank", "imd_decile"]


# Full representations, one per endpoint.


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "ods_code", "ons_code", "name"]


class ICBSerializer(serializers.ModelSerializer):
    region = RegionSummarySerializer(read_only=True)
    successor = ICBSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ICB
        fields = [
            "id",
            "ods_code",
            "ons_code",
            "name",
            "short_name",
            "region",
            "effective_from",
            "effective_to",
            "successor",
            "gp_registered_population_16_plus",
        ]


class PlaceICBMembershipSerializer(serializers.ModelSerializer):
    icb = ICBSummarySerializer(read_only=True)

    class Meta:
        model = PlaceICBMembership
        fields = ["icb", "effective_from", "effective_to", "source", "inferred"]


class PlaceSerializer(serializers.ModelSerializer):
    icb = ICBSummarySerializer(read_only=True, help_text="The Place's ICB today.")
    region = RegionSummarySerializer(source="icb.region", read_only=True)
    local_authorities = LocalAuthoritySerializer(many=True, read_only=True)
    icb_memberships = PlaceICBMembershipSerializer(
        many=True, read_only=True, help_text="Which ICB the Place belonged to, when: each month's ICB figures follow these."
    )

    class Meta:
        model = Place
        fields = ["id", "name", "icb", "region", "population", "local_authorities", "local_authority_note", "icb_memberships"]


class WaveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Wave
        fields = ["id", "number", "name", "start_date"]


class SiteSerializer(serializers.ModelSerializer):
    """A site as lists show it: where it is, which wave, how far along."""

    place = PlaceSummarySerializer(read_only=True)
    icb = ICBSummarySerializer(source="place.icb", read_only=True)
    region = RegionSummarySerializer(source="place.icb.region", read_only=True)
    wave = WaveSummarySerializer(read_only=True)
    neighbourhood_count = serializers.IntegerField(read_only=True)
    team_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Site
        fields = ["id", "name", "status", "place", "icb", "region", "wave", "joined_on", "neighbourhood_count", "team_count"]


class DeprivationSerializer(serializers.Serializer):
    """Indices of Deprivation 2019, weighted over the Place's local authority districts."""

    population = serializers.IntegerField(help_text="Mid-2015 population of the districts.")
    imd_average_rank = serializers.DecimalField(
        max_digits=8, decimal_places=1, help_text="Population-weighted average LSOA rank."
    )
    pct_lsoas_most_deprived_10 = serializers.DecimalField(max_digits=4, decimal_places=1)
    pct_lsoas_most_deprived_20 = serializers.DecimalField(max_digits=4, decimal_places=1)
    most_deprived_decile = serializers.IntegerField(help_text="The most deprived decile among the districts (1 = most deprived).")


class SiteDetailSerializer(SiteSerializer):
    """A single site adds its profile: summary, programme lead, local authorities and deprivation."""

    programme_lead_name = serializers.SerializerMethodField()
    local_authorities = LocalAuthoritySerializer(source="place.local_authorities", many=True, read_only=True)
    deprivation = serializers.SerializerMethodField()
    neighbourhoods = NeighbourhoodSummarySerializer(many=True, read_only=True)

    class Meta(SiteSerializer.Meta):
        fields = [
            *SiteSerializer.Meta.fields,
            "summary",
            "programme_lead_name",
            "local_authorities",
            "deprivation",
            "neighbourhoods",
        ]

    def get_programme_lead_name(self, site: Site) -> str:
        lead = site.programme_lead
        return (lead.get_full_name() or lead.get_username()) if lead else ""

    @extend_schema_field(DeprivationSerializer(allow_null=True))
    def get_deprivation(self, site: Site) -> dict[str, Any] | None:
        figures = weighted_deprivation(list(site.place.local_authorities.all()))
        if figures is None:
            return None
        return DeprivationSerializer(figures).data


class NeighbourhoodSerializer(serializers.ModelSerializer):
    site = SiteSummarySerializer(read_only=True)
    team_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "population", "site", "team_count"]
