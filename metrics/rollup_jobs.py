"""When rollups run: after each sign-off, nightly in full, and on demand; one run at a time.

Requests are flags in the cache ("period 7 is out of date", "rebuild everything"); whoever
holds the one rollup lock builds what is flagged, then looks again, so a burst of sign-offs
makes one or two runs, not one each, and a sign-off during the nightly rebuild is built
right after it. A request that finds the lock taken leaves its flag and returns: the holder
looks for flags again after releasing the lock, so none is left behind.

A sign-off's request also carries the highest rollup run id at the moment it committed: a
run with a higher id was created, and read the returns, after that commit, so once such a run
is current for the period the request is already met. Run ids, not clocks, decide this: the
web and worker machines' clocks may differ.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db.models import Max

from metrics import rollups
from metrics.models import CurrentRollup, ReportingPeriod, RollupRun

LOCK = "rollups:lock"
FULL = "rollups:wanted:full"
# Longer than any run takes between two steps; a worker that dies holding the lock frees it by expiry.
LOCK_TIMEOUT = 30 * 60


def _wanted(period_id: int) -> str:
    return f"rollups:wanted:period:{period_id}"


def latest_run_id() -> int:
    """Stamped on a sign-off's request, after its transaction commits."""
    return RollupRun.objects.aggregate(latest=Max("pk"))["latest"] or 0


def is_covered(period_id: int, after_run_id: int) -> bool:
    return CurrentRollup.objects.filter(period_id=period_id, run_id__gt=after_run_id).exists()


def request_period(period_id: int, *, after_run_id: int | None = None, trigger: str = "sign_off") -> str:
    """Bring one period's rollups up to date, unless a run since the request already has.
    Returns what happened: built, covered or queued (for the run in progress)."""
    if after_run_id is not None and is_covered(period_id, after_run_id):
        return "covered"
    cache.set(_wanted(period_id), trigger, None)
    return _build_what_is_wanted()


def request_full_rebuild(*, trigger: str = "nightly") -> str:
    cache.set(FULL, trigger, None)
    return _build_what_is_wanted()


def build_now(*, period: ReportingPeriod | None = None, trigger: str = "command", wait: float = 600) -> RollupRun:
    """On demand (manage.py rollup): wait for the lock rather than leave the work to its holder."""
    deadline = time.monotonic() + wait
    while not cache.add(LOCK, trigger, LOCK_TIMEOUT):
        if time.monotonic() > deadline:
            raise TimeoutError("Another rollup has been running for too long; try again later.")
        time.sleep(1)
    try:
        return rollups.rollup_period(period, trigger=trigger) if period else rollups.rebuild_all(trigger=trigger)
    finally:
        cache.delete(LOCK)


def _build_what_is_wanted() -> str:
    outcome = "queued"
    while cache.add(LOCK, "held", LOCK_TIMEOUT):
        try:
            while _build_one_batch():
                outcome = "built"
        finally:
            cache.delete(LOCK)
        if not _anything_wanted():  # a request may have come between the last look and the release
            break
    return outcome


def _period_flags() -> dict[str, int]:
    return {_wanted(pk): pk for pk in ReportingPeriod.objects.values_list("pk", flat=True)}


def _build_one_batch() -> bool:
    """Build what is flagged now; flags raised from here on wait for the next batch. If a run
    fails, what it and the rest of the batch were to build is flagged again for the retry."""
    flags = _period_flags()
    full = cache.get(FULL)
    wanted = {} if full else cache.get_many(list(flags))
    if not full and not wanted:
        return False
    cache.delete_many([FULL, *flags] if full else list(wanted))
    if full:
        try:
            rollups.rebuild_all(trigger=full)
        except Exception:
            cache.set(FULL, full, None)
            raise
        rollups.reclaim_space()
        return True
    periods = {p.pk: p for p in ReportingPeriod.objects.filter(pk__in=[flags[key] for key in wanted])}
    for done, (key, trigger) in enumerate(sorted(wanted.items())):
        cache.touch(LOCK, LOCK_TIMEOUT)
        try:
            if flags[key] in periods:
                rollups.rollup_period(periods[flags[key]], trigger=trigger)
        except Exception:
            cache.set_many(dict(sorted(wanted.items())[done:]), None)
            raise
    return True


def _anything_wanted() -> bool:
    return bool(cache.get(FULL)) or bool(cache.get_many(list(_period_flags())))
