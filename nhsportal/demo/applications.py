"""The applications demo: a closed wave-one round with four applications, their reviews and
decisions (the selected three link to the wave-one sites the reference data already has),
and an open wave-two round with Knowsley's draft and Blackpool's application under review.

DEMO ONLY, called from `nhsportal.demo.seed.seed_demo`. Idempotent: rounds by name, questions and
criteria by number, applications by round and Place, reviews by reviewer; anything that
exists is left as it is. Wave one is history, so it is recorded as it stood (one audit row
per application says so); wave two goes through the services, as a person would.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from applications import services
from applications.deadlines import LONDON, london
from applications.models import (
    Answer,
    Application,
    ApplicationRound,
    Conflict,
    Criterion,
    Decision,
    Question,
    Review,
    Score,
    ScoreDescriptor,
    Status,
)
from nhsportal import audit
from nhsportal.demo.applications_data import (
    BLACKPOOL_WAVE_TWO,
    CRITERIA,
    DEMO_PLACES,
    DESCRIPTORS,
    ELIGIBILITY,
    GUIDANCE,
    KNOWSLEY_DRAFT,
    KNOWSLEY_LEAD,
    QUESTIONS,
    WAVE_ONE_HISTORY,
    WAVE_ONE_ROUND,
    WAVE_TWO,
    WAVE_TWO_ROUND,
    PastApplication,
)
from nhsportal.demo.sites_data import EMAIL_DOMAIN, DemoAccount
from nhsportal.models import RoleAssignment
from sites.models import ICB, LocalAuthority, Place, Site, Wave


def seed_applications_demo(*, users: dict[str, Any], password: str) -> list[tuple[DemoAccount, str]]:
    """Returns the demo accounts it adds, with their e-mail addresses."""
    taskforce, chair = users["taskforce"], users["chair"]
    places = {name: _place(name, *spec) for name, spec in DEMO_PLACES.items()}
    wave_one = Wave.objects.get(number=1)
    first = _round(wave_one, WAVE_ONE_ROUND["name"], london(*WAVE_ONE_ROUND["opens"]), london(*WAVE_ONE_ROUND["closes"]))
    for past in WAVE_ONE_HISTORY:
        _past_application(first, past, taskforce=taskforce, chair=chair, lead=users.get(f"lead.{past.place.lower()}"))

    wave_two, _ = Wave.objects.get_or_create(number=WAVE_TWO["number"], defaults=WAVE_TWO)
    today = timezone.localdate()
    opens = datetime.datetime.combine(
        today - datetime.timedelta(days=WAVE_TWO_ROUND["opened_days_ago"]), datetime.time(9), LONDON
    )
    closes = datetime.datetime.combine(
        today + datetime.timedelta(days=WAVE_TWO_ROUND["closes_in_days"]), datetime.time(12), LONDON
    )
    second = _round(wave_two, WAVE_TWO_ROUND["name"], opens, closes)
    lead = _account(KNOWSLEY_LEAD, password, places["Knowsley"])
    _knowsley_draft(second, places["Knowsley"], lead)
    _blackpool_under_review(second, places["Blackpool"], taskforce=taskforce, chair=chair)
    return [(KNOWSLEY_LEAD, lead.email)]


def _round(wave: Wave, name: str, opens: datetime.datetime, closes: datetime.datetime) -> ApplicationRound:
    spec = WAVE_ONE_ROUND if wave.number == 1 else WAVE_TWO_ROUND
    round_, _ = ApplicationRound.objects.get_or_create(
        name=name,
        defaults={
            "wave": wave,
            "opens_at": opens,
            "closes_at": closes,
            "guidance": GUIDANCE,
            "eligibility": ELIGIBILITY,
            "sites_to_select": spec["sites_to_select"],
        },
    )
    for number, (prompt, limit, required) in enumerate(QUESTIONS, start=1):
        Question.objects.get_or_create(
            round=round_, number=number, defaults={"prompt": prompt, "word_limit": limit, "required": required}
        )
    for number, (title, guidance, weight) in enumerate(CRITERIA, start=1):
        criterion, created = Criterion.objects.get_or_create(
            round=round_, number=number, defaults={"title": title, "guidance": guidance, "weight": weight, "max_score": 4}
        )
        if created:
            ScoreDescriptor.objects.bulk_create(
                ScoreDescriptor(criterion=criterion, score=score, description=text) for score, text in enumerate(DESCRIPTORS)
            )
    return round_


def _place(name: str, icb_code: str, district: str, population: int, note: str) -> Place:
    place, created = Place.objects.get_or_create(
        name=name,
        defaults={"icb": ICB.objects.get(ods_code=icb_code), "population": population, "local_authority_note": note},
    )
    if created:
        place.local_authorities.set(LocalAuthority.objects.filter(code=district))
    return place


def _account(account: DemoAccount, password: str, place: Place) -> Any:
    user, _ = get_user_model().objects.update_or_create(
        username=account.username,
        defaults={
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": f"{account.username}@{EMAIL_DOMAIN}",
            "is_active": True,
        },
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=account.role, place=place, site=None)
    return user


def _past_application(round_: ApplicationRound, past: PastApplication, *, taskforce: Any, chair: Any, lead: Any) -> None:
    place = Place.objects.get(name=past.place)
    if Application.objects.filter(round=round_, place=place).exists():
        return
    submitted_at = round_.closes_at - datetime.timedelta(days=3)
    decided_at = london(2025, 9, 9, 10)
    site = Site.objects.filter(place=place, wave=round_.wave).first() if past.outcome == Status.SELECTED else None
    application = Application.objects.create(
        round=round_, place=place, status=past.outcome, submitted_at=submitted_at, site=site, lead_applicant=lead
    )
    questions = list(round_.questions.order_by("number"))
    Answer.objects.bulk_create(
        Answer(application=application, question=question, text=text)
        for question, text in zip(questions, past.answers, strict=True)
        if text
    )
    criteria = list(round_.criteria.order_by("number"))
    for reviewer, scores, recommendation in zip((taskforce, chair), past.scores, past.recommendations, strict=True):
        review = Review.objects.create(
            application=application,
            reviewer=reviewer,
            assigned_by=chair,
            conflict=Conflict.NONE,
            conflict_declared_at=submitted_at,
            recommendation=recommendation,
            submitted_at=submitted_at + datetime.timedelta(days=20),
        )
        Score.objects.bulk_create(
            Score(review=review, criterion=criterion, score=score) for criterion, score in zip(criteria, scores, strict=True)
        )
    Decision.objects.create(
        application=application,
        outcome=past.outcome,
        rationale=past.rationale,
        decided_by=chair,
        decided_at=decided_at,
        notified_at=decided_at,
    )
    audit.record(
        actor=None,
        action="application.imported",
        obj=application,
        to_state=application.status,
        reason=f"Wave-one history recorded by the demo: submitted {submitted_at:%d %B %Y}, decided {decided_at:%d %B %Y}.",
    )


def _knowsley_draft(round_: ApplicationRound, place: Place, lead: Any) -> None:
    if Application.objects.filter(round=round_, place=place).exists() or not round_.is_open():
        return
    application = services.start_application(round_=round_, place=place, by=lead)
    for question, text in zip(round_.questions.order_by("number"), KNOWSLEY_DRAFT, strict=False):
        services.save_answer(application=application, question=question, by=lead, text=text)


def _blackpool_under_review(round_: ApplicationRound, place: Place, *, taskforce: Any, chair: Any) -> None:
    """Blackpool has no demo account, so its submission is recorded; review goes through the services."""
    application, created = Application.objects.get_or_create(
        round=round_,
        place=place,
        defaults={"status": Status.SUBMITTED, "submitted_at": round_.opens_at + datetime.timedelta(days=5)},
    )
    if created:
        Answer.objects.bulk_create(
            Answer(application=application, question=question, text=text)
            for question, text in zip(round_.questions.order_by("number"), BLACKPOOL_WAVE_TWO, strict=True)
        )
        audit.record(
            actor=None,
            action="application.imported",
            obj=application,
            to_state=Status.SUBMITTED,
            reason="Demo: Blackpool's submission (it has no demo account).",
        )
    for reviewer in (taskforce, chair):
        if not Review.objects.filter(application=application, reviewer=reviewer).exists():
            services.assign_reviewer(application=application, reviewer=reviewer, by=chair)
