"""The rollup requests' outbox and the rollup lease: a sign-off's request is in the database with
the sign-off, so a broker outage loses nothing; a worker that dies mid-run blocks the next run
for one short lease, not half an hour, and its half-built rows are swept."""

import datetime
import time

import pytest
from django.core.cache import cache
from django.db.models.functions import Now
from kombu.exceptions import OperationalError as BrokerDown

from metrics import services, tasks
from metrics.models import CurrentRollup, Rollup, RollupRequest, RollupRun, RollupRunStatus
from metrics.returns.synthetic import synthetic_return
from metrics.rollups import build as rollups
from metrics.rollups import jobs as rollup_jobs
from nhsportal.celery import app
from tests.metrics.test_rollups import TODAY, period_ending, signed_off_return
from tests.sites.factories import SiteFactory


@pytest.fixture(autouse=True)
def no_lock_left_over(db, monkeypatch, worker_id):
    """The cache may be a Redis shared by both xdist workers and other runs: each worker's tests
    use a lock of their own, and none outlives its test."""
    monkeypatch.setattr(rollup_jobs, "LOCK", f"{rollup_jobs.LOCK}:{worker_id}")
    cache.delete(rollup_jobs.LOCK)
    yield
    cache.delete(rollup_jobs.LOCK)


@pytest.fixture
def september(catalogue):
    period = period_ending(TODAY.replace(month=9, day=1), final_due=TODAY)
    signed_off_return(SiteFactory(), period, {("O1_NEW", "total"): (10, 100)})
    return period


def _awaiting_sign_off(croydon, period, staff):
    services.submit_values(
        site=croydon,
        period=period,
        values=synthetic_return(seed="Croydon", cohort=9000),
        layout="1.2",
        source="api",
        by=staff,
        based_on=None,
    )
    record = croydon.returns.get(period=period)
    if record.latest_version.warnings.exists():
        services.acknowledge_warnings(return_record=record, by=staff, comment="Checked with the analyst.")
    return services.send_for_sign_off(return_record=record, by=staff)


@pytest.mark.django_db
def test_a_sign_off_with_the_broker_down_succeeds_and_beat_builds_its_request(
    catalogue, croydon, period, staff, lead, monkeypatch, django_capture_on_commit_callbacks
):
    record = _awaiting_sign_off(croydon, period, staff)

    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.rollup_period_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_off(return_record=record, by=lead)

    record.refresh_from_db()
    assert record.signed_off_version is not None
    pending = RollupRequest.objects.get()
    assert (pending.period, pending.trigger, pending.done_at) == (period, "sign_off", None)

    assert tasks.drain_rollup_requests_task.apply().get() == "built"
    pending.refresh_from_db()
    assert pending.done_at is not None and pending.run.status == RollupRunStatus.COMPLETE
    assert CurrentRollup.objects.filter(period=period).exists()
    assert tasks.drain_rollup_requests_task.apply().get() == "queued", "nothing left: draining again builds nothing"
    assert RollupRun.objects.count() == 1


def test_beat_drains_the_outbox_every_minute():
    drains = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == "metrics.tasks.drain_rollup_requests_task"]
    assert len(drains) == 1 and drains[0]["schedule"] == 60.0


@pytest.mark.django_db
def test_a_dead_workers_lease_lapses_and_the_next_drain_sweeps_its_run_and_builds(september):
    dead = RollupRun.objects.create(period=None, trigger="nightly", steps_total=3, steps_done=1)
    RollupRun.objects.filter(pk=dead.pk).update(heartbeat_at=Now() - datetime.timedelta(minutes=5))
    Rollup.objects.create(run=dead, period=september, level="site", org_id=1, metric_id=1, category_id=1,
                          units_reporting=1, units_suppressed=0, units_expected=1, provisional=False)  # fmt: skip
    rollup_jobs.record_request(period_id=None, trigger="nightly")  # the dead run's request: never marked done

    assert rollup_jobs.drain() == "built"

    dead.refresh_from_db()
    assert dead.status == RollupRunStatus.FAILED and "Abandoned" in dead.error
    assert not Rollup.objects.filter(run=dead).exists()
    assert RollupRequest.objects.get().run.status == RollupRunStatus.COMPLETE


@pytest.mark.django_db
def test_a_live_holder_keeps_its_lease_past_its_length(settings):
    settings.ROLLUP_LOCK_LEASE_SECONDS = 3
    with rollup_jobs.Lease.take("test") as lease:
        time.sleep(7)  # more than two leases: only renewal (every second) keeps it
        assert cache.get(rollup_jobs.LOCK) == lease.token
        assert not cache.add(rollup_jobs.LOCK, "another", 3), "nobody else can take it"
    assert cache.get(rollup_jobs.LOCK) is None, "released on leaving"


@pytest.mark.django_db
def test_a_run_swept_as_abandoned_while_it_builds_never_switches(september, monkeypatch):
    real_hints = rollups._planner_hints

    def stalled_past_its_lease(*args):
        RollupRun.objects.filter(status=RollupRunStatus.BUILDING).update(status=RollupRunStatus.FAILED, error="Abandoned")
        return real_hints(*args)

    monkeypatch.setattr(rollups, "_planner_hints", stalled_past_its_lease)

    with pytest.raises(rollups.RunAbandoned):
        rollups.rollup_period(september)

    assert not CurrentRollup.objects.exists() and not Rollup.objects.exists(), "readers never saw its rows; they are gone"


@pytest.mark.django_db
def test_a_holder_whose_lease_lapsed_neither_renews_nor_releases_the_next_holders_lock(settings):
    settings.ROLLUP_LOCK_LEASE_SECONDS = 3
    with rollup_jobs.Lease.take("slow") as slow:
        cache.delete(rollup_jobs.LOCK)  # the slow holder's lease lapses ...
        assert cache.add(rollup_jobs.LOCK, "next-holder", 3), "... and the next drain takes the lock"
        assert not rollup_jobs._if_still_held(slow.token, script=rollup_jobs._RENEW, seconds=3)
    assert cache.get(rollup_jobs.LOCK) == "next-holder", "leaving the block left the next holder's lock alone"


@pytest.mark.django_db
def test_a_holder_renews_its_own_lease():
    lease = rollup_jobs.Lease.take("test")
    assert rollup_jobs._if_still_held(lease.token, script=rollup_jobs._RENEW, seconds=30)
    assert rollup_jobs._if_still_held(lease.token, script=rollup_jobs._RELEASE)
    assert cache.get(rollup_jobs.LOCK) is None
