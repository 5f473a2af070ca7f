"""How teams, partner organisations and workforce read and are written in the API.

Read serializers shape responses. Write serializers only check the shape of a request and
turn ids into objects the person may use; the rules (unique team names, WTE within
headcount, who may change what) live in `teams.services`, which the views call.
"""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers

from sites.models import Neighbourhood, Site
from sites.selectors import neighbourhoods_visible_to, sites_visible_to
from sites.serializers import SiteSummarySerializer
from teams.models import (
    FocusCohort,
    FocusCondition,
    NeighbourhoodTeam,
    OrganisationKind,
    PartnerOrganisation,
    Profession,
    WorkforceEntry,
)
from teams.selectors import teams_visible_to

# Reference vocabularies.


class ProfessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Profession
        fields = ["id", "code", "name", "group"]


class FocusConditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusCondition
        fields = ["id", "name"]


class FocusCohortSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusCohort
        fields = ["id", "name", "description"]


class PartnerOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerOrganisation
        fields = ["id", "name", "kind", "ods_code"]


class PartnerOrganisationCreateSerializer(serializers.Serializer):
    """An employer that is not listed yet. Search the list first: ODS codes are unique."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    ods_code = serializers.CharField(max_length=10, required=False, allow_blank=True, help_text="Leave out if it has none.")


# Teams.


class NeighbourhoodRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name"]


class TeamSerializer(serializers.ModelSerializer):
    site = SiteSummarySerializer(read_only=True)
    neighbourhood = NeighbourhoodRefSerializer(read_only=True, allow_null=True)
    focus_conditions = FocusConditionSerializer(many=True, read_only=True)
    focus_cohorts = FocusCohortSerializer(many=True, read_only=True)
    current_headcount = serializers.IntegerField(read_only=True, help_text="People in the team today.")
    current_wte = serializers.DecimalField(
        max_digits=9, decimal_places=2, read_only=True, help_text="Whole-time equivalent of the team today."
    )

    class Meta:
        model = NeighbourhoodTeam
        fields = [
            "id",
            "name",
            "site",
            "neighbourhood",
            "lead_name",
            "lead_email",
            "launched_on",
            "focus_conditions",
            "focus_cohorts",
            "current_headcount",
            "current_wte",
            "created_at",
            "updated_at",
        ]


class _ScopedToRequester(serializers.Serializer):
    # Id fields accept only objects the requester can see: an id outside their scope reads
    # exactly like one that does not exist ("Invalid pk … object does not exist").

    def requester(self) -> Any:
        request = self.context.get("request")
        return getattr(request, "user", None)


class TeamUpdateSerializer(_ScopedToRequester):
    """Changes to a team's details. Fields left out stay as they are."""

    name = serializers.CharField(max_length=150, required=False)
    neighbourhood = serializers.PrimaryKeyRelatedField(
        queryset=Neighbourhood.objects.none(), allow_null=True, required=False, help_text="One of the site's neighbourhoods."
    )
    lead_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    lead_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    launched_on = serializers.DateField(required=False, allow_null=True)
    focus_conditions = serializers.PrimaryKeyRelatedField(many=True, queryset=FocusCondition.objects.all(), required=False)
    focus_cohorts = serializers.PrimaryKeyRelatedField(many=True, queryset=FocusCohort.objects.all(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.RelatedField, self.fields["neighbourhood"]).queryset = neighbourhoods_visible_to(self.requester())


class TeamCreateSerializer(TeamUpdateSerializer):
    """A new neighbourhood team on one of the sites you can see."""

    site = serializers.PrimaryKeyRelatedField(queryset=Site.objects.none(), help_text="The site the team belongs to.")
    name = serializers.CharField(max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.RelatedField, self.fields["site"]).queryset = sites_visible_to(self.requester())


# Workforce.


class TeamRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = NeighbourhoodTeam
        fields = ["id", "name"]


class WorkforceEntrySerializer(serializers.ModelSerializer):
    team = TeamRefSerializer(read_only=True)
    site = SiteSummarySerializer(source="team.site", read_only=True)
    profession = ProfessionSerializer(read_only=True)
    employer = PartnerOrganisationSerializer(read_only=True)

    class Meta:
        model = WorkforceEntry
        fields = ["id", "team", "site", "profession", "employer", "headcount", "wte", "start_date", "end_date"]


class WorkforceEntryUpdateSerializer(serializers.Serializer):
    """Corrections to a workforce entry, or its end date. Fields left out stay as they are."""

    profession = serializers.PrimaryKeyRelatedField(queryset=Profession.objects.all(), required=False)
    employer = serializers.PrimaryKeyRelatedField(
        queryset=PartnerOrganisation.objects.all(), required=False, help_text="The partner organisation employing these people."
    )
    headcount = serializers.IntegerField(max_value=99_999, required=False)
    wte = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, help_text="Whole-time equivalent.")
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True, help_text="Set when the people leave the team.")


class WorkforceEntryCreateSerializer(WorkforceEntryUpdateSerializer, _ScopedToRequester):
    """People of one profession from one employer joining one of the teams you can see."""

    team = serializers.PrimaryKeyRelatedField(queryset=NeighbourhoodTeam.objects.none())
    profession = serializers.PrimaryKeyRelatedField(queryset=Profession.objects.all())
    employer = serializers.PrimaryKeyRelatedField(
        queryset=PartnerOrganisation.objects.all(), help_text="The partner organisation employing these people."
    )
    headcount = serializers.IntegerField(max_value=99_999)
    wte = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="Whole-time equivalent.")
    start_date = serializers.DateField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(serializers.RelatedField, self.fields["team"]).queryset = teams_visible_to(self.requester()).select_related("site")
