"""The audit viewer: who did what to which object, and when, for administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from nhsportal import selectors
from nhsportal.forms import AuditFilterForm
from nhsportal.rules import can_view_audit_log

EVENTS_PER_PAGE = 50


@require_GET
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Administrators only (nhsportal.rules.can_view_audit_log); anyone else signed in gets 403."""
    if not can_view_audit_log(request.user):
        raise PermissionDenied("Only administrators can read the audit log.")
    object_types = selectors.audited_object_types()
    form = AuditFilterForm(request.GET or None, object_types=object_types)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(
        user=filters.get("user", "").strip(),
        object_type=int(filters["object_type"]) if filters.get("object_type") else None,
        object_id=filters.get("object_id", "").strip(),
        action=filters.get("action", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    # Filters that do not make sense list nothing, rather than everything under an error.
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page")) if not form.errors else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/log.jinja",
        {
            "page_title": "Audit log",
            "nav": "audit",
            "form": form,
            "form_has_errors": bool(form.errors),
            "page": page,
            "filtered": any(filters.values()),
            "query": query.urlencode(),
            "type_labels": dict(object_types),
        },
    )
