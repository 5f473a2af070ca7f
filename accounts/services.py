"""Every write about sign-in and access: checked, atomic, audited. Roles themselves change only
through `nhsportal.services` (the one audited way), which these call."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts import rules
from accounts.models import AccessNotice, AccessRequest, OidcIdentity, RequestStatus, SiteConfirmation
from nhsportal import audit
from nhsportal.formats import clock
from nhsportal.models import Role, RoleAssignment
from nhsportal.services import revoke_role, save_role_assignment
from sites.models import Site

logger = logging.getLogger(__name__)

ORGANISATION_CLAIMS = ("nhsid_nrbac_roles", "nhsid_user_orgs")


def organisations_from(claims: dict[str, Any]) -> list[dict[str, str]]:
    """The organisations (and CIS2 roles) an ID token states, flattened for showing to an approver."""
    found = []
    for claim in ORGANISATION_CLAIMS:
        for entry in claims.get(claim) or []:
            if not isinstance(entry, dict):
                continue
            found.append(
                {
                    "org_code": str(entry.get("org_code") or entry.get("orgCode") or ""),
                    "org_name": str(entry.get("org_name") or ""),
                    "role": str(entry.get("role_name") or entry.get("person_roleid") or ""),
                }
            )
    return found


def _unique_username(claims: dict[str, Any]) -> str:
    User = get_user_model()
    base = slugify(claims.get("email", "").split("@")[0] or claims.get("name") or "person")[:120] or "person"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def sign_in_from_claims(*, provider: str, claims: dict[str, Any]) -> tuple[Any, bool]:
    """The portal account for a checked ID token: found by (issuer, subject), never by e-mail;
    created from the claims on first sign-in. Returns (user, created)."""
    issuer, subject = claims["iss"], str(claims["sub"])
    identity = OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    organisations = organisations_from(claims)
    now = timezone.now()
    if identity is not None:
        identity.organisations = organisations or identity.organisations
        identity.last_sign_in_at = now
        identity.save(update_fields=["organisations", "last_sign_in_at"])
        if not identity.user.is_active:
            raise PermissionDenied("Your portal account has been closed. Contact the national programme office.")
        return identity.user, False
    User = get_user_model()
    user = User(
        username=_unique_username(claims),
        email=str(claims.get("email") or "")[:254],
        first_name=str(claims.get("given_name") or claims.get("name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )
    user.set_unusable_password()
    user.save()
    identity = OidcIdentity.objects.create(
        user=user, provider=provider, issuer=issuer, subject=subject, organisations=organisations, last_sign_in_at=now
    )
    audit.record(
        actor=user, action="account.created", obj=user, changes={"provider": provider, "issuer": issuer, "subject": subject}
    )
    return user, True


@transaction.atomic
def link_identity(*, user: Any, provider: str, issuer: str, subject: str, by: Any) -> OidcIdentity:
    """An administrator links an existing (password) account to a person's identity at a provider."""
    if OidcIdentity.objects.filter(issuer=issuer, subject=subject).exists():
        raise ValidationError({"subject": "This identity is already linked to an account."})
    identity = OidcIdentity.objects.create(user=user, provider=provider, issuer=issuer, subject=subject)
    audit.record(
        actor=by, action="account.linked", obj=user, changes={"provider": provider, "issuer": issuer, "subject": subject}
    )
    return identity


def _send(subject: str, body: str, to: list[str]) -> None:
    to = sorted({address for address in to if address})
    if not to:
        return
    # After commit, and a failing mail server is logged, not the person's 500: what they did stands.
    transaction.on_commit(lambda: EmailMessage(subject, body, to=to).send(), robust=True)


def _link(name: str, *args: Any) -> str:
    return f"{settings.PORTAL_BASE_URL}{reverse(name, args=list(args))}"


def administrators() -> list[Any]:
    User = get_user_model()
    return list(
        User.objects.filter(Q(is_superuser=True) | Q(role_assignments__role=Role.ADMINISTRATOR), is_active=True).distinct()
    )


def approvers_of(request: AccessRequest) -> list[Any]:
    """Site staff are approved by their site's lead (or an administrator); everything else by administrators."""
    if request.role == Role.SITE_STAFF:
        User = get_user_model()
        leads = list(
            User.objects.filter(role_assignments__role=Role.SITE_LEAD, role_assignments__site=request.site_id, is_active=True)
            .exclude(pk=request.user_id)
            .distinct()
        )
        if leads:
            return leads
    return [admin for admin in administrators() if admin.pk != request.user_id]


@transaction.atomic
def request_access(
    *, user: Any, role: str, site: Site | None, place: Any | None, reason: str, organisations: list[dict[str, str]]
) -> AccessRequest:
    if role not in {Role.SITE_STAFF, Role.SITE_LEAD, Role.PROGRAMME_LEAD}:
        raise ValidationError({"role": "Choose site staff, site lead or programme lead."})
    if role == Role.PROGRAMME_LEAD:
        if place is None:
            raise ValidationError({"place": "Choose the Place you lead the programme for."})
        site = None
    else:
        if site is None:
            raise ValidationError({"site": "Choose the site you work at."})
        place = None
    if not reason.strip():
        raise ValidationError({"reason": "Say why you need this access, for example your job at the site."})
    held = RoleAssignment.objects.filter(user=user, role=role, site=site, place=place).exists()
    if held:
        raise ValidationError({"role": "You already hold this role there."})
    try:
        with transaction.atomic():
            request = AccessRequest.objects.create(
                user=user, role=role, site=site, place=place, reason=reason.strip(), organisations=organisations
            )
    except IntegrityError:
        raise ValidationError({"role": "You have already asked for this access; it is waiting for a decision."}) from None
    audit.record(actor=user, action="access.requested", obj=request, to_state=RequestStatus.PENDING, reason=request.reason)
    who = user.get_full_name() or user.get_username()
    _send(
        f"Access requested: {who}, {request.get_role_display()} at {site or place}",
        f"{who} ({user.email}) asks to be {request.get_role_display().lower()} at {site or place}.\n\n"
        f"Their reason: {request.reason}\n\nApprove or refuse it here: {_link('access-request-decide', request.pk)}\n",
        [approver.email for approver in approvers_of(request)],
    )
    return request


@transaction.atomic
def decide_access(*, request: AccessRequest, by: Any, approve: bool, note: str = "") -> AccessRequest:
    request = AccessRequest.objects.select_for_update(of=("self",)).select_related("user", "site", "place").get(pk=request.pk)
    if not rules.can_decide(by, request):
        raise PermissionDenied("Only the site's lead or an administrator may decide this request.")
    if request.status != RequestStatus.PENDING:
        raise ValidationError(f"This request has already been {request.get_status_display().lower()}.")
    if not approve and not note.strip():
        raise ValidationError({"note": "Say why you are refusing, so the person knows what to do."})
    request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_note = by, timezone.now(), note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        if RoleAssignment.objects.filter(user=request.user, role=request.role, site=request.site, place=request.place).exists():
            raise ValidationError(
                f"{request.user.get_full_name() or request.user.get_username()} already has this role at {request.site or request.place}: "
                "refuse the request, saying so."
            )
        assignment = RoleAssignment(user=request.user, role=request.role, site=request.site, place=request.place)
        save_role_assignment(assignment=assignment, by=by, is_new=True)
    audit.record(
        actor=by,
        action="access.approved" if approve else "access.refused",
        obj=request,
        from_state=RequestStatus.PENDING,
        to_state=request.status,
        reason=request.decision_note,
    )
    where = request.site or request.place
    if approve:
        body = f"You can now use the portal as {request.get_role_display().lower()} at {where}: {settings.PORTAL_BASE_URL}/\n"
    else:
        body = (
            f"Your request to be {request.get_role_display().lower()} at {where} was refused.\n\n"
            f"The reason given: {request.decision_note}\n\nIf you think this is wrong, contact {settings.SUPPORT_EMAIL}.\n"
        )
    _send(f"Your portal access request was {request.get_status_display().lower()}", body, [request.user.email])
    return request


def quarter_of(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@transaction.atomic
def confirm_site_people(*, site: Site, by: Any, remove: list[int]) -> SiteConfirmation:
    """A site lead keeps or removes each of their site's people for this quarter."""
    if not rules.can_confirm_site(by, site):
        raise PermissionDenied("Only the site's lead or an administrator confirms who keeps access.")
    quarter = quarter_of(timezone.localdate())
    assignments = list(RoleAssignment.objects.filter(site=site).select_related("user", "site"))
    kept, removed = [], []
    for assignment in assignments:
        if assignment.pk in remove and assignment.user_id != by.pk:
            removed.append({"user": assignment.user.get_username(), "role": assignment.role})
            revoke_role(assignment=assignment, by=by)
            _send(
                "Your access to the portal has been removed",
                f"{by.get_full_name() or by.get_username()} removed your role as {assignment.get_role_display().lower()} "
                f"at {site} in the quarterly check of who keeps access.\nIf this is wrong, ask them or contact {settings.SUPPORT_EMAIL}.\n",
                [assignment.user.email],
            )
        else:
            kept.append({"user": assignment.user.get_username(), "role": assignment.role})
    confirmation, _ = SiteConfirmation.objects.update_or_create(
        site=site, quarter=quarter, defaults={"confirmed_by": by, "kept": kept, "removed": removed}
    )
    audit.record(actor=by, action="access.confirmed", obj=site, changes={"quarter": quarter, "kept": kept, "removed": removed})
    return confirmation


def _notice_once(key: str) -> bool:
    try:
        with transaction.atomic():
            AccessNotice.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def send_confirmation_reminders(*, today: datetime.date | None = None) -> int:
    """At the start of each quarter, ask every site lead to confirm their site's people (once)."""
    today = today or timezone.localdate()
    quarter = quarter_of(today)
    sent = 0
    confirmed = set(SiteConfirmation.objects.filter(quarter=quarter).values_list("site_id", flat=True))
    leads = RoleAssignment.objects.filter(role=Role.SITE_LEAD).select_related("user", "site").exclude(site_id__in=confirmed)
    for assignment in leads:
        if not assignment.user.email:
            continue
        try:
            # The ledger row and the send stand or fall together: a failed send is tried again tomorrow.
            with transaction.atomic():
                if not _notice_once(f"confirm:{quarter}:{assignment.site_id}:{assignment.user_id}"):
                    continue
                EmailMessage(
                    f"Confirm who keeps access to {assignment.site} ({quarter})",
                    f"Each quarter the site lead confirms who at {assignment.site} still needs the portal.\n"
                    f"Keep or remove each person here: {_link('access-confirm', assignment.site_id)}\n",
                    to=[assignment.user.email],
                ).send()
        except Exception:
            logger.exception("The quarterly confirmation reminder to %s could not be sent", assignment.user.email)
            continue
        sent += 1
    return sent


@transaction.atomic
def expire_inactive(*, now: datetime.datetime | None = None) -> list[str]:
    """Accounts with no sign-in for ACCESS_INACTIVE_DAYS lose their roles, with notice. Break-glass
    accounts are kept: they exist for the day the identity providers are down."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.ACCESS_INACTIVE_DAYS)
    User = get_user_model()
    stale = (
        User.objects.filter(role_assignments__isnull=False, break_glass__isnull=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .distinct()
    )
    _warn_before_expiry(now=now, cutoff=cutoff)
    expired = []
    for user in stale:
        assignments = list(RoleAssignment.objects.filter(user=user).select_related("site", "place"))
        for assignment in assignments:
            revoke_role(assignment=assignment, by=None)
        audit.record(
            actor=None,
            action="access.expired",
            obj=user,
            changes={"roles": [str(a) for a in assignments]},
            reason=f"No sign-in for {settings.ACCESS_INACTIVE_DAYS} days.",
        )
        _send(
            "Your portal roles have been removed after a long time without signing in",
            f"You have not signed in to the portal for {settings.ACCESS_INACTIVE_DAYS} days, so your roles "
            f"({', '.join(a.get_role_display() for a in assignments)}) have been removed. If you still need access, "
            f"sign in and request it again: {_link('access-request')}\n",
            [user.email],
        )
        expired.append(user.get_username())
    return expired


WARNING_DAYS = 14


def _warn_before_expiry(*, now: datetime.datetime, cutoff: datetime.datetime) -> None:
    """Two weeks before their roles go, tell the person (once for each stretch without a sign-in)."""
    User = get_user_model()
    warn_from = cutoff + datetime.timedelta(days=WARNING_DAYS)
    soon = (
        User.objects.filter(role_assignments__isnull=False, break_glass__isnull=True)
        .filter(
            Q(last_login__lt=warn_from, last_login__gte=cutoff)
            | Q(last_login__isnull=True, date_joined__lt=warn_from, date_joined__gte=cutoff)
        )
        .exclude(email="")
        .distinct()
    )
    for user in soon:
        since = user.last_login or user.date_joined
        if not _notice_once(f"inactive-warning:{user.pk}:{since:%Y%m%d%H%M%S}"):
            continue
        ends = timezone.localtime(since + datetime.timedelta(days=settings.ACCESS_INACTIVE_DAYS))
        _send(
            "Sign in to keep your portal access",
            f"You have not signed in to the portal since {timezone.localtime(since):%-d %B %Y}. Unless you sign in by "
            f"{ends:%-d %B %Y}, your roles will be removed ({settings.ACCESS_INACTIVE_DAYS} days without a sign-in). "
            f"Sign in here: {settings.PORTAL_BASE_URL}/\n",
            [user.email],
        )


def record_break_glass_sign_in(*, user: Any, address: str) -> None:
    """A password sign-in while PASSWORD_SIGN_IN is off: audited and told to every administrator."""
    audit.record(
        actor=user, action="sign_in.break_glass", obj=user, changes={"address": address}, reason="Password sign-in (break-glass)."
    )
    _send(
        f"Break-glass sign-in: {user.get_username()}",
        f"{user.get_username()} signed in to the portal with a password at {clock(timezone.localtime())} on {timezone.localtime():%-d %B %Y} "
        f"(UK time) from {address or 'an unknown address'}.\nPassword sign-in is off, so this account is a break-glass "
        f"account. If this was not expected, lock the account in Django admin now.\n",
        [admin.email for admin in administrators()],
    )
