"""Asking for, building and sending a month's bulletin.

`request` makes the next version of the month's bulletin (status "building") and, once that commits,
asks the worker to build it: while one is building, asking again finds it (a partial unique
constraint holds it to one). `build` reads the contents (`bulletins.builder`), writes the XLSX and
issues it; once that commits the taskforce is e-mailed a link, the way the data-quality notices are
sent (`metrics.returns.notices`: the `NoticeSent` ledger under the key `bulletin-issued:<id>`, so a
retried or repeated task e-mails each version once)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from bulletins import builder, workbook
from bulletins.models import Bulletin, BulletinStatus
from metrics.models import NoticeSent, ReportingPeriod
from metrics.returns import notices
from nhsportal import audit

logger = logging.getLogger(__name__)

NOTICE_KIND = "bulletin_issued"
CATCH_UP_DAYS = 62  # the daily check issues bulletins for months whose final deadline passed this recently


def notice_key(bulletin: Bulletin) -> str:
    return f"bulletin-issued:{bulletin.pk}"


def request(period: ReportingPeriod, *, by: Any = None, trigger: str = "request", queue: bool = True) -> tuple[Bulletin, bool]:
    """The month's bulletin being built: the one already building, or a new version queued for the
    worker once this commits (unless `queue` is False: the caller builds it). (bulletin, created)."""
    with transaction.atomic():
        ReportingPeriod.objects.select_for_update().get(pk=period.pk)  # one version number at a time
        building = Bulletin.objects.filter(period=period, status=BulletinStatus.BUILDING).first()
        if building is not None:
            return building, False
        number = (Bulletin.objects.filter(period=period).aggregate(n=Max("version"))["n"] or 0) + 1
        bulletin = Bulletin.objects.create(
            period=period, version=number, trigger=trigger, requested_by=by if getattr(by, "pk", None) else None
        )
        bulletin_id = bulletin.pk
        audit.record(actor=by, action="bulletins.requested", obj=bulletin, to_state=BulletinStatus.BUILDING, reason=trigger)
        if queue:
            transaction.on_commit(lambda: _dispatch(bulletin_id), robust=True)
    return bulletin, True


def _dispatch(bulletin_id: int) -> None:
    from bulletins import tasks

    try:
        tasks.build_bulletin.apply_async((bulletin_id,), retry=False)
    except Exception:  # noqa: BLE001 - the broker down: the daily check and the page's button find it building
        logger.warning("Broker unavailable: bulletin %s waits for the daily check", bulletin_id, exc_info=True)


def build(bulletin_id: int, *, retryable: tuple[type[BaseException], ...] = (), notify: bool = True) -> Bulletin:
    """Read, store and issue one bulletin (one no longer building is left as it is), then e-mail
    the taskforce once the issue commits. An error in `retryable` propagates for the task to retry;
    any other marks the bulletin failed (so the button can ask for it again) and propagates."""
    bulletin = Bulletin.objects.select_related("period").get(pk=bulletin_id)
    if bulletin.status != BulletinStatus.BUILDING:
        return bulletin
    try:
        contents = builder.build_contents(bulletin.period)
        bulletin.contents = contents
        data = workbook.render(bulletin)
    except retryable:
        raise
    except BaseException as exc:
        Bulletin.objects.filter(pk=bulletin_id, status=BulletinStatus.BUILDING).update(
            status=BulletinStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        logger.exception("Bulletin %s failed", bulletin_id)
        raise
    with transaction.atomic():
        current = Bulletin.objects.select_for_update().get(pk=bulletin_id)
        if current.status != BulletinStatus.BUILDING:  # another worker issued it meanwhile
            return current
        bulletin.issued_at = timezone.now()
        bulletin.status = BulletinStatus.ISSUED
        bulletin.workbook.save(f"bulletin-{bulletin.period.slug}-v{bulletin.version}.xlsx", ContentFile(data), save=False)
        bulletin.save(update_fields=["contents", "issued_at", "status", "workbook"])
        if notify:
            transaction.on_commit(lambda: _dispatch_email(bulletin_id), robust=True)
    return bulletin


def _dispatch_email(bulletin_id: int) -> None:
    from bulletins import tasks

    try:
        tasks.send_bulletin_email.apply_async((bulletin_id,), retry=False)
    except Exception:  # noqa: BLE001 - the broker down: send it from here; the ledger keeps it to once
        logger.warning("Broker unavailable: e-mailing bulletin %s from the builder", bulletin_id, exc_info=True)
        send_email(bulletin_id)


def link(bulletin: Bulletin) -> str:
    return settings.PORTAL_BASE_URL + reverse("bulletin-version", args=[bulletin.period.slug, bulletin.version])


def send_email(bulletin_id: int) -> int:
    """The taskforce told the bulletin is out, with its link: once per version. The number of
    recipients (0: nothing sent)."""
    bulletin = Bulletin.objects.select_related("period").get(pk=bulletin_id)
    to = notices.taskforce()
    if not bulletin.is_issued or not to:
        return 0
    headline = bulletin.contents.get("headline", {})
    again = f" (version {bulletin.version}, re-issued)" if bulletin.version > 1 else ""
    body = (
        f"The bulletin for {bulletin.period}{again} is ready:\n{link(bulletin)}\n\n"
        f"Returns signed off: {headline.get('signed_off', 0)} of {headline.get('expected', 0)} sites expected "
        f"({headline.get('on_time', 0)} on time, {headline.get('late', 0)} late); {headline.get('missing', 0)} missing.\n"
        f"New special-cause signals: {len(bulletin.contents.get('signals', []))}. "
        f"Funnel outliers: {len(bulletin.contents.get('outliers', []))}. "
        f"Corrected figures since the last bulletin: {len(bulletin.contents.get('changelog', []))}.\n"
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                NoticeSent.objects.create(key=notice_key(bulletin), kind=NOTICE_KIND, recipients=len(to))
        except IntegrityError:
            return 0
        EmailMessage(f"NNHIP bulletin for {bulletin.period}{again}", body, to=list(to)).send()
        Bulletin.objects.filter(pk=bulletin.pk).update(emailed_at=timezone.now())
    return len(to)


def request_due(today) -> list[Bulletin]:
    """The daily check: a bulletin for each month past its final deadline that has none."""
    return [request(period, trigger="schedule")[0] for period in builder.months_due(today, catch_up_days=CATCH_UP_DAYS)]


def resend_stuck(older_than_minutes: int = 30) -> int:
    """Bulletins still building long after they were asked for (their task never reached a worker):
    asked for again. The build itself is idempotent."""
    since = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    stuck = list(Bulletin.objects.filter(status=BulletinStatus.BUILDING, requested_at__lt=since).values_list("pk", flat=True))
    for pk in stuck:
        _dispatch(pk)
    return len(stuck)


def build_latest_closed_month(today: datetime.date | None = None) -> Bulletin | None:
    """For the demo (seed_demo): the bulletin of the latest month past its final deadline, built
    here and now without e-mailing anyone. None if no month has closed."""
    today = today or timezone.localdate()
    period = ReportingPeriod.objects.filter(final_submission_due__lt=today).order_by("-month").first()
    if period is None:
        return None
    bulletin, _ = request(period, trigger="demo", queue=False)
    return build(bulletin.pk, notify=False)
