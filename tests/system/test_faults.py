"""Faults on the real stack (docs/runbook.md has one section for each): Redis stops while sites
sign off, a worker is killed in the middle of a full rebuild, PostgreSQL restarts, a task is
delivered twice, and two workers are asked for the same rebuild. Redis and PostgreSQL are the
test's own private servers whenever it stops them: the shared ones are never touched."""

from __future__ import annotations

import datetime
import subprocess

import pytest

from metrics.models import Return, ReturnStatus, Rollup, RollupRequest, RollupRun, RollupRunStatus
from metrics.rollups import build as rollups
from metrics.rollups import swap as rollup_swap
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.test_rollups import signed_off_return
from tests.sites.factories import SiteFactory
from tests.system.browser import Browser
from tests.system.conftest import database_url
from tests.system.programme import file_and_send_for_sign_off, filed_cohort, national_cohort, programme, sign_in
from tests.system.rollup_state import current_figures, settled
from tests.system.stack import PrivatePostgres, postgres_binaries, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_offs_while_redis_is_down_are_all_stored_and_rolled_up_once_it_is_back(stack):
    redis = stack.redis  # the stack's own: stopping it touches nobody else
    world = programme(sites=3)
    stack.start_web()
    stack.start_worker()
    stack.start_beat()
    try:
        returns = {}
        for site in world.sites:
            returns[site] = file_and_send_for_sign_off(sign_in(stack.base_url, world.staff(site)), site, world.period)
        leads = {site: sign_in(stack.base_url, world.lead(site)) for site in world.sites}

        redis.stop()
        for site, lead in leads.items():
            signed = lead.post_json(f"/api/v1/returns/{returns[site]}/sign-off/")
            assert signed.status == 200, f"a sign-off with Redis down answered {signed.status}: {signed.text[:500]}"
        ready = Browser(stack.base_url).get("/readyz")
        assert ready.status == 503 and ready.json()["checks"]["broker"] == "unavailable"
        assert Return.objects.filter(status=ReturnStatus.SUBMITTED, signed_off_version__isnull=False).count() == 3
        assert RollupRequest.objects.filter(done_at__isnull=True).count() == 3, "each sign-off's request waits in the outbox"

        redis.start()  # on the same port: the worker and beat reconnect by themselves
        taskforce = sign_in(stack.base_url, "taskforce")
        expected = sum(filed_cohort(site, world.period) for site in world.sites)
        wait_for(lambda: national_cohort(taskforce, world.period) == expected, within=120, what="the rollups to catch up")
        wait_for(settled, within=30, what="the outbox to empty")
    finally:
        stack.stop_all()


def _months_of_returns(world, months: int) -> list:
    """`months` earlier months, each with every site's signed-off return (written directly)."""
    today = datetime.date.today()
    periods = []
    for back in range(2, 2 + months):
        month = (today.replace(day=1) - datetime.timedelta(days=31 * back)).replace(day=1)
        periods.append(ReportingPeriodFactory(month=month, today=today))
    for period in [*periods, world.period]:
        for site in world.sites:
            signed_off_return(site, period, {("COHORT", "total"): (filed_cohort(site, period), None)})
    return periods


def test_a_worker_killed_mid_rebuild_leaves_the_previous_rollups_and_the_next_run_completes(stack):
    world = programme(sites=2)
    _months_of_returns(world, months=5)
    before = rollups.rebuild_all()  # yesterday's complete rollup
    old = sum(filed_cohort(site, world.period) for site in world.sites)
    signed_off_return(SiteFactory(), world.period, {("COHORT", "total"): (1234, None)})
    stack.start_web()
    taskforce = sign_in(stack.base_url, "taskforce")
    assert national_cohort(taskforce, world.period) == old

    stack.start_worker("slow", module="tests.system.slow_worker", SLOW_STEP_SECONDS="1")
    stack.celery().send_task("metrics.tasks.rebuild_rollups_task")
    building = wait_for(
        lambda: RollupRun.objects.filter(status=RollupRunStatus.BUILDING, period=None, steps_done__gte=2).first(),
        within=60,
        what="the full rebuild to be part-way",
    )
    stack.kill("slow")  # kill -9, pool and all

    assert national_cohort(taskforce, world.period) == old, "readers keep the previous complete rollup"
    assert taskforce.get("/dashboards/").status == 200

    stack.start_worker()
    stack.start_beat()
    wait_for(lambda: national_cohort(taskforce, world.period) == old + 1234, within=90, what="the next run to complete")
    wait_for(lambda: RollupRun.objects.get(pk=building.pk).status == RollupRunStatus.FAILED, within=30, what="the dead run swept")
    assert "Abandoned" in RollupRun.objects.get(pk=building.pk).error
    assert RollupRun.objects.filter(pk__gt=before.pk, status=RollupRunStatus.COMPLETE, period=None).exists()
    assert rollup_swap.build_tables() == [], "the dead run's own table (metrics.rollup_swap) went with it"


@pytest.mark.skipif(postgres_binaries() is None, reason="needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")
def test_postgresql_restarting_is_a_clean_503_and_the_portal_recovers_without_a_restart(stack, tmp_path):
    programme(sites=1)
    private = PrivatePostgres()
    try:
        private.init()
        private.start()
        subprocess.run(["psql", private.url("postgres"), "-qc", "CREATE DATABASE portal"], check=True)  # noqa: S607
        dump = subprocess.run(["pg_dump", "--format=custom", "--no-owner", database_url()], check=True, capture_output=True)  # noqa: S607
        subprocess.run(["pg_restore", "--no-owner", "--dbname", private.url("portal")], input=dump.stdout, check=True)  # noqa: S607
        stack.env["DATABASE_URL"] = private.url("portal")
        stack.start_web()
        taskforce = sign_in(stack.base_url, "taskforce")
        assert taskforce.get("/").status == 200

        private.stop()
        ready = Browser(stack.base_url).get("/readyz")
        assert ready.status == 503 and ready.json()["checks"]["database"] == "unavailable"
        page = taskforce.get("/")
        assert page.status == 503 and "Sorry, the service is unavailable" in page.text
        assert page.headers.get("Retry-After")
        api = taskforce.get("/api/v1/sites/")
        assert api.status == 503 and "database" in api.json()["detail"]

        private.start()
        wait_for(lambda: Browser(stack.base_url).get("/readyz").status == 200, within=30, what="/readyz to recover")
        for _ in range(6):  # every gunicorn worker, each with its own connection
            home = taskforce.get("/")
            assert home.status == 200 and "Sign out" in home.text, "signed in still, served from the restarted database"
        assert stack.processes["web"].poll() is None, "gunicorn was not restarted"
    finally:
        stack.stop_all()
        private.remove()


def _quiet_programme():
    world = programme(sites=3)
    _months_of_returns(world, months=2)
    return world


def _both_workers_answer(stack) -> None:
    stack.start_worker("worker-1")
    stack.start_worker("worker-2")
    wait_for(
        lambda: len(stack.celery().control.ping(timeout=1.0)) == 2,
        within=60,
        what="both workers to answer",
    )


def test_the_same_task_delivered_twice_gives_the_same_rollups_as_once(stack):
    world = _quiet_programme()
    _both_workers_answer(stack)
    RollupRequest.objects.create(period=world.period, trigger="sign_off")  # as the sign-off's transaction wrote it

    for _ in range(2):
        stack.celery().send_task("metrics.tasks.rollup_period_task", args=[world.period.pk, 0], task_id="one-sign-off")
    wait_for(settled, within=60, what="both deliveries to finish")
    twice = current_figures(world.period.pk)

    assert twice, "the month is rolled up"
    assert RollupRequest.objects.get().done_at is not None
    rollups.rebuild_all()
    assert twice == current_figures(world.period.pk), "the same rows as one clean build of the month"


def test_two_workers_asked_for_the_same_rebuild_count_every_return_once(stack):
    world = _quiet_programme()
    _both_workers_answer(stack)

    stack.celery().send_task("metrics.tasks.rebuild_rollups_task")
    stack.celery().send_task("metrics.tasks.rebuild_rollups_task")
    wait_for(
        lambda: RollupRequest.objects.filter(done_at__isnull=False).count() == 2 and settled(),
        within=90,
        what="both rebuilds to finish",
    )
    shared = current_figures()
    england = Rollup.objects.current().get(period=world.period, level="national", metric__code="COHORT", category__code="total")

    assert england.sum_numerator == sum(filed_cohort(site, world.period) for site in world.sites), "each return counted once"
    assert Rollup.objects.count() == len(shared), "no rows of a second generation left behind"
    rollups.rebuild_all()
    assert shared == current_figures(), "the same rows as one clean rebuild"
