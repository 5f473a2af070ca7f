"""While the database cannot be reached, people get the NHS "service unavailable" page and API
callers a JSON 503, both with Retry-After; any other failure is still a 500."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from nhsportal import views
from sites import api as sites_api


@pytest.fixture
def client_without_raising(db):
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("error", [OperationalError("could not connect to server"), InterfaceError("connection already closed")])
def test_a_page_while_the_database_is_down_is_the_503_page(client_without_raising, monkeypatch, error):
    def database_down(user):
        raise error

    monkeypatch.setattr(views, "next_steps", database_down)

    response = client_without_raising.get("/")

    assert response.status_code == 503
    assert "Sorry, the service is unavailable" in response.content.decode()
    assert response["Retry-After"] == "30"


def test_the_api_while_the_database_is_down_answers_json_503(client_without_raising, monkeypatch, people):
    def database_down(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(sites_api.SiteViewSet, "get_queryset", database_down)
    client_without_raising.force_login(people["taskforce_member"])

    response = client_without_raising.get("/api/v1/sites/")

    assert response.status_code == 503
    assert "database" in response.json()["detail"]


def test_any_other_failure_is_still_the_500_page(client_without_raising, monkeypatch):
    def bug(user):
        raise ZeroDivisionError

    monkeypatch.setattr(views, "next_steps", bug)

    response = client_without_raising.get("/")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
