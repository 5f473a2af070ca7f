from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from applications.models import Application
from nhsportal.models import Role
from tests.applications.factories import round_with
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import LocalAuthorityFactory, PlaceFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a fresh directory per test, never to var/uploads."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def round_(db):
    """An open wave-two round: two questions (50 words each), two criteria (0–4)."""
    return round_with(name="Wave two applications")


@pytest.fixture
def cast(db):
    """Knowsley applies; its two programme leads, a lead of another Place, the taskforce."""
    knowsley = PlaceFactory(name="Knowsley")
    knowsley.local_authorities.add(LocalAuthorityFactory(name="Knowsley", imd_decile=1))
    blackpool = PlaceFactory(name="Blackpool")
    return SimpleNamespace(
        place=knowsley,
        other_place=blackpool,
        lead=user_with_role(Role.PROGRAMME_LEAD, place=knowsley, username="lead.knowsley", first_name="Kim", last_name="Lee"),
        colleague=user_with_role(Role.PROGRAMME_LEAD, place=knowsley, username="colleague.knowsley"),
        other_lead=user_with_role(Role.PROGRAMME_LEAD, place=blackpool, username="lead.blackpool"),
        member=user_with_role(Role.TASKFORCE_MEMBER, username="taskforce.one", first_name="Fiona", last_name="McKenzie"),
        member_two=user_with_role(Role.TASKFORCE_MEMBER, username="taskforce.two", first_name="Omar", last_name="Haddad"),
        chair=user_with_role(Role.TASKFORCE_CHAIR, username="chair", first_name="Anne", last_name="Whitfield"),
        admin=user_with_role(Role.ADMINISTRATOR, username="administrator", is_superuser=True),
        site_staff=None,
    )


@pytest.fixture
def draft(cast, round_):
    return Application.objects.create(round=round_, place=cast.place, lead_applicant=cast.lead)


@pytest.fixture
def api_as(db):
    """An API client signed in (by session) as the given user, or anonymous for None."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make
