"""The system tests run the real stack (gunicorn, Celery worker and beat) against the test
database on PostgreSQL and Redis. CI always has both (`.ci/run`); elsewhere they skip, saying why.
They share one xdist worker: they start processes and must not compete with each other."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.system.stack import ROOT, PrivateRedis, Stack, portal_environment

NEEDS = "system tests run the real stack: set DATABASE_URL (PostgreSQL) and REDIS_URL, and install redis-server, as CI does"


def pytest_collection_modifyitems(config, items):
    here = str(ROOT / "tests" / "system")
    full_stack = connection.vendor == "postgresql" and bool(settings.REDIS_URL) and shutil.which("redis-server") is not None
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.system)
            item.add_marker(pytest.mark.xdist_group("system"))
            if not full_stack:
                item.add_marker(pytest.mark.skip(reason=NEEDS))


def database_url(name: str | None = None) -> str:
    """The test database (or another on the same server), as the processes are told it."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Production serves hashed static files from the manifest collectstatic writes (as the
    Dockerfile does); gunicorn cannot draw a page without it. Collected again only when a file
    under static/ is newer than the manifest (compressing everything takes a while)."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = (
        path for path in (ROOT / "static").rglob("*") if path.is_file() and "src" not in path.relative_to(ROOT / "static").parts
    )
    if manifest.exists() and all(path.stat().st_mtime <= manifest.stat().st_mtime for path in sources):
        return
    env = portal_environment(database_url="", redis_url="", directory=tmp_path_factory.mktemp("static"))
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603


@pytest.fixture
def stack(transactional_db, collected_static, tmp_path):
    """Processes on the test database and a Redis of their own (broker and cache: nothing shared
    with other tests' workers or locks); a test starts the processes it needs."""
    redis = PrivateRedis(tmp_path)
    redis.start()
    env = portal_environment(database_url=database_url(), redis_url=redis.url, directory=tmp_path)
    running = Stack(env=env, directory=tmp_path, redis=redis)
    try:
        yield running
    finally:
        running.stop_all()
        redis.stop()
        print(running.logs())  # shown when the test fails
