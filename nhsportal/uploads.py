"""What an uploaded file is, decided by its content before anything parses it: the one sniffer.

Every path that takes a file goes through here: monthly returns (the page, the grid and
`POST /api/v1/returns/upload/`, via `metrics.returns.checks.describe_non_xlsx`), application
evidence and onboarding evidence (via `applications.uploads.check_evidence`). A hostile
file is refused from what little it costs to look at, never by loading it:

- the size, before the body is read (`RequestSizeLimitMiddleware` for every request,
  `oversize_request` for a view's own limit with its own message, `LimitedUploadHandler`);
- a ZIP package (XLSX, DOCX) by its central directory only: how many parts, their
  *declared* uncompressed sizes (Python's zipfile, which openpyxl reads through, never
  inflates a part past its declared size, so a zip bomb that lies about it fails its CRC
  instead of filling memory), macros (a `vbaProject.bin` part anywhere, or a macroEnabled
  or VBA content type, in any case), and which Office application wrote it;
- a workbook's sheets by streaming their XML in small chunks: the `<dimension ref>` each
  declares and the rows and cells it really holds, against caps, so a million-row sheet is
  refused without building a single cell;
- a PDF by its header, its `%%EOF` trailer and the absence of HTML markup: a web page
  behind a `%PDF-` line is not a PDF.

Each refusal is a sentence saying what the file looks like and what to do instead.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DefusedET
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse
from django.shortcuts import render
from openpyxl.utils.cell import coordinate_from_string, range_boundaries

XLSX, DOCX, PDF = "xlsx", "docx", "pdf"
_OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EOCD = b"PK\x05\x06"
_CHUNK = 64 * 1024
_PDF_HEADER = re.compile(rb"^%PDF-\d\.\d")
_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|meta|title)[\s>/]", re.IGNORECASE)
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref\s*=\s*"([^"]*)"')
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


@dataclass(frozen=True)
class PackageLimits:
    """What a ZIP package may declare before it is refused unopened."""

    max_parts: int
    max_uncompressed: int  # all parts together, as declared in the central directory
    max_part_uncompressed: int
    max_ratio: int  # declared uncompressed ÷ compressed, for parts over 1 MB


@dataclass(frozen=True)
class SheetLimits:
    """How much a workbook's sheets may hold before it is refused without parsing a cell."""

    max_rows: int  # per sheet, declared (<dimension ref>) or present
    max_columns: int
    max_cells: int  # per sheet, present
    max_total_cells: int  # the whole workbook


# The official template is 40 KB with 171 KB of XML in 28 parts; its largest sheet has 48 rows
# and 27 columns. The caps leave room for a site's own formatting and notes, not for data dumps.
RETURN_PACKAGE = PackageLimits(
    max_parts=500, max_uncompressed=20 * 1024 * 1024, max_part_uncompressed=10 * 1024 * 1024, max_ratio=200
)
RETURN_SHEETS = SheetLimits(max_rows=1_000, max_columns=200, max_cells=30_000, max_total_cells=60_000)
# Evidence is stored and downloaded, never parsed by the portal; its package still may not
# declare more than a reader's machine could reasonably inflate.
EVIDENCE_PACKAGE = PackageLimits(
    max_parts=5_000, max_uncompressed=200 * 1024 * 1024, max_part_uncompressed=100 * 1024 * 1024, max_ratio=200
)


def describe_size(size: int) -> str:
    """12 MB, 1.5 MB, 300 KB: how a size is told to a person."""
    if size >= 1024 * 1024:
        megabytes = size / (1024 * 1024)
        return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def return_upload_max_bytes() -> int:
    return int(settings.RETURN_UPLOAD_MAX_BYTES)


def evidence_upload_max_bytes() -> int:
    return int(settings.APPLICATION_UPLOAD_MAX_BYTES)


# --- Requests too large to read -----------------------------------------------------------


def oversize_request(request: Any, limit: int, *, what: str = "The file") -> str:
    """A sentence when the request body declares more than `limit` bytes (plus room for the
    form's other fields), else "". Reads nothing: Django never reads past CONTENT_LENGTH."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + _FORM_ALLOWANCE:
        return (
            f"{what} is larger than {describe_size(limit)} ({describe_size(length)} were sent). Check you chose the right file."
        )
    return ""


_FORM_ALLOWANCE = 64 * 1024  # the multipart boundaries, the note and the other fields


def refuse_file_field(form: Any, message: str, field: str = "file") -> None:
    """Put `message` on a bound form's file field in place of whatever else it says there
    (a body refused unread arrives without its file, which would otherwise read as "choose a file")."""
    form.is_valid()
    form.errors.pop(field, None)
    form.add_error(field, message)


class RequestSizeLimitMiddleware:
    """Any request whose body declares more than UPLOAD_MAX_REQUEST_BYTES is answered 413 before
    anything reads it: multipart or JSON, page or API (DRF's parsers read a JSON body whole and
    do not apply DATA_UPLOAD_MAX_MEMORY_SIZE). Django never reads past CONTENT_LENGTH, so the
    declared length bounds what any later code can read. The API answers JSON; a page, the NHS
    error page (errors/413.jinja) saying the file is too large, the limit, and the way back."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_REQUEST_BYTES
        if length > limit:
            message = f"The request is {describe_size(length)}; the portal takes at most {describe_size(limit)}. Nothing was read or stored."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            # People get the NHS page saying so, with the way back to the form they sent it from.
            return render(
                request,
                "errors/413.jinja",
                {
                    "page_title": "The file is too large",
                    "message": message,
                    "limit": describe_size(limit),
                    "back_href": request.path,
                },
                status=413,
            )
        return self.get_response(request)


class LimitedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: a multipart body over UPLOAD_MAX_REQUEST_BYTES is refused
    (400) before a byte of it is read, and a file that grows past it mid-stream is dropped, so
    no path (page, API, admin) spools a 1.5 GB upload to disk and then reads it into memory."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):  # noqa: ANN001
        if content_length > settings.UPLOAD_MAX_REQUEST_BYTES:
            # A 400 (SuspiciousOperation), as Django answers a form body over DATA_UPLOAD_MAX_MEMORY_SIZE.
            # Views that take files check the length first and say so in their own words.
            raise RequestDataTooBig(
                f"Request body of {content_length} bytes exceeds UPLOAD_MAX_REQUEST_BYTES ({settings.UPLOAD_MAX_REQUEST_BYTES})."
            )
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self._received = start + len(raw_data)
        if self._received > settings.UPLOAD_MAX_REQUEST_BYTES:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


# --- ZIP packages ---------------------------------------------------------------------------


def _declared_entries(handle: IO[bytes]) -> int | None:
    """The entry count in the End Of Central Directory record, read from the file's last
    64 KB, so a package claiming a million parts is refused before zipfile lists them."""
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - 65_557))
    tail = handle.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        return None
    entries = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    return None if entries == 0xFFFF else entries  # ZIP64: zipfile reads the real count


class PackageRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "damaged", "too_many_parts", "too_large", "bomb"


def open_package(handle: IO[bytes], limits: PackageLimits) -> zipfile.ZipFile:
    """The ZIP's directory, checked against `limits` from what it declares; nothing inflated."""
    entries = _declared_entries(handle)
    if entries is not None and entries > limits.max_parts:
        raise PackageRefused("too_many_parts")
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as error:
        raise PackageRefused("damaged") from error
    infos = archive.infolist()
    if len(infos) > limits.max_parts:
        raise PackageRefused("too_many_parts")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_part_uncompressed:
            raise PackageRefused("too_large")
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise PackageRefused("bomb")
    if total > limits.max_uncompressed:
        raise PackageRefused("too_large")
    return archive


def _read_part(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> bytes:
    with archive.open(name) as handle:
        return handle.read(limit)


def has_macros(names: set[str], content_types: bytes) -> bool:
    """The one macro rule for every Office file: a VBA project part anywhere (word/, xl/, any
    case), or a macroEnabled / VBA content type declared for any part."""
    folded = content_types.lower()
    return (
        any(name.rsplit("/", 1)[-1].lower() in {"vbaproject.bin", "vbaprojectsignature.bin"} for name in names)
        or b"macroenabled" in folded
        or b"vbaproject" in folded
    )


def _office_kind(names: set[str]) -> str:
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return ""


# --- Workbooks (monthly returns) ------------------------------------------------------------

_EXPECTED = "Upload the NNHIP data collection template saved as an Excel Workbook (.xlsx)."


def describe_workbook_problem(data: bytes, *, max_bytes: int | None = None) -> str:
    """Empty for an .xlsx workbook openpyxl may safely load; otherwise a sentence saying what
    the file looks like and what is expected."""
    limit = return_upload_max_bytes() if max_bytes is None else max_bytes
    if not data:
        return f"The file is empty. {_EXPECTED}"
    if len(data) > limit:
        return f"The file is {describe_size(len(data))}; a return must be {describe_size(limit)} or smaller. The template is about 40 KB: check you chose the right file."
    if data.startswith(_OLE_HEADER):
        return "The file looks like an Excel 97-2003 workbook (.xls). Open it in Excel, save it as an Excel Workbook (.xlsx) and upload that."
    if data.startswith(b"%PDF"):
        return f"The file looks like a PDF document. {_EXPECTED}"
    if not data.startswith(b"PK"):
        looks = (
            "a text file (for example CSV or HTML) with a spreadsheet's name"
            if _is_text(data[:4096])
            else "neither a spreadsheet nor a document the portal knows"
        )
        return f"The file looks like {looks}, not an Excel workbook. {_EXPECTED}"
    try:
        archive = open_package(io.BytesIO(data), RETURN_PACKAGE)
    except PackageRefused as refused:
        return _package_message(refused.reason, _EXPECTED)
    with archive:
        names = set(archive.namelist())
        try:
            mimetype = _read_part(archive, "mimetype", 256).decode("ascii", "replace").strip() if "mimetype" in names else ""
            content_types = _read_part(archive, "[Content_Types].xml") if "[Content_Types].xml" in names else b""
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return f"The file looks like a damaged ZIP archive, not an Excel workbook. {_EXPECTED}"
        if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
            return "The file looks like an OpenDocument spreadsheet (.ods). Open it in Excel or LibreOffice, save it as an Excel Workbook (.xlsx) and upload that."
        if mimetype.startswith("application/vnd.oasis.opendocument"):
            return f"The file looks like an OpenDocument file, not a spreadsheet. {_EXPECTED}"
        if has_macros(names, content_types):
            return "The file looks like a macro-enabled workbook (.xlsm). Save it as an Excel Workbook (.xlsx), which has no macros, and upload that."
        if "xl/workbook.bin" in names:
            return "The file looks like an Excel binary workbook (.xlsb). Save it as an Excel Workbook (.xlsx) and upload that."
        if not content_types or "xl/workbook.xml" not in names:
            if "word/document.xml" in names:
                return f"The file looks like a Word document. {_EXPECTED}"
            if "ppt/presentation.xml" in names:
                return f"The file looks like a PowerPoint presentation. {_EXPECTED}"
            return f"The file looks like a ZIP archive, not an Excel workbook. {_EXPECTED}"
        return _describe_sheets(archive, RETURN_SHEETS)


def _package_message(reason: str, expected: str) -> str:
    return {
        "damaged": f"The file looks like a damaged ZIP archive, not an Excel workbook. {expected}",
        "too_many_parts": f"The file holds far more parts than an Office document has. {expected}",
        "too_large": f"The file would unpack to far more than a filled-in template: it holds more than the portal reads. {expected}",
        "bomb": f"The file is compressed far more than an Office document can be (it looks like a ZIP bomb). {expected}",
    }[reason]


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's name in the workbook, for messages; the part name otherwise."""
    parts = sorted(name for name in archive.namelist() if _SHEET_PART.match(name))
    names = {part: part.rsplit("/", 1)[-1] for part in parts}
    try:
        workbook = DefusedET.fromstring(_read_part(archive, "xl/workbook.xml"))
        rels = DefusedET.fromstring(_read_part(archive, "xl/_rels/workbook.xml.rels"))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, DefusedET.ParseError, DefusedXmlException):
        return names
    targets = {rel.get("Id"): (rel.get("Target") or "").lstrip("/").removeprefix("xl/") for rel in rels}
    for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
        part = f"xl/{targets.get(sheet.get(f'{{{_REL_NS}}}id'), '')}"
        if part in names:
            names[part] = sheet.get("name") or names[part]
    return names


def _describe_sheets(archive: zipfile.ZipFile, limits: SheetLimits) -> str:
    """Stream each worksheet's XML in 64 KB chunks, never holding more than one: its declared
    <dimension ref>, then the rows and cells it holds, against `limits`."""
    total_cells = 0
    for part, name in _sheet_names(archive).items():
        rows = cells = 0
        carry = b""
        first = True
        try:
            with archive.open(part) as handle:
                while chunk := handle.read(_CHUNK):
                    window = carry + chunk
                    if first:
                        problem = _dimension_problem(name, window, limits)
                        if problem:
                            return problem
                        first = False
                    # Count whole tags only: a tag cut by the chunk's end is counted in the next window.
                    cut = max(0, len(window) - 16)
                    rows += len(_ROW.findall(window, 0, cut))
                    cells += len(_CELL.findall(window, 0, cut))
                    carry = window[cut:]
                    if rows > limits.max_rows:
                        return _too_big(name, f"more than {limits.max_rows:,} rows")
                    if cells > limits.max_cells or total_cells + cells > limits.max_total_cells:
                        return _too_big(name, f"more than {min(limits.max_cells, limits.max_total_cells):,} cells")
                rows += len(_ROW.findall(carry))
                cells += len(_CELL.findall(carry))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return f'The sheet "{name}" is damaged inside the file. {_EXPECTED}'
        if rows > limits.max_rows:
            return _too_big(name, f"more than {limits.max_rows:,} rows")
        total_cells += cells
        if cells > limits.max_cells or total_cells > limits.max_total_cells:
            return _too_big(name, f"more than {min(limits.max_cells, limits.max_total_cells):,} cells")
    return ""


def _dimension_problem(name: str, head: bytes, limits: SheetLimits) -> str:
    found = _DIMENSION.search(head)
    if not found:
        return ""
    ref = found.group(1).decode("ascii", "replace").strip()
    try:
        if ":" in ref:
            _, _, max_col, max_row = range_boundaries(ref)
        else:
            _, max_row = coordinate_from_string(ref)
            max_col = 1
    except (ValueError, TypeError):
        return ""  # an odd ref proves nothing; the rows themselves are counted next
    if (max_row or 0) > limits.max_rows or (max_col or 0) > limits.max_columns:
        return _too_big(name, f"the range {ref}")
    return ""


def _too_big(name: str, what: str) -> str:
    return (
        f'The sheet "{name}" holds {what}; the template\'s sheets hold fewer than a hundred rows. '
        f"Copy your figures into a fresh template, with nothing pasted below or beside them, and upload that."
    )


def _is_text(head: bytes) -> bool:
    if b"\x00" in head.lstrip(b"\xff\xfe\xef\xbb\xbf")[:1] or b"\x00\x00" in head:
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 text has NULs between letters
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start > len(head) - 4  # cut through a multi-byte character at the end
    return True


# --- Evidence (PDF, DOCX, XLSX) ---------------------------------------------------------------


class EvidenceRefused(Exception):
    """`message` says what is wrong with the file and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


EVIDENCE_ACCEPTED = "a PDF, Word document (DOCX) or Excel spreadsheet (XLSX)"


def identify_evidence(handle: IO[bytes], *, name: str, size: int, max_bytes: int | None = None) -> str:
    """ "pdf", "docx" or "xlsx" for an acceptable evidence file; EvidenceRefused otherwise.
    Reads the head, the tail and (for Office files) the ZIP directory and content types only."""
    not_accepted = EvidenceRefused(f"“{name}” is not {EVIDENCE_ACCEPTED}. The portal checks what a file contains, not its name.")
    if size == 0:
        raise EvidenceRefused(f"“{name}” is empty. Check you chose the right file.")
    limit = evidence_upload_max_bytes() if max_bytes is None else max_bytes
    if size > limit:
        raise EvidenceRefused(f"“{name}” is {describe_size(size)}. Files must be {describe_size(limit)} or smaller.")
    handle.seek(0)
    head = handle.read(8192)
    if head.startswith(b"%PDF-"):
        handle.seek(max(0, size - 2048))
        tail = handle.read(2048)
        handle.seek(0)
        if not _PDF_HEADER.match(head) or b"%%EOF" not in tail or _HTML.search(head):
            raise EvidenceRefused(
                f"“{name}” starts like a PDF but is not one (it may be a web page saved with a .pdf name). "
                "Open it and save or print it as a PDF, then upload that."
            )
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        raise not_accepted
    try:
        archive = open_package(handle, EVIDENCE_PACKAGE)
    except PackageRefused as refused:
        if refused.reason == "damaged":
            raise not_accepted from refused
        raise EvidenceRefused(
            f"“{name}” would unpack to far more than an Office document holds (it looks like a ZIP bomb). "
            "Save it again from Word or Excel and upload that."
        ) from refused
    try:
        with archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                raise not_accepted
            content_types = _read_part(archive, "[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as error:
        raise not_accepted from error
    finally:
        handle.seek(0)
    if has_macros(names, content_types):
        raise EvidenceRefused(
            f"“{name}” contains macros. Save it as an ordinary DOCX or XLSX file (without macros) and upload that."
        )
    kind = _office_kind(names)
    if not kind:
        raise not_accepted
    return kind
