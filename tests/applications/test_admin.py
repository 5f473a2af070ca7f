"""Administrators set rounds up and word the e-mails in Django admin; applications, reviews
and decisions are evidence there, changed only by the workflow."""

import pytest
from django.contrib import admin
from django.urls import reverse

from applications.models import Application, ApplicationRound, Criterion, Decision, EmailKind, EmailTemplate, Review
from tests.applications.factories import scored_review, submitted
from tests.nhsportal.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = [ApplicationRound, Criterion, Application, Review, Decision, EmailTemplate]


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="office", is_staff=True, is_superuser=True))
    return client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def everything(cast, round_):
    application = submitted(round=round_, place=cast.place)
    scored_review(application, cast.member, [3, 4])
    Decision.objects.create(application=application, outcome="selected", rationale="Yes", decided_by=cast.chair)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_applications_model_opens_in_admin(admin_client, everything, model):
    assert admin.site.is_registered(model)
    assert admin_client.get(_url(model, "changelist")).status_code == 200
    assert admin_client.get(_url(model, "changelist"), {"q": "a"}).status_code == 200
    obj = model._default_manager.first()
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", [Application, Review, Decision, EmailTemplate], ids=lambda m: m.__name__)
def test_workflow_records_cannot_be_added_or_deleted_in_admin(admin_client, everything, model):
    obj = model._default_manager.first()
    assert admin_client.get(_url(model, "add")).status_code == 403
    assert admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()


def test_an_application_cannot_be_changed_in_admin(admin_client, everything):
    application = Application.objects.get()

    admin_client.post(_url(Application, "change", application.pk), {"status": "withdrawn"})

    application.refresh_from_db()
    assert application.status == "submitted"


def test_administrators_reword_an_email_with_the_placeholders_it_offers(admin_client):
    template = EmailTemplate.objects.get(kind=EmailKind.SELECTED)
    url = _url(EmailTemplate, "change", template.pk)

    refused = admin_client.post(url, {"subject": "{{ place }} selected", "body": "Dear {{ name }}, {{ password }}"})
    saved = admin_client.post(url, {"subject": "{{ place }} joins {{ wave }}", "body": "Dear {{ name }}, see {{ link }}."})

    assert refused.status_code == 200
    assert "Unknown placeholder password" in refused.content.decode()
    assert saved.status_code == 302
    template.refresh_from_db()
    assert template.subject == "{{ place }} joins {{ wave }}"


def test_the_emails_start_with_sensible_wording(db):
    assert set(EmailTemplate.objects.values_list("kind", flat=True)) == set(EmailKind.values)
    selected = EmailTemplate.objects.get(kind=EmailKind.SELECTED)
    assert "{{ rationale }}" in selected.body and "{{ link }}" in selected.body
