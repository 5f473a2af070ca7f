"""When rollups run: after each sign-off, nightly in full, and on demand; one run at a time.

Requests are rows in the database (`RollupRequest`, the outbox), written in the same
transaction as the sign-off that makes them, so a broker outage never loses one. Whoever holds
the one rollup lock builds everything pending, marks it done, then looks again: a burst of
sign-offs makes one or two runs, not one each, and a sign-off during the nightly rebuild is
built right after it. A request that finds the lock taken returns: the holder looks again after
releasing the lock, and beat drains the outbox every minute besides, so none is left behind.

The lock is a lease in the cache (`ROLLUP_LOCK_LEASE_SECONDS`), renewed by a keeper thread
while its holder is alive. A worker killed mid-run stops renewing it: within one lease the next
drain takes over, sweeps the dead run (its rows; readers never saw them) and builds what the
dead run was building, whose requests are still pending: only a completed run marks them done.

A sign-off's task also carries the highest rollup run id at the moment it committed: a run with
a higher id was created, and read the returns, after that commit, so once such a run is current
for the period the request is already met. Run ids, not clocks, decide this: the web and worker
machines' clocks may differ.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from metrics.models import CurrentRollup, ReportingPeriod, RollupRequest, RollupRun
from metrics.rollups import build as rollups

logger = logging.getLogger(__name__)

LOCK = "rollups:lock"

# Sent after each run a job builds has switched and committed (`run`): what is derived from the
# rollups (the dashboards' funnels) is brought up to date at once, not after the whole burst of
# sign-offs the job may go on to build. Receivers' errors are logged, never raised.
built = Signal()


def lease_seconds() -> int:
    return settings.ROLLUP_LOCK_LEASE_SECONDS


def latest_run_id() -> int:
    """Stamped on a sign-off's task, after its transaction commits."""
    return RollupRun.objects.aggregate(latest=Max("pk"))["latest"] or 0


def is_covered(period_id: int, after_run_id: int) -> bool:
    return CurrentRollup.objects.filter(period_id=period_id, run_id__gt=after_run_id).exists()


def record_request(*, period_id: int | None, trigger: str) -> RollupRequest:
    """Into the outbox, in the caller's transaction: `period_id` None asks for every period."""
    return RollupRequest.objects.create(period_id=period_id, trigger=trigger)


def request_period(period_id: int, *, after_run_id: int | None = None, trigger: str = "sign_off") -> str:
    """Bring one period's rollups up to date, unless a run since the request already has.
    Returns what happened: built, covered or queued (for the run in progress)."""
    if after_run_id is not None and is_covered(period_id, after_run_id):
        return "covered"
    record_request(period_id=period_id, trigger=trigger)
    return build_pending()


def request_full_rebuild(*, trigger: str = "nightly") -> str:
    record_request(period_id=None, trigger=trigger)
    return build_pending()


def drain(*, period_id: int | None = None, after_run_id: int | None = None) -> str:
    """Build whatever the outbox holds (after a sign-off commits, and every minute from beat)."""
    if period_id is not None and after_run_id is not None and is_covered(period_id, after_run_id):
        return "covered"
    return build_pending()


def build_now(*, period: ReportingPeriod | None = None, trigger: str = "command", wait: float = 600) -> RollupRun:
    """On demand (manage.py rollup): wait for the lock rather than leave the work to its holder."""
    deadline = time.monotonic() + wait
    while (lease := Lease.take(trigger)) is None:
        if time.monotonic() > deadline:
            raise TimeoutError("Another rollup has been running for too long; try again later.")
        time.sleep(1)
    with lease:
        upto = _latest_pending_id()
        run = rollups.rollup_period(period, trigger=trigger) if period else rollups.rebuild_all(trigger=trigger)
        _mark_done(upto=upto, run=run, period_id=period.pk if period else None)
    _announce(run)
    return run


def build_pending() -> str:
    outcome = "queued"
    while (lease := Lease.take("drain")) is not None:
        with lease:
            # Holding the lock, no other builder is alive: a run building with no sign of life
            # for two leases belongs to a worker that died.
            rollups.clear_abandoned_runs(idle_for=timedelta(seconds=2 * lease_seconds()))
            while _build_one_batch():
                outcome = "built"
        if not RollupRequest.objects.filter(done_at__isnull=True).exists():  # one may have come just before the release
            break
    return outcome


def _latest_pending_id() -> int:
    return RollupRequest.objects.filter(done_at__isnull=True).aggregate(latest=Max("pk"))["latest"] or 0


def _mark_done(*, upto: int, run: RollupRun, period_id: int | None) -> None:
    """Requests up to `upto` were committed before `run` read the returns: met. Idempotent."""
    pending = RollupRequest.objects.filter(done_at__isnull=True, pk__lte=upto)
    (pending.filter(period_id=period_id) if period_id else pending).update(done_at=timezone.now(), run=run)


def _build_one_batch() -> bool:
    """Build what is pending now; requests made from here on wait for the next batch. If a run
    fails, its requests and the rest of the batch's stay pending for the retry."""
    pending = list(RollupRequest.objects.filter(done_at__isnull=True).order_by("pk").values_list("pk", "period_id", "trigger"))
    if not pending:
        return False
    upto = pending[-1][0]
    full = [trigger for _, period_id, trigger in pending if period_id is None]
    if full:
        run = rollups.rebuild_all(trigger=full[0])
        _mark_done(upto=upto, run=run, period_id=None)
        _announce(run)
        rollups.reclaim_space()
        return True
    triggers: dict[int, str] = {}
    for _, period_id, trigger in pending:
        triggers.setdefault(period_id, trigger)
    periods = ReportingPeriod.objects.in_bulk(list(triggers))
    for period_id, trigger in sorted(triggers.items()):
        run = rollups.rollup_period(periods[period_id], trigger=trigger)
        _mark_done(upto=upto, run=run, period_id=period_id)
        _announce(run)
    return True


def _announce(run: RollupRun) -> None:
    for receiver, response in built.send_robust(sender=RollupRun, run=run):
        if isinstance(response, Exception):
            logger.error("After rollup run %s, %s failed", run.pk, getattr(receiver, "__qualname__", receiver), exc_info=response)


# Compare-and-act in one step: between reading the lock and deleting (or extending) it, a lapsed
# holder's lease may pass to another; a separate GET then DEL would delete the new holder's lock.
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) else return 0 end"
_local = threading.Lock()  # the in-process cache (no Redis): one lock makes each step atomic


def _if_still_held(token: str, *, script: str, seconds: int = 0) -> bool:
    """Run `script` (release or renew) on the lock only while it still holds `token`."""
    backend = getattr(cache, "_cache", None)
    if isinstance(cache, RedisCache) and backend is not None:
        key = cache.make_and_validate_key(LOCK)
        client = backend.get_client(key, write=True)
        return bool(client.eval(script, 1, key, backend._serializer.dumps(token), seconds))
    with _local:
        if cache.get(LOCK) != token:
            return False
        return cache.touch(LOCK, seconds) if script is _RENEW else bool(cache.delete(LOCK))


class Lease:
    """The rollup lock, held for `lease_seconds()` at a time and renewed every third of that by a
    keeper thread while the holder lives; released on leaving the `with` block. Renewal and
    release act only on the holder's own token, atomically: a holder whose lease lapsed can
    neither extend nor delete the next holder's."""

    def __init__(self, token: str) -> None:
        self.token = token
        self._stop = threading.Event()
        self._keeper = threading.Thread(target=self._keep, name="rollup-lease", daemon=True)

    @classmethod
    def take(cls, holder: str) -> Lease | None:
        token = f"{holder}:{uuid.uuid4().hex}"
        return cls(token) if cache.add(LOCK, token, lease_seconds()) else None

    def __enter__(self) -> Lease:
        self._keeper.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._keeper.join()
        try:
            _if_still_held(self.token, script=_RELEASE)
        except Exception:  # the cache is down: the lease lapses by itself
            logger.exception("Could not release the rollup lease")

    def _keep(self) -> None:
        while not self._stop.wait(lease_seconds() / 3):
            try:
                if not _if_still_held(self.token, script=_RENEW, seconds=lease_seconds()):
                    logger.warning("The rollup lease %s lapsed before its run finished", self.token)
            except Exception:  # the cache may blink; the next renewal tries again
                logger.exception("Could not renew the rollup lease")
