"""Rollup exports, as an analyst downloads them: a small CSV or XLSX holds exactly the API's
figures; a large one is built by a job whose progress can be followed and whose file only the
person who asked (and administrators) can download."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models.signals import post_save
from django.urls import reverse
from rest_framework.test import APIClient

from metrics.models import ExportJob, ExportStatus
from metrics.rollups import export as rollup_export
from nhsportal.models import AuditEvent, Role
from tests.metrics.rollup_world import rolled_up_world
from tests.nhsportal.factories import user_with_role

pytestmark = pytest.mark.django_db

FILTERS = {"metric": "O1_NEW", "category": "total"}
NUMBERS = ("sum_numerator", "sum_denominator", "units_reporting", "units_expected", "units_suppressed")


@pytest.fixture
def world(catalogue):
    return rolled_up_world(sites=2, months=3)


@pytest.fixture(autouse=True)
def jobs_run_in_process(monkeypatch):
    """The export task runs in-process here, with or without a broker (REDIS_URL)."""
    from nhsportal.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture
def taskforce(db):
    return user_with_role(Role.TASKFORCE_MEMBER)


def client_for(user):
    client = APIClient()
    client.force_login(user)
    return client


def api_rows(user, **filters):
    response = client_for(user).get(reverse("api:rollup-list"), filters)
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None, "the test expects one page"
    return body["results"]


def as_api_row(row: dict) -> dict:
    """A CSV/XLSX row in the API's shape."""

    def number(value):
        return None if value in ("", None) else int(value)

    return {
        "month": row["month"],
        "level": row["level"],
        "org_id": number(row["org_id"]),
        "organisation": row["organisation"],
        "metric": row["metric"],
        "category": row["category"],
        **{name: number(row[name]) for name in NUMBERS},
        "rate": None if row["rate_per_1000"] in ("", None) else Decimal(str(row["rate_per_1000"])).quantize(Decimal("0.000001")),
        "provisional": row["provisional"] in (True, "True"),
    }


def normalised(rows):
    """Rows with rates as Decimals, in one order (the API lists rows in the order they were built)."""
    rows = [{**row, "rate": None if row["rate"] is None else Decimal(row["rate"])} for row in rows]
    return sorted(rows, key=lambda r: (r["month"], r["level"], r["org_id"] or 0, r["metric"], r["category"]))


def read_csv(content: bytes) -> list[dict]:
    return [as_api_row(row) for row in csv.DictReader(io.StringIO(content.decode()))]


def read_xlsx(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True)["Rollups"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [as_api_row(dict(zip(header, row, strict=True))) for row in rows]


def test_a_small_csv_export_holds_the_same_figures_as_the_api(world, taskforce):
    response = client_for(taskforce).get(reverse("api:rollup-export"), {**FILTERS, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    exported = read_csv(b"".join(response.streaming_content))
    assert normalised(exported) == normalised(api_rows(taskforce, **FILTERS))
    assert len(exported) == world.months * 8  # 2 sites, 2 ICBs, 2 regions, 1 wave, England
    assert AuditEvent.objects.filter(action="rollups.exported", actor=taskforce).exists()


def test_a_small_xlsx_export_holds_the_same_figures_as_the_api(world, taskforce):
    response = client_for(taskforce).get(reverse("api:rollup-export"), {**FILTERS, "format": "xlsx"})

    assert response.status_code == 200
    assert normalised(read_xlsx(response.content)) == normalised(api_rows(taskforce, **FILTERS))


def test_an_export_is_scoped_like_the_api(world):
    staff = user_with_role(Role.SITE_STAFF, site=world.leeds)

    response = client_for(staff).get(reverse("api:rollup-export"), {**FILTERS, "level": "site", "format": "csv"})

    exported = read_csv(b"".join(response.streaming_content))
    assert {row["org_id"] for row in exported} == {world.leeds.pk}


def test_an_unknown_format_or_filter_is_refused_naming_the_field(world, taskforce):
    client = client_for(taskforce)

    bad_format = client.get(reverse("api:rollup-export"), {"format": "pdf"})
    bad_month = client.get(reverse("api:rollup-export"), {"format": "csv", "from": "May 2026"})

    assert bad_format.status_code == 400 and "format" in bad_format.json()
    assert bad_month.status_code == 400 and "from" in bad_month.json()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_export_is_built_by_a_job_with_progress_and_only_its_requester_downloads_it(
    world, taskforce, settings, monkeypatch, django_capture_on_commit_callbacks, fmt
):
    settings.ROLLUP_EXPORT_DIRECT_MAX_ROWS = 5
    monkeypatch.setattr(rollup_export, "PROGRESS_EVERY", 4)
    progress = []

    def note_progress(sender, instance, update_fields=None, **kwargs):
        if update_fields and "rows_done" in update_fields:
            progress.append(instance.rows_done)

    post_save.connect(note_progress, sender=ExportJob)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(taskforce).get(reverse("api:rollup-export"), {**FILTERS, "format": fmt})
    finally:
        post_save.disconnect(note_progress, sender=ExportJob)

    assert response.status_code == 202
    job = ExportJob.objects.get(pk=response.json()["id"])
    assert response["Location"] == reverse("api:export-job-detail", args=[job.pk])
    assert job.status == ExportStatus.READY
    assert job.rows_done == job.rows_total == world.months * 8
    assert progress[:3] == [0, 4, 8] and progress[-1] == job.rows_total  # written a few rows at a time
    assert job.file.name.startswith("exports/") and "rollups" not in job.file.name  # a random name

    status = client_for(taskforce).get(reverse("api:export-job-detail", args=[job.pk])).json()
    assert status["status"] == "ready" and status["download"]
    download = client_for(taskforce).get(status["download"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    content = b"".join(download.streaming_content)
    exported = read_csv(content) if fmt == "csv" else read_xlsx(content)
    assert normalised(exported) == normalised(api_rows(taskforce, **FILTERS))

    someone_else = user_with_role(Role.TASKFORCE_MEMBER)
    assert client_for(someone_else).get(status["download"]).status_code == 404
    assert client_for(someone_else).get(reverse("export-download", args=[job.pk])).status_code == 404
    assert client_for(someone_else).get(reverse("export-job", args=[job.pk])).status_code == 404
    assert client_for(user_with_role(Role.ADMINISTRATOR)).get(status["download"]).status_code == 200
    actions = set(AuditEvent.objects.filter(object_id=str(job.pk)).values_list("action", flat=True))
    assert {"rollups.export_requested", "rollups.export_built", "rollups.export_downloaded"} <= actions


def test_asking_again_for_the_same_large_export_gives_the_same_job(
    world, taskforce, settings, django_capture_on_commit_callbacks
):
    settings.ROLLUP_EXPORT_DIRECT_MAX_ROWS = 5
    client = client_for(taskforce)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(reverse("api:rollup-export"), {**FILTERS, "format": "csv"}).json()
    second = client.get(reverse("api:rollup-export"), {**FILTERS, "format": "csv"}).json()

    assert first["id"] == second["id"]
    assert ExportJob.objects.count() == 1


def test_building_a_job_again_leaves_the_built_file_alone(world, taskforce, settings, django_capture_on_commit_callbacks):
    settings.ROLLUP_EXPORT_DIRECT_MAX_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client_for(taskforce).get(reverse("api:rollup-export"), {**FILTERS, "format": "csv"}).json()["id"]
    built = ExportJob.objects.get(pk=job_id)

    again = rollup_export.build_export(job_id)

    assert (again.status, again.file.name, again.finished_at) == (ExportStatus.READY, built.file.name, built.finished_at)


def test_the_export_page_shows_progress_while_the_job_runs_and_refuses_an_early_download(world, taskforce):
    job = ExportJob.objects.create(
        requested_by=taskforce, filters=FILTERS, format="csv", status=ExportStatus.RUNNING, rows_total=100, rows_done=40
    )
    client = client_for(taskforce)

    page = client.get(reverse("export-job", args=[job.pk]))
    early = client.get(reverse("api:export-job-download", args=[job.pk]))

    assert page.status_code == 200
    assert "40 of 100" in page.content.decode()
    assert early.status_code == 409
    assert "still being built" in early.json()["detail"]


def test_expired_export_files_are_deleted(world, taskforce, settings, django_capture_on_commit_callbacks):
    settings.ROLLUP_EXPORT_DIRECT_MAX_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client_for(taskforce).get(reverse("api:rollup-export"), {**FILTERS, "format": "csv"}).json()["id"]
    job = ExportJob.objects.get(pk=job_id)
    path = job.file.path

    deleted = rollup_export.delete_expired(now=job.expires_at + (job.expires_at - job.finished_at))

    job.refresh_from_db()
    assert deleted == 1 and not job.file
    import os

    assert not os.path.exists(path)
    assert client_for(taskforce).get(reverse("api:export-job-download", args=[job.pk])).status_code == 409


@pytest.mark.django_db(transaction=True)
def test_with_no_broker_a_large_export_does_not_hold_up_the_request_and_the_answer_is_true(settings, monkeypatch):
    """The embedded default (no broker): the file is built on a thread of the web process, so the
    request answers at once with the job as it then is; once built, asking again says so."""
    import threading

    from metrics.returns.reference import load_metrics

    load_metrics()
    rolled_up_world(sites=2, months=3)
    taskforce = user_with_role(Role.TASKFORCE_MEMBER)
    settings.ROLLUP_EXPORT_DIRECT_MAX_ROWS = 5
    settings.ROLLUP_EXPORT_IN_THREAD = True
    release = threading.Event()
    write = rollup_export._write

    def slow_write(job, rows, path):  # a large export: still writing when the request answers
        assert release.wait(30)
        write(job, rows, path)

    monkeypatch.setattr(rollup_export, "_write", slow_write)
    client = client_for(taskforce)

    response = client.get(reverse("api:rollup-export"), {**FILTERS, "format": "csv"})

    assert response.status_code == 202
    body = response.json()
    assert body["status"] in {"queued", "running"} and body["download"] is None
    assert response["Location"] == reverse("api:export-job-detail", args=[body["id"]])
    release.set()
    builder = next(t for t in threading.enumerate() if t.name == f"rollup-export-{body['id']}")
    builder.join(30)
    assert ExportJob.objects.get(pk=body["id"]).status == ExportStatus.READY

    again = client.get(reverse("api:rollup-export"), {**FILTERS, "format": "csv"})

    assert again.status_code == 303
    assert again.json()["id"] == body["id"] and again.json()["status"] == "ready"
    assert again["Location"] == reverse("api:export-job-download", args=[body["id"]])
    download = client.get(again["Location"])
    assert download.status_code == 200
    assert len(read_csv(b"".join(download.streaming_content))) > 5


def test_a_ready_export_whose_file_is_gone_says_ask_again_not_500(
    world, taskforce, settings, django_capture_on_commit_callbacks, caplog
):
    settings.ROLLUP_EXPORT_DIRECT_MAX_ROWS = 5
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client_for(taskforce).get(reverse("api:rollup-export"), {**FILTERS, "format": "csv"}).json()["id"]
    job = ExportJob.objects.get(pk=job_id)
    assert job.status == ExportStatus.READY
    job.file.storage.delete(job.file.name)
    client = client_for(taskforce)

    with caplog.at_level("ERROR", logger="metrics.api.rollups"):
        api = client.get(reverse("api:export-job-download", args=[job.pk]))
        page = client.get(reverse("export-download", args=[job.pk]))

    assert api.status_code == 409 and "Ask for the export again" in api.json()["detail"]
    assert page.status_code == 409 and "Ask for the export again" in page.content.decode()
    assert [r.levelname for r in caplog.records if job.file.name in r.getMessage()] == ["ERROR", "ERROR"]
    assert not AuditEvent.objects.filter(action="rollups.export_downloaded").exists()
