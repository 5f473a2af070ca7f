"""Every step of a return's life: filing a version, acknowledging warnings, sending for
sign-off, signing off, requesting a correction; and the data-quality loop: raising a query,
answering it, closing or reopening it. Each is checked, atomic and audited; the e-mails the
loop sends go out once each step commits (metrics.returns.notices).

The rules they enforce:
- a version's values never change: every filing (upload, web form, API) makes a new one;
- a filing is checked completely before anything is stored; on any error nothing is;
- two people filing against the same version cannot both win: the second is told;
- after the final deadline only an administrator may file, and must give a reason, and only
  an administrator may acknowledge, send for sign-off or sign off; no one may request a
  correction then (the site could not file it): an administrator changes the return instead;
- warnings are acknowledged with a comment before sign-off; only the site lead signs off.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from metrics import tasks
from metrics.models import (
    BreakdownCategory,
    MetricDefinition,
    ReportingPeriod,
    Return,
    ReturnStatus,
    ReturnValue,
    ReturnVersion,
    ReturnWarning,
    VersionSource,
)
from metrics.returns import grid, notices, rules
from metrics.returns import workbook as export
from metrics.returns.checks import ParsedValue, validate_values
from metrics.returns.importer import ParsedReturn, read_return
from metrics.returns.selectors import parsed_values
from metrics.rollups import jobs as rollup_jobs
from metrics.services import notify, signals
from metrics.services.common import (
    ReturnConflict,
    ReturnRefused,
    TransitionRefused,
    _who,
    import_context,
    not_ended_problem,
    same_figures,
)
from nhsportal import audit
from sites.models import Site


def upload_return(*, data: bytes, filename: str, by: Any, based_on: int | None = None, note: str = "") -> ReturnVersion:
    """Check an uploaded template completely, then store it as a new version of its site's
    return for its month. The file decides the site and month; the uploader must be its site's."""
    parsed = read_return(data, import_context(by))
    if parsed.errors:
        raise ReturnRefused(parsed.errors)
    # A template read without errors always names its site and month.
    site = Site.objects.get(pk=cast(int, parsed.site_id))
    period = ReportingPeriod.objects.get(month=cast(datetime.date, parsed.month))
    return file_version(
        site=site,
        period=period,
        parsed=parsed,
        source=VersionSource.UPLOAD,
        by=by,
        based_on=based_on,
        note=note,
        file=ContentFile(data, name=f"{site.pk}-{period.slug}.xlsx"),
        filename=filename,
    )


def submit_cells(
    *, site: Site, period: ReportingPeriod, cells: dict[str, str], by: Any, based_on: int | None, note: str = ""
) -> ReturnVersion:
    """The web form: the typed grid goes into a copy of the template and through the same
    importer as an upload, so it is checked by the same rules, cell by cell."""
    corrected = ReturnVersion.objects.filter(
        return_record__site=site,
        return_record__period=period,
        number=based_on,  # type: ignore[misc]  # None is a valid exact lookup (IS NULL); the stubs reject it
        layout="1.2",
    ).first()
    base = export.write_return(parsed_values(corrected), place_name=site.name, month=period.month) if corrected else None
    parsed = read_return(grid.workbook_from_cells(cells, place_name=site.name, month=period.month, base=base), import_context(by))
    if parsed.errors:
        raise ReturnRefused(parsed.errors)
    return file_version(site=site, period=period, parsed=parsed, source=VersionSource.FORM, by=by, based_on=based_on, note=note)


def submit_values(
    *,
    site: Site,
    period: ReportingPeriod,
    values: list[ParsedValue],
    layout: str,
    source: str,
    by: Any,
    based_on: int | None,
    note: str = "",
) -> ReturnVersion:
    """The web form and the JSON API: the same checks as an upload, on values given directly."""
    errors, warnings = validate_values(values, layout=layout)
    if errors:
        raise ReturnRefused(errors)
    parsed = ParsedReturn(
        layout=layout, site_id=site.pk, place_name=site.name, month=period.month, values=values, errors=[], warnings=warnings
    )
    return file_version(site=site, period=period, parsed=parsed, source=source, by=by, based_on=based_on, note=note)


@transaction.atomic
def file_version(
    *,
    site: Site,
    period: ReportingPeriod,
    parsed: ParsedReturn,
    source: str,
    by: Any,
    based_on: int | None,
    note: str = "",
    file: ContentFile | None = None,
    filename: str = "",
) -> ReturnVersion:
    """Store a checked filing as the return's next version, whatever the return's state:
    a resubmission after sign-off goes back to draft, and the signed-off version stays
    what the rollups use until the new one is signed off.

    A filing whose figures are identical to the latest version's stores nothing: the latest
    version comes back with `unchanged = True`, for the caller to say so. A month that has
    not ended yet is refused (ReturnRefused), whoever files."""
    if not rules.can_prepare_return(by, site):
        raise PermissionDenied("Only the site's own staff and site lead can file its return.")
    today = timezone.localdate()
    if not period.has_ended_on(today):
        raise ReturnRefused([not_ended_problem(period)])
    if not period.accepts_submissions_on(today):
        if not rules.can_change_locked_period(by):
            raise PermissionDenied(
                f"{period} closed on {period.final_submission_due:%-d %B %Y}. Only an administrator can change it now."
            )
        if not note.strip():
            raise ValidationError({"note": f"{period} is closed: give the reason for changing it."})

    return_record = _locked_return(site, period)
    latest = ReturnVersion.objects.filter(return_record=return_record).select_related("created_by").order_by("-number").first()
    current = latest.number if latest else 0
    if based_on is not None and based_on != current and latest is None:
        # Nothing has been filed yet, so there is no version for the form to have been based on.
        raise ReturnConflict(f"Version {based_on} of this return does not exist. Start again from the blank return.")
    if based_on is not None and based_on != current and latest is not None:
        raise ReturnConflict(
            f"Version {current} of this return was filed by {_who(latest.created_by)} at {timezone.localtime(latest.created_at):%H:%M on %-d %B} "
            f"while you were working on version {based_on}. Look at version {current}, then file your changes again."
        )
    if latest is not None and same_figures(latest, parsed):
        # Nothing is stored: a copy would add a version that differs from nothing, and would send
        # a submitted return back to draft for a sign-off of the very same figures (ADR 10).
        latest.unchanged = True
        return latest

    version = ReturnVersion.objects.create(
        return_record=return_record,
        number=current + 1,
        layout=parsed.layout,
        source=source,
        created_by=by,
        note=note.strip(),
        original_filename=filename,
    )
    if file is not None:
        version.file.save(file.name, file, save=True)
    _store_values(version, parsed.values)
    warnings = [*parsed.warnings, *signals.process_warnings(site, period.month, parsed.values)]
    ReturnWarning.objects.bulk_create(
        ReturnWarning(version=version, sheet=w.sheet, cell=w.cell, code=w.code, message=w.message) for w in warnings
    )
    before = return_record.status
    return_record.latest_version = version
    return_record.status = ReturnStatus.DRAFT
    return_record.save(update_fields=["latest_version", "status", "updated_at"])
    audit.record(
        actor=by,
        action="return.version_filed",
        obj=return_record,
        from_state=before,
        to_state=ReturnStatus.DRAFT,
        changes={"version": version.number, "source": source, "warnings": len(warnings)},
        reason=note,
    )
    if before == ReturnStatus.CORRECTION_REQUESTED:
        notify.queue(notices.CORRECTION_FILED, version)
    return version


def _locked_return(site: Site, period: ReportingPeriod) -> Return:
    """The return row, created if need be, locked for the rest of the transaction."""
    try:
        with transaction.atomic():
            Return.objects.get_or_create(site=site, period=period)
    except IntegrityError:  # created by a concurrent request a moment ago: it exists now
        pass
    # No join on the latest version: after waiting for the lock PostgreSQL re-reads only the
    # locked row, so a joined version could be stale or missing. Callers read it afterwards.
    return Return.objects.select_for_update(of=("self",)).get(site=site, period=period)


def _store_values(version: ReturnVersion, values: Iterable[ParsedValue]) -> None:
    metrics = dict(MetricDefinition.objects.values_list("code", "pk"))
    categories = dict(BreakdownCategory.objects.values_list("code", "pk"))
    ReturnValue.objects.bulk_create(
        ReturnValue(
            version=version,
            metric_id=metrics[v.metric],
            category_id=categories[v.category],
            numerator=None if v.numerator_suppressed else v.numerator,
            denominator=None if v.denominator_suppressed else v.denominator,
            numerator_suppressed=v.numerator_suppressed,
            denominator_suppressed=v.denominator_suppressed,
        )
        for v in values
    )


def _refresh_rollups(period_id: int, *, trigger: str) -> None:
    """A sign-off or a correction request changes what the dashboards show. Its rollup request
    goes into the outbox in this transaction (nothing is lost if the broker is down; beat drains
    it); once the change has committed, a worker is asked to build it now (metrics.rollups.jobs).
    `robust`: a broker outage is logged, never shown to the person signing off."""
    rollup_jobs.record_request(period_id=period_id, trigger=trigger)
    transaction.on_commit(lambda: tasks.request_period_rollup(period_id), robust=True)


def _locked(return_record: Return) -> Return:
    """The return locked for the rest of the transaction; its latest version is read after the lock."""
    return Return.objects.select_for_update(of=("self",)).select_related("site", "period").get(pk=return_record.pk)


def _closed_message(period: ReportingPeriod) -> str:
    return f"{period} closed on {period.final_submission_due:%-d %B %Y}. Only an administrator can change this return now, giving a reason"


def _refuse_if_closed(return_record: Return, *, by: Any, step: str) -> None:
    """After the month's final deadline only an administrator may move its return on (the
    README's monthly cycle); anyone else's step is impossible now, not merely unpermitted."""
    period = return_record.period
    closed = timezone.localdate() > period.final_submission_due
    if not rules.can_step_in_period(by, closed=closed):
        raise TransitionRefused(f"{_closed_message(period)}: {step} is no longer possible.")


def _transition(return_record: Return, *, by: Any, action: str, to: str, reason: str = "", also: tuple[str, ...] = ()) -> None:
    """Move the (locked) return to `to`, saving `also` with it, and audit the step."""
    before = return_record.status
    return_record.status = to
    return_record.save(update_fields=["status", "updated_at", *also])
    audit.record(actor=by, action=action, obj=return_record, from_state=before, to_state=to, reason=reason)


@transaction.atomic
def acknowledge_warnings(*, return_record: Return, by: Any, comment: str) -> ReturnVersion:
    """Warnings do not block a version, but someone must say why the figures are right."""
    return_record = _locked(return_record)
    if not rules.can_prepare_return(by, return_record.site):
        raise PermissionDenied("Only the site's own staff and site lead can acknowledge its warnings.")
    _refuse_if_closed(return_record, by=by, step="acknowledging its warnings")
    if return_record.status != ReturnStatus.DRAFT:
        raise TransitionRefused(
            f"The return is {return_record.get_status_display().lower()}: warnings are acknowledged on a draft, before it goes for sign-off."
        )
    if not comment.strip():
        raise ValidationError({"comment": "Explain why the figures are right despite the warnings."})
    version = _latest(return_record)
    version.warnings_acknowledged_by, version.warnings_acknowledged_at, version.warnings_comment = (
        by,
        timezone.now(),
        comment.strip(),
    )
    version.save(update_fields=["warnings_acknowledged_by", "warnings_acknowledged_at", "warnings_comment"])
    audit.record(
        actor=by, action="return.warnings_acknowledged", obj=return_record, changes={"version": version.number}, reason=comment
    )
    return version


def _latest(return_record: Return) -> ReturnVersion:
    """The latest version of a return that has been filed: a Return is only created together
    with its first version (file_version), so past that point the nullable FK is set."""
    return cast(ReturnVersion, return_record.latest_version)


def _require_acknowledged(version: ReturnVersion) -> None:
    if version.warnings_acknowledged_at is None and version.warnings.exists():
        raise TransitionRefused(f"Version {version.number} has warnings. Acknowledge them with a comment first.")


@transaction.atomic
def send_for_sign_off(*, return_record: Return, by: Any) -> Return:
    return_record = _locked(return_record)
    if not rules.can_prepare_return(by, return_record.site):
        raise PermissionDenied("Only the site's own staff and site lead can send its return for sign-off.")
    _refuse_if_closed(return_record, by=by, step="sending it for sign-off")
    if return_record.status != ReturnStatus.DRAFT:
        raise TransitionRefused(
            f"The return is {return_record.get_status_display().lower()}: only a draft can be sent for sign-off."
        )
    _require_acknowledged(_latest(return_record))
    version = _latest(return_record)
    version.sent_for_sign_off_at = timezone.now()
    version.save(update_fields=["sent_for_sign_off_at"])
    _transition(return_record, by=by, action="return.sent_for_sign_off", to=ReturnStatus.AWAITING_SIGN_OFF)
    return return_record


@transaction.atomic
def sign_off(*, return_record: Return, by: Any, version_number: int | None = None) -> Return:
    """The site lead signs off the version awaiting sign-off. Late when after the initial deadline."""
    return_record = _locked(return_record)
    if not rules.can_sign_off(by, return_record.site):
        raise PermissionDenied("Only the site lead can sign off the site's return.")
    _refuse_if_closed(return_record, by=by, step="signing it off")
    if return_record.status != ReturnStatus.AWAITING_SIGN_OFF:
        raise TransitionRefused(
            f"The return is {return_record.get_status_display().lower()}: only a return awaiting sign-off can be signed off."
        )
    version = _latest(return_record)
    if version_number is not None and version_number != version.number:
        raise ReturnConflict(f"Version {version.number} is now the latest; read it before signing off.")
    _require_acknowledged(version)
    now = timezone.now()
    version.signed_off_by, version.signed_off_at = by, now
    version.late = return_record.period.is_late_on(timezone.localdate(now))
    version.save(update_fields=["signed_off_by", "signed_off_at", "late"])
    return_record.signed_off_version = version
    return_record.first_signed_off_at = return_record.first_signed_off_at or now
    _transition(
        return_record,
        by=by,
        action="return.signed_off",
        to=ReturnStatus.SUBMITTED,
        also=("signed_off_version", "first_signed_off_at"),
    )
    _refresh_rollups(return_record.period_id, trigger="sign_off")
    return return_record


@transaction.atomic
def request_correction(*, return_record: Return, by: Any, reason: str) -> Return:
    """The taskforce sends a submitted return back; the site files a new version. Not after the
    month's final deadline: the site could no longer file it (an administrator changes it)."""
    return_record = _locked(return_record)
    if not rules.can_query_returns(by):
        raise PermissionDenied("Only the taskforce can request a correction.")
    if timezone.localdate() > return_record.period.final_submission_due:
        # The site could not file the corrected version it would be e-mailed to file.
        raise TransitionRefused(
            f"{_closed_message(return_record.period)}, so the site can no longer file a corrected version. "
            "Ask an administrator to make the correction instead."
        )
    if return_record.status != ReturnStatus.SUBMITTED:
        raise TransitionRefused(
            f"The return is {return_record.get_status_display().lower()}: a correction can be requested only once it is submitted."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say what needs correcting."})
    return_record.correction_reason = reason.strip()
    return_record.correction_requested_by = by
    _transition(
        return_record,
        by=by,
        action="return.correction_requested",
        to=ReturnStatus.CORRECTION_REQUESTED,
        reason=reason,
        also=("correction_reason", "correction_requested_by"),
    )
    _refresh_rollups(return_record.period_id, trigger="correction")  # the return is provisional again
    notify.queue(notices.CORRECTION_REQUESTED, return_record)
    return return_record
