"""The access request and decision forms."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import REQUESTABLE_ROLES
from nhsportal.models import Role
from sites.models import Place, Site


class AccessRequestForm(forms.Form):
    role = forms.ChoiceField(
        label="What do you need to do?",
        choices=[("", "Choose a role"), *REQUESTABLE_ROLES],
        help_text="Site staff prepare their site's returns and keep its teams; a site lead also signs returns off "
        "and approves their site's staff; a programme lead manages a Place's application and site profile.",
    )
    # Typed, not chosen from a list: the portal does not show a site's or Place's name to anyone
    # not tied to it (ADR 4), and a list here would show every one.
    site = forms.CharField(
        label="Your site's name",
        required=False,
        max_length=200,
        help_text="For site staff and site leads: the site's name in the programme, for example Walsall. Your site lead can tell you.",
    )
    place = forms.CharField(
        label="Your Place's name",
        required=False,
        max_length=200,
        help_text="For programme leads: the Place's name, for example Knowsley.",
    )
    reason = forms.CharField(
        label="Why do you need this access?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Your job, and who at the site or Place can vouch for you.",
    )

    def clean_site(self) -> Site | None:
        name = " ".join(self.cleaned_data["site"].split())
        if not name:
            return None
        site = Site.objects.filter(name__iexact=name).first() or Site.objects.filter(place__name__iexact=name).first()
        if site is None:
            raise forms.ValidationError(f"No site in the programme is called {name!r}. Check its name with your site lead.")
        return site

    def clean_place(self) -> Place | None:
        name = " ".join(self.cleaned_data["place"].split())
        if not name:
            return None
        place = Place.objects.filter(name__iexact=name).first()
        if place is None:
            raise forms.ValidationError(f"No Place in the programme is called {name!r}. Check its name as your ICB gives it.")
        return place

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        role = data.get("role")
        if role in {Role.SITE_STAFF, Role.SITE_LEAD} and not data.get("site") and "site" not in self.errors:
            self.add_error("site", "Choose the site you work at.")
        if role == Role.PROGRAMME_LEAD and not data.get("place") and "place" not in self.errors:
            self.add_error("place", "Choose the Place you lead the programme for.")
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("", "Choose approve or refuse"), ("approve", "Approve: grant the role"), ("refuse", "Refuse")],
        error_messages={"required": "Choose approve or refuse."},
    )
    note = forms.CharField(
        label="Note to the person",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Needed when you refuse: say why, and what they can do.",
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "refuse" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why you are refusing, so the person knows what to do.")
        return data
