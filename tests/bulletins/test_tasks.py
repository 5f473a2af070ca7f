"""The bulletin's Celery jobs: named, time-limited, on the beat schedule, idempotent; built in-process
on the embedded default and through a real worker on Redis."""

from __future__ import annotations

import datetime
import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection

from bulletins import services, tasks
from bulletins.models import Bulletin, BulletinStatus
from metrics.models import NoticeSent
from nhsportal.celery import app
from tests.bulletins.world import NOVEMBER, OCTOBER, build_world
from tests.workers import real_worker


def test_the_build_task_is_named_and_stops_in_time():
    task = app.tasks["bulletins.build_bulletin"]
    assert tasks.build_bulletin.name == task.name == "bulletins.build_bulletin"
    assert 0 < task.soft_time_limit < task.time_limit < settings.BROKER_VISIBILITY_TIMEOUT


def test_the_daily_check_is_on_the_beat_schedule():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "bulletins.request_due_bulletins"]
    assert len(entries) == 1 and "bulletins.request_due_bulletins" in app.tasks


@pytest.mark.django_db
def test_the_daily_check_builds_each_month_past_its_final_deadline_once(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    world = build_world()
    day_after = world.november.final_submission_due + datetime.timedelta(days=1)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: day_after)
    monkeypatch.setattr(services, "CATCH_UP_DAYS", 40)  # October's and November's deadlines, not September's
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_due_bulletins.delay()
    issued = Bulletin.objects.filter(status=BulletinStatus.ISSUED).order_by("period__month")
    assert [(b.period.month, b.version, b.trigger) for b in issued] == [(OCTOBER, 1, "schedule"), (NOVEMBER, 1, "schedule")]
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        tasks.request_due_bulletins.delay()
    assert Bulletin.objects.count() == 2  # nothing more the next day
    assert len(mail.outbox) == 2


@pytest.fixture
def worker_on_the_test_database(tmp_path):
    """A real worker on the configured broker, reading the test database (PostgreSQL)."""
    backend = "django.core.mail.backends.locmem.EmailBackend"
    with real_worker("bulletins", EMAIL_BACKEND=backend, MEDIA_ROOT=str(tmp_path / "media")) as process:
        yield process


@pytest.mark.worker
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL; CI sets it")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker reads the test database: needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_requested_bulletin_is_built_and_emailed_by_a_real_worker(worker_on_the_test_database):
    world = build_world()
    bulletin, created = services.request(world.november, by=world.people["taskforce"])
    assert created

    deadline = time.monotonic() + 90
    while Bulletin.objects.get(pk=bulletin.pk).status == BulletinStatus.BUILDING:
        assert time.monotonic() < deadline, "the worker did not build the bulletin within 90 seconds"
        time.sleep(0.3)
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.ISSUED, bulletin.error
    assert bulletin.contents["headline"]["missing"] == 1 and "bulletin-2026-11-v1" in bulletin.workbook.name
    while not NoticeSent.objects.filter(key=services.notice_key(bulletin)).exists():
        assert time.monotonic() < deadline, "the taskforce was not e-mailed within 90 seconds"
        time.sleep(0.3)
    assert NoticeSent.objects.get(key=services.notice_key(bulletin)).recipients == 2


@pytest.mark.django_db
def test_a_bulletin_whose_task_never_reached_a_worker_is_sent_again(monkeypatch):
    world = build_world()
    sent = []
    monkeypatch.setattr("bulletins.tasks.build_bulletin.apply_async", lambda args, **kw: sent.append(args))
    stuck, _ = services.request(world.november)
    fresh, _ = services.request(world.october)
    Bulletin.objects.filter(pk=stuck.pk).update(requested_at=stuck.requested_at - datetime.timedelta(hours=1))
    assert services.resend_stuck() == 1
    assert sent == [(stuck.pk,)]  # not the one asked for a moment ago
    assert fresh.pk != stuck.pk
