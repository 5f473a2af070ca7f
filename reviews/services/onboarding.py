"""Onboarding milestones.

A site marks a milestone done with evidence (a checked file or a link) and a note; the
taskforce confirms it or sends it back with a reason. Milestones that follow from data
already in the portal (a team live, a return signed off) are never marked by hand: the
checklist computes them on every read, and the daily job (`sync_onboarding`) records them
as confirmed so the history keeps them even if the data later changes. A site moves from
onboarding to active when every required milestone is confirmed — checked after each
confirmation and by the daily job — always through `activate_if_complete`, audited.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from applications.uploads import check_evidence
from nhsportal import audit
from reviews.models import AutomaticCheck, MilestoneStatus, MilestoneTemplate, SiteMilestone
from reviews.rules import can_decide_milestone, can_mark_milestone
from reviews.selectors import automatic_facts, missing_required_milestones
from sites.models import Site, SiteStatus


def _row_for_update(site: Site, template: MilestoneTemplate) -> SiteMilestone:
    SiteMilestone.objects.get_or_create(site=site, template=template)
    return SiteMilestone.objects.select_for_update().select_related("template", "site").get(site=site, template=template)


@transaction.atomic
def submit_milestone(
    *,
    site: Site,
    template: MilestoneTemplate,
    by: Any,
    note: str,
    link: str = "",
    upload: UploadedFile | None = None,
) -> SiteMilestone:
    """Done, with a note and evidence: a file (checked by its content) or a link, or both.
    A confirmed milestone stays confirmed; one the portal ticks from its data is not marked by hand."""
    if not can_mark_milestone(by, site):
        raise PermissionDenied("Only the site's own people can mark its milestones done.")
    if template.wave_id != site.wave_id:
        raise ValidationError("This milestone is not on the site's checklist.")
    if template.automatic:
        raise ValidationError(
            f"“{template.title}” is ticked by the portal when {AutomaticCheck(template.automatic).label.lower()}."
        )
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = "Enter a note saying what was done."
    if not link.strip() and upload is None:
        errors["link"] = "Upload a file or enter a link to the evidence."
    checked = None
    if upload is not None:
        try:
            checked = check_evidence(upload)
        except ValidationError as error:
            errors["file"] = error.message_dict["file"][0]
    if errors:
        raise ValidationError(errors)
    milestone = _row_for_update(site, template)
    if milestone.status == MilestoneStatus.CONFIRMED:
        raise ValidationError("The taskforce has already confirmed this milestone.")
    before = milestone.status
    milestone.note = note.strip()
    milestone.evidence_link = link.strip()
    if checked is not None and upload is not None:
        milestone.evidence_kind = checked.kind
        milestone.evidence_size = checked.size
        milestone.evidence_sha256 = checked.sha256
        milestone.evidence_name = (upload.name or "evidence")[:255]
        milestone.evidence_file.save(milestone.evidence_name, upload, save=False)
    milestone.status = MilestoneStatus.SUBMITTED
    milestone.submitted_by, milestone.submitted_at = by, timezone.now()
    milestone.sent_back_reason = ""
    milestone.save()
    audit.record(
        actor=by,
        action="milestone.submitted",
        obj=milestone,
        from_state=before,
        to_state=milestone.status,
        changes={"note": milestone.note, "link": milestone.evidence_link, "file": milestone.evidence_name if checked else ""},
    )
    return milestone


def _lock_submitted(milestone: SiteMilestone, by: Any) -> SiteMilestone:
    if not can_decide_milestone(by):
        raise PermissionDenied("Only the taskforce confirms milestones or sends them back.")
    milestone = SiteMilestone.objects.select_for_update(of=("self",)).select_related("template", "site").get(pk=milestone.pk)
    if milestone.status != MilestoneStatus.SUBMITTED:
        raise ValidationError(f"This milestone is {milestone.get_status_display().lower()}: only a submitted one can be decided.")
    return milestone


@transaction.atomic
def confirm_milestone(*, milestone: SiteMilestone, by: Any) -> SiteMilestone:
    """The taskforce confirms; if that was the last required milestone the site becomes active."""
    milestone = _lock_submitted(milestone, by)
    milestone.status = MilestoneStatus.CONFIRMED
    milestone.decided_by, milestone.decided_at = by, timezone.now()
    milestone.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=by, action="milestone.confirmed", obj=milestone, from_state=MilestoneStatus.SUBMITTED, to_state=milestone.status
    )
    activate_if_complete(site=milestone.site, by=by)
    return milestone


@transaction.atomic
def send_back_milestone(*, milestone: SiteMilestone, by: Any, reason: str) -> SiteMilestone:
    """Sent back with a reason the site can act on."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter what the site needs to do before the milestone can be confirmed."})
    milestone = _lock_submitted(milestone, by)
    milestone.status = MilestoneStatus.SENT_BACK
    milestone.sent_back_reason = reason.strip()
    milestone.decided_by, milestone.decided_at = by, timezone.now()
    milestone.save(update_fields=["status", "sent_back_reason", "decided_by", "decided_at"])
    audit.record(
        actor=by,
        action="milestone.sent_back",
        obj=milestone,
        from_state=MilestoneStatus.SUBMITTED,
        to_state=milestone.status,
        reason=milestone.sent_back_reason,
    )
    return milestone


@transaction.atomic
def tick_automatic_milestones(*, site: Site, today: datetime.date | None = None) -> list[SiteMilestone]:
    """Record as confirmed (by the portal, no person) each automatic milestone the data now shows."""
    today = today or timezone.localdate()
    facts = automatic_facts([site.pk], today=today).get(site.pk, set())
    ticked = []
    for template in MilestoneTemplate.objects.filter(wave_id=site.wave_id).exclude(automatic=""):
        if template.automatic not in facts:
            continue
        milestone = _row_for_update(site, template)
        if milestone.status == MilestoneStatus.CONFIRMED:
            continue
        before = milestone.status
        milestone.status, milestone.ticked_by_data, milestone.decided_at = MilestoneStatus.CONFIRMED, True, timezone.now()
        milestone.save(update_fields=["status", "ticked_by_data", "decided_at"])
        audit.record(
            actor=None,
            action="milestone.ticked_by_data",
            obj=milestone,
            from_state=before,
            to_state=milestone.status,
            reason=AutomaticCheck(template.automatic).label,
        )
        ticked.append(milestone)
    return ticked


@transaction.atomic
def activate_if_complete(*, site: Site, by: Any = None, today: datetime.date | None = None) -> bool:
    """Onboarding → active once every required milestone is confirmed (or shown by the data)."""
    site = Site.objects.select_for_update().get(pk=site.pk)
    if site.status != SiteStatus.ONBOARDING:
        return False
    if not MilestoneTemplate.objects.filter(wave_id=site.wave_id, required=True).exists():
        return False  # a wave with no checklist yet: nothing to judge by
    if missing_required_milestones(site, today=today):
        return False
    site.status = SiteStatus.ACTIVE
    site.save(update_fields=["status"])
    audit.record(
        actor=by,
        action="site.activated",
        obj=site,
        from_state=SiteStatus.ONBOARDING,
        to_state=SiteStatus.ACTIVE,
        reason="Every required onboarding milestone is confirmed.",
    )
    return True


def sync_onboarding(*, today: datetime.date | None = None) -> dict[str, int]:
    """Daily: tick automatic milestones for every onboarding site and activate those now complete."""
    ticked = activated = 0
    for site in Site.objects.filter(status=SiteStatus.ONBOARDING).order_by("pk"):
        ticked += len(tick_automatic_milestones(site=site, today=today))
        activated += int(activate_if_complete(site=site, today=today))
    return {"ticked": ticked, "activated": activated}
