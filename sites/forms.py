from __future__ import annotations

from typing import cast

from django import forms

from sites.models import ICB, Region, SiteStatus


class SiteFilterForm(forms.Form):
    q = forms.CharField(label="Site name", required=False, max_length=100)
    region = forms.ChoiceField(label="Region", required=False)
    icb = forms.ChoiceField(label="ICB", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *SiteStatus.choices])

    def __init__(self, *args, icbs: list[ICB], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", "All regions"),
            *Region.objects.values_list("ods_code", "name"),
        ]
        cast(forms.ChoiceField, self.fields["icb"]).choices = [("", "All ICBs"), *((icb.code, str(icb)) for icb in icbs)]


class SiteProfileForm(forms.Form):
    summary = forms.CharField(
        label="What the site is doing",
        help_text="A few sentences the taskforce and partners will read: who the teams serve and how.",
        widget=forms.Textarea,
        max_length=2000,
        required=False,
    )


class NeighbourhoodForm(forms.Form):
    name = forms.CharField(
        label="Neighbourhood name", max_length=150, error_messages={"required": "Enter the neighbourhood's name."}
    )
    population = forms.IntegerField(
        label="Population",
        help_text="Registered population, roughly 30,000 to 50,000 people.",
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-10"}),
        error_messages={
            "invalid": "Population must be a whole number, like 42000.",
            "min_value": "Population cannot be negative.",
        },
    )
