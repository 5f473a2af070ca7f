"""Form pieces every app's forms share: the NHS date input (day, month, year) and the
translation of a Django bound field into the parameters of an NHS.UK frontend macro."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

DATE_PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """Three boxes, as the NHS date input pattern asks: `<name>_day`, `_month`, `_year`."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(widgets={part: forms.TextInput() for part in DATE_PARTS}, attrs=attrs)

    def decompress(self, value: datetime.date | None) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    """A date typed as day, month and year, with the error messages the NHS pattern uses."""

    widget = DateInputWidget

    def __init__(self, *, label_for_errors: str = "date", **kwargs: Any) -> None:
        self.label_for_errors = label_for_errors
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list: list[str]) -> datetime.date | None:
        if not data_list or not any(part and part.strip() for part in data_list):
            return None
        day, month, year = (part.strip() if part else "" for part in data_list)
        missing = [name for name, part in zip(DATE_PARTS, (day, month, year), strict=True) if not part]
        if missing:
            raise ValidationError(f"The {self.label_for_errors} must include a {' and '.join(missing)}.")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"The {self.label_for_errors} must be a real date, for example 15 3 2026.")
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as exc:  # 31 2 2026; a day of 99999999999999999999
            raise ValidationError(f"The {self.label_for_errors} must be a real date, for example 15 3 2026.") from exc

    def validate(self, value: datetime.date | None) -> None:
        if self.required and value is None:
            raise ValidationError(f"Enter the {self.label_for_errors}.")

    def clean(self, value: Any) -> datetime.date | None:
        # MultiValueField's own required check gives a generic message; ours names the date.
        result = self.compress(value if isinstance(value, list) else [])
        self.validate(result)
        return result


def _choices(field: forms.BoundField) -> Iterable[tuple[Any, Any]]:
    """A select's or checkboxes' (value, label) pairs: the field is a ChoiceField, whose choices
    Django has normalised to pairs, though the stubs allow every form they may be given in."""
    return cast(Iterable[tuple[Any, Any]], cast(forms.ChoiceField, field.field).choices)


def macro_params(field: forms.BoundField) -> dict[str, Any]:
    """Everything an NHS.UK macro needs to draw `field`: id, name, label, hint, value,
    error and, for choices, the items with their selected state."""
    widget = field.field.widget
    error = " ".join(str(e) for e in field.errors) or None
    params: dict[str, Any] = {
        "id": field.auto_id,
        "name": field.html_name,
        "label": str(field.label),
        "hint": str(field.help_text) if field.help_text else None,
        "error": error,
        "required": field.field.required,
    }
    if isinstance(widget, DateInputWidget):
        values = widget.decompress(field.value()) if not isinstance(field.value(), list) else field.value()
        params["kind"] = "date"
        params["items"] = [
            {
                "id": f"{field.auto_id}_{part}",
                "name": f"{field.html_name}_{part}",
                "label": part.capitalize(),
                "value": "" if values[index] is None else str(values[index]),
                "width": 4 if part == "year" else 2,
                "error": bool(error),
            }
            for index, part in enumerate(DATE_PARTS)
        ]
        params["error_anchor"] = f"{field.auto_id}_day"
        return params
    params["error_anchor"] = field.auto_id
    if isinstance(widget, forms.CheckboxSelectMultiple):
        chosen = {str(v) for v in (field.value() or [])}
        params["kind"] = "checkboxes"
        params["items"] = [{"value": str(v), "text": str(t), "checked": str(v) in chosen} for v, t in _choices(field)]
        if params["items"]:
            params["error_anchor"] = f"{field.auto_id}_0"
        return params
    if isinstance(widget, forms.Select):
        current = "" if field.value() is None else str(field.value())
        params["kind"] = "select"
        params["items"] = [{"value": str(v), "text": str(t), "selected": str(v) == current} for v, t in _choices(field)]
        return params
    if isinstance(widget, forms.Textarea):
        params["kind"] = "textarea"
        params["value"] = field.value() or ""
        return params
    params["kind"] = "input"
    params["type"] = getattr(widget, "input_type", "text")
    params["value"] = "" if field.value() is None else str(field.value())
    params["autocomplete"] = widget.attrs.get("autocomplete")
    params["inputmode"] = widget.attrs.get("inputmode")
    params["classes"] = widget.attrs.get("class")
    return params


def error_summary_items(form: forms.Form) -> list[dict[str, str]]:
    """The NHS error summary: one link per problem, in the order of the form."""
    items = [{"text": str(e), "href": "#main-form"} for e in form.non_field_errors()]
    for field in form:
        if field.errors:
            anchor = macro_params(field)["error_anchor"]
            items.extend({"text": str(e), "href": f"#{anchor}"} for e in field.errors)
    return items


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: by the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class AuditFilterForm(forms.Form):
    """The audit viewer's filters. Every one is optional; together they narrow the list."""

    user = forms.CharField(
        label="Who",
        required=False,
        max_length=150,
        help_text="Username or e-mail address, exactly as in their account.",
    )
    object_type = forms.ChoiceField(label="Object type", required=False)
    object_id = forms.CharField(
        label="Object id",
        required=False,
        max_length=64,
        help_text="The number of one object, for example a return's id. Needs the object type.",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10", "inputmode": "numeric"}),
    )
    action = forms.CharField(
        label="Action",
        required=False,
        max_length=64,
        help_text="For example return.signed_off, or return. for every step of every return.",
    )
    date_from = DateField(label="From", label_for_errors="from date", required=False)
    date_to = DateField(label="To", label_for_errors="to date", required=False)

    def __init__(self, *args: Any, object_types: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [
            ("", "Any type"),
            *((str(pk), label) for pk, label in object_types),
        ]

    def clean_action(self) -> str:
        return self.cleaned_data["action"].strip().lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("object_id") and not data.get("object_type"):
            self.add_error("object_type", "Choose the object type the id belongs to.")
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The to date must be the same as or after the from date.")
        return data
