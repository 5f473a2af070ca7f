"""Structured logs: one JSON object per line, each carrying the request id of the web request
it came from, in the web process and in the Celery task that request sent.

The request id lives in a context variable: `nhsportal.request_id.RequestIdMiddleware` sets it
for a request, `task_context_started` (connected in `nhsportal.celery`) for a task, from the
header `stamp_request_id` put on the task's message when it was sent. `RequestContextFilter`
copies it (and the user, path, method, task) onto every record the console handler writes.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import logging.config
import time
from typing import Any

from django.utils.functional import empty

# The message header that carries the request id from the web process to the worker.
TASK_HEADER = "portal_request_id"

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
request_var: contextvars.ContextVar[Any] = contextvars.ContextVar("request", default=None)
task_var: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("task", default=None)

# Attributes every LogRecord has; anything else on a record was passed as `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
# Context fields the filter adds; the JSON formatter writes them when they have a value.
CONTEXT_FIELDS = ("request_id", "user_id", "method", "path", "task_name", "task_id")
# Django's request loggers pass the HttpRequest itself as an extra: never serialised.
_SKIPPED_EXTRAS = {"request", "server_time"}


def current_request_id() -> str | None:
    return request_id_var.get()


def user_id_of(request: Any) -> int | None:
    """The signed-in user's id, without querying: only when something already loaded the user."""
    user = getattr(request, "__dict__", {}).get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:  # a lazy user nobody has read yet
        return None
    return getattr(wrapped, "pk", None) if getattr(wrapped, "is_authenticated", False) else None


class RequestContextFilter(logging.Filter):
    """Puts the current request id, user, method, path and task on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(record, "request_id", None) or request_id_var.get()
        request = request_var.get()
        if request is not None:
            record.method = getattr(record, "method", None) or request.method
            record.path = getattr(record, "path", None) or request.path
            record.user_id = getattr(record, "user_id", None) or user_id_of(request)
        task = task_var.get()
        if task is not None:
            record.task_name, record.task_id = task
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context
    fields that have a value, any `extra=` fields, and the exception if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry and name not in _SKIPPED_EXTRAS and value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """For people reading a terminal (`make run`): the usual line, with the request id when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"[{request_id[:8]}] {line}" if request_id else line


# Celery signal handlers (connected in nhsportal.celery).


def use_django_logging(**kwargs: Any) -> None:
    """setup_logging: the worker and beat log through settings.LOGGING (JSON, LOG_LEVEL), not Celery's own setup."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


_task_tokens: dict[str, tuple[contextvars.Token, contextvars.Token, float]] = {}
task_logger = logging.getLogger("nhsportal.task")


def stamp_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """before_task_publish: a task sent while handling a request (or another task) carries its id."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _header(task: Any) -> str | None:
    request = task.request
    value = getattr(request, TASK_HEADER, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return value


def task_context_started(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    """task_prerun: the task's logs carry its name, id and the request id it was sent with.
    Run in-process (no broker), the task keeps the request id of the request running it."""
    if task_id is None or task is None:
        return
    request_id = _header(task) or request_id_var.get()
    _task_tokens[task_id] = (request_id_var.set(request_id), task_var.set((task.name, task_id)), time.monotonic())


def task_context_finished(task_id: str | None = None, task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    """task_postrun: one line per task run, like the access line of a request, then the context is restored."""
    tokens = _task_tokens.pop(task_id or "", None)
    if tokens is None:
        return
    request_token, task_token, started = tokens
    try:
        task_logger.info("%s %s", getattr(task, "name", "task"), state, extra={"state": state, "duration_ms": _ms_since(started)})
    finally:
        task_var.reset(task_token)
        request_id_var.reset(request_token)


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
