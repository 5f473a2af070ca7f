"""A real Celery worker for the tests about background jobs: started on the configured broker,
reading the test database (PostgreSQL), answering a ping before the test goes on."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from nhsportal.celery import app

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


@contextmanager
def real_worker(name: str, **env: str) -> Iterator[subprocess.Popen]:
    """A solo-pool worker named `name-<pid>`, with `env` on top of the test environment."""
    environment = os.environ | {"DJANGO_ENV": "test", "DATABASE_URL": test_database_url()} | env
    command = [sys.executable, "-m", "celery", "-A", "nhsportal", "worker", "--pool=solo", "--loglevel=WARNING"]
    process = subprocess.Popen([*command, "-n", f"{name}-{os.getpid()}@%h"], cwd=ROOT, env=environment)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0):
            if time.monotonic() > deadline:
                pytest.fail("The Celery worker did not answer a ping within 60 seconds.")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
