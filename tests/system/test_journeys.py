"""The monthly cycle on the real stack, over HTTP: sites sign in, file their returns through the
API and sign them off; the worker rolls them up; the taskforce reads England's figures."""

from __future__ import annotations

import pytest

from metrics.models import Return, ReturnStatus, RollupRequest
from tests.system.programme import file_and_send_for_sign_off, filed_cohort, national_cohort, programme, sign_in
from tests.system.stack import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_ready_only_when_the_database_and_broker_answer(stack):
    stack.start_web()
    from tests.system.browser import Browser

    ready = Browser(stack.base_url).get("/readyz")

    assert ready.status == 200
    assert ready.json()["checks"]["database"] == "ok" and ready.json()["checks"]["broker"] == "ok"


def test_returns_signed_off_over_http_reach_the_dashboards_api(stack):
    world = programme(sites=2)
    stack.start_web()
    stack.start_worker()
    stack.start_beat()

    for site in world.sites:
        staff = sign_in(stack.base_url, world.staff(site))
        return_id = file_and_send_for_sign_off(staff, site, world.period)
        lead = sign_in(stack.base_url, world.lead(site))
        signed = lead.post_json(f"/api/v1/returns/{return_id}/sign-off/")
        assert signed.status == 200, signed.text[:1000]
        assert signed.json()["status"] == ReturnStatus.SUBMITTED

    taskforce = sign_in(stack.base_url, "taskforce")
    expected = sum(filed_cohort(site, world.period) for site in world.sites)
    wait_for(lambda: national_cohort(taskforce, world.period) == expected, within=60, what="England's cohort to sum both sites")
    assert Return.objects.filter(status=ReturnStatus.SUBMITTED).count() == 2
    wait_for(lambda: not RollupRequest.objects.filter(done_at__isnull=True).exists(), within=30, what="the outbox to empty")
    home = taskforce.get("/")
    assert home.status == 200 and "Sign out" in home.text
