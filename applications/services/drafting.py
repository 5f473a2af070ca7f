"""Writing a draft: starting it, answering its questions, naming collaborators and uploading
evidence. Only the Place's programme leads, only while the round is open, only in draft."""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from applications.exceptions import TransitionNotAllowed
from applications.models import (
    Answer,
    Application,
    ApplicationRound,
    Collaborator,
    EvidenceFile,
    Question,
    Status,
    count_words,
)
from applications.rules import can_start_application
from applications.services.workflow import lock, require_applicant, require_round_open
from applications.uploads import check_evidence
from nhsportal import audit
from nhsportal.models import Role, RoleAssignment
from sites.models import Place, Site, SiteStatus

MAX_EVIDENCE_FILES = 20


def _require_draft(application: Application, doing: str) -> None:
    if application.status != Status.DRAFT:
        raise TransitionNotAllowed(
            f"{application.place}'s application is {application.get_status_display().lower()}, so you can no longer {doing}."
        )


def _editable(application: Application, by: Any, doing: str) -> Application:
    application = lock(application)
    require_applicant(by, application)
    _require_draft(application, doing)
    require_round_open(application.round, doing)
    return application


@transaction.atomic
def start_application(*, round_: ApplicationRound, place: Place, by: Any) -> Application:
    """One application per Place per round, started by one of the Place's programme leads
    while the round is open. A Place that is already a site does not apply again."""
    if not can_start_application(by, place.pk):
        raise PermissionDenied("Only the Place's programme leads can start its application.")
    require_round_open(round_, "start an application")
    current = Site.objects.filter(place=place).exclude(status=SiteStatus.EXITED).select_related("wave").first()
    if current is not None:
        raise ValidationError({"place": f"{place} is already a site in {current.wave}, so it cannot apply again."})
    try:
        with transaction.atomic():
            application = Application.objects.create(round=round_, place=place, lead_applicant=by)
    except IntegrityError as exc:  # another lead of the Place started it a moment ago
        raise ValidationError({"place": f"{place} has already started an application to {round_}."}) from exc
    audit.record(actor=by, action="application.started", obj=application, to_state=Status.DRAFT)
    return application


@transaction.atomic
def save_answer(*, application: Application, question: Question, by: Any, text: str) -> Answer:
    """Answers may be saved incomplete (save and come back later) but never over the word limit."""
    application = _editable(application, by, "change its answers")
    if question.round_id != application.round_id:
        raise ValidationError({"question": "That question belongs to another round."})
    text = text.strip()
    words = count_words(text)
    if question.word_limit is not None and words > question.word_limit:
        raise ValidationError(
            {
                "text": f"Your answer must be {question.word_limit} words or fewer. It has {words} words: shorten it and save again."
            }
        )
    answer, _ = Answer.objects.update_or_create(
        application=application, question=question, defaults={"text": text, "updated_by": by}
    )
    application.save(update_fields=["updated_at"])
    audit.record(
        actor=by, action="application.answer_saved", obj=application, changes={"question": question.number, "words": words}
    )
    return answer


@transaction.atomic
def add_collaborator(*, application: Application, user: Any, by: Any) -> Collaborator:
    """Collaborators come from the same Place: they must already hold its Programme lead
    role. Naming them grants nothing; the role does (ADR 0007)."""
    application = _editable(application, by, "change its collaborators")
    name = user.get_full_name() or user.get_username()
    if not RoleAssignment.objects.filter(user=user, role=Role.PROGRAMME_LEAD, place=application.place_id).exists():
        raise ValidationError(
            {"user": f"{name} is not a programme lead for {application.place}. Ask the programme office to add them first."}
        )
    if user.pk == application.lead_applicant_id:
        raise ValidationError({"user": f"{name} started this application, so is already named on it."})
    try:
        with transaction.atomic():
            collaborator = Collaborator.objects.create(application=application, user=user, added_by=by)
    except IntegrityError as exc:
        raise ValidationError({"user": f"{name} is already a collaborator."}) from exc
    audit.record(actor=by, action="application.collaborator_added", obj=application, changes={"user": user.get_username()})
    return collaborator


@transaction.atomic
def remove_collaborator(*, collaborator: Collaborator, by: Any) -> None:
    application = _editable(collaborator.application, by, "change its collaborators")
    username = collaborator.user.get_username()
    collaborator.delete()
    audit.record(actor=by, action="application.collaborator_removed", obj=application, changes={"user": username})


@transaction.atomic
def add_evidence(*, application: Application, upload: UploadedFile | None, by: Any) -> EvidenceFile:
    """PDF, DOCX or XLSX, by content, within the size limit (`uploads.check_evidence`).
    A refused file is never written anywhere."""
    application = _editable(application, by, "add evidence")
    checked = check_evidence(upload)
    assert upload is not None  # check_evidence refuses None
    if EvidenceFile.objects.filter(application=application).count() >= MAX_EVIDENCE_FILES:
        raise ValidationError({"file": f"An application can have up to {MAX_EVIDENCE_FILES} files. Remove one to add another."})
    evidence = EvidenceFile(
        application=application,
        original_name=(upload.name or "evidence")[:255],
        kind=checked.kind,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
    )
    evidence.file.save(evidence.download_name, upload, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    audit.record(
        actor=by,
        action="application.evidence_added",
        obj=application,
        changes={"file": evidence.original_name, "kind": evidence.kind, "size": evidence.size, "sha256": evidence.sha256},
    )
    return evidence


@transaction.atomic
def remove_evidence(*, evidence: EvidenceFile, by: Any) -> None:
    application = _editable(evidence.application, by, "remove evidence")
    name, storage, path = evidence.original_name, evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(functools.partial(storage.delete, path))
    audit.record(actor=by, action="application.evidence_removed", obj=application, changes={"file": name})
