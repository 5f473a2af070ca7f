"""Errors from services and Django reach API clients as JSON a person can act on."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.http import Http404
from rest_framework.test import APIRequestFactory

from nhsportal.api import SERVER_ERROR, exception_handler


@pytest.fixture
def context():
    return {"request": APIRequestFactory().get("/api/v1/teams/"), "view": None}


def test_a_services_field_errors_keep_their_fields(context):
    response = exception_handler(ValidationError({"wte": "Too many.", "end_date": ["Too early."]}), context)

    assert response.status_code == 400
    assert response.data == {"wte": ["Too many."], "end_date": ["Too early."]}


def test_errors_not_tied_to_a_field_are_non_field_errors(context):
    assert exception_handler(ValidationError("The return is closed."), context).data == {
        "non_field_errors": ["The return is closed."]
    }
    assert exception_handler(ValidationError({"__all__": ["Clash."]}), context).data == {"non_field_errors": ["Clash."]}


def test_a_services_permission_denied_keeps_its_message(context):
    response = exception_handler(PermissionDenied("Only the site's own staff can change its teams."), context)

    assert response.status_code == 403
    assert response.data == {"detail": "Only the site's own staff can change its teams."}


def test_a_bare_permission_denied_gets_drfs_message(context):
    response = exception_handler(PermissionDenied(), context)

    assert response.status_code == 403
    assert response.data == {"detail": "You do not have permission to perform this action."}


def test_not_found_never_names_the_model(context):
    response = exception_handler(Http404("No NeighbourhoodTeam matches the given query."), context)

    assert response.status_code == 404
    assert response.data == {"detail": "Not found."}


def test_an_unexpected_error_is_a_json_500_and_is_reported(context, settings):
    settings.DEBUG = False
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs["request"])

    got_request_exception.connect(listener)
    try:
        response = exception_handler(RuntimeError("boom"), context)
    finally:
        got_request_exception.disconnect(listener)

    assert response.status_code == 500
    assert response.data == {"detail": SERVER_ERROR}
    assert "boom" not in str(response.data)
    assert heard == [context["request"]]


def test_in_debug_an_unexpected_error_is_left_to_djangos_debug_page(context, settings):
    settings.DEBUG = True

    assert exception_handler(RuntimeError("boom"), context) is None
