from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from nhsportal.forms import DateField
from nhsportal.models import NATIONAL_ROLES
from reviews.models import ActionOwner, ActionStatus, Domain, Rating, SessionKind
from sites.models import Region, Site, Wave

RATING_CHOICES = [("", "Not rated yet"), *Rating.choices]
ATTENDEE_ROWS = 6


def taskforce_people() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(is_active=True, role_assignments__role__in=NATIONAL_ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ScheduleForm(forms.Form):
    site = forms.ModelChoiceField(
        label="Site",
        queryset=Site.objects.order_by("name"),
        empty_label="Choose a site",
        error_messages={"required": "Choose the site to review."},
    )
    scheduled_for = DateField(label="Date of the review", label_for_errors="date of the review")
    reviewer = PersonChoiceField(
        label="Reviewer",
        queryset=None,
        empty_label="Choose a taskforce member",
        help_text="The taskforce member who leads the review, rates it and agrees actions.",
        error_messages={"required": "Choose who will lead the review."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["reviewer"]).queryset = taskforce_people()


class RatingForm(forms.Form):
    """A rating and a narrative per domain, then the overall rating and summary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for domain in Domain:
            self.fields[f"{domain.value}_rating"] = forms.ChoiceField(
                label=f"{domain.label} rating", choices=RATING_CHOICES, required=False
            )
            self.fields[f"{domain.value}_narrative"] = forms.CharField(
                label=f"{domain.label} narrative", widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, required=False
            )
        self.fields["overall_rating"] = forms.ChoiceField(label="Overall rating", choices=RATING_CHOICES, required=False)
        self.fields["summary"] = forms.CharField(
            label="Summary",
            widget=forms.Textarea(attrs={"rows": 4}),
            max_length=4000,
            required=False,
            help_text="The overall judgement in a few sentences.",
        )

    def domain_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(d.label, self[f"{d.value}_rating"], self[f"{d.value}_narrative"]) for d in Domain]

    def ratings(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {d.value: (data[f"{d.value}_rating"], data[f"{d.value}_narrative"]) for d in Domain}


class ActionForm(forms.Form):
    description = forms.CharField(
        label="Action",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Describe the action."},
    )
    owner = forms.ChoiceField(
        label="Who owns it",
        choices=[("", "Choose the owner"), *ActionOwner.choices],
        error_messages={"required": "Choose who owns the action: the site or the national team."},
    )
    owner_name = forms.CharField(
        label="Named owner", max_length=150, required=False, help_text="The person responsible, if agreed."
    )
    due_on = DateField(label="Due date", label_for_errors="due date")


class ResponseForm(forms.Form):
    response = forms.CharField(
        label="The site's response",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=6000,
        help_text="The taskforce reads this with the review. You can change it until you sign the review off.",
        error_messages={"required": "Enter the site's response to the review."},
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Add a note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Notes are added to the review's record and cannot be changed or removed.",
        error_messages={"required": "Enter the note."},
    )


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
        help_text="Needed to close the action: say how it was completed.",
    )


class ActionFilterForm(forms.Form):
    site = forms.ChoiceField(label="Site", required=False)
    owner = forms.ChoiceField(label="Owner", required=False, choices=[("", "Anyone"), *ActionOwner.choices])
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *ActionStatus.choices])
    due_before = DateField(label="Due on or before", label_for_errors="due date", required=False)
    overdue = forms.ChoiceField(label="Overdue", required=False, choices=[("", "All actions"), ("on", "Only overdue actions")])

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["site"]).choices = [("", "All sites"), *((str(s.pk), s.name) for s in sites)]


class MatrixFilterForm(forms.Form):
    region = forms.ChoiceField(label="Region", required=False)
    wave = forms.ChoiceField(label="Wave", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", "All regions"),
            *Region.objects.values_list("ods_code", "name"),
        ]
        cast(forms.ChoiceField, self.fields["wave"]).choices = [
            ("", "All waves"),
            *((str(n), name) for n, name in Wave.objects.values_list("number", "name")),
        ]


class MilestoneForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
        help_text="The taskforce reads this when confirming the milestone.",
    )
    file = forms.FileField(
        label="Upload evidence",
        required=False,
        allow_empty_file=True,
        help_text="A PDF, Word document (DOCX) or Excel spreadsheet (XLSX).",
    )
    link = forms.URLField(
        label="Or a link to the evidence",
        assume_scheme="https",
        required=False,
        max_length=500,
        help_text="For example, the signed agreement on your shared drive.",
        error_messages={"invalid": "Enter a full web address, starting https://."},
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="What the site needs to do",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        required=False,
    )


class CoachingForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        choices=[("", "Choose the type"), *SessionKind.choices],
        error_messages={"required": "Choose a coaching session or a workshop day."},
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the session's title."})
    held_on = DateField(label="Date", label_for_errors="date of the session")
    facilitator = forms.CharField(label="Facilitator", max_length=150, required=False)
    topics = forms.CharField(
        label="Topics",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        error_messages={"required": "Enter the topics covered."},
    )
    follow_ups = forms.CharField(label="Follow-ups", widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites = [("", "Choose a site"), *Site.objects.order_by("name").values_list("pk", "name")]
        for i in range(ATTENDEE_ROWS):
            n = i + 1
            self.fields[f"attendee_{i}_site"] = forms.TypedChoiceField(
                label=f"Attendee {n}: site", choices=sites, coerce=int, required=False
            )
            self.fields[f"attendee_{i}_name"] = forms.CharField(label=f"Attendee {n}: name", max_length=150, required=False)
            self.fields[f"attendee_{i}_job"] = forms.CharField(label=f"Attendee {n}: job title", max_length=150, required=False)

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("kind", "title", "held_on", "facilitator", "topics", "follow_ups")]

    def attendee_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (i + 1, self[f"attendee_{i}_site"], self[f"attendee_{i}_name"], self[f"attendee_{i}_job"])
            for i in range(ATTENDEE_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for i in range(ATTENDEE_ROWS):
            site, name = data.get(f"attendee_{i}_site"), (data.get(f"attendee_{i}_name") or "").strip()
            if site and not name:
                self.add_error(f"attendee_{i}_name", f"Enter the name of attendee {i + 1}.")
            elif name and not site:
                self.add_error(f"attendee_{i}_site", f"Choose the site attendee {i + 1} came from.")
        return data

    def attendees(self) -> list[tuple[int, str, str]]:
        data = self.cleaned_data
        return [
            (data[f"attendee_{i}_site"], data[f"attendee_{i}_name"], data.get(f"attendee_{i}_job") or "")
            for i in range(ATTENDEE_ROWS)
            if data.get(f"attendee_{i}_site") and (data.get(f"attendee_{i}_name") or "").strip()
        ]
