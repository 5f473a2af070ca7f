"""E-mails to applicants, worded by administrators (`EmailTemplate`) and sent with Django's
`send_mail`: printed to the console in development, SMTP in production, kept in
`mail.outbox` in tests. Callers send after the transaction commits, so an e-mail never
announces a decision that was rolled back."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from applications.email_defaults import DEFAULTS, PLACEHOLDERS
from applications.models import Application, Clarification, Decision, EmailKind, EmailTemplate, Outcome
from nhsportal import audit
from nhsportal.models import AuditEvent, Role

logger = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")


def unknown_placeholders(kind: str, text: str) -> list[str]:
    allowed = set(PLACEHOLDERS[kind])
    return sorted({name for name in _PLACEHOLDER.findall(text) if name not in allowed})


def fill(text: str, values: dict[str, str]) -> str:
    """Replace `{{ name }}` with its value. Plain substitution, no template language, so
    an administrator's wording can never run code or read anything it was not given."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def _link(name: str, obj: Any) -> str:
    """The page's address. PORTAL_BASE_URL, where set, makes it absolute for the e-mail."""
    return f"{getattr(settings, 'PORTAL_BASE_URL', '')}{reverse(name, args=[obj.pk])}"


def _template(kind: str) -> tuple[str, str]:
    template = EmailTemplate.objects.filter(kind=kind).first()
    if template is not None:
        return template.subject, template.body
    return DEFAULTS[kind]["subject"], DEFAULTS[kind]["body"]


def applicants_of(application: Application) -> list[Any]:
    """Everyone who holds the Programme lead role for the Place (collaborators among them), with an e-mail address."""
    users = (
        get_user_model()
        .objects.filter(role_assignments__role=Role.PROGRAMME_LEAD, role_assignments__place=application.place_id, is_active=True)
        .exclude(email="")
    )
    return list(users.distinct().order_by("username"))


def _person(user: Any) -> str:
    name = user.get_full_name()
    return f"{name} ({user.email})" if name else user.email


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def who_is_told(applications: list[Application], what: str, *, emailed: set[int]) -> str:
    """For the page that sent `what` ("the outcome", "your question"): who it went to, read the
    same way `_send` chooses them, or which Places nobody could be told about and what to do.
    `emailed` holds the applications whose e-mail actually went out (`decisions_emailed`,
    `clarification_emailed`): a sending that failed is said to have failed, never to have worked."""
    told: list[str] = []
    failed: list[str] = []
    untold: list[str] = []
    for application in applications:
        people = applicants_of(application)
        if not people:
            untold.append(str(application.place))
            continue
        leads = f"{application.place}'s programme {'lead' if len(people) == 1 else 'leads'} {_and([_person(p) for p in people])}"
        (told if application.pk in emailed else failed).append(leads)
    parts = [f"{what[:1].upper()}{what[1:]} has been e-mailed to {'; '.join(told)}."] if told else []
    if failed:
        parts.append(
            f"{what[:1].upper()}{what[1:]} could not be e-mailed to {'; '.join(failed)}: sending the e-mail failed. "
            "Tell them yourself; the failure has been logged for the programme office."
        )
    if untold:
        places = _and(untold)
        parts.append(
            f"Nobody has been e-mailed about {places}: {'it has' if len(untold) == 1 else 'they have'} no programme lead "
            f"with an e-mail address. Ask an administrator to give someone the Programme lead role for {places} "
            "in administration, and tell the Place yourself meanwhile."
        )
    return " ".join(parts)


def decisions_emailed(decisions: list[Decision]) -> set[int]:
    """The applications among these decisions' whose outcome was e-mailed (asked once the
    decisions have committed, when their e-mails have been tried)."""
    return set(
        Decision.objects.filter(pk__in=[d.pk for d in decisions], notified_at__isnull=False).values_list(
            "application_id", flat=True
        )
    )


def clarification_emailed(clarification: Clarification) -> set[int]:
    """{the application} if the clarification's question was e-mailed, else nothing."""
    sent = AuditEvent.objects.filter(action="application.clarification_emailed", changes__clarification=clarification.pk).exists()
    return {clarification.application_id} if sent else set()


def _send(kind: str, application: Application, values: dict[str, str]) -> int:
    subject_template, body_template = _template(kind)
    sent = 0
    for person in applicants_of(application):
        personal = values | {"name": person.get_full_name() or person.get_username()}
        subject = " ".join(fill(subject_template, personal).split())  # a header is one line
        sent += send_mail(subject, fill(body_template, personal), settings.DEFAULT_FROM_EMAIL, [person.email])
    return sent


def send_decision_notice(decision_id: int) -> int:
    """E-mail the Place's programme leads the outcome. Run after the decision commits."""
    decision = Decision.objects.select_related("application__place", "application__round__wave", "application__site").get(
        pk=decision_id
    )
    application = decision.application
    kind = EmailKind.SELECTED if decision.outcome == Outcome.SELECTED else EmailKind.NOT_SELECTED
    values = {
        "place": application.place.name,
        "round": application.round.name,
        "wave": application.round.wave.name,
        "rationale": decision.rationale,
        "site": application.site.name if application.site else application.place.name,
        "link": _link("site-detail", application.site) if application.site else _link("application-detail", application),
    }
    try:
        sent = _send(kind, application, values)
    except Exception:  # the decision stands; the office resends by hand
        logger.exception("Could not e-mail the decision on application %s", application.pk)
        return 0
    Decision.objects.filter(pk=decision.pk).update(notified_at=timezone.now())
    audit.record(actor=None, action="application.decision_emailed", obj=application, changes={"recipients": sent})
    return sent


def send_clarification_request(clarification_id: int) -> int:
    clarification = Clarification.objects.select_related("application__place", "application__round").get(pk=clarification_id)
    application = clarification.application
    values = {
        "place": application.place.name,
        "round": application.round.name,
        "question": clarification.question,
        "link": _link("clarification-answer", application),
    }
    try:
        sent = _send(EmailKind.CLARIFICATION, application, values)
    except Exception:  # the question stands; the page says it could not be e-mailed
        logger.exception("Could not e-mail the clarification request on application %s", application.pk)
        return 0
    audit.record(
        actor=None,
        action="application.clarification_emailed",
        obj=application,
        changes={"clarification": clarification.pk, "recipients": sent},
    )
    return sent
