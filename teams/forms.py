from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from nhsportal.forms import DateField
from sites.models import Site
from teams.models import FocusCohort, FocusCondition, OrganisationKind, PartnerOrganisation, Profession


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=150, error_messages={"required": "Enter the team's name."})
    neighbourhood: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Neighbourhood", queryset=None, required=False, empty_label="Not tied to one neighbourhood"
    )
    lead_name = forms.CharField(
        label="Team lead", max_length=150, required=False, help_text="The person who leads the team day to day."
    )
    lead_email = forms.EmailField(
        label="Team lead's email",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.nhs.uk."},
    )
    launched_on = DateField(label="Date the team started working", label_for_errors="start date", required=False)
    focus_conditions = forms.ModelMultipleChoiceField(
        label="Conditions the team focuses on",
        queryset=FocusCondition.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    focus_cohorts = forms.ModelMultipleChoiceField(
        label="Groups of people the team focuses on",
        queryset=FocusCohort.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, site: Site, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["neighbourhood"]).queryset = site.neighbourhoods.order_by("name")


class WorkforceEntryForm(forms.Form):
    profession = forms.ModelChoiceField(
        label="Profession",
        queryset=Profession.objects.all(),
        empty_label="Choose a profession",
        error_messages={"required": "Choose the profession."},
    )
    employer = forms.ModelChoiceField(
        label="Employing organisation",
        queryset=PartnerOrganisation.objects.none(),
        empty_label="Choose the employer",
        help_text="The site's partner organisations. If the employer is not listed, add it first.",
        error_messages={
            "required": "Choose the organisation that employs these staff.",
            "invalid_choice": "Choose one of the site's partner organisations, or add the employer if it is not listed.",
        },
    )
    headcount = forms.IntegerField(
        label="Headcount",
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-4"}),
        error_messages={
            "required": "Enter the headcount.",
            "invalid": "Headcount must be a whole number, like 3.",
            "min_value": "Headcount cannot be negative.",
        },
    )
    wte = forms.DecimalField(
        label="Whole-time equivalent (WTE)",
        help_text="For example, 2.5 for two full-time people and one half-time.",
        min_value=0,
        max_digits=7,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-4"}),
        error_messages={
            "required": "Enter the whole-time equivalent.",
            "invalid": "WTE must be a number, like 2.5.",
            "min_value": "WTE cannot be negative.",
            "max_decimal_places": "WTE can have at most 2 decimal places, like 2.25.",
        },
    )
    start_date = DateField(label="Date they started in the team", label_for_errors="start date")
    end_date = DateField(
        label="Date they left the team",
        label_for_errors="end date",
        required=False,
        help_text="Leave blank while they are still in the team.",
    )

    def __init__(self, *args: Any, employers: QuerySet[PartnerOrganisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["employer"]).queryset = employers


class PartnerOrganisationForm(forms.Form):
    name = forms.CharField(
        label="Organisation name", max_length=200, error_messages={"required": "Enter the organisation's name."}
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[("", "Choose a kind"), *OrganisationKind.choices],
        error_messages={"required": "Choose what kind of organisation it is."},
    )
    ods_code = forms.CharField(
        label="ODS code",
        max_length=10,
        required=False,
        help_text="The organisation's code in the NHS Organisation Data Service, if it has one (for example M85001).",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
    )


class RemoveWorkforceEntryForm(forms.Form):
    reason = forms.CharField(
        label="Why is this entry being removed?",
        help_text="Remove only entries made in error. When people leave the team, change the entry and give the date they left.",
        widget=forms.Textarea,
        max_length=500,
        error_messages={"required": "Say why the entry is being removed."},
    )
