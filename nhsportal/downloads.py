"""A stored file handed to the browser: always a download, never rendered inline, never cached.
A file missing from storage (lost, restored from an older backup, deleted by hand) is not a
crash: the reader gets a 404 page saying the file is no longer available and who can upload
it again, and the missing file is logged as an error for the programme office to look into."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.shortcuts import render

logger = logging.getLogger(__name__)


def attachment(
    request: HttpRequest, stored: FieldFile, *, filename: str, content_type: str, who_can_replace: str, back: tuple[str, str]
) -> HttpResponseBase:
    """`stored` as a download named `filename`; when its file is gone, the "no longer available"
    page naming `who_can_replace` and linking `back` (href, text)."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        logger.error("Stored file missing: %s (asked for at %s by user %s)", stored.name, request.path, request.user.pk)
        return render(
            request,
            "errors/file_missing.jinja",
            {
                "page_title": "This file is no longer available",
                "filename": filename,
                "who_can_replace": who_can_replace,
                "support_email": settings.SUPPORT_EMAIL,
                "back_href": back[0],
                "back_text": back[1],
            },
            status=404,
        )
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
