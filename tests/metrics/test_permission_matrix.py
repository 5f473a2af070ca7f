"""Every role against every monthly-returns page and step: the status each must get.
Another site's return is a 404 for anyone tied to one site, so its existence does not leak.

Programme leads are not site staff. They are tied to their Place, and a Place's people may
read its site (`sites.rules.can_view_site`), so they read the site's returns, versions and
downloads; but they do not file, acknowledge, send, sign off or answer queries (403), and
the returns home page lists their site's returns to read (with no upload).
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from metrics import services
from metrics.models import DataQualityQuery, QueryStatus, Return, ReturnStatus
from metrics.returns.checks import ParsedValue
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.metrics.workbooks import expected_values

ROLES = [
    "anonymous",
    "no_role",
    "programme_lead",
    "site_staff",
    "site_lead",
    "taskforce_member",
    "taskforce_chair",
    "administrator",
]

LOGIN = "login"  # redirected to sign in
DONE = "done"  # redirected back to the return, and the step has happened

# Expected outcome per role, in ROLES order.
SIGNED_IN = [LOGIN] + [200] * 7
RETURNS_HOME = [
    LOGIN,
    403,
    200,
    200,
    200,
    200,
    200,
    200,
]  # site people and the Place's lead: its returns; the taskforce: coverage
FILERS_ONLY = [LOGIN, 403, 403, 200, 200, 403, 403, 200]
OWN_READ = [LOGIN, 404, 200, 200, 200, 200, 200, 200]
OTHER_READ = [LOGIN, 404, 404, 404, 404, 200, 200, 200]
OWN_PREPARE = [LOGIN, 404, 403, 200, 200, 403, 403, 200]
OTHER_PREPARE = [LOGIN, 404, 404, 404, 404, 403, 403, 200]

OWN_PREPARE_STEP = [LOGIN, 404, 403, DONE, DONE, 403, 403, DONE]
OTHER_PREPARE_STEP = [LOGIN, 404, 404, 404, 404, 403, 403, DONE]
OWN_SIGN_OFF = [LOGIN, 404, 403, 403, DONE, 403, 403, DONE]
OTHER_SIGN_OFF = [LOGIN, 404, 404, 404, 404, 403, 403, DONE]
OWN_TASKFORCE_STEP = [LOGIN, 404, 403, 403, 403, DONE, DONE, DONE]
OTHER_TASKFORCE_STEP = [LOGIN, 404, 404, 404, 404, DONE, DONE, DONE]

CLEAN = [
    ParsedValue(metric, category, num, den, num_sup, den_sup, "", "")
    for (metric, category), (num, den, num_sup, den_sup) in expected_values("1.2").items()
]
# O1 new appointments, age 18-19: an unsuppressed 3, which the guide asks to be * (a warning).
WITH_WARNINGS = [
    v
    if (v.metric, v.category) != ("O1_NEW", "age_18_19")
    else ParsedValue("O1_NEW", "age_18_19", 3, v.denominator, False, False, "", "")
    for v in CLEAN
]


def _file(site, period, by, values=CLEAN):
    return services.submit_values(
        site=site, period=period, values=values, layout="1.2", source="api", by=by, based_on=None
    ).return_record


def _outcome(response) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login")):
            return LOGIN
        return f"302 to {location}"
    return response.status_code


def _open_period(months_back: int):
    return ReportingPeriodFactory(today=timezone.localdate(), month=month_start(timezone.localdate(), months_back))


# --- Pages ----------------------------------------------------------------------------------


@pytest.fixture
def filed(catalogue, site, other_site, people):
    """Both sites' returns for last month, each with two versions and a query."""
    period = _open_period(1)
    admin, taskforce = people["administrator"], people["taskforce_member"]
    for each in (site, other_site):
        _file(each, period, admin)
        record = _file(each, period, admin, WITH_WARNINGS)  # a second version must differ: identical filings store nothing
        services.raise_query(return_record=record, by=taskforce, question="Why did O3 double?")
    return period


def _pages(site, other_site, period):
    pages = [
        ("returns home", reverse("returns"), RETURNS_HOME),
        ("upload", reverse("return-upload"), FILERS_ONLY),
        ("query log", reverse("return-queries"), SIGNED_IN),
    ]
    for whose, each, read, prepare in (("own", site, OWN_READ, OWN_PREPARE), ("other", other_site, OTHER_READ, OTHER_PREPARE)):
        at = [each.pk, period.slug]
        pages += [
            (f"{whose} site's returns", reverse("site-returns", args=[each.pk]), read),
            (f"{whose} return", reverse("return-detail", args=at), read),
            (f"{whose} version", reverse("return-version", args=[*at, 1]), read),
            (f"{whose} version download", reverse("return-version-download", args=[*at, 2]), read),
            (f"{whose} compare", reverse("return-diff", args=at) + "?from=1&to=2", read),
            (f"{whose} blank template", reverse("return-blank-template", args=at), read),  # everyone who sees the return
            (f"{whose} edit grid", reverse("return-edit", args=at), prepare),
        ]
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_every_returns_page_answers_each_role_as_expected(client, people, site, other_site, filed, role):
    user = people[role]
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, path, expected in _pages(site, other_site, filed):
        outcome = _outcome(client.get(path))
        if outcome != expected[ROLES.index(role)]:
            wrong.append(f"{name} ({path}): got {outcome}, expected {expected[ROLES.index(role)]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_the_query_log_lists_only_the_sites_a_person_may_see(client, people, site, other_site, filed):
    client.force_login(people["site_staff"])

    shown = {q.return_record.site for q in client.get(reverse("return-queries")).context["queries"]}

    assert shown == {site}


# --- Steps (POST) ---------------------------------------------------------------------------


def _acknowledge(site, period, by, taskforce):
    record = _file(site, period, by, WITH_WARNINGS)
    return (
        reverse("return-acknowledge", args=[site.pk, period.slug]),
        {"comment": "3 is already published"},
        lambda: Return.objects.get(pk=record.pk).latest_version.warnings_acknowledged_at is not None,
    )


def _send(site, period, by, taskforce):
    record = _file(site, period, by)
    return (
        reverse("return-send", args=[site.pk, period.slug]),
        {},
        lambda: Return.objects.get(pk=record.pk).status == ReturnStatus.AWAITING_SIGN_OFF,
    )


def _sign_off(site, period, by, taskforce):
    record = _file(site, period, by)
    services.send_for_sign_off(return_record=record, by=by)
    return (
        reverse("return-sign-off", args=[site.pk, period.slug]),
        {},
        lambda: Return.objects.get(pk=record.pk).status == ReturnStatus.SUBMITTED,
    )


def _request_correction(site, period, by, taskforce):
    record = _file(site, period, by)
    services.send_for_sign_off(return_record=record, by=by)
    services.sign_off(return_record=record, by=by)
    return (
        reverse("return-request-correction", args=[site.pk, period.slug]),
        {"reason": "O3 bed days look doubled"},
        lambda: Return.objects.get(pk=record.pk).status == ReturnStatus.CORRECTION_REQUESTED,
    )


def _raise_query(site, period, by, taskforce):
    record = _file(site, period, by)
    return (
        reverse("return-raise-query", args=[site.pk, period.slug]),
        {"question": "Why did O3 double?"},
        lambda: DataQualityQuery.objects.filter(return_record=record).exists(),
    )


def _answer_query(site, period, by, taskforce):
    record = _file(site, period, by)
    query = services.raise_query(return_record=record, by=taskforce, question="Why did O3 double?")
    return (
        reverse("return-query-answer", args=[query.pk]),
        {"answer": "A ward moved into the cohort"},
        lambda: DataQualityQuery.objects.get(pk=query.pk).status == QueryStatus.ANSWERED,
    )


def _close_query(site, period, by, taskforce):
    record = _file(site, period, by)
    query = services.raise_query(return_record=record, by=taskforce, question="Why did O3 double?")
    services.answer_query(query=query, by=by, answer="A ward moved into the cohort")
    return (
        reverse("return-query-close", args=[query.pk]),
        {"note": "Understood"},
        lambda: DataQualityQuery.objects.get(pk=query.pk).status == QueryStatus.CLOSED,
    )


def _reopen_query(site, period, by, taskforce):
    record = _file(site, period, by)
    query = services.raise_query(return_record=record, by=taskforce, question="Why did O3 double?")
    services.close_query(query=query, by=taskforce)
    return (
        reverse("return-query-reopen", args=[query.pk]),
        {"note": "Which ward?"},
        lambda: DataQualityQuery.objects.get(pk=query.pk).status == QueryStatus.OPEN,
    )


STEPS = [
    ("acknowledge", _acknowledge, OWN_PREPARE_STEP, OTHER_PREPARE_STEP),
    ("send for sign-off", _send, OWN_PREPARE_STEP, OTHER_PREPARE_STEP),
    ("sign off", _sign_off, OWN_SIGN_OFF, OTHER_SIGN_OFF),
    ("request correction", _request_correction, OWN_TASKFORCE_STEP, OTHER_TASKFORCE_STEP),
    ("raise query", _raise_query, OWN_TASKFORCE_STEP, OTHER_TASKFORCE_STEP),
    ("answer query", _answer_query, OWN_PREPARE_STEP, OTHER_PREPARE_STEP),
    ("close query", _close_query, OWN_TASKFORCE_STEP, OTHER_TASKFORCE_STEP),
    ("reopen query", _reopen_query, OWN_TASKFORCE_STEP, OTHER_TASKFORCE_STEP),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_step_answers_each_role_as_expected(client, catalogue, people, site, other_site, role):
    user = people[role]
    if user is not None:
        client.force_login(user)
    admin, taskforce = people["administrator"], people["taskforce_member"]
    wrong = []
    for months_back, (name, prepare, own, other) in enumerate(STEPS, start=1):
        period = _open_period(months_back)  # each step its own month, so each return starts fresh
        for whose, each, expected in (("own", site, own), ("other", other_site, other)):
            path, data, happened = prepare(each, period, admin, taskforce)
            response = client.post(path, data)
            outcome = _outcome(response)
            detail = reverse("return-detail", args=[each.pk, period.slug])
            if outcome == f"302 to {detail}":
                told = [str(m) for m in get_messages(response.wsgi_request)]
                outcome = DONE if happened() else f"302, nothing changed: {told}"
            elif happened():
                outcome = f"{outcome}, but the step happened"
            if outcome != expected[ROLES.index(role)]:
                wrong.append(f"{whose} {name}: got {outcome}, expected {expected[ROLES.index(role)]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_steps_are_posts_only(client, catalogue, people, site):
    period = _open_period(1)
    _file(site, period, people["administrator"])
    client.force_login(people["site_lead"])

    statuses = {
        name: client.get(reverse(name, args=[site.pk, period.slug])).status_code
        for name in ("return-acknowledge", "return-send", "return-sign-off", "return-request-correction", "return-raise-query")
    }

    assert set(statuses.values()) == {405}, statuses


def test_a_step_on_a_month_with_nothing_filed_is_a_404(client, catalogue, people, site):
    period = _open_period(1)
    client.force_login(people["site_lead"])

    response = client.post(reverse("return-send", args=[site.pk, period.slug]))

    assert response.status_code == 404
    assert not Return.objects.exists()


def test_an_unknown_month_is_a_404_not_an_error(client, people, site):
    client.force_login(people["site_staff"])

    for month in ("2026-13", "not-a-month", datetime.date.today().strftime("%Y-%m")):
        assert client.get(reverse("return-detail", args=[site.pk, month])).status_code == 404
