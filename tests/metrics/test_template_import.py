"""A site uploads its monthly return: what the portal reads, and every problem it names."""

import datetime
import io
import zipfile

import pytest

from metrics.returns.importer import ImportContext, ParsedValue, Problem, read_return, validate_values
from metrics.returns.template import LAYOUT_V1_1, LAYOUT_V1_2, METRICS, comparable_category
from tests.metrics.workbooks import as_expected, expected_values, make_workbook, with_extra_part

JANUARY = datetime.date(2026, 1, 1)
FEBRUARY = datetime.date(2026, 2, 1)


@pytest.fixture
def context():
    return ImportContext(
        # As the Lookups sheet spells them, trailing space and all.
        places={"Croydon": 1, "Dorset Place ": 2, "Walsall": 3},
        allowed_site_ids={1, 2},
        periods={JANUARY: "open", FEBRUARY: "closed"},
    )


def only(problems, code):
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, problems
    return found[0]


# --- Happy paths --------------------------------------------------------------------------


def test_a_completed_v1_2_return_is_read_whole(context):
    result = read_return(make_workbook(), context)

    assert result.errors == []
    assert result.warnings == []
    assert (result.layout, result.site_id, result.place_name, result.month) == ("1.2", 1, "Croydon", JANUARY)
    assert len(result.values) == len(METRICS) * len(LAYOUT_V1_2.columns) == 16 * 23
    assert as_expected(result.values) == expected_values("1.2")


def test_a_return_on_the_earlier_layout_keeps_its_own_80_plus_category(context):
    result = read_return(make_workbook(layout="1.1"), context)

    assert result.errors == [] and result.warnings == []
    assert result.layout == "1.1"
    assert len(result.values) == 16 * 22
    categories = {value.category for value in result.values}
    assert "age_80_plus" in categories and not categories & {"age_80_89", "age_90_plus"}
    assert as_expected(result.values) == expected_values("1.1")
    # Everything right of the age block sits one column to the left.
    white = next(v for v in result.values if v.metric == "O3_BED_DAYS" and v.category == "eth_white")
    assert (white.numerator_cell, white.denominator_cell) == ("N21", "N7")


def test_the_two_layouts_compare_once_80_89_and_90_plus_are_taken_together():
    assert {comparable_category(c) for c in ("age_80_89", "age_90_plus", "age_80_plus")} == {"age_80_plus"}
    assert comparable_category("eth_white") == "eth_white"
    assert list(dict.fromkeys(map(comparable_category, LAYOUT_V1_2.categories))) == list(LAYOUT_V1_1.categories)


@pytest.mark.parametrize(
    "period",
    [
        46023,  # what Excel stores when the month is picked from the list in a General cell
        46023.0,
        "46023",
        datetime.datetime(2026, 1, 1),
        datetime.date(2026, 1, 1),
        "01/01/2026",
        "Jan-26",
        "January 2026",
        "2026-01-01",
    ],
)
def test_the_submission_period_arrives_in_any_of_the_shapes_excel_gives_it(context, period):
    result = read_return(make_workbook(period=period), context)

    assert result.errors == []
    assert result.month == JANUARY


def test_place_and_period_are_taken_from_the_submission_sheet_when_instructions_are_blank(context):
    data = make_workbook(place=None, period=None, B1="Croydon", B2="Jan-26")

    result = read_return(data, context)

    assert result.errors == []
    assert (result.site_id, result.month) == (1, JANUARY)


def test_stray_spaces_and_case_in_the_place_name_do_not_matter(context):
    result = read_return(make_workbook(place="  dorset   PLACE "), context)

    assert result.errors == []
    assert (result.site_id, result.place_name) == (2, "dorset PLACE")


@pytest.mark.parametrize("marker", ["*", " * ", "<6", "< 6", "-", "null", "NULL", " Null "])
def test_suppression_markers_in_any_case_mean_suppressed_never_zero(context, marker):
    result = read_return(make_workbook(J21=marker), context)

    assert result.errors == []
    value = next(v for v in result.values if v.metric == "O3_BED_DAYS" and v.category == "age_60_69")
    assert (value.numerator, value.numerator_suppressed, value.numerator_cell) == (None, True, "J21")


def test_formula_denominators_are_followed_to_the_cohort_figure(context):
    result = read_return(make_workbook(), context)
    by_key = {(v.metric, v.category): v for v in result.values}

    # Row 34 is =D25, which is =D16, which is =D7.
    cat4 = by_key[("O4_CAT4", "total")]
    assert (cat4.denominator, cat4.denominator_cell) == (12000, "D7")
    # Row 19 points at the follow-up cohort typed in row 10, not at row 7.
    one_plus = by_key[("O2_ONE_PLUS_LOS", "age_18_19")]
    assert one_plus.denominator_cell == "E10"


def test_a_number_typed_over_a_denominator_formula_is_used(context):
    result = read_return(make_workbook(E10=121, F10=539), context)
    by_key = {(v.metric, v.category): v for v in result.values}

    assert result.errors == []
    assert by_key[("O2_ONE_PLUS_LOS", "age_18_19")].denominator == 121
    assert by_key[("O2_ZERO_LOS", "age_18_19")].denominator == 120


def test_a_complicated_formula_uses_the_value_excel_saved_with_it(context):
    data = make_workbook(E22="=E7*1", cached={"E22": 120})

    result = read_return(data, context)

    assert result.errors == []
    bed_days = next(v for v in result.values if v.metric == "O3_BED_DAYS" and v.category == "age_18_19")
    assert (bed_days.denominator, bed_days.denominator_cell) == (120, "E22")


def test_rates_that_excel_calculated_are_checked_and_accepted_when_they_agree(context):
    # 1,500 / 12,000 x 1,000 = 125, displayed rounded to one decimal place.
    result = read_return(make_workbook(cached={"D8": 125.04}), context)

    assert result.warnings == []


# --- The file is not an .xlsx -------------------------------------------------------------


def _ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (b"", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "The file looks like an Excel 97-2003 workbook (.xls)."),
        (_ods(), "The file looks like an OpenDocument spreadsheet (.ods)."),
        (
            with_extra_part(make_workbook(), "xl/vbaProject.bin", b"\x00VBA"),
            "The file looks like a macro-enabled workbook (.xlsm).",
        ),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "The file looks like a PDF document."),
        (b"Project Name,Croydon\nSubmission Period,Jan-26\n", "The file looks like a text file (for example CSV or HTML)"),
        (_docx(), "The file looks like a Word document."),
        (b"PK\x03\x04 not really a zip", "The file looks like a damaged ZIP archive"),
    ],
    ids=["empty", "xls", "ods", "xlsm", "pdf", "renamed-text", "docx", "broken-zip"],
)
def test_files_that_are_not_an_xlsx_workbook_are_refused_by_their_content(context, data, looks_like):
    result = read_return(data, context)

    problem = only(result.errors, "not_xlsx")
    assert (problem.sheet, problem.cell) == ("", "")
    assert problem.message.startswith(looks_like)
    assert ".xlsx" in problem.message
    assert result.values == [] and result.layout == ""


def test_a_damaged_workbook_is_refused(context):
    damaged = with_extra_part(_docx(), "xl/workbook.xml", b"<workbook/>")

    result = read_return(damaged, context)

    assert only(result.errors, "not_xlsx").message.startswith("The file could not be opened as an Excel workbook")


# --- Errors -------------------------------------------------------------------------------


def test_a_missing_sheet_is_named(context):
    result = read_return(make_workbook(delete_sheets=["SubmissionTemplate"]), context)

    problem = only(result.errors, "missing_sheet")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "")
    assert problem.message == (
        'The workbook has no sheet called "SubmissionTemplate". Upload the NNHIP data collection template '
        "with its sheets as they are (not renamed or deleted)."
    )
    assert result.site_id == 1 and result.month == JANUARY  # the rest was still read


def test_without_instructions_the_place_and_period_cached_on_the_submission_sheet_are_used(context):
    data = make_workbook(delete_sheets=["Instructions"], B1="Croydon", B2=46023)

    result = read_return(data, context)

    assert [p.code for p in result.errors] == ["missing_sheet"]
    assert (result.site_id, result.month) == (1, JANUARY)


def test_a_missing_place(context):
    result = read_return(make_workbook(place=None), context)

    problem = only(result.errors, "place_missing")
    assert (problem.sheet, problem.cell) == ("Instructions", "B6")
    assert problem.message == (
        "Instructions!B6: the Project Name (your Place) is empty. Choose your Place from the list in Instructions!B6."
    )


def test_an_unknown_place(context):
    result = read_return(make_workbook(place="Croydn"), context)

    problem = only(result.errors, "place_unknown")
    assert (problem.sheet, problem.cell) == ("Instructions", "B6")
    assert problem.message == (
        'Instructions!B6: "Croydn" is not one of the programme\'s Places. '
        "Choose your Place from the list in Instructions!B6 rather than typing it."
    )


def test_a_place_that_is_not_the_uploaders(context):
    result = read_return(make_workbook(place="Walsall"), context)

    problem = only(result.errors, "place_not_yours")
    assert (problem.sheet, problem.cell) == ("Instructions", "B6")
    assert problem.message == (
        'Instructions!B6: this return is for "Walsall", which is not one of your sites. '
        "Choose your own Place, or ask the programme team for access to Walsall."
    )
    assert result.site_id is None


def test_a_missing_period(context):
    result = read_return(make_workbook(period=None), context)

    problem = only(result.errors, "period_missing")
    assert (problem.sheet, problem.cell) == ("Instructions", "B7")
    assert problem.message == (
        "Instructions!B7: the Submission Period is empty. Choose the month this return covers from the list in Instructions!B7."
    )


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (
            "Smarch 2026",
            'Instructions!B7: "Smarch 2026" is not a month. Choose the submission period from the list in Instructions!B7 (for example Jan-26).',
        ),
        (
            datetime.datetime(2029, 3, 1),
            "Instructions!B7: March 2029 is not a reporting period of the programme. Choose the month this return covers from the list in Instructions!B7.",
        ),
    ],
)
def test_an_unknown_period(context, period, message):
    result = read_return(make_workbook(period=period), context)

    problem = only(result.errors, "period_unknown")
    assert (problem.sheet, problem.cell, problem.message) == ("Instructions", "B7", message)


def test_a_closed_period_is_refused_unless_an_administrator_corrects_it(context):
    data = make_workbook(period=datetime.datetime(2026, 2, 1))

    problem = only(read_return(data, context).errors, "period_closed")
    assert (problem.sheet, problem.cell) == ("Instructions", "B7")
    assert problem.message == (
        "Instructions!B7: the February 2026 period is closed, so returns for it can no longer be uploaded. "
        "Contact the programme team if a correction is needed."
    )

    context.allow_closed = True
    assert read_return(data, context).errors == []


def test_an_unknown_layout_names_the_header_cell_and_what_was_expected(context):
    result = read_return(make_workbook(L5="85+"), context)

    problem = only(result.errors, "layout_unknown")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "L5")
    assert problem.message == (
        'SubmissionTemplate!L5: found "85+" where the age group headers should read "80-89" (template v1.2) or '
        '"80+" (the earlier template). The headers in row 5 tell the portal which version of the template this is: '
        "copy your figures into a fresh template."
    )
    assert result.values == [] and result.layout == ""


def test_a_moved_column_is_named_and_no_figures_are_read(context):
    result = read_return(make_workbook(T5="Other"), context)

    problem = only(result.errors, "missing_column")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "T5")
    assert problem.message == (
        'SubmissionTemplate!T5: expected the column header "Not known" here but found "Other". Keep the template\'s '
        "columns as they are (no columns inserted, deleted or moved): copy your figures into a fresh template."
    )
    assert result.values == []


def test_a_group_heading_is_a_header_too(context):
    result = read_return(make_workbook(O4=None), context)

    assert only(result.errors, "missing_column").cell == "O4"


@pytest.mark.parametrize(
    ("cell", "content", "message"),
    [
        (
            "A21",
            "O4",
            'SubmissionTemplate!A21: expected the metric id "O3" here but found "O4". Metric rows must stay where the '
            "template puts them: do not insert, delete or sort rows.",
        ),
        (
            "C24",
            "Number of category 2 ambulance conveyances for patients in the cohort",
            'SubmissionTemplate!C24: expected "Number of category 1 ambulance conveyances for patients in the cohort" here but found '
            '"Number of category 2 ambulance conveyances for patients in the cohort". Metric rows must stay where the '
            "template puts them: do not insert, delete or sort rows.",
        ),
    ],
)
def test_a_metric_row_out_of_place_is_named(context, cell, content, message):
    result = read_return(make_workbook(**{cell: content}), context)

    problem = only(result.errors, "missing_metric_row")
    assert (problem.sheet, problem.cell, problem.message) == ("SubmissionTemplate", cell, message)


def test_labels_compare_without_regard_to_spacing_or_case(context):
    data = make_workbook(C12="  number of consultant-led   OUTPATIENT procedures for patients in the cohort")

    assert read_return(data, context).errors == []


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (
            "J21",
            "SubmissionTemplate!J21: this cell is empty. Enter a count of bed days (0 if there were none), or * if it is fewer than 6.",
        ),
        (
            "F10",
            "SubmissionTemplate!F10: this cell is empty. Enter a count of patients in the cohort (0 if there were none), or * if it is fewer than 6.",
        ),
        (
            "E16",
            "SubmissionTemplate!E16: this cell is empty. Put back the formula =E7 or enter the number of patients in the cohort.",
        ),
        (
            "Z48",
            "SubmissionTemplate!Z48: this cell is empty. Enter a count of patients on the caseload (0 if there were none), or * if it is fewer than 6.",
        ),
    ],
)
def test_an_empty_cell_in_the_data_area_is_an_error_not_a_suppression(context, cell, message):
    result = read_return(make_workbook(**{cell: None}), context)

    problem = only(result.errors, "blank_cell")
    assert (problem.sheet, problem.cell, problem.message) == ("SubmissionTemplate", cell, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("12.5", 'SubmissionTemplate!J21: "12.5" is not a whole number. Enter a count of bed days, or * if it is fewer than 6.'),
        (12.5, 'SubmissionTemplate!J21: "12.5" is not a whole number. Enter a count of bed days, or * if it is fewer than 6.'),
        ("n/a", 'SubmissionTemplate!J21: "n/a" is not a count. Enter a count of bed days, or * if it is fewer than 6.'),
        ("0*", 'SubmissionTemplate!J21: "0*" is not a count. Enter a count of bed days, or * if it is fewer than 6.'),
    ],
)
def test_a_count_cell_holding_something_other_than_a_whole_number(context, content, message):
    result = read_return(make_workbook(J21=content), context)

    problem = only(result.errors, "not_a_count")
    assert (problem.sheet, problem.cell, problem.message) == ("SubmissionTemplate", "J21", message)


def test_a_formula_the_portal_cannot_follow_and_excel_did_not_calculate(context):
    result = read_return(make_workbook(E22="=SUM(E7:E7)"), context)

    problem = only(result.errors, "not_a_count")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "E22")
    assert problem.message == (
        "SubmissionTemplate!E22: the formula =SUM(E7:E7) has no calculated value the portal can read. "
        "Replace it with a count of patients in the cohort, or * if it is fewer than 6."
    )


def test_whole_numbers_typed_as_text_are_counts(context):
    result = read_return(make_workbook(D6="1,500", E6=" 19 "), context)

    assert result.errors == []
    assert next(v for v in result.values if v.metric == "O1_NEW" and v.category == "total").numerator == 1500


def test_a_negative_count(context):
    result = read_return(make_workbook(J21=-3), context)

    problem = only(result.errors, "negative_count")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "J21")
    assert problem.message == (
        "SubmissionTemplate!J21: -3 is below zero. Enter a count of bed days (0 or more), or * if it is fewer than 6."
    )


def test_activity_for_a_cohort_of_nobody(context):
    # Nobody aged 18-19 in the cohort (E7), yet zero-day spells recorded for them (E15).
    result = read_return(make_workbook(E7=0, E10=0, E13=0, D7=11880, D10=11880, D13=11880, E15=7), context)

    problem = next(p for p in result.errors if p.code == "zero_denominator_with_numerator" and p.cell == "E15")
    assert problem.sheet == "SubmissionTemplate"
    assert problem.message == (
        "SubmissionTemplate!E15: 7 zero-day emergency spells are recorded but the number of patients in the cohort (E7) is 0. "
        "Check the cohort figure: activity needs patients in the cohort."
    )


def test_every_problem_is_reported_at_once(context):
    data = make_workbook(place="Walsall", period="Smarch", J21="12.5", K21=None, E15=-1, A45="O7", F6=3)

    result = read_return(data, context)

    assert sorted(p.code for p in result.errors) == sorted(
        ["place_not_yours", "period_unknown", "missing_metric_row", "not_a_count", "blank_cell", "negative_count"]
    )
    assert {p.cell for p in result.errors} == {"B6", "B7", "A45", "J21", "K21", "E15"}
    assert {p.code for p in result.warnings} >= {"small_number", "breakdown_total_mismatch"}


# --- Warnings -----------------------------------------------------------------------------


def test_a_small_number_that_should_have_been_suppressed(context):
    result = read_return(make_workbook(E7=4, E10="*", E13="*", D7=11884), context)

    problem = only(result.warnings, "small_number")  # once, though rows 16, 22, 43 … point at E7
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "E7")
    assert problem.message == (
        "SubmissionTemplate!E7: 4 is a small number. The measurement guide asks for counts below 6 to be replaced "
        "with *; enter * unless you are sure this figure may be shared."
    )
    assert result.errors == []


def test_categories_that_do_not_add_up_to_the_total(context):
    result = read_return(make_workbook(J21=999), context)

    problem = only(result.warnings, "breakdown_total_mismatch")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "D21")
    assert problem.message.startswith("SubmissionTemplate!D21: the age groups (E21:N21) add up to ")
    assert "but the Total is 2,900. Check the Total and the age groups" in problem.message


def test_on_the_earlier_layout_the_age_range_ends_one_column_sooner(context):
    result = read_return(make_workbook(layout="1.1", S21=0), context)

    problem = only(result.warnings, "breakdown_total_mismatch")
    assert problem.cell == "D21"
    assert problem.message.startswith("SubmissionTemplate!D21: the ethnic groups (N21:S21) add up to ")


def test_a_suppressed_category_may_hide_up_to_five_but_no_more(context):
    # J21 (60-69 bed days) hidden: the other age groups now fall short of the Total by J21's
    # real figure, far more than one suppressed cell (at most 5) can explain.
    result = read_return(make_workbook(J21="*"), context)

    problem = only(result.warnings, "breakdown_total_mismatch")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "D21")
    assert "other than the 1 suppressed cell add up to" in problem.message
    assert "which 1 suppressed cell (fewer than 6 each) cannot explain" in problem.message


def test_a_suppressed_category_that_accounts_for_the_difference_is_no_warning(context):
    # Age 18-19 bed days moved into a suppressed cell: the rest fall short by 4, which it explains.
    row = {v.category: v.numerator for v in read_return(make_workbook(), context).values if v.metric == "O3_BED_DAYS"}
    short_by_four = make_workbook(E21="*", F21=row["age_20_29"] + row["age_18_19"] - 4)

    result = read_return(short_by_four, context)

    assert [p.code for p in result.warnings] == []


def test_known_categories_above_the_total_are_a_warning_even_with_a_suppressed_one(context):
    result = read_return(make_workbook(J21="*", K21=5000), context)  # the rest alone exceed the Total of 2,900

    assert only(result.warnings, "breakdown_total_mismatch").cell == "D21"


def test_a_rate_typed_over_the_formula_that_disagrees_with_the_counts(context):
    result = read_return(make_workbook(D23=250), context)

    problem = only(result.warnings, "rate_mismatch")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "D23")
    assert problem.message == (
        "SubmissionTemplate!D23: the rate 250 does not match 2,900 ÷ 12,000 × 1,000 = 241.67. The portal calculates "
        "rates from the counts, so check D21 and D7, and put back the template's formula if it was typed over."
    )


def test_a_rate_excel_saved_that_disagrees_with_the_counts(context):
    assert only(read_return(make_workbook(cached={"D8": 130.0}), context).warnings, "rate_mismatch").cell == "D8"


# --- The same rules for figures from the web form and the API ------------------------------


def _value(metric, category, numerator, denominator=None, *, cell=""):
    return ParsedValue(metric, category, numerator, denominator, False, False, cell, "")


def test_validate_values_judges_figures_that_did_not_come_from_a_sheet():
    values = [
        _value("O3_BED_DAYS", "total", 100, 1000),
        _value("O3_BED_DAYS", "age_60_69", -2, 1000),
        _value("O3_BED_DAYS", "age_70_79", 4, 0),
    ]

    errors, warnings = validate_values(values, layout="1.2")

    assert [(e.code, e.sheet, e.cell) for e in errors] == [
        ("negative_count", "", ""),
        ("zero_denominator_with_numerator", "", ""),
    ]
    assert errors[0].message == (
        "Inpatient bed days per 1,000 patients in the cohort (age 60-69), count: -2 is below zero. "
        "Enter a count of bed days (0 or more), or * if it is fewer than 6."
    )
    assert [w.code for w in warnings] == ["small_number"]


def test_validate_values_keeps_a_field_name_given_as_the_cell():
    errors, _ = validate_values([_value("P1_CASELOAD", "total", -1, cell="caseload-total")], layout="1.1")

    assert errors == [
        Problem(
            "",
            "caseload-total",
            "negative_count",
            "Number of patients on the NNHIP caseload (Total), count: -1 is below zero. "
            "Enter a count of patients on the caseload (0 or more), or * if it is fewer than 6.",
        )
    ]


def test_validate_values_refuses_categories_of_the_other_layout():
    with pytest.raises(ValueError, match="age_80_plus"):
        validate_values([_value("O1_NEW", "age_80_plus", 10, 100)], layout="1.2")


# --- As strict as the analysts' own checks (issue 12) --------------------------------------


@pytest.mark.parametrize(
    ("cell", "content", "expected"),
    [
        # A rate row's label is checked too, whole: not only the numerator's, not only its start.
        ("C23", "Number of inpatient bed days", "Number of inpatient bed days per 1,000 patients in the cohort"),
        (
            "C8",
            "Number of new consultant-led outpatient appointments per 1,000 patients in the cohort (estimated)",
            "Number of new consultant-led outpatient appointments per 1,000 patients in the cohort",
        ),
        (
            "C6",
            "Number of new consultant-led outpatient appointments for patients in the cohort and their carers",
            "Number of new consultant-led outpatient appointments for patients in the cohort",
        ),
        ("C7", "Number of patients", "Number of patients in the cohort"),
    ],
)
def test_a_label_that_is_not_the_templates_is_refused_by_its_cell(context, cell, content, expected):
    result = read_return(make_workbook(**{cell: content}), context)

    problem = only(result.errors, "missing_metric_row")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", cell)
    assert problem.message == (
        f'SubmissionTemplate!{cell}: expected "{expected}" here but found "{content}". Metric rows must stay where '
        "the template puts them: do not insert, delete or sort rows."
    )


def test_rate_labels_compare_without_regard_to_spacing_or_case(context):
    data = make_workbook(C23="  NUMBER of inpatient   bed days per 1,000 patients in the COHORT ")

    assert read_return(data, context).errors == []


def test_a_metric_row_below_p1_is_refused(context):
    result = read_return(make_workbook(A50="O7", C50="Number of something else", D50=120), context)

    problem = only(result.errors, "extra_metric_row")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "A50")
    assert problem.message == (
        'SubmissionTemplate!A50: found "O7" below the last metric line (P1, row 48). The template has no rows below '
        "it: remove them, or copy your figures into a fresh template."
    )
    assert not result.is_valid


def test_a_figure_in_a_column_the_layout_does_not_have_is_refused(context):
    result = read_return(make_workbook(AA21=17), context)

    problem = only(result.errors, "extra_column")
    assert (problem.sheet, problem.cell) == ("SubmissionTemplate", "AA21")
    assert problem.message == (
        'SubmissionTemplate!AA21: found "17" in a column the template does not have: its last column is Z '
        '("Not Known", template v1.2). Remove it, or copy your figures into a fresh template.'
    )


def test_on_the_earlier_layout_column_z_is_outside_it(context):
    result = read_return(make_workbook(layout="1.1", Z6=4), context)

    assert only(result.errors, "extra_column").cell == "Z6"


@pytest.mark.parametrize(
    ("layout", "column", "message"),
    [
        (
            "1.2",
            "J",
            'SubmissionTemplate!J5: the column "60-69" is missing: the template has it at J5, between "50-59" and "70-79".',
        ),
        (
            "1.2",
            "L",
            'SubmissionTemplate!L5: the column "80-89" is missing: the template has it at L5, between "70-79" and "90+".',
        ),
        (
            "1.2",
            "E",
            'SubmissionTemplate!E5: the column "18-19" is missing: the template has it at E5, between the Total and "20-29".',
        ),
        ("1.2", "Z", 'SubmissionTemplate!Z5: the column "Not Known" is missing: the template has it at Z5, after "5".'),
        (
            "1.1",
            "L",
            'SubmissionTemplate!L5: the column "80+" is missing: the template has it at L5, between "70-79" and "Not known".',
        ),
    ],
)
def test_a_deleted_breakdown_column_is_named_not_the_header_after_it(context, layout, column, message):
    result = read_return(make_workbook(layout=layout, delete_columns=[column]), context)

    problem = only(result.errors, "missing_column")
    assert problem.message.startswith(message)
    assert [p for p in result.errors if p.code in ("missing_column", "extra_column", "layout_unknown")] == [problem]
    assert result.values == []


def test_an_inserted_column_is_named(context):
    result = read_return(make_workbook(insert_columns={"J": "60-64"}), context)

    problem = only(result.errors, "extra_column")
    assert problem.message.startswith('SubmissionTemplate!J5: found "60-64", a column the template does not have here.')
    assert not [p for p in result.errors if p.code == "missing_column"]
    assert result.values == []


def test_a_return_for_a_month_that_has_not_ended_is_refused(context):
    context.periods[JANUARY] = "not_ended"

    result = read_return(make_workbook(), context)

    problem = only(result.errors, "period_not_ended")
    assert (problem.sheet, problem.cell) == ("Instructions", "B7")
    assert problem.message.startswith("Instructions!B7: January 2026 has not ended yet")
