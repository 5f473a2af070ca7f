"""How the API reports errors: always JSON, always with a message a person can act on.

- Serializer validation errors keep DRF's shape: `{"field": ["message", …]}`.
- A service's `django.core.exceptions.ValidationError` becomes the same shape (400), so a
  rule broken in `services.py` names its field just as a malformed request does.
- A service's `PermissionDenied` becomes a 403 carrying the service's message.
- `Http404` is `{"detail": "Not found."}`, whatever the model: existence must not leak.
- The database unreachable (restarting, failing over) is a JSON 503 with Retry-After.
- Anything unexpected is logged and answered with a JSON 500 (outside DEBUG).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from nhsportal.params import BadParameter

logger = logging.getLogger(__name__)

NOT_SIGNED_IN = "Sign in first, or send your API token in the header `Authorization: Token <your token>`."
SERVER_ERROR = (
    "Something went wrong on our side. Try again in a few minutes (if you were making a change, "
    "check first whether it was saved); if it keeps happening, contact the programme office."
)
DATABASE_UNAVAILABLE = "The service is unavailable: its database cannot be reached. Try again in a few minutes."


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A Django ValidationError as DRF's per-field dict; errors not tied to a field go under
    `non_field_errors`, as a serializer's own `validate()` errors do."""
    non_field_key = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        return {(non_field_key if field == NON_FIELD_ERRORS else field): messages for field, messages in exc.message_dict.items()}
    return {non_field_key: exc.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_detail(exc))
    elif isinstance(exc, BadParameter):
        exc = exceptions.ValidationError(detail={api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        message = str(exc) if exc.args else None
        exc = exceptions.PermissionDenied(detail=message)

    response = drf_exception_handler(exc, context)
    if response is not None:
        if isinstance(exc, exceptions.NotAuthenticated):
            response.data = {"detail": NOT_SIGNED_IN}
        return response
    if isinstance(exc, OperationalError | InterfaceError):
        return database_unavailable(exc)
    return _server_error(exc, context)


def database_unavailable(exc: Exception) -> Response:
    logger.error("Database unavailable: %s", exc)
    return Response({"detail": DATABASE_UNAVAILABLE}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "30"})


def _server_error(exc: Exception, context: dict[str, Any]) -> Response | None:
    if settings.DEBUG:
        return None  # Django's debug page helps more than a polite message.
    request = context.get("request")
    logger.error("Unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
    # Let whatever listens for request errors (the test client, error trackers) hear of it.
    got_request_exception.send(sender=None, request=getattr(request, "_request", request))
    set_rollback()
    return Response({"detail": SERVER_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
