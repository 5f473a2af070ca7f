"""Sites whose systems file automatically, and analysts who read returns, through the API:
the same scoping, checks, lifecycle and conflict rules as the pages."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from metrics import services
from metrics.models import Return, ReturnStatus, ReturnValue, ReturnVersion
from metrics.returns.checks import ParsedValue
from metrics.returns.template import LAYOUTS, METRIC_LINES
from nhsportal.models import Role
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.metrics.workbooks import expected_values, figures, make_workbook
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CLEAN = [
    ParsedValue(metric, category, num, den, num_sup, den_sup, "", "")
    for (metric, category), (num, den, num_sup, den_sup) in expected_values("1.2").items()
]


@pytest.fixture
def client_as(db):
    """An API client signed in (by session) as the given user, or anonymous for None."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def sunderland(db):
    return SiteFactory(place__name="Sunderland")


@pytest.fixture
def sunderland_staff(sunderland):
    return user_with_role(Role.SITE_STAFF, site=sunderland, username="staff.sunderland")


def _file(site, period, by, **kwargs):
    return services.submit_values(
        site=site, period=period, values=CLEAN, layout="1.2", source="api", by=by, based_on=None, **kwargs
    ).return_record


def _period(months_back):
    today = timezone.localdate()
    return ReportingPeriodFactory(today=today, month=month_start(today, months_back))


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def json_values(layout="1.2", **changes):
    """Every metric line × category of the layout, as a site's system would send them:
    counts, * where suppressed, the cohort as each rate's denominator. `changes` replace
    figures: O3_BED_DAYS__total=-4, or None to leave the figure out."""
    typed = figures(layout)
    cohort = typed["COHORT"]
    values = []
    for metric in METRIC_LINES:
        for category in LAYOUTS[layout].categories:
            key = f"{metric.code}__{category}"
            numerator = changes.get(key, typed[metric.code][category])
            if numerator is None:
                continue
            value = {"metric": metric.code, "category": category, "numerator": numerator}
            if metric.has_rate:
                value["denominator"] = cohort[category]
            values.append(value)
    return values


def _submit(client, site, period, values, **extra):
    payload = {"site": site.pk, "month": period.month.isoformat(), "values": values, **extra}
    return client.post("/api/v1/returns/submit/", payload, format="json")


class _Starts(str):
    """Equal to any text that starts with it: a message's start, in an expected tuple."""

    def __eq__(self, other):
        return isinstance(other, str) and other.startswith(self)

    __hash__ = str.__hash__


def _refusals(response):
    """(sheet, cell, code, message) of each problem of a refusal, which always has this one shape."""
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert body["detail"].startswith("The return was not accepted")
    return [(e["sheet"], e["cell"], e["code"], e["message"]) for e in body["errors"]]


def _starting(*expected):
    return [(sheet, cell, code, _Starts(start)) for sheet, cell, code, start in expected]


def _upload(client, data, **extra):
    return client.post(
        "/api/v1/returns/upload/",
        {"file": SimpleUploadedFile("croydon.xlsx", data, content_type=XLSX), **extra},
        format="multipart",
    )


# --- Reading: scoping and filters -----------------------------------------------------------


class TestScoping:
    @pytest.fixture
    def both(self, catalogue, croydon, sunderland, period, staff, sunderland_staff):
        return _file(croydon, period, staff), _file(sunderland, period, sunderland_staff)

    def test_site_staff_list_only_their_own_sites_returns(self, client_as, staff, both):
        mine, _ = both

        assert _ids(client_as(staff).get("/api/v1/returns/")) == [mine.pk]

    def test_the_taskforce_lists_every_sites_returns(self, client_as, taskforce, both):
        assert sorted(_ids(client_as(taskforce).get("/api/v1/returns/"))) == sorted(r.pk for r in both)

    def test_another_sites_return_versions_and_values_are_404_for_site_staff(self, client_as, staff, both):
        _, theirs = both
        version = theirs.latest_version
        value = ReturnValue.objects.filter(version=version).first()
        client = client_as(staff)

        assert client.get(f"/api/v1/returns/{theirs.pk}/").status_code == 404
        assert client.get(f"/api/v1/return-versions/{version.pk}/").status_code == 404
        assert client.get(f"/api/v1/return-values/{value.pk}/").status_code == 404
        assert {row["return_id"] for row in client.get("/api/v1/return-versions/").json()["results"]} == {both[0].pk}
        assert {row["return_id"] for row in client.get("/api/v1/return-values/").json()["results"]} == {both[0].pk}

    def test_a_return_reads_with_its_site_month_status_and_versions(self, client_as, staff, both, croydon, period):
        mine, _ = both

        body = client_as(staff).get(f"/api/v1/returns/{mine.pk}/").json()

        assert body == {
            "id": mine.pk,
            "site": croydon.pk,
            "site_name": "Croydon",
            "period": period.pk,
            "month": period.month.isoformat(),
            "status": "draft",
            "latest_version": 1,
            "signed_off_version": None,
            "first_signed_off_at": None,
            "correction_reason": "",
        }

    def test_another_sites_steps_are_404_for_site_staff(self, client_as, sunderland_staff, both):
        mine, _ = both
        client = client_as(sunderland_staff)

        assert client.post(f"/api/v1/returns/{mine.pk}/send-for-sign-off/").status_code == 404
        assert client.post(f"/api/v1/returns/{mine.pk}/acknowledge-warnings/", {"comment": "fine"}).status_code == 404
        assert Return.objects.get(pk=mine.pk).status == ReturnStatus.DRAFT

    def test_anonymous_callers_are_told_to_sign_in(self, client_as):
        for endpoint in ("metrics", "breakdown-categories", "periods", "returns", "return-versions", "return-values"):
            response = client_as(None).get(f"/api/v1/{endpoint}/")
            assert response.status_code == 401, endpoint


class TestFilters:
    @pytest.fixture
    def filed(self, catalogue, croydon, sunderland, staff, lead, sunderland_staff):
        """Croydon: three months (one signed off); Sunderland: the latest month."""
        months = [_period(n) for n in (1, 2, 3)]
        croydon_returns = [_file(croydon, p, staff) for p in months]
        services.send_for_sign_off(return_record=croydon_returns[1], by=staff)
        services.sign_off(return_record=croydon_returns[1], by=lead)
        sunderland_return = _file(sunderland, months[0], sunderland_staff)
        return months, croydon_returns, sunderland_return

    def test_returns_by_site(self, client_as, taskforce, filed, sunderland):
        _, _, theirs = filed

        assert _ids(client_as(taskforce).get("/api/v1/returns/", {"site": sunderland.pk})) == [theirs.pk]

    def test_returns_by_status(self, client_as, taskforce, filed):
        _, croydon_returns, _ = filed

        assert _ids(client_as(taskforce).get("/api/v1/returns/", {"status": "submitted"})) == [croydon_returns[1].pk]

    def test_returns_by_month_range(self, client_as, taskforce, filed, croydon):
        months, croydon_returns, _ = filed
        client = client_as(taskforce)

        between = client.get(
            "/api/v1/returns/",
            {"site": croydon.pk, "month_from": months[2].month.isoformat(), "month_to": months[1].month.isoformat()},
        )
        exactly = client.get("/api/v1/returns/", {"month": months[0].month.isoformat()})

        assert sorted(_ids(between)) == sorted([croydon_returns[1].pk, croydon_returns[2].pk])
        assert sorted(_ids(exactly)) == sorted([croydon_returns[0].pk, filed[2].pk])

    def test_versions_by_site_and_month(self, client_as, taskforce, filed, croydon):
        months, croydon_returns, _ = filed

        response = client_as(taskforce).get(
            "/api/v1/return-versions/", {"site": croydon.pk, "month": months[0].month.isoformat()}
        )

        assert _ids(response) == [croydon_returns[0].latest_version.pk]

    def test_values_by_metric_category_and_dimension(self, client_as, taskforce, filed):
        _, croydon_returns, _ = filed
        version = croydon_returns[0].latest_version.pk
        client = client_as(taskforce)

        one = client.get("/api/v1/return-values/", {"version": version, "metric": "O3_BED_DAYS", "category": "total"})
        imd = client.get("/api/v1/return-values/", {"version": version, "metric": "O3_BED_DAYS", "dimension": "imd"})

        assert [(r["metric"], r["category"], r["numerator"], r["denominator"]) for r in one.json()["results"]] == [
            ("O3_BED_DAYS", "total", 2900, 12000)
        ]
        assert [r["category"] for r in imd.json()["results"]] == ["imd_1", "imd_2", "imd_3", "imd_4", "imd_5", "imd_not_known"]

    def test_a_suppressed_value_reads_as_null_with_its_flag(self, client_as, taskforce, filed):
        _, croydon_returns, _ = filed
        version = croydon_returns[0].latest_version.pk

        rows = client_as(taskforce).get(
            "/api/v1/return-values/", {"version": version, "metric": "O1_PROC", "category": "age_18_19"}
        )

        ((row,),) = [rows.json()["results"]]
        assert (row["numerator"], row["numerator_suppressed"]) == (None, True)


# --- Filing -----------------------------------------------------------------------------------


class TestUpload:
    def test_site_staff_upload_the_template_and_get_the_new_version(self, client_as, staff, workbook, croydon, period):
        response = _upload(client_as(staff), workbook(), based_on_version=0)

        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["site"], body["month"], body["number"], body["source"], body["layout"]) == (
            croydon.pk,
            period.month.isoformat(),
            1,
            "upload",
            "1.2",
        )
        assert ReturnVersion.objects.get(pk=body["id"]).values.count() == 16 * 23

    def test_a_refused_upload_lists_every_problem_by_sheet_and_cell_and_stores_nothing(self, client_as, staff, workbook):
        response = _upload(client_as(staff), workbook(J21="12.5", E6=None, F9=-3))

        assert response.status_code == 400
        body = response.json()
        assert "Nothing has been stored" in body["detail"]
        assert all(set(error) == {"sheet", "cell", "code", "message"} for error in body["errors"])
        found = {(e["sheet"], e["cell"], e["code"]) for e in body["errors"]}
        assert found >= {
            ("SubmissionTemplate", "J21", "not_a_count"),
            ("SubmissionTemplate", "E6", "blank_cell"),
            ("SubmissionTemplate", "F9", "negative_count"),
        }
        j21 = next(e for e in body["errors"] if e["cell"] == "J21")
        assert j21["message"].startswith("SubmissionTemplate!J21")
        assert not Return.objects.exists()

    def test_a_file_that_is_not_a_workbook_is_refused_with_a_sentence(self, client_as, staff, catalogue, period):
        response = _upload(client_as(staff), b"%PDF-1.7 not a workbook")

        assert response.status_code == 400
        assert [e["code"] for e in response.json()["errors"]] == ["not_xlsx"]

    def test_a_request_without_a_file_names_the_field(self, client_as, staff, catalogue):
        response = client_as(staff).post("/api/v1/returns/upload/", {}, format="multipart")

        assert response.status_code == 400
        assert "file" in response.json()

    def test_an_upload_against_an_out_of_date_version_is_a_conflict(self, client_as, staff, lead, workbook):
        _upload(client_as(staff), workbook(), based_on_version=0)
        _upload(client_as(lead), workbook(D21=3000), based_on_version=1)

        response = _upload(client_as(staff), workbook(D21=3500), based_on_version=1)

        assert response.status_code == 409
        assert "Version 2 of this return was filed by" in response.json()["detail"]
        assert ReturnVersion.objects.count() == 2


class TestJsonSubmit:
    def test_every_metric_line_and_category_as_json_makes_a_version(self, client_as, staff, catalogue, croydon, period):
        response = _submit(client_as(staff), croydon, period, json_values(), based_on_version=0, note="From our EPR")

        assert response.status_code == 201, response.content
        version = ReturnVersion.objects.get(pk=response.json()["id"])
        assert (version.number, version.source, version.note) == (1, "api", "From our EPR")
        stored = {
            (v.metric.code, v.category.code): (v.numerator, v.denominator, v.numerator_suppressed, v.denominator_suppressed)
            for v in version.values.select_related("metric", "category")
        }
        assert stored == expected_values("1.2"), "the same figures as the template upload, the cohort included"

    def test_suppression_markers_are_stored_as_suppressed_never_zero(self, client_as, staff, catalogue, croydon, period):
        values = json_values(O3_BED_DAYS__age_18_19="*", O3_BED_DAYS__age_20_29="<6", O3_BED_DAYS__age_30_39="NULL")

        response = _submit(client_as(staff), croydon, period, values)

        assert response.status_code == 201, response.content
        stored = ReturnValue.objects.filter(
            metric__code="O3_BED_DAYS", category__code__in=["age_18_19", "age_20_29", "age_30_39"]
        )
        assert {(v.numerator, v.numerator_suppressed) for v in stored} == {(None, True)}

    def test_a_missing_figure_is_refused_and_named(self, client_as, staff, catalogue, croydon, period):
        response = _submit(client_as(staff), croydon, period, json_values(O5_TYPE1__imd_3=None))

        assert response.status_code == 400
        assert _refusals(response) == _starting(
            ("SubmissionTemplate", "W36", "missing_value", "SubmissionTemplate!W36: O5_TYPE1 / imd_3 is missing")
        )
        assert not Return.objects.exists()

    def test_a_negative_figure_is_refused_with_its_template_cell(self, client_as, staff, catalogue, croydon, period):
        response = _submit(client_as(staff), croydon, period, json_values(O3_BED_DAYS__total=-4))

        assert response.status_code == 400
        errors = response.json()["errors"]
        assert [(e["sheet"], e["cell"], e["code"]) for e in errors] == [("SubmissionTemplate", "D21", "negative_count")]
        assert "below zero" in errors[0]["message"]
        assert not Return.objects.exists()

    def test_text_where_a_count_belongs_names_the_field(self, client_as, staff, catalogue, croydon, period):
        """The issue's case: 12.5 for a count came back as {"values": {"5": …}}, with no sheet or cell."""
        response = _submit(client_as(staff), croydon, period, json_values(O3_BED_DAYS__total=12.5))
        as_text = _submit(client_as(staff), croydon, period, json_values(O3_BED_DAYS__total="lots"))

        assert response.status_code == 400 and set(response.json()) == {"detail", "errors"}
        assert response.json()["errors"] == [
            {
                "sheet": "SubmissionTemplate",
                "cell": "D21",
                "code": "not_a_count",
                "message": 'SubmissionTemplate!D21: "12.5" is not a whole number. Enter a count of bed days, or * if it is fewer than 6.',
            }
        ]
        assert _refusals(as_text) == _starting(
            ("SubmissionTemplate", "D21", "not_a_count", 'SubmissionTemplate!D21: "lots" is not a count')
        )
        assert not Return.objects.exists()

    def test_a_count_too_large_to_store_is_refused_with_its_cell_not_a_server_error(
        self, client_as, staff, catalogue, croydon, period
    ):
        response = _submit(client_as(staff), croydon, period, json_values(O3_BED_DAYS__total=3_000_000_000))

        assert response.status_code == 400, response.content
        assert [(e["sheet"], e["cell"]) for e in response.json()["errors"]] == [("SubmissionTemplate", "D21")]
        assert not Return.objects.exists()

    def test_a_month_not_in_the_timetable_is_refused(self, client_as, staff, catalogue, croydon, period):
        payload = {"site": croydon.pk, "month": "1999-01-01", "values": json_values()}

        response = client_as(staff).post("/api/v1/returns/submit/", payload, format="json")

        assert response.status_code == 400
        assert _refusals(response) == _starting(("", "", "invalid", "month: 1999-01 is not a reporting month"))

    def test_another_sites_return_cannot_be_filed(self, client_as, staff, taskforce, catalogue, sunderland, period):
        by_staff = _submit(client_as(staff), sunderland, period, json_values())
        by_taskforce = _submit(client_as(taskforce), sunderland, period, json_values())

        assert by_staff.status_code == 400 and _refusals(by_staff) == _starting(
            ("", "", "does_not_exist", f"site: There is no site {sunderland.pk} you can see")
        )
        assert by_taskforce.status_code == 400 and _refusals(by_taskforce) == _starting(
            ("", "", "invalid", "site: Only the site's own staff and site lead can file its return.")
        )
        assert not Return.objects.exists()

    def test_a_submission_against_an_out_of_date_version_is_a_conflict(self, client_as, staff, lead, catalogue, croydon, period):
        assert _submit(client_as(staff), croydon, period, json_values(), based_on_version=0).status_code == 201
        assert (
            _submit(client_as(lead), croydon, period, json_values(O3_BED_DAYS__total=2901), based_on_version=1).status_code == 201
        )

        stale = _submit(client_as(staff), croydon, period, json_values(O3_BED_DAYS__total=2902), based_on_version=1)

        assert stale.status_code == 409
        assert "Look at version 2" in stale.json()["detail"]
        assert ReturnVersion.objects.count() == 2


# --- Lifecycle actions ------------------------------------------------------------------------


class TestActions:
    @pytest.fixture
    def record(self, catalogue, croydon, period, staff):
        return _file(croydon, period, staff)

    def _post(self, client, record, step, data=None):
        return client.post(f"/api/v1/returns/{record.pk}/{step}/", data or {}, format="json")

    def test_the_return_goes_from_draft_to_signed_off_to_correction(self, client_as, staff, lead, taskforce, record):
        sent = self._post(client_as(staff), record, "send-for-sign-off")
        signed = self._post(client_as(lead), record, "sign-off")
        corrected = self._post(client_as(taskforce), record, "request-correction", {"reason": "O3 looks doubled"})

        assert [r.status_code for r in (sent, signed, corrected)] == [200, 200, 200]
        assert [r.json()["status"] for r in (sent, signed, corrected)] == [
            "awaiting_sign_off",
            "submitted",
            "correction_requested",
        ]
        assert corrected.json()["correction_reason"] == "O3 looks doubled"
        assert signed.json()["signed_off_version"] == 1

    def test_warnings_are_acknowledged_before_sending(self, client_as, staff, croydon, period, catalogue):
        values = [dataclasses.replace(v, numerator=3) if (v.metric, v.category) == ("O1_NEW", "age_18_19") else v for v in CLEAN]
        record = services.submit_values(
            site=croydon, period=period, values=values, layout="1.2", source="api", by=staff, based_on=None
        ).return_record
        client = client_as(staff)

        refused = self._post(client, record, "send-for-sign-off")
        blank = self._post(client, record, "acknowledge-warnings", {"comment": ""})
        acknowledged = self._post(client, record, "acknowledge-warnings", {"comment": "3 is published already"})
        sent = self._post(client, record, "send-for-sign-off")

        assert refused.status_code == 409 and "Acknowledge them" in refused.json()["detail"]
        assert blank.status_code == 400 and "comment" in blank.json()
        assert acknowledged.status_code == 200
        assert sent.status_code == 200 and sent.json()["status"] == "awaiting_sign_off"

    def test_impossible_steps_are_conflicts(self, client_as, staff, lead, taskforce, record):
        sign_off_a_draft = self._post(client_as(lead), record, "sign-off")
        correct_a_draft = self._post(client_as(taskforce), record, "request-correction", {"reason": "Why?"})
        self._post(client_as(staff), record, "send-for-sign-off")
        send_twice = self._post(client_as(staff), record, "send-for-sign-off")
        self._post(client_as(lead), record, "sign-off")
        sign_off_twice = self._post(client_as(lead), record, "sign-off")

        assert [r.status_code for r in (sign_off_a_draft, correct_a_draft, send_twice, sign_off_twice)] == [409] * 4
        assert all(r.json()["detail"] for r in (sign_off_a_draft, correct_a_draft, send_twice, sign_off_twice))
        assert Return.objects.get(pk=record.pk).status == ReturnStatus.SUBMITTED

    def test_the_wrong_role_is_forbidden(self, client_as, staff, lead, taskforce, record):
        self._post(client_as(staff), record, "send-for-sign-off")

        staff_signs = self._post(client_as(staff), record, "sign-off")
        taskforce_signs = self._post(client_as(taskforce), record, "sign-off")
        taskforce_sends = self._post(client_as(taskforce), record, "send-for-sign-off")
        self._post(client_as(lead), record, "sign-off")
        site_corrects = self._post(client_as(lead), record, "request-correction", {"reason": "We want to change it"})

        assert [r.status_code for r in (staff_signs, taskforce_signs, taskforce_sends, site_corrects)] == [403] * 4
        assert staff_signs.json()["detail"] == "Only the site lead can sign off the site's return."
        assert Return.objects.get(pk=record.pk).status == ReturnStatus.SUBMITTED

    def test_a_signed_off_versions_acknowledgement_cannot_be_rewritten(self, client_as, staff, lead, croydon, period, catalogue):
        """Submitted versions are never edited: once the lead has signed off on the strength of
        the comment, nobody can change what the warnings were acknowledged with."""
        values = [dataclasses.replace(v, numerator=3) if (v.metric, v.category) == ("O1_NEW", "age_18_19") else v for v in CLEAN]
        record = services.submit_values(
            site=croydon, period=period, values=values, layout="1.2", source="api", by=staff, based_on=None
        ).return_record
        services.acknowledge_warnings(return_record=record, by=staff, comment="3 is published already")
        services.send_for_sign_off(return_record=record, by=staff)
        services.sign_off(return_record=record, by=lead)

        response = self._post(client_as(staff), record, "acknowledge-warnings", {"comment": "Rewritten afterwards"})

        assert response.status_code == 409
        version = ReturnVersion.objects.get(pk=record.latest_version_id)
        assert (version.warnings_comment, version.warnings_acknowledged_by) == ("3 is published already", staff)


class TestTokenAuthentication:
    def test_a_sites_system_files_with_its_token(self, staff, catalogue, croydon, period):
        token = Token.objects.create(user=staff)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

        filed = _submit(client, croydon, period, json_values(), based_on_version=0)
        uploaded = _upload(client, make_workbook(place="Croydon", period=period.month, D21=2901), based_on_version=1)
        listed = client.get("/api/v1/returns/")

        assert (filed.status_code, uploaded.status_code) == (201, 201), (filed.content, uploaded.content)
        assert ReturnVersion.objects.get(pk=uploaded.json()["id"]).created_by == staff
        assert [row["latest_version"] for row in listed.json()["results"]] == [2]

    def test_an_unknown_token_is_refused(self, catalogue):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

        response = client.post("/api/v1/returns/submit/", {}, format="json")

        assert response.status_code == 401
        assert not Return.objects.exists()


# --- No N+1 -----------------------------------------------------------------------------------

LIST_ENDPOINTS = ["metrics", "breakdown-categories", "periods", "returns", "return-versions", "return-values"]


def _add_returns(count, own_site, admin):
    """`count` more months, each with a return (two versions, one signed off) for `own_site`
    and for a new site of its own."""
    for _ in range(count):
        period = _period(Return.objects.filter(site=own_site).count() + 1)
        for site in (own_site, SiteFactory()):
            record = _file(site, period, admin)
            services.send_for_sign_off(return_record=record, by=admin)
            services.sign_off(return_record=record, by=admin)
            _file(site, period, admin, note="Corrected")


def _queries_to_list(client, endpoint):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
@pytest.mark.parametrize("role", ["taskforce", "staff"])
def test_list_queries_do_not_grow_with_rows(client_as, catalogue, croydon, staff, taskforce, endpoint, role):
    client = client_as({"taskforce": taskforce, "staff": staff}[role])
    admin = user_with_role(Role.ADMINISTRATOR)

    _add_returns(1, croydon, admin)  # 2 returns
    with_two = _queries_to_list(client, endpoint)
    _add_returns(5, croydon, admin)  # 12 returns
    with_twelve = _queries_to_list(client, endpoint)

    assert Return.objects.count() == 12
    assert with_twelve == with_two


def test_months_are_listed_with_their_deadlines_and_filtered_by_month(client_as, staff, catalogue):
    older, newer = _period(3), _period(1)

    rows = client_as(staff).get("/api/v1/periods/", {"month_from": older.month.isoformat(), "month_to": older.month.isoformat()})

    assert [(r["month"], r["initial_submission_due"]) for r in rows.json()["results"]] == [
        (older.month.isoformat(), older.initial_submission_due.isoformat())
    ]
    assert newer.month.isoformat() in {r["month"] for r in client_as(staff).get("/api/v1/periods/").json()["results"]}
