"""After a month's final deadline only an administrator can change its return, giving a reason
(README, the monthly cycle). So no one else can move it on (acknowledge its warnings, send it
for sign-off, sign it off), and no one asks the site for a correction it could not file: the
service refuses, the page says why and does not offer the step, the API answers 409."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metrics import services
from metrics.models import DataQualityQuery, QueryStatus, ReportingPeriod, Return, ReturnStatus
from metrics.returns.checks import ParsedValue
from nhsportal.celery import app
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.metrics.workbooks import expected_values
from tests.nhsportal import pages
from tests.nhsportal.factories import user_with_role

pytestmark = pytest.mark.django_db

CLEAN = [
    ParsedValue(metric, category, num, den, num_sup, den_sup, "", "")
    for (metric, category), (num, den, num_sup, den_sup) in expected_values("1.2").items()
]
WITH_WARNINGS = [dataclasses.replace(v, numerator=3) if (v.metric, v.category) == ("O1_NEW", "age_18_19") else v for v in CLEAN]


@pytest.fixture
def month(catalogue):
    """Three months ago, still open (it is closed by `close`, once its return is where the test wants it)."""
    today = timezone.localdate()
    return ReportingPeriodFactory(today=today, month=month_start(today, 3), initial_in_days=-14, final_in_days=5)


def close(period: ReportingPeriod) -> None:
    ReportingPeriod.objects.filter(pk=period.pk).update(final_submission_due=timezone.localdate() - datetime.timedelta(days=1))


def _filed(site, period, by, values=CLEAN) -> Return:
    return services.submit_values(
        site=site, period=period, values=values, layout="1.2", source="api", by=by, based_on=None
    ).return_record


def _status(record) -> str:
    return Return.objects.get(pk=record.pk).status


class TestTheService:
    def test_no_one_but_an_administrator_acknowledges_sends_or_signs_off_a_closed_month(self, croydon, month, staff, lead):
        warned = _filed(croydon, month, staff, WITH_WARNINGS)
        close(month)
        with pytest.raises(services.TransitionRefused, match="Only an administrator can change this return now"):
            services.acknowledge_warnings(return_record=warned, by=staff, comment="3 is published already")
        with pytest.raises(services.TransitionRefused, match="sending it for sign-off is no longer possible"):
            services.send_for_sign_off(return_record=warned, by=lead)
        assert warned.latest_version.warnings_acknowledged_at is None and _status(warned) == ReturnStatus.DRAFT

        admin = user_with_role(Role.ADMINISTRATOR)
        services.acknowledge_warnings(return_record=warned, by=admin, comment="Checked with the site")
        services.send_for_sign_off(return_record=warned, by=admin)
        with pytest.raises(services.TransitionRefused, match="signing it off is no longer possible"):
            services.sign_off(return_record=warned, by=lead)
        assert _status(warned) == ReturnStatus.AWAITING_SIGN_OFF
        services.sign_off(return_record=warned, by=admin)
        assert _status(warned) == ReturnStatus.SUBMITTED

    def test_no_one_requests_a_correction_of_a_closed_month_and_the_site_is_not_emailed(
        self, croydon, month, staff, lead, taskforce, django_capture_on_commit_callbacks
    ):
        record = _filed(croydon, month, staff)
        services.send_for_sign_off(return_record=record, by=staff)
        services.sign_off(return_record=record, by=lead)
        close(month)
        for who in (taskforce, user_with_role(Role.ADMINISTRATOR)):
            with (
                django_capture_on_commit_callbacks(execute=True),
                pytest.raises(services.TransitionRefused, match="the site can no longer file a corrected version"),
            ):
                services.request_correction(return_record=record, by=who, reason="O3 looks doubled")
        assert _status(record) == ReturnStatus.SUBMITTED
        assert mail.outbox == []

    def test_an_open_month_still_goes_through_every_step(self, croydon, month, staff, lead, taskforce):
        record = _filed(croydon, month, staff, WITH_WARNINGS)
        services.acknowledge_warnings(return_record=record, by=staff, comment="3 is published already")
        services.send_for_sign_off(return_record=record, by=staff)
        services.sign_off(return_record=record, by=lead)
        services.request_correction(return_record=record, by=taskforce, reason="O3 looks doubled")
        assert _status(record) == ReturnStatus.CORRECTION_REQUESTED

    def test_a_query_on_a_closed_month_is_still_answered_and_its_email_says_who_can_change_the_figures(
        self, croydon, month, staff, lead, taskforce, django_capture_on_commit_callbacks, monkeypatch
    ):
        monkeypatch.setitem(app.conf, "task_always_eager", True)
        record = _filed(croydon, month, staff)
        close(month)
        with django_capture_on_commit_callbacks(execute=True):
            query = services.raise_query(return_record=record, by=taskforce, question="Why did O3 double?")
        services.answer_query(query=query, by=staff, answer="A ward joined the cohort")

        assert len(mail.outbox) == 1
        assert "only an administrator can change them now" in mail.outbox[0].body
        assert DataQualityQuery.objects.get(pk=query.pk).status == QueryStatus.ANSWERED


class TestThePage:
    def test_the_return_page_offers_no_step_on_a_closed_month_and_says_who_can_change_it(
        self, client, croydon, month, staff, lead, taskforce
    ):
        warned = _filed(croydon, month, staff, WITH_WARNINGS)
        close(month)
        page = reverse("return-detail", args=[croydon.pk, month.slug])
        for who in (staff, lead):
            client.force_login(who)
            html = client.get(page).content.decode()
            assert reverse("return-acknowledge", args=[croydon.pk, month.slug]) not in html
            assert reverse("return-send", args=[croydon.pk, month.slug]) not in html
            assert "Only an administrator can change this return now" in pages.text(html)

        client.force_login(user_with_role(Role.ADMINISTRATOR))
        assert reverse("return-acknowledge", args=[croydon.pk, month.slug]) in client.get(page).content.decode()

        client.force_login(staff)
        response = client.post(reverse("return-acknowledge", args=[croydon.pk, month.slug]), {"comment": "Fine"}, follow=True)
        assert response.status_code == 200
        assert "acknowledging its warnings is no longer possible" in pages.text(response.content)
        assert warned.latest_version.warnings_acknowledged_at is None

    def test_the_taskforce_is_not_offered_a_correction_of_a_closed_month_and_is_told_why(
        self, client, croydon, month, staff, lead, taskforce
    ):
        record = _filed(croydon, month, staff)
        services.send_for_sign_off(return_record=record, by=staff)
        services.sign_off(return_record=record, by=lead)
        close(month)
        client.force_login(taskforce)
        page = client.get(reverse("return-detail", args=[croydon.pk, month.slug])).content.decode()
        assert reverse("return-request-correction", args=[croydon.pk, month.slug]) not in page
        assert "ask an administrator if it needs correcting" in pages.text(page)

        response = client.post(
            reverse("return-request-correction", args=[croydon.pk, month.slug]), {"reason": "O3 doubled"}, follow=True
        )
        assert "the site can no longer file a corrected version" in pages.text(response.content)
        assert _status(record) == ReturnStatus.SUBMITTED


class TestTheApi:
    def _post(self, user, record, step, data=None):
        client = APIClient()
        client.force_login(user)
        return client.post(f"/api/v1/returns/{record.pk}/{step}/", data or {}, format="json")

    def test_every_step_on_a_closed_month_is_a_conflict_saying_why(self, croydon, month, staff, lead, taskforce):
        warned = _filed(croydon, month, staff, WITH_WARNINGS)
        close(month)
        acknowledged = self._post(staff, warned, "acknowledge-warnings", {"comment": "Fine"})
        sent = self._post(staff, warned, "send-for-sign-off")
        assert [r.status_code for r in (acknowledged, sent)] == [409, 409]
        assert all("Only an administrator can change this return now" in r.json()["detail"] for r in (acknowledged, sent))

        admin = user_with_role(Role.ADMINISTRATOR)
        assert self._post(admin, warned, "acknowledge-warnings", {"comment": "Checked"}).status_code == 200
        assert self._post(admin, warned, "send-for-sign-off").status_code == 200
        signed = self._post(lead, warned, "sign-off")
        assert signed.status_code == 409 and "signing it off" in signed.json()["detail"]
        assert self._post(admin, warned, "sign-off").status_code == 200

        corrected = self._post(taskforce, warned, "request-correction", {"reason": "O3 doubled"})
        assert corrected.status_code == 409
        assert "the site can no longer file a corrected version" in corrected.json()["detail"]
        assert _status(warned) == ReturnStatus.SUBMITTED
