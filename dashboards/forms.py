from django import forms

from dashboards.models import Sharing


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(
        label="What may site staff and programme leads see of other sites?",
        choices=Sharing.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what site staff and programme leads see of other sites.",
            "invalid_choice": "Choose one of the options for what site staff and programme leads see of other sites.",
        },
    )
