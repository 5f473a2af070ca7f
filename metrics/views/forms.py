from __future__ import annotations

from django import forms

from nhsportal import uploads


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload the completed template",
        help_text="The NNHIP data collection template (.xlsx), as you would e-mail it. We check it before anything is stored.",
        error_messages={"required": "Choose the completed template to upload."},
    )
    note = forms.CharField(
        label="What changed and why",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Needed when you correct a return that has been submitted, or change a closed month.",
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("The file is empty. Choose the completed template.")
        limit = uploads.return_upload_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is larger than {uploads.describe_size(limit)}. The template is much smaller: check you chose the right file."
            )
        return upload


def _text(label: str, required: str, *, max_length: int = 2000) -> forms.CharField:
    """A few sentences in a textarea, with the message to show when left empty."""
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": 3}), max_length=max_length, error_messages={"required": required}
    )


class CommentForm(forms.Form):
    comment = _text("Why are the figures right despite the warnings?", "Explain why the figures are right despite the warnings.")


class ReasonForm(forms.Form):
    reason = _text("What needs correcting?", "Say what needs correcting.")


class QuestionForm(forms.Form):
    question = _text("Your question for the site", "Enter the question for the site.")


class AnswerForm(forms.Form):
    answer = _text("Your answer", "Enter your answer.", max_length=4000)


class CloseQueryForm(forms.Form):
    note = forms.CharField(
        label="Closing note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="For example, why the answer settles it.",
    )


class ReopenQueryForm(forms.Form):
    note = _text("What should the site answer now?", "Say what the site should answer now.")
