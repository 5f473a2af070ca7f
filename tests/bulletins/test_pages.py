"""The bulletins pages: who sees what, the build button, past versions, the XLSX and the e-mail."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse

from bulletins import services
from bulletins.models import Bulletin, BulletinStatus
from metrics.models import NoticeSent
from nhsportal.celery import app
from nhsportal.models import AuditEvent
from tests.bulletins.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def issued(world):
    bulletin, _ = services.request(world.november)
    return services.build(bulletin.pk)


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


def detail_url(bulletin):
    return reverse("bulletin-detail", args=[bulletin.period.slug])


def test_the_taskforce_sees_every_site_and_every_table(client, world, issued):
    response = page(client, world.people["taskforce"], detail_url(issued))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Leeds", "Bradford", "Croydon", "Hull", "Newham"):
        assert name in body
    assert [t.key for t in response.context["tables"]] == [
        "coverage", "first-time", "missing", "caveats", "signals", "outliers", "dispersion", "moved", "changelog"
    ]  # fmt: skip
    assert "<caption" in body and 'media="print"' in body
    assert "these figures are provisional" in body  # built on request before the final deadline (1 February 2027)


def test_a_site_lead_sees_their_own_rows_and_englands_headline_only(client, world, issued):
    response = page(client, world.people["lead.leeds"], detail_url(issued))
    assert response.status_code == 200
    tables = {t.key: t for t in response.context["tables"]}
    assert "moved" not in tables and "dispersion" not in tables
    assert [row[0] for row in tables["coverage"].rows] == ["Leeds"]
    assert [row[1] for row in tables["signals"].rows] == ["Leeds"]
    assert [row[0] for row in tables["caveats"].rows] == ["Leeds"]
    assert tables["missing"].rows == []
    body = response.content.decode()
    for other in ("Bradford", "Croydon", "Hull", "Newham", "South ICB"):
        assert other not in body
    assert response.context["headline"]["expected"] == 5  # England's headline


@pytest.mark.parametrize("who", ["programme_lead", "no_role"])
def test_anyone_else_is_refused(client, world, issued, who):
    assert page(client, world.people[who], detail_url(issued)).status_code == 403
    assert page(client, world.people[who], reverse("bulletin-list")).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client, issued):
    response = client.get(detail_url(issued))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_month_without_a_bulletin_is_a_404(client, world, issued):
    assert page(client, world.people["taskforce"], reverse("bulletin-detail", args=[world.october.slug])).status_code == 404
    assert page(client, world.people["taskforce"], reverse("bulletin-version", args=[world.november.slug, 7])).status_code == 404


def test_the_build_button_queues_one_bulletin_while_it_builds(client, world, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr("bulletins.tasks.build_bulletin.apply_async", lambda args, **kw: sent.append(args))
    client.force_login(world.people["taskforce"])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("bulletin-build"), {"month": world.november.slug}, follow=True)
        second = client.post(reverse("bulletin-build"), {"month": world.november.slug}, follow=True)
    assert first.redirect_chain[-1][0] == reverse("bulletin-list")
    assert "is being built" in first.content.decode()
    assert "already being built" in second.content.decode()
    bulletin = Bulletin.objects.get()
    assert (bulletin.version, bulletin.status, bulletin.requested_by) == (1, BulletinStatus.BUILDING, world.people["taskforce"])
    assert sent == [(bulletin.pk,)]
    event = AuditEvent.objects.get(action="bulletins.requested")
    assert (event.actor, event.object_id, event.reason) == (world.people["taskforce"], str(bulletin.pk), "request")


def test_only_the_taskforce_may_build_and_a_bad_month_is_explained(client, world):
    client.force_login(world.people["lead.leeds"])
    assert client.post(reverse("bulletin-build"), {"month": world.november.slug}).status_code == 403
    client.force_login(world.people["taskforce"])
    response = client.post(reverse("bulletin-build"), {"month": "2031-01"}, follow=True)
    assert "Choose a month that has ended" in response.content.decode()
    assert not Bulletin.objects.exists()


def test_a_reissue_keeps_the_earlier_version_readable_as_issued(client, world, issued):
    again, created = services.request(world.november)
    assert created and again.version == 2
    services.build(again.pk)
    Bulletin.objects.filter(pk=issued.pk).update(
        contents={**issued.contents, "headline": {**issued.contents["headline"], "late": 9}}
    )
    taskforce = world.people["taskforce"]
    latest = page(client, taskforce, detail_url(issued))
    assert latest.context["bulletin"].version == 2
    assert "Version 1" in latest.content.decode()
    earlier = page(client, taskforce, reverse("bulletin-version", args=[world.november.slug, 1]))
    assert earlier.context["headline"]["late"] == 9  # what version 1 stored, not worked out again
    assert "An earlier version" in earlier.content.decode()


def test_building_again_leaves_an_issued_bulletin_as_it_is(world, issued):
    contents = issued.contents
    assert services.build(issued.pk).contents == contents
    assert Bulletin.objects.count() == 1


def _sheets(data: bytes) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_xlsx_has_one_sheet_per_table(client, world, issued):
    response = page(client, world.people["taskforce"], reverse("bulletin-workbook", args=[world.november.slug, 1]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheets = _sheets(response.content)
    assert list(sheets) == ["Bulletin", "Coverage", "First time", "Missing", "Caveats", "New SPC signals", "Funnel outliers",
                            "Dispersion", "ICBs and regions", "Changelog"]  # fmt: skip
    assert sheets["Missing"][1] == ("Site", "ICB", "Region", "Note")
    assert sheets["Missing"][2] == ("Hull", "South ICB", "South", "Return draft, not signed off")
    assert sheets["New SPC signals"][2][:3] == (
        "O1 New consultant-led outpatient appointments per 1,000 patients in the cohort (per 1,000)", "Leeds", 400.0
    )  # fmt: skip
    assert response.content == issued.workbook.open("rb").read()  # the file built with the bulletin


def test_a_site_leads_xlsx_has_their_rows_only(client, world, issued):
    response = page(client, world.people["lead.leeds"], reverse("bulletin-workbook", args=[world.november.slug, 1]))
    sheets = _sheets(response.content)
    assert "ICBs and regions" not in sheets and "Dispersion" not in sheets
    assert [row[0] for row in sheets["Coverage"][2:]] == ["Leeds"]


def test_the_taskforce_is_emailed_once_with_the_link(world, issued):
    mail.outbox.clear()
    assert services.send_email(issued.pk) == 2  # the member and the chair
    assert services.send_email(issued.pk) == 0  # the ledger: once per version
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["analyst@nhs.invalid", "chair@nhs.invalid"]
    assert message.subject == "NNHIP bulletin for November 2026"
    assert services.link(issued) in message.body and services.link(issued).endswith("/bulletins/2026-11/v1/")
    assert NoticeSent.objects.filter(key=f"bulletin-issued:{issued.pk}").count() == 1


def test_the_email_is_sent_after_the_bulletin_commits(world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    bulletin, _ = services.request(world.november)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.build(bulletin.pk)
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    callbacks[0]()  # a repeated task: still one e-mail
    assert len(mail.outbox) == 1
    bulletin.refresh_from_db()
    assert bulletin.emailed_at is not None


def test_the_taskforce_home_page_links_to_the_bulletins(client, world):
    response = page(client, world.people["taskforce"], reverse("home"))
    assert f'href="{reverse("bulletin-list")}"' in response.content.decode()


def test_the_demo_call_issues_the_latest_closed_month_without_emailing(world, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    day = world.november.final_submission_due  # November not yet closed: October is the latest
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        bulletin = services.build_latest_closed_month(today=day)
    assert (bulletin.period, bulletin.status, bulletin.trigger) == (world.october, BulletinStatus.ISSUED, "demo")
    assert callbacks == [] and mail.outbox == []


def test_the_admin_links_the_workbook_through_its_own_view_not_the_storage_path(client, issued):
    from nhsportal.models import Role
    from tests.nhsportal.factories import user_with_role

    admin = user_with_role(Role.ADMINISTRATOR)
    admin.is_staff = admin.is_superuser = True  # as the programme office's admin accounts are
    admin.save()

    change = page(client, admin, reverse("admin:bulletins_bulletin_change", args=[issued.pk])).content.decode()

    workbook = reverse("bulletin-workbook", args=[issued.period.slug, issued.version])
    assert f'href="{workbook}"' in change
    assert f'href="/bulletins/{issued.workbook.name.split("/")[-1]}"' not in change
    assert client.get(workbook).status_code == 200
