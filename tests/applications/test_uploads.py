"""Evidence files: PDF, DOCX and XLSX decided by content, size-limited, stored outside the
web root, downloaded only by people who may see the application."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from applications.models import EvidenceFile, Status
from tests.applications.factories import submitted
from tests.nhsportal import pages

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
)


def package(*parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in parts:
            archive.writestr(name, "<xml/>" if name != "[Content_Types].xml" else '<Types><Default Extension="xml"/></Types>')
    return buffer.getvalue()


def workbook():
    buffer = io.BytesIO()
    book = Workbook()
    book.active["A1"] = "Population health needs analysis"
    book.save(buffer)
    return buffer.getvalue()


DOCX = package("[Content_Types].xml", "word/document.xml", "_rels/.rels")


def upload(client, application, name, content):
    return client.post(
        reverse("application-evidence", args=[application.pk]), {"file": SimpleUploadedFile(name, content)}, follow=False
    )


def stored_files(media_root: Path):
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("Partnership agreement.pdf", PDF, "pdf"),
        ("Data sharing.docx", DOCX, "docx"),
        ("Needs analysis.xlsx", None, "xlsx"),
        ("agreement-saved-with-the-wrong-name.docx", PDF, "pdf"),
    ],
)
def test_pdf_word_and_excel_files_are_accepted_by_their_content(client, cast, draft, media_root, name, content, kind):
    client.force_login(cast.lead)

    response = upload(client, draft, name, content if content is not None else workbook())

    assert response.status_code == 302
    evidence = EvidenceFile.objects.get(application=draft)
    assert (evidence.original_name, evidence.kind) == (name, kind)
    assert evidence.download_name.endswith(f".{kind}")
    [path] = stored_files(media_root)
    assert path.suffix == f".{kind}" and name not in str(path)  # the uploader's name never reaches the disk
    assert not str(path).startswith(str(Path(__file__).parents[2] / "static"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("budget.pdf", EXECUTABLE, "“budget.pdf” is not a PDF, Word document (DOCX) or Excel spreadsheet (XLSX)"),
        ("setup.xlsx", EXECUTABLE, "“setup.xlsx” is not a PDF, Word document (DOCX) or Excel spreadsheet (XLSX)"),
        ("notes.docx", package("readme.txt"), "“notes.docx” is not a PDF, Word document (DOCX) or Excel spreadsheet (XLSX)"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "“broken.docx” is not a PDF"),
        (
            "macros.docx",
            package("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"),
            "“macros.docx” contains macros",
        ),
        ("empty.pdf", b"", "“empty.pdf” is empty. Check you chose the right file."),
    ],
)
def test_other_files_are_refused_with_a_clear_message_and_nothing_is_stored(
    client, cast, draft, media_root, name, content, message
):
    client.force_login(cast.lead)

    response = upload(client, draft, name, content)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(client, cast, draft, media_root, settings):
    settings.APPLICATION_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(cast.lead)

    response = upload(client, draft, "Annual report.pdf", PDF + b"0" * (1024 * 1024))

    assert response.status_code == 200
    assert "“Annual report.pdf” is 1.0 MB. Files must be 1 MB or smaller." in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_choosing_no_file_says_so(client, cast, draft):
    client.force_login(cast.lead)

    response = client.post(reverse("application-evidence", args=[draft.pk]), {})

    assert "Select a file to upload." in response.content.decode()


def _evidence(client, cast, application):
    client.force_login(cast.lead)
    upload(client, application, "Partnership agreement.pdf", PDF)
    client.logout()
    return EvidenceFile.objects.get(application=application)


def test_downloads_are_attachments_the_browser_must_not_sniff(client, cast, draft):
    evidence = _evidence(client, cast, draft)
    client.force_login(cast.colleague)

    response = client.get(reverse("evidence-download", args=[draft.pk, evidence.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Partnership agreement.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_only_people_who_may_see_the_application_download_its_evidence(client, cast, draft):
    evidence = _evidence(client, cast, draft)
    url = reverse("evidence-download", args=[draft.pk, evidence.pk])

    def status(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        return "login" if response.status_code == 302 else response.status_code

    assert [status(u) for u in (None, cast.other_lead, cast.member, cast.chair, cast.admin, cast.lead)] == [
        "login",
        404,
        404,  # the taskforce does not see a draft
        404,
        200,
        200,
    ]
    submitted(draft)
    assert [status(u) for u in (cast.other_lead, cast.member, cast.chair)] == [404, 200, 200]


def test_evidence_is_removed_from_the_disk_with_its_record(client, cast, draft, media_root, django_capture_on_commit_callbacks):
    evidence = _evidence(client, cast, draft)
    client.force_login(cast.lead)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evidence-remove", args=[draft.pk, evidence.pk]))

    assert response.status_code == 302
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_evidence_cannot_be_added_once_submitted(client, cast, draft):
    submitted(draft)
    client.force_login(cast.lead)

    response = upload(client, draft, "late.pdf", PDF)

    assert response.status_code == 302 and response["Location"] == reverse("application-detail", args=[draft.pk])
    assert not EvidenceFile.objects.exists()
    assert draft.status == Status.SUBMITTED


# --- Hostile evidence (issue 12): the one sniffer in nhsportal/uploads.py --------------------


def bomb_docx(inflated=64 * 1024 * 1024):
    """A Word package with one part of `inflated` zeros: a thousandth of that on the wire."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<Types><Default Extension="xml"/></Types>')
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/image1.bin", "w", force_zip64=True) as handle:
            block = bytes(8 * 1024 * 1024)
            for _ in range(inflated // len(block)):
                handle.write(block)
    return buffer.getvalue()


def macro_content_type_docx():
    """No VBA part, but a macroEnabled main document declared in [Content_Types].xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


HTML_PDF = (
    b"%PDF-1.7\n<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><script>x()</script></body></html>\n%%EOF\n"
)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", HTML_PDF, "“plan.pdf” starts like a PDF but is not one (it may be a web page saved with a .pdf name)."),
        ("cut-off.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "“cut-off.pdf” starts like a PDF but is not one"),
        ("needs.docx", bomb_docx(), "“needs.docx” would unpack to far more than an Office document holds"),
        (
            "Macros.xlsx",
            package("[Content_Types].xml", "xl/workbook.xml", "xl/VBAProject.bin"),
            "“Macros.xlsx” contains macros",
        ),
        ("template.docx", macro_content_type_docx(), "“template.docx” contains macros"),
    ],
    ids=["html-behind-pdf-header", "pdf-without-eof", "zip-bomb", "vba-any-case", "macro-content-type"],
)
def test_hostile_evidence_is_refused_and_nothing_is_stored(client, cast, draft, media_root, name, content, message):
    client.force_login(cast.lead)

    response = upload(client, draft, name, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_a_request_too_large_to_read_is_refused_from_its_length(client, cast, draft, media_root, settings):
    settings.APPLICATION_UPLOAD_MAX_BYTES = 1024 * 1024
    client.force_login(cast.lead)

    response = upload(client, draft, "scan.pdf", PDF + bytes(3 * 1024 * 1024))

    assert response.status_code == 200
    assert "The file is larger than 1 MB (3.0 MB were sent). Check you chose the right file." in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_a_body_over_the_request_cap_is_not_read_on_any_path(client, cast, draft, media_root, settings):
    """A body over UPLOAD_MAX_REQUEST_BYTES is answered 413 before anything reads it, even
    where a view does not check the length itself."""
    settings.UPLOAD_MAX_REQUEST_BYTES = 1024 * 1024
    settings.APPLICATION_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    client.force_login(cast.lead)

    response = upload(client, draft, "scan.pdf", PDF + bytes(2 * 1024 * 1024))

    assert response.status_code == 413
    assert "the portal takes at most 1 MB. Nothing was read or stored." in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored_files(media_root) == []


def test_the_upload_handler_refuses_a_body_over_the_cap_where_the_middleware_is_not(client, cast, draft, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "nhsportal.uploads.RequestSizeLimitMiddleware"]
    settings.UPLOAD_MAX_REQUEST_BYTES = 1024 * 1024
    client.force_login(cast.lead)

    response = upload(client, draft, "scan.pdf", PDF + bytes(2 * 1024 * 1024))

    assert response.status_code == 400
    assert not EvidenceFile.objects.exists()


def test_a_json_body_over_the_cap_is_refused_unread(client, cast, settings):
    settings.UPLOAD_MAX_REQUEST_BYTES = 1024 * 1024
    client.force_login(cast.lead)

    response = client.post("/api/v1/returns/submit/", data=b"[" + b"0," * (600 * 1024) + b"0]", content_type="application/json")

    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request is 1.2 MB; the portal takes at most 1 MB.")


def test_an_evidence_file_gone_from_storage_is_a_page_saying_so_and_an_error_in_the_log(client, cast, draft, caplog):
    evidence = _evidence(client, cast, draft)
    Path(evidence.file.path).unlink()
    client.force_login(cast.colleague)

    with caplog.at_level("ERROR", logger="nhsportal.downloads"):
        response = client.get(reverse("evidence-download", args=[draft.pk, evidence.pk]))

    assert response.status_code == 404
    text = pages.text(response.content, within_id="maincontent")
    assert "This file is no longer available" in text
    assert "Partnership agreement.pdf" in text and "programme lead can upload it again" in text
    assert (reverse("application-detail", args=[draft.pk]), "Back to the application") in pages.links(response.content)
    assert [r.levelname for r in caplog.records if evidence.file.name in r.getMessage()] == ["ERROR"]
