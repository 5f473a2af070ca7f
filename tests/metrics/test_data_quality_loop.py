"""The data-quality loop: the taskforce raises a query or requests a correction, the site is
told and answers or files a corrected version, the taskforce is told and closes the query or
reopens it with a note. Every step is audited, shown on the return's timeline, offered only
to those who may take it, refused clearly when impossible (a message on the page, 409 in the
API), and each e-mail goes out once, after the step commits."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metrics import services, tasks
from metrics.models import DataQualityQuery, NoticeSent, QueryStatus
from metrics.returns import notices
from metrics.returns.checks import ParsedValue
from nhsportal.celery import app
from nhsportal.models import AuditEvent, Role
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.workbooks import expected_values
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db

CLEAN = [
    ParsedValue(metric, category, num, den, num_sup, den_sup, "", "")
    for (metric, category), (num, den, num_sup, den_sup) in expected_values("1.2").items()
]
# A corrected filing: ten bed days moved from 70-79 to 60-69, so the Total still adds up. (An
# identical filing stores no version at all.)
MOVED = {("O3_BED_DAYS", "age_60_69"): 10, ("O3_BED_DAYS", "age_70_79"): -10}
CORRECTED = [
    dataclasses.replace(value, numerator=value.numerator + MOVED.get((value.metric, value.category), 0))
    if (value.metric, value.category) in MOVED
    else value
    for value in CLEAN
]


@pytest.fixture(autouse=True)
def eager_tasks(monkeypatch, settings):
    """The notice task runs in this process once the step commits (no worker in these tests)."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.PORTAL_BASE_URL = "https://portal.example"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a step as a request would: its on-commit callbacks (the notices) run after it."""

    def run(step, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(**kwargs)

    return run


@pytest.fixture
def filed(catalogue, croydon, period, staff, lead):
    """Croydon's return for last month, filed, signed off and submitted."""
    record = services.submit_values(
        site=croydon, period=period, values=CLEAN, layout="1.2", source="api", by=staff, based_on=None
    ).return_record
    services.send_for_sign_off(return_record=record, by=staff)
    services.sign_off(return_record=record, by=lead)
    record.refresh_from_db()
    return record


@pytest.fixture
def chair(db):
    return user_with_role(Role.TASKFORCE_CHAIR, username="chair", email="chair@example.nhs.uk")


def _page(client, record):
    return client.get(reverse("return-detail", args=[record.site_id, record.period.slug]))


def _told(response) -> list[str]:
    """The messages a step left for the page it redirects to."""
    return [str(m) for m in get_messages(response.wsgi_request)]


def _post(client, path, data) -> list[str]:
    """Post a step and read the page it lands on, as a browser would: what it was told."""
    response = client.post(path, data, follow=True)
    assert response.status_code == 200
    return [str(m) for m in get_messages(response.wsgi_request)]


def _audited(record) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(record.pk), action__startswith="return.query")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


# --- The loop through the pages -------------------------------------------------------------


def test_raise_answer_close_through_the_pages_tells_each_side_once(
    client, filed, staff, lead, taskforce, chair, django_capture_on_commit_callbacks
):
    client.force_login(taskforce)
    with django_capture_on_commit_callbacks(execute=True):
        raised = client.post(
            reverse("return-raise-query", args=[filed.site_id, filed.period.slug]), {"question": "Why did O3 double?"}
        )
    query = DataQualityQuery.objects.get(return_record=filed)
    assert "Your query has been sent to the site." in _told(raised)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["lead@croydon.example.nhs.uk", "staff@croydon.example.nhs.uk"],
            f"Croydon: a data-quality query about the {filed.period} return",
        )
    ]
    assert "Why did O3 double?" in mail.outbox[0].body
    assert f"https://portal.example/returns/{filed.site_id}/{filed.period.slug}/#query-{query.pk}" in mail.outbox[0].body

    client.force_login(staff)
    page = _page(client, filed).content.decode()
    assert "Why did O3 double?" in page and "about version 1" in page
    assert "Send answer" in page and "Close the query" not in page
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(reverse("return-query-answer", args=[query.pk]), {"answer": "A ward joined the cohort"})
    assert "Your answer has been sent to the taskforce." in _told(answered)
    assert mail.outbox[1].to == ["taskforce@example.nhs.uk"]  # the raiser, not the whole taskforce
    assert "A ward joined the cohort" in mail.outbox[1].body
    assert "Croydon answered your data-quality query" in mail.outbox[1].subject

    client.force_login(taskforce)
    page = _page(client, filed).content.decode()
    assert "Close the query" in page and "Reopen the query" in page and "Send answer" not in page
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(reverse("return-query-close", args=[query.pk]), {"note": "Thanks: that explains it"})
    assert "The query has been closed." in _told(closed)
    query.refresh_from_db()
    assert (query.status, query.closed_by, query.closing_note) == (QueryStatus.CLOSED, taskforce, "Thanks: that explains it")
    assert len(mail.outbox) == 2  # closing tells nobody: the site's part is done
    assert _audited(filed) == ["return.query_raised", "return.query_answered", "return.query_closed"]

    page = _page(client, filed)
    timeline = [entry["title"] for entry in page.context["timeline"]]
    assert timeline == [
        "Version 1 filed",
        "Sent to the site lead for sign-off",
        "Signed off and submitted",
        "Data quality query raised",
        "Data quality query answered",
        "Data quality query closed",
    ]
    html = page.content.decode()
    assert "Closed by Sam" in html and "Thanks: that explains it" in html and "Close the query" not in html


def test_a_reopened_query_is_answered_again_and_each_round_tells_once(client, filed, staff, taskforce, committed):
    query = committed(services.raise_query, return_record=filed, by=taskforce, question="Why did O3 double?")
    committed(services.answer_query, query=query, by=staff, answer="A ward joined")
    committed(services.close_query, query=query, by=taskforce, note="")
    reopened = committed(services.reopen_query, query=query, by=taskforce, note="Which ward, and from when?")

    assert (reopened.status, reopened.round, reopened.closed_at) == (QueryStatus.OPEN, 2, None)
    again = committed(services.answer_query, query=reopened, by=staff, answer="Ward 7, from 3 June")

    assert [m.subject.split(":")[0] if ":" in m.subject else m.subject for m in mail.outbox] == [
        "Croydon",
        "Croydon answered your data-quality query about the " + str(filed.period) + " return",
        "Croydon",
        "Croydon answered your data-quality query about the " + str(filed.period) + " return",
    ]
    assert "has been reopened" in mail.outbox[2].subject and "Which ward, and from when?" in mail.outbox[2].body
    assert "Ward 7, from 3 June" in mail.outbox[3].body
    assert sorted(NoticeSent.objects.values_list("key", flat=True)) == sorted(
        [
            f"query_raised:{query.pk}:1",
            f"query_answered:{query.pk}:1",
            f"query_reopened:{query.pk}:2",
            f"query_answered:{query.pk}:2",
        ]
    )
    assert again.answer == "Ward 7, from 3 June"
    assert _audited(filed) == [
        "return.query_raised",
        "return.query_answered",
        "return.query_closed",
        "return.query_reopened",
        "return.query_answered",
    ]
    # The first answer is not lost: the timeline (from the audit trail) keeps both.
    client.force_login(taskforce)
    notes = [e["note"] for e in _page(client, filed).context["timeline"] if e["title"] == "Data quality query answered"]
    assert notes == ["A ward joined", "Ward 7, from 3 June"]


def test_impossible_steps_are_refused_with_a_message_and_change_nothing(client, filed, staff, taskforce):
    query = services.raise_query(return_record=filed, by=taskforce, question="Why did O3 double?")
    client.force_login(taskforce)
    told = _post(client, reverse("return-query-reopen", args=[query.pk]), {"note": "More please"})
    assert told == ["This query is already open: it is waiting for the site's answer."]
    told = _post(client, reverse("return-query-reopen", args=[query.pk]), {"note": ""})
    assert told == ["Say what the site should answer now."]

    services.close_query(query=query, by=taskforce)
    told = _post(client, reverse("return-query-close", args=[query.pk]), {"note": ""})
    assert len(told) == 1 and told[0].startswith("This query was already closed on ")

    client.force_login(staff)
    told = _post(client, reverse("return-query-answer", args=[query.pk]), {"answer": "Late answer"})
    assert len(told) == 1 and "so it can no longer be answered" in told[0]
    query.refresh_from_db()
    assert (query.status, query.answer, query.round) == (QueryStatus.CLOSED, "", 1)
    assert _audited(filed) == ["return.query_raised", "return.query_closed"]


def test_another_sites_staff_cannot_find_the_query(client, filed, taskforce):
    query = services.raise_query(return_record=filed, by=taskforce, question="Why did O3 double?")
    elsewhere = user_with_role(Role.SITE_STAFF, site=SiteFactory())
    client.force_login(elsewhere)
    for name, data in (
        ("return-query-answer", {"answer": "x"}),
        ("return-query-close", {}),
        ("return-query-reopen", {"note": "x"}),
    ):
        assert client.post(reverse(name, args=[query.pk]), data).status_code == 404
    assert client.get(reverse("return-queries")).context["queries"] == []
    assert DataQualityQuery.objects.get(pk=query.pk).status == QueryStatus.OPEN


def test_the_query_log_puts_open_first_and_filters_by_status(client, filed, staff, taskforce):
    answered = services.raise_query(return_record=filed, by=taskforce, question="First")
    services.answer_query(query=answered, by=staff, answer="Done")
    closed = services.raise_query(return_record=filed, by=taskforce, question="Second")
    services.close_query(query=closed, by=taskforce)
    opened = services.raise_query(return_record=filed, by=taskforce, question="Third")
    client.force_login(taskforce)

    assert [q.pk for q in client.get(reverse("return-queries")).context["queries"]] == [opened.pk, answered.pk, closed.pk]
    assert [q.pk for q in client.get(reverse("return-queries") + "?status=closed").context["queries"]] == [closed.pk]


# --- Corrections ----------------------------------------------------------------------------


def test_a_correction_request_tells_the_site_and_the_corrected_version_tells_the_requester(
    client, filed, staff, taskforce, committed
):
    committed(services.request_correction, return_record=filed, by=taskforce, reason="O3 bed days look doubled")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["lead@croydon.example.nhs.uk", "staff@croydon.example.nhs.uk"],
            f"Croydon: the taskforce asked for a correction to the {filed.period} return",
        )
    ]
    assert "O3 bed days look doubled" in mail.outbox[0].body
    assert f"https://portal.example/returns/{filed.site_id}/{filed.period.slug}/" in mail.outbox[0].body

    version = committed(
        services.submit_values,
        site=filed.site,
        period=filed.period,
        values=CORRECTED,
        layout="1.2",
        source="form",
        by=staff,
        based_on=1,
        note="Bed days de-duplicated",
    )
    assert version.number == 2
    assert mail.outbox[1].to == ["taskforce@example.nhs.uk"]
    assert mail.outbox[1].subject == f"Croydon filed a corrected {filed.period} return (version 2)"
    assert "Bed days de-duplicated" in mail.outbox[1].body
    assert f"/returns/{filed.site_id}/{filed.period.slug}/compare/?from=1&to=2" in mail.outbox[1].body

    # A further version of a return that is no longer awaiting a correction tells nobody.
    committed(
        services.submit_values,
        site=filed.site,
        period=filed.period,
        values=CLEAN,  # back to the first figures: another change
        layout="1.2",
        source="form",
        by=staff,
        based_on=2,
    )
    assert len(mail.outbox) == 2


def test_when_the_asker_has_gone_the_taskforce_is_told(filed, staff, taskforce, chair, committed):
    query = committed(services.raise_query, return_record=filed, by=taskforce, question="Why did O3 double?")
    committed(services.request_correction, return_record=filed, by=taskforce, reason="O3 doubled")
    taskforce.delete()
    mail.outbox.clear()

    committed(services.answer_query, query=query, by=staff, answer="A ward joined")
    committed(
        services.submit_values,
        site=filed.site,
        period=filed.period,
        values=CORRECTED,
        layout="1.2",
        source="form",
        by=staff,
        based_on=1,
    )
    assert [m.to for m in mail.outbox] == [["chair@example.nhs.uk"], ["chair@example.nhs.uk"]]


def test_each_notice_is_sent_once_however_often_its_task_runs(filed, taskforce):
    query = services.raise_query(return_record=filed, by=taskforce, question="Why?")  # no commit: nothing sent yet
    assert mail.outbox == []
    key = notices.key_for(notices.QUERY_RAISED, query)
    first = tasks.send_data_quality_notice.apply(args=(notices.QUERY_RAISED, query.pk, key)).get()
    second = tasks.send_data_quality_notice.apply(args=(notices.QUERY_RAISED, query.pk, key)).get()
    assert (first, second, len(mail.outbox)) == (2, 0, 1)


def test_a_refused_step_sends_nothing(filed, taskforce, committed, django_capture_on_commit_callbacks):
    committed(services.request_correction, return_record=filed, by=taskforce, reason="O3 doubled")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(services.TransitionRefused):
        services.request_correction(return_record=filed, by=taskforce, reason="Again")  # already requested
    assert callbacks == [] and len(mail.outbox) == 1


def test_a_broker_outage_sends_the_notice_from_the_request(filed, taskforce, committed, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.send_data_quality_notice, "apply_async", down)
    committed(services.raise_query, return_record=filed, by=taskforce, question="Why did O3 double?")
    assert len(mail.outbox) == 1 and NoticeSent.objects.count() == 1


# --- The API --------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_loop_through_the_api(filed, staff, taskforce, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = _api(taskforce).post(
            "/api/v1/data-quality-queries/", {"return_id": filed.pk, "question": "Why did O3 double?"}, format="json"
        )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["raised_by"], body["version"], body["round"]) == ("open", taskforce.get_full_name(), 1, 1)
    url = f"/api/v1/data-quality-queries/{body['id']}/"

    assert _api(staff).post(url + "close/", {}, format="json").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        answered = _api(staff).post(url + "answer/", {"answer": "A ward joined"}, format="json")
    assert (answered.status_code, answered.json()["status"], answered.json()["answer"]) == (200, "answered", "A ward joined")
    assert _api(staff).post(url + "answer/", {"answer": "Again"}, format="json").status_code == 409

    closed = _api(taskforce).post(url + "close/", {"note": "Thanks"}, format="json")
    assert (closed.status_code, closed.json()["status"], closed.json()["closing_note"]) == (200, "closed", "Thanks")
    refused = _api(taskforce).post(url + "close/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["detail"].startswith("This query was already closed")
    assert _api(staff).post(url + "answer/", {"answer": "Late"}, format="json").status_code == 409
    assert _api(taskforce).post(url + "reopen/", {}, format="json").status_code == 400  # a note is needed

    reopened = _api(taskforce).post(url + "reopen/", {"note": "Which ward?"}, format="json")
    assert (reopened.json()["status"], reopened.json()["round"], reopened.json()["reopening_note"]) == ("open", 2, "Which ward?")
    assert _api(taskforce).post(url + "reopen/", {"note": "Again"}, format="json").status_code == 409

    listed = _api(staff).get("/api/v1/data-quality-queries/", {"status": "open"}).json()
    assert [q["id"] for q in listed["results"]] == [body["id"]]
    assert len(mail.outbox) == 2  # raised (to the site), answered (to the raiser); the rest ran without commit
    assert _audited(filed) == [
        "return.query_raised",
        "return.query_answered",
        "return.query_closed",
        "return.query_reopened",
    ]


def test_the_api_scopes_queries_to_the_sites_a_person_may_see(filed, staff, taskforce):
    query = services.raise_query(return_record=filed, by=taskforce, question="Why?")
    elsewhere = user_with_role(Role.SITE_STAFF, site=SiteFactory())
    url = f"/api/v1/data-quality-queries/{query.pk}/"

    assert _api(elsewhere).get(url).status_code == 404
    assert _api(elsewhere).post(url + "answer/", {"answer": "x"}, format="json").status_code == 404
    assert _api(elsewhere).get("/api/v1/data-quality-queries/").json()["results"] == []
    assert _api(staff).get(url).status_code == 200
    raised = _api(staff).post("/api/v1/data-quality-queries/", {"return_id": filed.pk, "question": "x"}, format="json")
    assert raised.status_code == 403
    other = _api(elsewhere).post("/api/v1/data-quality-queries/", {"return_id": filed.pk, "question": "x"}, format="json")
    assert other.status_code == 404
    assert DataQualityQuery.objects.count() == 1


# --- What the return page offers ------------------------------------------------------------


def test_the_return_page_links_the_grid_editor_for_those_who_may_file(client, filed, staff, taskforce):
    client.force_login(staff)
    html = _page(client, filed).content.decode()
    assert "Correct the figures in the browser" in html
    assert reverse("return-edit", args=[filed.site_id, filed.period.slug]) in html
    client.force_login(taskforce)
    html = _page(client, filed).content.decode()
    assert "Correct the figures in the browser" not in html and "Upload a new version" not in html


def test_a_closed_month_offers_a_new_version_only_to_an_administrator(client, catalogue, croydon, staff):
    today = timezone.localdate()
    closed = ReportingPeriodFactory(today=today - datetime.timedelta(days=60), month=datetime.date(today.year - 1, 1, 1))
    admin = user_with_role(Role.ADMINISTRATOR)
    record = services.submit_values(
        site=croydon, period=closed, values=CLEAN, layout="1.2", source="api", by=admin, based_on=None, note="Late data"
    ).return_record
    assert closed.final_submission_due < today

    client.force_login(staff)
    html = _page(client, record).content.decode()
    assert "Upload a new version" not in html and "Correct the figures in the browser" not in html
    assert "Only an administrator can change this return now" in html
    client.force_login(admin)
    html = _page(client, record).content.decode()
    assert "Upload a new version" in html and "Correct the figures in the browser" in html


# --- Nobody to name -------------------------------------------------------------------------


def test_pages_name_nobody_gracefully_when_people_are_gone(client, filed, staff, lead, taskforce):
    """The demo's query has no author; any query's author may be deleted. Every page that names a
    person copes with nobody (it answered 500 for the taskforce)."""
    query = services.raise_query(return_record=filed, by=taskforce, question="Why did O3 double?")
    services.answer_query(query=query, by=staff, answer="A ward joined")
    services.close_query(query=query, by=taskforce)
    DataQualityQuery.objects.create(return_record=filed, version=filed.latest_version, question="Demo", raised_by=None)
    reader = user_with_role(Role.TASKFORCE_MEMBER)
    staff.delete()
    lead.delete()
    taskforce.delete()
    client.force_login(reader)

    detail = _page(client, filed)
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "The taskforce asked on" in html and "The site answered" in html and "Closed by the taskforce" in html
    assert "by Not recorded" in html  # the version's filer and signer
    assert "Not recorded" in [e["who"] for e in detail.context["timeline"]]

    log = client.get(reverse("return-queries"))
    assert log.status_code == 200 and "The taskforce," in log.content.decode()
    version = client.get(reverse("return-version", args=[filed.site_id, filed.period.slug, 1]))
    assert version.status_code == 200 and "Signed off by Not recorded" in version.content.decode()
    api = _api(reader).get(f"/api/v1/data-quality-queries/{query.pk}/").json()
    assert (api["raised_by"], api["answered_by"], api["closed_by"]) == (None, None, None)


# --- The review pack ------------------------------------------------------------------------


def test_the_review_pack_counts_only_queries_not_closed(client, filed, staff, taskforce):
    from reviews.pack import review_pack
    from tests.reviews.factories import ReviewFactory

    services.raise_query(return_record=filed, by=taskforce, question="Open")
    answered = services.raise_query(return_record=filed, by=taskforce, question="Answered")
    services.answer_query(query=answered, by=staff, answer="Yes")
    closed = services.raise_query(return_record=filed, by=taskforce, question="Closed")
    services.close_query(query=closed, by=taskforce)

    review = ReviewFactory(site=filed.site, reviewer=taskforce)
    pack = review_pack(review, user=taskforce)
    assert sorted(q.question for q in pack["queries"]) == ["Answered", "Open"]
    client.force_login(taskforce)
    page = client.get(reverse("review-detail", args=[review.pk])).content.decode()
    assert "2 data quality queries not closed." in page


def test_the_demo_query_with_no_author_answers_200_for_the_taskforce(client, settings):
    """The issue's report: /returns/queries/ and the demo's queried return answered 500."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from markupsafe import escape

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=None)
    query = DataQualityQuery.objects.select_related("return_record__period").get(raised_by=None)
    client.force_login(get_user_model().objects.get(username="taskforce"))

    log = client.get(reverse("return-queries"))
    detail = client.get(reverse("return-detail", args=[query.return_record.site_id, query.return_record.period.slug]))

    assert (log.status_code, detail.status_code) == (200, 200)
    assert str(escape(query.question)) in log.content.decode() and "The taskforce asked on" in detail.content.decode()
    assert "Close the query" in detail.content.decode()  # answered in the demo: the taskforce can now close it


def test_the_grid_editor_of_a_closed_month_is_for_administrators_only(client, catalogue, croydon, staff):
    today = timezone.localdate()
    closed = ReportingPeriodFactory(today=today - datetime.timedelta(days=60), month=datetime.date(today.year - 1, 2, 1))
    url = reverse("return-edit", args=[croydon.pk, closed.slug])
    client.force_login(staff)
    refused = client.get(url, follow=True)
    # Back to the return page, told why: no grid to fill in only to be refused at the end.
    assert refused.redirect_chain == [(reverse("return-detail", args=[croydon.pk, closed.slug]), 302)]
    assert "is closed, so its return can no longer be changed" in refused.content.decode()
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    assert client.get(url).status_code == 200


def test_the_site_home_page_points_to_the_queries_waiting_for_its_answer(client, filed, staff, taskforce):
    services.raise_query(return_record=filed, by=taskforce, question="Why did O3 double?")
    answered = services.raise_query(return_record=filed, by=taskforce, question="And O4?")
    services.answer_query(query=answered, by=staff, answer="Checked")
    client.force_login(staff)

    home = client.get("/").content.decode()

    assert "Answer 1 data quality query from the taskforce" in home
    link = reverse("return-queries") + "?status=open"
    assert link in home
    assert [q.question for q in client.get(link).context["queries"]] == ["Why did O3 double?"]


def test_the_taskforce_home_page_counts_queries_waiting_on_each_side(client, filed, staff, taskforce):
    services.raise_query(return_record=filed, by=taskforce, question="One")
    services.raise_query(return_record=filed, by=taskforce, question="Two")
    answered = services.raise_query(return_record=filed, by=taskforce, question="Three")
    services.answer_query(query=answered, by=staff, answer="Checked")
    closed = services.raise_query(return_record=filed, by=taskforce, question="Four")
    services.close_query(query=closed, by=taskforce)
    ReportingPeriodFactory(today=timezone.localdate() - datetime.timedelta(days=40))  # a month past its initial deadline
    client.force_login(taskforce)

    home = client.get("/").content.decode()

    assert "2 data quality queries are waiting for the site's answer" in home
    assert "1 answered query is waiting to be closed or reopened" in home
    assert reverse("return-queries") + "?status=answered" in home
