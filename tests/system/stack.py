"""The real stack as processes: gunicorn (gunicorn.conf.py, as docker-compose.yml runs it), Celery
workers and beat, and, for the fault tests, a private Redis and a private PostgreSQL that a test
may stop and start without touching the shared ones others use.

Every process runs with the production settings (DJANGO_ENV=production). Its output goes to a
log file in the test's directory, printed when a test fails (`Stack.logs`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import Any

from celery import Celery

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], Any], *, within: float, what: str, every: float = 0.2) -> Any:
    """Poll until `condition()` is truthy; fail naming `what` after `within` seconds. (A bound on
    waiting for a background process, not a timed assertion: generous on a busy machine.)"""
    deadline = time.monotonic() + within
    while True:
        try:
            result = condition()
        except Exception:  # noqa: BLE001 - not yet (a connection refused, a row not there)
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {within:.0f} s for {what}.")
        time.sleep(every)


def portal_environment(*, database_url: str, redis_url: str, directory: Path) -> dict[str, str]:
    """Production settings, as docker-compose.yml gives them, on loopback."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_", "ROLLUP_", "GUNICORN_"))},
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(directory / "uploads"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        # Quicker than production's minute, so a test waits seconds, not minutes.
        "ROLLUP_OUTBOX_SECONDS": "2",
        "ROLLUP_LOCK_LEASE_SECONDS": "4",
        "GUNICORN_WORKERS": "3",
        # The journeys sign in with the programme's password accounts; production turns passwords
        # off (ADR 17) and the stack has no identity provider.
        "PASSWORD_SIGN_IN": "1",
    }


@dataclass
class Stack:
    env: dict[str, str]
    directory: Path
    redis: PrivateRedis | None = None
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, command: list[str], **extra_env: str) -> subprocess.Popen:
        log = (self.directory / f"{name}.log").open("ab")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=self.env | extra_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def start_web(self) -> None:
        import urllib.request

        self.port = self.port or free_port()
        self._spawn("web", [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"], GUNICORN_BIND=f"127.0.0.1:{self.port}")
        wait_for(
            lambda: urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2).status == 200,  # noqa: S310 - loopback
            within=60,
            what="gunicorn to answer /healthz",
        )

    def start_worker(self, name: str = "worker", *, module: str | None = None, **extra_env: str) -> subprocess.Popen:
        """A Celery worker (prefork, as in production). `module` runs another entry point that
        starts one, such as the slowed-down worker of the kill test."""
        entry = ["-m", module] if module else ["-m", "celery", "-A", "nhsportal"]
        command = [PYTHON, *entry, "worker", "--concurrency=1", "--loglevel=WARNING", "-n", f"{name}-{os.getpid()}@%h"]
        return self._spawn(name, command, **extra_env)

    def start_beat(self) -> None:
        schedule = self.directory / "celerybeat-schedule"
        self._spawn(
            "beat", [PYTHON, "-m", "celery", "-A", "nhsportal", "beat", "--loglevel=WARNING", "--schedule", str(schedule)]
        )

    def celery(self) -> Celery:
        """A Celery client on the stack's broker, to send tasks by name and ping its workers."""
        # Not the current app: the test process's own tasks keep their broker.
        return Celery("system-test", broker=self.env["REDIS_URL"], set_as_current=False)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """The process and its children (a prefork worker's pool) at once."""
        process = self.processes.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.processes):
            process = self.processes[name]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(name)
            self.processes.pop(name, None)

    def logs(self) -> str:
        return "\n".join(f"--- {log.name} ---\n{log.read_text(errors='replace')[-4000:]}" for log in self.directory.glob("*.log"))


class PrivateRedis:
    """A redis-server of the test's own on a free port, which the test may stop and start again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen([*command, "--dir", str(self.directory)], stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        wait_for(lambda: redis.Redis(port=self.port, socket_connect_timeout=1).ping(), within=20, what="the private Redis")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


def postgres_binaries() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A PostgreSQL cluster of the test's own (initdb into a temporary directory, a free port),
    which the test may stop and start again. As root, the server runs as the `postgres` user."""

    def __init__(self) -> None:
        self.bin = postgres_binaries()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        self.data = self.directory / "data"
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_postgres:
            shutil.chown(self.directory, "postgres")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as_postgres, *command], check=True, capture_output=True)  # noqa: S603

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def running(stack: Stack) -> Iterator[Stack]:
    try:
        yield stack
    finally:
        stack.stop_all()
