"""What evidence files the portal accepts, decided by their content, never by their name.

- PDF: begins with `%PDF-`.
- DOCX and XLSX: a ZIP package (Office Open XML) whose parts include `[Content_Types].xml`
  and `word/document.xml` (Word) or `xl/workbook.xml` (Excel). Macro-enabled packages
  (a `vbaProject.bin` part, or a macroEnabled content type) are refused.

Only the ZIP directory and `[Content_Types].xml` are read, never the other parts, so a
crafted archive cannot make the check expensive. Anything else (an executable renamed
`.pdf`, an empty file, a file over the size limit) is refused with a message that says
what to do, before anything is stored.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from applications.models import EvidenceKind

ACCEPTED = "a PDF, Word document (DOCX) or Excel spreadsheet (XLSX)"
_CONTENT_TYPES_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    kind: EvidenceKind
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return int(settings.APPLICATION_UPLOAD_MAX_BYTES)


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        megabytes = size / (1024 * 1024)
        return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _office_kind(upload: UploadedFile, name: str) -> EvidenceKind:
    not_office = _refuse(f"“{name}” is not {ACCEPTED}. The portal checks what a file contains, not its name.")
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as package:
            parts = set(package.namelist())
            if "[Content_Types].xml" not in parts:
                raise not_office
            with package.open("[Content_Types].xml") as handle:
                content_types = handle.read(_CONTENT_TYPES_LIMIT)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError) as exc:
        raise not_office from exc
    if any(part.endswith("vbaProject.bin") for part in parts) or b"macroEnabled" in content_types:
        raise _refuse(f"“{name}” contains macros. Save it as an ordinary DOCX or XLSX file (without macros) and upload that.")
    if "word/document.xml" in parts:
        return EvidenceKind.DOCX
    if "xl/workbook.xml" in parts:
        return EvidenceKind.XLSX
    raise not_office


def check_evidence(upload: UploadedFile | None) -> CheckedFile:
    """The file's kind, size and digest, or a ValidationError on `file` saying what is wrong."""
    if upload is None:
        raise _refuse("Select a file to upload.")
    name = upload.name or "The selected file"
    size = upload.size or 0
    if size == 0:
        raise _refuse(f"“{name}” is empty. Check you chose the right file.")
    limit = max_upload_bytes()
    if size > limit:
        raise _refuse(f"“{name}” is {describe_size(size)}. Files must be {describe_size(limit)} or smaller.")

    upload.seek(0)
    head = upload.read(8)
    if head.startswith(b"%PDF-"):
        kind = EvidenceKind.PDF
    elif head.startswith(b"PK\x03\x04"):
        kind = _office_kind(upload, name)
    else:
        raise _refuse(f"“{name}” is not {ACCEPTED}. The portal checks what a file contains, not its name.")

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(kind=kind, size=size, sha256=digest.hexdigest())
