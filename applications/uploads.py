"""What evidence files the portal accepts, decided by their content, never by their name.

The sniffing itself is `nhsportal.uploads.identify_evidence`, the one sniffer every upload
path shares (returns too): PDF (a `%PDF-` header, a `%%EOF` trailer, no HTML behind the
header), DOCX or XLSX (an Office Open XML package, checked from its ZIP directory and
`[Content_Types].xml` only, with its declared sizes bounded and macros refused). Anything
else (an executable renamed `.pdf`, an empty file, a file over the size limit, a zip bomb)
is refused with a message that says what to do, before anything is stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from applications.models import EvidenceKind
from nhsportal import uploads
from nhsportal.uploads import describe_size  # noqa: F401  (the evidence pages show the limit with it)


@dataclass(frozen=True)
class CheckedFile:
    kind: EvidenceKind
    size: int
    sha256: str


def max_upload_bytes() -> int:
    return uploads.evidence_upload_max_bytes()


def check_evidence(upload: UploadedFile | None) -> CheckedFile:
    """The file's kind, size and digest, or a ValidationError on `file` saying what is wrong."""
    if upload is None:
        raise ValidationError({"file": "Select a file to upload."})
    name = upload.name or "The selected file"
    size = upload.size or 0
    try:
        kind = uploads.identify_evidence(upload, name=name, size=size, max_bytes=max_upload_bytes())
    except uploads.EvidenceRefused as refused:
        raise ValidationError({"file": refused.message}) from refused
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(kind=EvidenceKind(kind), size=size, sha256=digest.hexdigest())
