"""Structured logs: each request writes one JSON line carrying its request id, the id comes back
in the response, and a task the request queues logs with the same id, in-process and on a real
worker."""

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.result import AsyncResult
from django.conf import settings

from nhsportal.celery import app
from nhsportal.logging import JsonFormatter
from nhsportal.models import Role
from tests.nhsportal.factories import user_with_role

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_lines():
    """What the configured console handler writes, as parsed JSON objects."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter))
    stream = io.StringIO()
    previous = handler.setStream(stream)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    handler.setStream(previous)


def access_lines(lines):
    return [line for line in lines if line["logger"] == "nhsportal.request"]


@pytest.mark.django_db
def test_a_request_writes_one_json_line_with_its_id_and_returns_the_id(client, log_lines):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-4f2a.91")

    assert response["X-Request-ID"] == "proxy-4f2a.91"
    [line] = access_lines(log_lines())
    assert line["request_id"] == "proxy-4f2a.91"
    assert (line["method"], line["path"], line["status"], line["level"]) == ("GET", "/healthz", 200, "INFO")
    assert line["duration_ms"] >= 0 and line["time"].endswith("+00:00")


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["", "two words", "x" * 129, "id\nforged log line", "<script>"])
def test_a_missing_or_malformed_request_id_is_replaced_by_a_new_one(client, log_lines, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    new_id = response["X-Request-ID"]
    assert new_id != incoming and len(new_id) == 32
    assert access_lines(log_lines())[0]["request_id"] == new_id


@pytest.mark.django_db
def test_each_request_gets_its_own_id(client, log_lines):
    first, second = client.get("/healthz"), client.get("/healthz")

    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert [line["request_id"] for line in access_lines(log_lines())] == [first["X-Request-ID"], second["X-Request-ID"]]


@pytest.mark.django_db
def test_the_line_of_a_signed_in_request_names_the_user(client, log_lines):
    person = user_with_role(Role.TASKFORCE_MEMBER)
    client.force_login(person)

    client.get("/")

    [line] = access_lines(log_lines())
    assert line["user_id"] == person.pk and line["status"] == 200


@pytest.mark.urls("tests.nhsportal.logging_urls")
@pytest.mark.django_db
def test_a_failing_request_logs_its_error_with_the_request_id(client, log_lines):
    client.raise_request_exception = False

    response = client.get("/fail/", HTTP_X_REQUEST_ID="trace-500")

    assert response.status_code == 500 and response["X-Request-ID"] == "trace-500"
    [error] = [line for line in log_lines() if line["level"] == "ERROR"]
    assert error["request_id"] == "trace-500" and error["path"] == "/fail/"
    assert "RuntimeError: the disk is full" in error["exception"]
    assert access_lines(log_lines())[0]["status"] == 500


@pytest.mark.urls("tests.nhsportal.logging_urls")
@pytest.mark.django_db
def test_a_task_queued_by_a_request_logs_with_the_requests_id_in_process(client, log_lines, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)

    response = client.get("/queue-heartbeat/", HTTP_X_REQUEST_ID="signoff-1234")

    task_id = response.json()["task_id"]
    [task_line] = [line for line in log_lines() if line["logger"] == "nhsportal.task"]
    assert task_line["request_id"] == "signoff-1234"
    assert (task_line["task_name"], task_line["task_id"], task_line["state"]) == ("nhsportal.tasks.heartbeat", task_id, "SUCCESS")
    assert access_lines(log_lines())[0]["request_id"] == "signoff-1234", "the request keeps its id after the task"


@pytest.fixture
def worker_logging_json(tmp_path):
    """A real worker on its own queue (so no other test's worker takes the task), its log in a file."""
    queue, name = f"logging-{os.getpid()}", f"logging-{os.getpid()}@%h"
    log = tmp_path / "worker.log"
    env = os.environ | {"DJANGO_ENV": "test", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    command = [sys.executable, "-m", "celery", "-A", "nhsportal", "worker", "--pool=solo", "-Q", queue, "-n", name]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[name.replace("%h", socket.gethostname())], timeout=1.0):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"The Celery worker did not answer a ping within 60 seconds:\n{log.read_text()}")
        yield queue, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _json_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]


@pytest.mark.worker
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL; CI sets it")
@pytest.mark.urls("tests.nhsportal.logging_urls")
@pytest.mark.django_db
def test_a_task_queued_by_a_request_logs_with_the_requests_id_on_a_real_worker(client, worker_logging_json):
    queue, log = worker_logging_json

    response = client.get(f"/queue-heartbeat/?queue={queue}", HTTP_X_REQUEST_ID="monthly-cycle-42")

    task_id = response.json()["task_id"]
    AsyncResult(task_id, app=app).get(timeout=60)
    deadline = time.monotonic() + 30
    while not (
        lines := [line for line in _json_lines(log) if line.get("task_id") == task_id and line["logger"] == "nhsportal.task"]
    ):
        assert time.monotonic() < deadline, f"the worker logged no line for the task:\n{log.read_text()}"
        time.sleep(0.2)
    assert lines[0]["request_id"] == "monthly-cycle-42"
    assert lines[0]["task_name"] == "nhsportal.tasks.heartbeat" and lines[0]["state"] == "SUCCESS"
    succeeded = [line for line in _json_lines(log) if line["logger"] == "celery.app.trace" and line.get("task_id") == task_id]
    assert succeeded and all(line["request_id"] == "monthly-cycle-42" for line in succeeded), "Celery's own lines carry it too"
