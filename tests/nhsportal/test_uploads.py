"""The one sniffer (nhsportal/uploads.py): returns and evidence judge a file by the same rules."""

from __future__ import annotations

import io

import pytest

from metrics.returns.checks import describe_non_xlsx
from nhsportal import uploads
from tests.metrics.workbooks import make_workbook, with_extra_part


def _evidence(data: bytes, name: str = "file.xlsx") -> str:
    return uploads.identify_evidence(io.BytesIO(data), name=name, size=len(data), max_bytes=10 * 1024 * 1024)


@pytest.mark.parametrize(
    "part", ["xl/vbaProject.bin", "xl/VBAPROJECT.BIN", "customUI/vbaProject.bin", "xl/vbaProjectSignature.bin"]
)
def test_a_macro_part_anywhere_is_refused_by_returns_and_evidence_alike(part):
    data = with_extra_part(make_workbook(), part, b"\xd0\xcf\x11\xe0 VBA")

    assert describe_non_xlsx(data).startswith("The file looks like a macro-enabled workbook (.xlsm).")
    with pytest.raises(uploads.EvidenceRefused, match="contains macros"):
        _evidence(data)


def test_the_real_template_filled_in_passes_both():
    data = make_workbook()

    assert describe_non_xlsx(data) == ""
    assert _evidence(data) == "xlsx"


def test_a_sheet_is_named_by_its_workbook_name_not_its_part(settings):
    from tests.metrics.workbooks import declared_million_rows

    message = describe_non_xlsx(declared_million_rows())

    assert message.startswith('The sheet "SubmissionTemplate" holds the range A1:Z1000000;')


def test_a_zip_declaring_more_parts_than_an_office_file_has_is_refused_unlisted():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for n in range(uploads.RETURN_PACKAGE.max_parts):
            archive.writestr(f"xl/junk/{n}.xml", "")

    assert describe_non_xlsx(buffer.getvalue()).startswith("The file holds far more parts than an Office document has.")
