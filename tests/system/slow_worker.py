"""A Celery worker whose rollup steps each take a moment longer: the kill test needs a full
rebuild still running when it kills the worker. Run as `python -m tests.system.slow_worker
worker …` (the arguments of `celery -A nhsportal`); SLOW_STEP_SECONDS sets the delay."""

import os
import sys
import time
from contextlib import contextmanager

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")
django.setup()

from metrics.rollups import build as rollups  # noqa: E402
from nhsportal.celery import app  # noqa: E402

_planner_hints = rollups._planner_hints


@contextmanager
def _slow_step(*args):
    time.sleep(float(os.environ.get("SLOW_STEP_SECONDS", "1")))
    with _planner_hints(*args):
        yield


rollups._planner_hints = _slow_step

if __name__ == "__main__":
    app.worker_main(sys.argv[1:])
