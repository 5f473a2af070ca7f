"""Evidence files: uploaded by the Place's programme leads, downloaded by anyone who may see
the application. Files live under MEDIA_ROOT, outside the web root; the only way to read
one is `evidence_download`, which checks access first and never lets the browser render it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET

from applications import services
from applications.forms import EvidenceForm
from applications.models import EvidenceFile, EvidenceKind
from applications.selectors import get_visible_application
from applications.uploads import describe_size, max_upload_bytes
from applications.views.common import applicant_application, attempt, back_to, page, unless_editable
from nhsportal import downloads, uploads

CONTENT_TYPES: dict[str, str] = {
    EvidenceKind.PDF: "application/pdf",
    EvidenceKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    EvidenceKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """A Place's programme leads, in draft: the files so far, and a form to add one."""
    application = applicant_application(request, pk)
    if blocked := unless_editable(request, application):
        return blocked
    too_big = request.method == "POST" and uploads.oversize_request(request, max_upload_bytes())
    if too_big:
        form: forms.Form = EvidenceForm({}, MultiValueDict())
        uploads.refuse_file_field(form, too_big)
    else:
        form = EvidenceForm(request.POST, request.FILES) if request.method == "POST" else EvidenceForm()
    if request.method == "POST" and not too_big and form.is_valid():
        upload = request.FILES.get("file")
        ok, added = attempt(form, lambda: services.add_evidence(application=application, upload=upload, by=request.user))
        if ok:
            messages.success(request, f"{added.original_name} has been uploaded.")
            return redirect("application-evidence", pk=application.pk)
    context = page(
        "Evidence",
        form=form,
        back=back_to(application),
        application=application,
        files=list(application.evidence.select_related("uploaded_by")),
        limit=describe_size(max_upload_bytes()),
    )
    return render(request, "applications/evidence.jinja", context)


@login_required
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    """A Place's programme leads, in draft."""
    application = applicant_application(request, pk)
    item = get_object_or_404(EvidenceFile, pk=evidence_pk, application=application)
    if blocked := unless_editable(request, application):
        return blocked
    if request.method == "POST":
        services.remove_evidence(evidence=item, by=request.user)
        messages.success(request, f"{item.original_name} has been removed.")
        return redirect("application-evidence", pk=application.pk)
    context = page(
        f"Remove {item.original_name}?",
        back=(reverse("application-evidence", args=[application.pk]), "Back to evidence"),
        application=application,
        confirm_text="Remove file",
        explanation="The file will be deleted from the application. You can upload it again while the application is a draft.",
    )
    return render(request, "applications/confirm.jinja", context)


@require_GET
@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponseBase:
    """Anyone who may see the application (its Place's programme leads, the taskforce once
    submitted); a 404 for everyone else. Always a download, never shown inline; a file gone
    from storage is a 404 page saying so."""
    application = get_visible_application(request.user, pk)
    item = get_object_or_404(EvidenceFile, pk=evidence_pk, application=application)
    return downloads.attachment(
        request,
        item.file,
        filename=item.download_name,
        content_type=CONTENT_TYPES[item.kind],
        who_can_replace="The Place's programme lead",
        back=(reverse("application-detail", args=[application.pk]), "Back to the application"),
    )
