"""Writes: the taskforce's sharing setting."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dashboards import rules
from dashboards.models import Sharing, SharingSetting
from nhsportal import audit


@transaction.atomic
def change_sharing(*, sharing: str, by: Any) -> SharingSetting:
    """Only the taskforce and administrators choose what sites see of other sites; every change
    is audited with who made it and what it was before."""
    if not rules.can_change_sharing(by):
        raise PermissionDenied("Only the taskforce and administrators choose what sites see of each other.")
    if sharing not in Sharing.values:
        raise ValidationError({"sharing": "Choose what site staff and programme leads see of other sites."})
    SharingSetting.objects.get_or_create(pk=1)
    setting = SharingSetting.objects.select_for_update().get(pk=1)
    before = setting.sharing
    if before == sharing:
        return setting
    setting.sharing, setting.updated_by = sharing, by
    setting.save(update_fields=["sharing", "updated_by", "updated_at"])
    audit.record(actor=by, action="dashboards.sharing_changed", obj=setting, from_state=before, to_state=sharing)
    return setting
