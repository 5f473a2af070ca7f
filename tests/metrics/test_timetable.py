"""The monthly deadlines, worked out from the template's SubmissionTimetable sheet."""

import datetime
import io
import warnings

import openpyxl
import pytest

from metrics.returns.template import TEMPLATE_PATH
from metrics.returns.timetable import PeriodDates, dates_for_month, initial_submission_due, read_timetable


def d(text: str) -> datetime.date:
    return datetime.datetime.strptime(text, "%d/%m/%Y").date()


# Appendix 1 of the measurement guide (v1.2), typed in by hand:
# month, start, end, initial submission, initial report, second submission, final report.
GUIDE_TABLE = """
01/01/2026 01/01/2026 31/01/2026 27/03/2026 03/04/2026 03/04/2026 10/04/2026
01/02/2026 01/02/2026 28/02/2026 24/04/2026 01/05/2026 01/05/2026 08/05/2026
01/03/2026 01/03/2026 31/03/2026 26/05/2026 02/06/2026 02/06/2026 09/06/2026
01/04/2026 01/04/2026 30/04/2026 25/06/2026 02/07/2026 02/07/2026 09/07/2026
01/05/2026 01/05/2026 31/05/2026 24/07/2026 31/07/2026 31/07/2026 07/08/2026
01/06/2026 01/06/2026 30/06/2026 25/08/2026 01/09/2026 01/09/2026 08/09/2026
01/07/2026 01/07/2026 31/07/2026 25/09/2026 02/10/2026 02/10/2026 09/10/2026
01/08/2026 01/08/2026 31/08/2026 26/10/2026 02/11/2026 02/11/2026 09/11/2026
01/09/2026 01/09/2026 30/09/2026 25/11/2026 02/12/2026 02/12/2026 09/12/2026
01/10/2026 01/10/2026 31/10/2026 25/12/2026 01/01/2027 01/01/2027 08/01/2027
01/11/2026 01/11/2026 30/11/2026 25/01/2027 01/02/2027 01/02/2027 08/02/2027
01/12/2026 01/12/2026 31/12/2026 25/02/2027 04/03/2027 04/03/2027 11/03/2027
01/01/2027 01/01/2027 31/01/2027 26/03/2027 02/04/2027 02/04/2027 09/04/2027
01/02/2027 01/02/2027 28/02/2027 23/04/2027 30/04/2027 30/04/2027 07/05/2027
01/03/2027 01/03/2027 31/03/2027 26/05/2027 02/06/2027 02/06/2027 09/06/2027
"""


def test_the_sheet_gives_fifteen_months_from_january_2026():
    periods = read_timetable()

    assert [p.month for p in periods][0] == datetime.date(2026, 1, 1)
    assert [p.month for p in periods][-1] == datetime.date(2027, 3, 1)
    assert len(periods) == 15


def test_january_2026_ends_on_a_saturday_deadline_so_it_moves_back_to_friday():
    january = read_timetable()[0]

    # 31 Jan 2026 + 56 days = Saturday 28 March -> Friday 27 March.
    assert january == PeriodDates(
        month=d("01/01/2026"),
        period_start=d("01/01/2026"),
        period_end=d("31/01/2026"),
        initial_submission_due=d("27/03/2026"),
        data_quality_report_due=d("03/04/2026"),
        final_submission_due=d("03/04/2026"),
        final_report_due=d("10/04/2026"),
    )


def test_a_sunday_deadline_moves_back_two_days_and_a_weekday_stays():
    by_month = {p.month: p for p in read_timetable()}

    # 31 May 2026 + 56 days = Sunday 26 July -> Friday 24 July.
    assert by_month[d("01/05/2026")].initial_submission_due == d("24/07/2026")
    # 31 Mar 2026 + 56 days = Tuesday 26 May: no move.
    assert by_month[d("01/03/2026")].initial_submission_due == d("26/05/2026")
    # 31 Oct 2026 + 56 days = Saturday 26 December -> Friday 25 December (bank holidays are not considered).
    assert by_month[d("01/10/2026")].initial_submission_due == d("25/12/2026")


def test_every_row_matches_the_measurement_guide_appendix():
    expected = [PeriodDates(*map(d, line.split())) for line in GUIDE_TABLE.strip().splitlines()]

    assert read_timetable() == expected


def test_months_beyond_the_sheet_follow_the_same_rule():
    april_2027 = dates_for_month(datetime.date(2027, 4, 1))

    # 30 Apr 2027 + 56 days = Friday 25 June 2027.
    assert (april_2027.period_end, april_2027.initial_submission_due) == (d("30/04/2027"), d("25/06/2027"))
    assert april_2027.final_report_due == d("09/07/2027")
    assert initial_submission_due(d("28/02/2027")) == d("23/04/2027")


def test_a_changed_formula_is_refused_rather_than_guessed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = openpyxl.load_workbook(TEMPLATE_PATH)
    workbook["SubmissionTimetable"]["E3"] = "=D3+14"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    with pytest.raises(ValueError, match="SubmissionTimetable!E3"):
        read_timetable(buffer)
