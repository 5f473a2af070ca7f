"""The API fuzzed from its own OpenAPI schema (schemathesis): for a taskforce member and for
site staff, no request, however odd, gets a server error, and every answer (status codes
the schema does not list aside) has the content type and shape the schema promises.

Bounded so it runs in CI: read operations plus the JSON filing endpoint, a few generated
examples each, derandomised so a run is repeatable (ADR 12)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from metrics.returns.reference import load_metrics
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory
from tests.nhsportal.factories import user_with_role

EXAMPLES_PER_OPERATION = 3
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Writes are fuzzed where a refusal is the likely answer and nothing irreversible happens.
FUZZED_WRITES = {("POST", "/api/v1/returns/submit/")}


@pytest.fixture
def api_schema(db):
    """The schema, served by the project's own WSGI application, which then answers the fuzzed calls.

    Like Django's test client, keep the request signals from closing the test's database
    connection (it is inside the test's transaction)."""
    from nhsportal.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def data(world):
    """Two sites with teams and workforce (tests/api/conftest.py), the metrics and a month."""
    load_metrics()
    ReportingPeriodFactory()
    return world


def fuzz(schema, user) -> list[str]:
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" and (operation.method.upper(), operation.path) not in FUZZED_WRITES:
            continue

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - collect every problem, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    return failures


@pytest.mark.parametrize("role", [Role.TASKFORCE_MEMBER, Role.SITE_STAFF])
def test_the_api_never_errs_and_keeps_to_its_schema(api_schema, data, site, role):
    user = user_with_role(role, site=site if role == Role.SITE_STAFF else None)

    failures = fuzz(api_schema, user)

    assert not failures, "\n\n".join(failures)
