"""`seed_demo` gives the applications part of the portal something to explore: a decided
wave-one round linked to the wave-one sites, and an open wave-two round with work waiting."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from applications.models import Application, ApplicationRound, Decision, Review, Status
from nhsportal.demo.seed import DEFAULT_DEMO_PASSWORD
from nhsportal.models import RoleAssignment
from sites.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_password(monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)


def counts():
    mine = ("applications", "sites", "nhsportal", "auth")
    return {model._meta.label: model._default_manager.count() for model in apps.get_models() if model._meta.app_label in mine}


def test_the_demo_has_a_decided_round_and_an_open_one_and_runs_twice_without_change(client):
    output = StringIO()
    call_command("seed_demo", stdout=output)

    wave_one = ApplicationRound.objects.get(wave__number=1)
    wave_two = ApplicationRound.objects.get(wave__number=2)
    assert not wave_one.is_open() and wave_two.is_open()
    assert wave_one.questions.count() == wave_two.questions.count() == 5
    assert [c.weight for c in wave_two.criteria.order_by("number")] == [30, 25, 20, 25]

    decided = Application.objects.filter(round=wave_one).select_related("place", "site")
    assert {(a.place.name, a.status) for a in decided} == {
        ("Walsall", Status.SELECTED),
        ("Sunderland", Status.SELECTED),
        ("Croydon", Status.SELECTED),
        ("Blackpool", Status.NOT_SELECTED),
    }
    for application in decided.filter(status=Status.SELECTED):
        assert application.site == Site.objects.get(place=application.place, wave__number=1)  # linked, not duplicated
    assert Site.objects.filter(wave__number=1).count() == 43
    assert not Site.objects.filter(wave__number=2).exists()
    assert Decision.objects.count() == 4
    assert Review.objects.filter(application__round=wave_one, submitted_at__isnull=False).count() == 8

    knowsley = Application.objects.get(round=wave_two, place__name="Knowsley")
    assert knowsley.status == Status.DRAFT and knowsley.lead_applicant.username == "lead.knowsley"
    assert RoleAssignment.objects.get(user__username="lead.knowsley").place.name == "Knowsley"
    blackpool = Application.objects.get(round=wave_two, place__name="Blackpool")
    assert blackpool.status == Status.UNDER_REVIEW
    assert set(blackpool.reviews.values_list("reviewer__username", flat=True)) == {"taskforce", "chair"}
    assert "lead.knowsley" in output.getvalue()
    assert client.login(username="lead.knowsley", password=DEFAULT_DEMO_PASSWORD)

    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before
