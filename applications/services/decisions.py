"""Decisions: the chair selects or does not select an application under review, alone or
many at once. Selection creates the Site in the round's wave (or links the one that is
already there), names the lead applicant its programme lead, and the Place's programme
leads are e-mailed the outcome once the decision commits."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from applications import emails
from applications.exceptions import TransitionNotAllowed
from applications.models import Application, Decision, Outcome, Review
from applications.rules import can_decide
from applications.services.workflow import check_allowed, lock, move
from nhsportal import audit
from nhsportal.models import Role, RoleAssignment
from sites.models import Site, SiteStatus


def _programme_lead_for(application: Application) -> Any:
    """The lead applicant, if they still lead the Place; else none (an administrator names one)."""
    lead = application.lead_applicant
    if lead is None:
        return None
    holds = RoleAssignment.objects.filter(user=lead, role=Role.PROGRAMME_LEAD, place=application.place_id).exists()
    return lead if holds else None


def _site_for(application: Application, *, by: Any) -> Site:
    """The Place's site in the round's wave: created onboarding, or the one already there.
    The lead's Programme lead role on the Place is what lets them open it (sites.rules)."""
    place, wave = application.place, application.round.wave
    lead = _programme_lead_for(application)
    site = Site.objects.filter(place=place, wave=wave).first()
    if site is not None:
        if site.programme_lead_id is None and lead is not None:
            site.programme_lead = lead
            site.save(update_fields=["programme_lead"])
        return site
    try:
        with transaction.atomic():
            site = Site.objects.create(
                name=place.name,
                place=place,
                wave=wave,
                status=SiteStatus.ONBOARDING,
                programme_lead=lead,
                joined_on=wave.start_date,
            )
    except IntegrityError as exc:
        raise ValidationError(
            f"{wave} already has a site called {place.name}. Rename it in administration, then decide again."
        ) from exc
    audit.record(
        actor=by,
        action="site.created",
        obj=site,
        to_state=SiteStatus.ONBOARDING,
        changes={"place": place.name, "wave": wave.name, "programme_lead": lead.get_username() if lead else ""},
        reason=f"Selected through application {application.pk} to {application.round}.",
    )
    return site


@transaction.atomic
def record_decision(*, application: Application, by: Any, outcome: str, rationale: str) -> Decision:
    """One decision per application, made once, with reasons. Two people deciding at once:
    the second finds it decided and is refused."""
    application = lock(application)
    own_review = Review.objects.filter(application=application, reviewer=by).first()
    if not can_decide(by, own_review):
        if own_review is not None and own_review.is_conflicted:
            raise PermissionDenied("You declared a conflict of interest on this application, so an administrator must decide it.")
        raise PermissionDenied("Only the taskforce chair records decisions.")
    errors = {}
    if outcome not in Outcome.values:
        errors["outcome"] = "Choose selected or not selected."
    if not rationale.strip():
        errors["rationale"] = "Give the reasons for the decision: the Place will read them."
    if errors:
        raise ValidationError(errors)
    action = "select" if outcome == Outcome.SELECTED else "not_select"
    check_allowed(application, action)
    if not application.reviews.filter(submitted_at__isnull=False).exists():
        raise TransitionNotAllowed(f"No review of {application.place}'s application has been submitted yet: decide once one has.")

    also: tuple[str, ...] = ()
    if outcome == Outcome.SELECTED:
        application.site = _site_for(application, by=by)
        also = ("site",)
    move(application, action=action, by=by, reason=rationale.strip(), also=also)
    decision = Decision.objects.create(application=application, outcome=outcome, rationale=rationale.strip(), decided_by=by)
    transaction.on_commit(functools.partial(emails.send_decision_notice, decision.pk))
    return decision


@transaction.atomic
def record_decisions(*, applications: Sequence[Application], by: Any, outcome: str, rationale: str) -> list[Decision]:
    """The same decision and reasons for several applications: all of them, or none (the
    refusal names the Place that stopped it)."""
    if not applications:
        raise ValidationError({"applications": "Select at least one application."})
    decisions = []
    # Lock in a fixed order, so two bulk decisions over the same applications cannot deadlock.
    for application in sorted(applications, key=lambda a: a.pk):
        try:
            decisions.append(record_decision(application=application, by=by, outcome=outcome, rationale=rationale))
        except TransitionNotAllowed as exc:
            raise TransitionNotAllowed(f"Nothing was recorded. {exc}") from exc
        except PermissionDenied as exc:
            raise PermissionDenied(f"Nothing was recorded. {application.place}: {exc}") from exc
    return decisions
