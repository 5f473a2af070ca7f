"""API rate limits: a caller over the rate waits (429 and Retry-After); a down cache never blocks the API."""

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from nhsportal.models import Role
from tests.nhsportal.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings):
    """Turn the generous test rates right down, counting in a cache of this test's own."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "3/minute"}}


def test_the_rates_are_generous_under_test(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert int(rates["anon"].split("/")[0]) >= 10000 and int(rates["user"].split("/")[0]) >= 10000


def test_a_signed_in_caller_over_the_rate_is_asked_to_wait(client_as, low_rates):
    client = client_as(user_with_role(Role.TASKFORCE_MEMBER))

    statuses = [client.get("/api/v1/sites/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/sites/")
    assert int(response["Retry-After"]) > 0
    assert "throttled" in response.json()["detail"].lower()


def test_each_person_has_their_own_allowance(client_as, low_rates):
    first, second = client_as(user_with_role(Role.TASKFORCE_MEMBER)), client_as(user_with_role(Role.TASKFORCE_MEMBER))
    for _ in range(3):
        first.get("/api/v1/sites/")

    assert first.get("/api/v1/sites/").status_code == 429
    assert second.get("/api/v1/sites/").status_code == 200


def test_signed_out_callers_are_limited_per_address(client_as, low_rates):
    client = client_as(None)

    statuses = [client.get("/api/schema/", REMOTE_ADDR="192.0.2.5").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert client.get("/api/schema/", REMOTE_ADDR="192.0.2.6").status_code == 200


class BrokenCache(LocMemCache):
    def get(self, *args, **kwargs):
        raise ConnectionError("Redis is down")


def test_the_api_keeps_answering_when_the_cache_is_down(client_as, settings, low_rates):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache", "LOCATION": uuid.uuid4().hex}}
    client = client_as(user_with_role(Role.TASKFORCE_MEMBER))

    assert [client.get("/api/v1/sites/").status_code for _ in range(5)] == [200] * 5
