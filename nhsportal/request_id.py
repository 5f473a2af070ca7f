"""Every request gets an id: the caller's `X-Request-ID` when it is well formed (a proxy or a
client tracing its calls), else a new one. It is echoed in the response, put on every log line
written while the request runs (nhsportal.logging), sent with any Celery task the request
queues, and the request ends with one access line: method, path, status, duration, user."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from nhsportal.logging import request_id_var, request_var, user_id_of

HEADER = "X-Request-ID"
# Letters, digits and - _ . : only, up to 128: safe to echo and to write in a log line.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,128}")

access_logger = logging.getLogger("nhsportal.request")


def request_id_for(request: HttpRequest) -> str:
    incoming = request.headers.get(HEADER, "")
    return incoming if WELL_FORMED.fullmatch(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so everything after it, redirects and errors included, logs with the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]  # the id kept on the request itself; HttpRequest declares no such attribute
        id_token, request_token = request_id_var.set(request_id), request_var.set(request)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    "user_id": user_id_of(request),
                },
            )
            return response
        finally:
            request_var.reset(request_token)
            request_id_var.reset(id_token)
