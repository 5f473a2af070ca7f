"""Background jobs run on a real Celery worker over Redis when REDIS_URL is set (as in CI),
and in-process on the embedded default."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from nhsportal.celery import app
from nhsportal.tasks import HEARTBEAT_KEY, heartbeat

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    """A real worker process on the configured broker, stopped after the test."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "nhsportal",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=os.environ | {"DJANGO_ENV": "test"},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(timeout=1.0):
                break
        else:
            pytest.fail("The Celery worker did not answer a ping within 60 seconds.")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_beat_schedule_is_defined_in_one_place_and_names_real_tasks():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks


def test_without_redis_tasks_run_in_process(monkeypatch):
    """The embedded default (no REDIS_URL) runs tasks eagerly, inside the request."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)

    result = heartbeat.delay()

    assert result.successful()
    assert cache.get(HEARTBEAT_KEY) == result.get()


def test_the_embedded_default_has_no_broker_to_reach(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not settings.REDIS_URL)


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL; CI sets it")
def test_a_real_worker_runs_the_heartbeat_over_redis(worker):
    result = heartbeat.delay()

    stamp = result.get(timeout=60)

    assert cache.get(HEARTBEAT_KEY) == stamp
