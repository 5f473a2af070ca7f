"""The rollup jobs: a sign-off reaches the dashboards once it commits (in-process on the embedded
default, through a real worker on Redis), bursts of sign-offs coalesce, the nightly rebuild is
scheduled, and a retry is safe."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from metrics import services, tasks
from metrics.models import CurrentRollup, Rollup, RollupLevel, RollupRequest, RollupRun, RollupRunStatus
from metrics.returns.synthetic import synthetic_return
from metrics.rollups import build as rollups
from metrics.rollups import jobs as rollup_jobs
from nhsportal.celery import app
from tests.metrics.test_rollups import TODAY, period_ending, signed_off_return
from tests.sites.factories import SiteFactory
from tests.workers import real_worker


@pytest.fixture
def eager(monkeypatch):
    """The embedded default: no broker, tasks run in-process (as without REDIS_URL)."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)


@pytest.fixture(autouse=True)
def no_lock_left_over(db, monkeypatch, worker_id):
    """The cache may be a Redis shared by both xdist workers and other runs: each worker's tests
    use a lock of their own, and none outlives its test."""
    monkeypatch.setattr(rollup_jobs, "LOCK", f"{rollup_jobs.LOCK}:{worker_id}")
    cache.delete(rollup_jobs.LOCK)
    yield
    cache.delete(rollup_jobs.LOCK)


def _file_and_send(croydon, period, staff, lead):
    values = synthetic_return(seed="Croydon", cohort=9000)
    services.submit_values(site=croydon, period=period, values=values, layout="1.2", source="api", by=staff, based_on=None)
    record = croydon.returns.get(period=period)
    if record.latest_version.warnings.exists():
        services.acknowledge_warnings(return_record=record, by=staff, comment="Checked with the analyst.")
    services.send_for_sign_off(return_record=record, by=staff)
    return record


def _national_cohort(period):
    row = (
        Rollup.objects.current()
        .filter(period=period, level=RollupLevel.NATIONAL, metric__code="COHORT", category__code="total")
        .first()
    )
    return row and row.sum_numerator


@pytest.mark.django_db
def test_a_sign_off_rolls_up_its_period_once_it_commits(
    eager, catalogue, croydon, period, staff, lead, django_capture_on_commit_callbacks
):
    record = _file_and_send(croydon, period, staff, lead)

    with django_capture_on_commit_callbacks() as callbacks:
        services.sign_off(return_record=record, by=lead)
        assert not RollupRun.objects.exists(), "nothing is rolled up before the sign-off commits"
    assert len(callbacks) == 1
    callbacks[0]()

    record.refresh_from_db()
    cohort = record.signed_off_version.values.get(metric__code="COHORT", category__code="total").numerator
    assert _national_cohort(period) == cohort
    assert RollupRun.objects.get().trigger == "sign_off"


@pytest.fixture
def september(catalogue):
    period = period_ending(TODAY.replace(month=9, day=1), final_due=TODAY)
    signed_off_return(SiteFactory(), period, {("O1_NEW", "total"): (10, 100)})
    return period


@pytest.mark.django_db
def test_a_request_already_covered_by_a_later_run_does_nothing(september):
    stamp = rollup_jobs.latest_run_id()  # the sign-off committed here
    rollups.rebuild_all()

    assert tasks.rollup_period_task.apply(args=(september.pk, stamp)).get() == "covered"
    assert RollupRun.objects.count() == 1


@pytest.mark.django_db
def test_sign_offs_arriving_while_a_period_builds_make_one_more_run_not_one_each(september, monkeypatch):
    real_rollup_period = rollups.rollup_period
    answers = []

    def busy_rollup(period, **kwargs):
        if not answers:  # three more sign-offs' requests arrive while the first run builds
            answers.extend(rollup_jobs.request_period(period.pk, after_run_id=0) for _ in range(3))
        return real_rollup_period(period, **kwargs)

    monkeypatch.setattr(rollups, "rollup_period", busy_rollup)

    assert rollup_jobs.request_period(september.pk, after_run_id=0) == "built"
    assert answers == ["queued"] * 3
    assert RollupRun.objects.count() == 2, "one run, and one more for the requests that arrived during it"
    assert cache.get(rollup_jobs.LOCK) is None, "the lock is released"


@pytest.mark.django_db
def test_a_sign_off_during_the_nightly_rebuild_is_built_right_after_it(september, monkeypatch):
    real_rebuild = rollups.rebuild_all
    answers = []

    def nightly(**kwargs):
        answers.append(rollup_jobs.request_period(september.pk, after_run_id=rollup_jobs.latest_run_id()))
        return real_rebuild(**kwargs)

    monkeypatch.setattr(rollups, "rebuild_all", nightly)

    assert tasks.rebuild_rollups_task.apply().get() == "built"
    assert answers == ["queued"]
    assert [(run.trigger, run.period) for run in RollupRun.objects.order_by("pk")] == [("nightly", None), ("sign_off", september)]


@pytest.mark.django_db
def test_a_failed_run_releases_the_lock_and_leaves_its_request_for_the_retry(september, monkeypatch):
    def database_gone(period, **kwargs):
        raise ConnectionError("gone")

    monkeypatch.setattr(rollups, "rollup_period", database_gone)

    with pytest.raises(ConnectionError):
        rollup_jobs.request_period(september.pk)

    assert cache.get(rollup_jobs.LOCK) is None
    assert RollupRequest.objects.get(done_at__isnull=True).period == september, "the request waits in the outbox"
    assert ConnectionError in tasks.rollup_period_task.autoretry_for and tasks.rollup_period_task.retry_backoff
    monkeypatch.undo()
    assert rollup_jobs.request_period(september.pk) == "built"


@pytest.mark.django_db
def test_the_command_waits_for_a_running_rollup_then_runs(september, monkeypatch):
    cache.add(rollup_jobs.LOCK, "held")
    monkeypatch.setattr(rollup_jobs.time, "sleep", lambda seconds: cache.delete(rollup_jobs.LOCK))

    run = rollup_jobs.build_now(period=september)

    assert run.trigger == "command" and run.period == september


@pytest.mark.django_db
def test_the_rollup_command_rebuilds_everything_or_one_month(september, capsys):
    call_command("rollup")
    call_command("rollup", period="2026-09")

    out = capsys.readouterr().out
    assert "every period" in out and "September 2026" in out
    assert RollupRun.objects.filter(status=RollupRunStatus.COMPLETE).count() == 2
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("rollup", period="September")
    with pytest.raises(CommandError, match="no reporting period"):
        call_command("rollup", period="2031-01")


@pytest.mark.django_db
def test_administrators_see_the_job_history_with_progress_and_errors(september, admin_client):
    rollups.rebuild_all(today=TODAY)
    RollupRun.objects.create(trigger="nightly", status=RollupRunStatus.FAILED, error="Traceback …\nRuntimeError: disk full")

    page = admin_client.get("/admin/metrics/rolluprun/").content.decode()

    assert "3 of 3 steps" in page and "RuntimeError: disk full" in page
    assert admin_client.get("/admin/metrics/rollup/").status_code == 200
    assert admin_client.get("/admin/metrics/rolluprun/add/").status_code == 403


def test_the_nightly_rebuild_is_on_the_beat_schedule():
    nightly = [entry for entry in app.conf.beat_schedule.values() if entry["task"] == "metrics.tasks.rebuild_rollups_task"]
    assert len(nightly) == 1


@pytest.fixture
def worker_on_the_test_database():
    """A real worker on the configured broker, reading the test database (PostgreSQL)."""
    with real_worker("rollups") as process:
        yield process


@pytest.mark.worker
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL; CI sets it")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker reads the test database: needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_sign_off_reaches_the_rollups_through_a_real_worker(
    worker_on_the_test_database, catalogue, croydon, period, staff, lead
):
    record = _file_and_send(croydon, period, staff, lead)

    services.sign_off(return_record=record, by=lead)

    deadline = time.monotonic() + 60
    while not CurrentRollup.objects.filter(period=period).exists():
        assert time.monotonic() < deadline, "the sign-off did not reach the rollups within 60 seconds"
        time.sleep(0.2)
    record.refresh_from_db()
    cohort = record.signed_off_version.values.get(metric__code="COHORT", category__code="total").numerator
    assert _national_cohort(period) == cohort
    assert RollupRun.objects.get().trigger == "sign_off"
