"""Forms for the application pages. They check the shape of what was typed; the rules
(deadlines, word limits, who may) live in `applications.services`."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from applications.models import ApplicationRound, Criterion, Outcome, Question, Recommendation, Status, count_words
from sites.models import ICB, Region

YES_NO = [("yes", "Yes"), ("no", "No")]


class StartApplicationForm(forms.Form):
    place = forms.ChoiceField(
        label="Which Place is applying?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the Place that is applying."},
    )

    def __init__(self, *args: Any, places: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["place"]).choices = [(str(place.pk), place.name) for place in places]
        if len(places) == 1:
            self.fields["place"].initial = str(places[0].pk)


class AnswerForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), required=False)

    def __init__(self, *args: Any, question: Question, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question = question
        field = self.fields["text"]
        field.label = question.prompt
        field.help_text = question.help_text

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        limit = self.question.word_limit
        words = count_words(text)
        if limit is not None and words > limit:
            raise forms.ValidationError(
                f"Your answer must be {limit} words or fewer. It has {words} words: shorten it and save again."
            )
        return text


class CollaboratorForm(forms.Form):
    user = forms.ChoiceField(label="Programme lead", error_messages={"required": "Choose the programme lead to add."})

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["user"]).choices = [("", "Choose a programme lead")] + [
            (str(person.pk), f"{person.get_full_name() or person.get_username()} ({person.email or person.get_username()})")
            for person in people
        ]


class EvidenceForm(forms.Form):
    # Neither required nor checked for emptiness here: the service says what is wrong with
    # a missing or empty file, in the same words as any other refusal.
    file = forms.FileField(label="Upload a file", required=False, allow_empty_file=True)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why is the Place withdrawing its application?",
        help_text="The taskforce will read this.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": "Say why the application is being withdrawn."},
    )


class ClarificationRequestForm(forms.Form):
    question = forms.CharField(
        label="What do you want to ask the Place?",
        help_text="The Place's programme leads are e-mailed your question. Review pauses until they answer.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Enter the question for the Place."},
    )


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=8000,
        error_messages={"required": "Enter your answer to the taskforce's question."},
    )


class ReviewerForm(forms.Form):
    reviewer = forms.ChoiceField(label="Reviewer", error_messages={"required": "Choose a taskforce member to review it."})

    def __init__(self, *args: Any, people: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["reviewer"]).choices = [("", "Choose a taskforce member")] + [
            (str(person.pk), person.get_full_name() or person.get_username()) for person in people
        ]


class ConflictForm(forms.Form):
    has_conflict = forms.ChoiceField(
        label="Do you have a conflict of interest with this application?",
        help_text="For example, you work for, advise or have worked recently with an organisation in the Place's partnership.",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you have a conflict of interest."},
    )
    details = forms.CharField(
        label="If yes, describe the conflict",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=2000,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("has_conflict") == "yes" and not data.get("details", "").strip():
            self.add_error("details", "Describe the conflict of interest.")
        return data


class ScoreForm(forms.Form):
    score = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, error_messages={"required": "Choose a score."})
    comment = forms.CharField(
        label="Comment",
        help_text="What in the application supports your score.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, criterion: Criterion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].label = f"Your score for “{criterion.title}”"
        cast(forms.ChoiceField, self.fields["score"]).choices = [(str(n), str(n)) for n in range(criterion.max_score + 1)]


class RecommendationForm(forms.Form):
    recommendation = forms.ChoiceField(
        label="Your overall recommendation",
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose your overall recommendation."},
    )
    comment = forms.CharField(
        label="Overall comment",
        help_text="What the chair should know when moderating.",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=6000,
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose selected or not selected."},
    )
    rationale = forms.CharField(
        label="Reasons for the decision",
        help_text="The Place's programme leads are e-mailed these reasons.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=6000,
        error_messages={"required": "Give the reasons for the decision: the Place will read them."},
    )


class BulkDecisionForm(DecisionForm):
    applications = forms.MultipleChoiceField(
        label="Applications", widget=forms.CheckboxSelectMultiple, error_messages={"required": "Select at least one application."}
    )

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["applications"]).choices = [
            (str(row.application.pk), row.application.place.name) for row in rows
        ]
        self.order_fields(["applications", "outcome", "rationale"])


SORT_CHOICES = [
    ("place", "Place name"),
    ("submitted", "Most recently submitted"),
    ("deprivation", "Most deprived first"),
    ("region", "Region"),
    ("status", "Status"),
]


class ApplicationFilterForm(forms.Form):
    round = forms.ChoiceField(label="Round", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    icb = forms.ChoiceField(label="ICB", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *[c for c in Status.choices if c[0] != Status.DRAFT]]
    )
    decile = forms.TypedChoiceField(
        label="Deprivation decile",
        help_text="The most deprived decile among the Place's local authorities (1 is most deprived).",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Any decile"), *[(str(n), f"{n}{' (most deprived)' if n == 1 else ''}") for n in range(1, 11)]],
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["round"]).choices = [("", "All rounds")] + [
            (str(pk), name) for pk, name in ApplicationRound.objects.values_list("pk", "name")
        ]
        cast(forms.ChoiceField, self.fields["region"]).choices = [
            ("", "All regions"),
            *Region.objects.values_list("ods_code", "name"),
        ]
        icbs = ICB.objects.filter(places__applications__isnull=False).exclude(ods_code=None).distinct().order_by("name")
        cast(forms.ChoiceField, self.fields["icb"]).choices = [("", "All ICBs")] + [(icb.ods_code, str(icb)) for icb in icbs]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "round_id": int(data["round"]) if data.get("round") else None,
            "region": data.get("region") or "",
            "icb": data.get("icb") or "",
            "status": data.get("status") or "",
            "decile": data.get("decile"),
            "sort": data.get("sort") or "place",
        }
