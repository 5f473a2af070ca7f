"""Analysts download a return, or a site a blank template, in the official workbook."""

import dataclasses
import datetime
import io
import warnings

import openpyxl
import pytest

from metrics.returns.importer import ImportContext, read_return
from metrics.returns.workbook import write_blank, write_return
from tests.metrics.workbooks import as_expected, expected_values, make_workbook

JANUARY = datetime.date(2026, 1, 1)


@pytest.fixture
def context():
    return ImportContext(places={"Croydon": 1, "Dorset Place ": 2}, allowed_site_ids={1, 2}, periods={JANUARY: "open"})


def _open(data: bytes, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(io.BytesIO(data), **options)


def test_a_blank_template_comes_with_place_and_period_chosen(context):
    data = write_blank("Dorset Place ", JANUARY)

    workbook = _open(data)
    instructions = workbook["Instructions"]
    assert instructions["B6"].value == "Dorset Place "
    assert instructions["B7"].value == datetime.datetime(2026, 1, 1)
    assert instructions["B7"].number_format == "mmm-yy"
    lists = {str(v.sqref): v.formula1 for v in instructions.data_validations.dataValidation}
    assert lists == {"B6": "Lookups!$A$2:$A$44", "B7": "Lookups!$C$2:$C$36"}
    assert workbook["SubmissionTemplate"]["D16"].value == "=D7"
    assert workbook.sheetnames == [
        "Instructions",
        "SubmissionTemplate",
        "SubmissionTimetable",
        "Definitions",
        "AcuteNonElectiveDefs",
        "Lookups",
    ]

    result = read_return(data, context)
    assert (result.site_id, result.month, result.layout) == (2, JANUARY, "1.2")
    assert {p.code for p in result.errors} == {"blank_cell"}  # only the figures are left to fill in


@pytest.mark.parametrize("layout", ["1.2", "1.1"])
def test_a_return_written_out_reads_back_the_same(context, layout):
    original = read_return(make_workbook(layout=layout), context)

    data = write_return(original.values, place_name="Croydon", month=JANUARY)

    again = read_return(data, context)
    assert again.errors == [] and again.warnings == []
    assert (again.layout, again.site_id, again.month) == (layout, 1, JANUARY)
    assert again.values == original.values
    assert as_expected(again.values) == expected_values(layout)


def test_suppressed_figures_are_written_as_a_star_and_formulas_are_kept(context):
    original = read_return(make_workbook(J21="<6", E10="null", E13="*"), context)

    sheet = _open(write_return(original.values, place_name="Croydon", month=JANUARY))["SubmissionTemplate"]

    assert sheet["J21"].value == "*"
    assert sheet["E10"].value == "*"
    assert sheet["E19"].value == "=E10"  # follows E10, so it shows * too
    assert sheet["D8"].value == "=IFERROR(D6/D7*1000,0)"
    assert sheet["D34"].value == "=D25"


def test_a_denominator_typed_over_its_formula_is_written_as_typed(context):
    original = read_return(make_workbook(E16=119), context)

    data = write_return(original.values, place_name="Croydon", month=JANUARY)

    sheet = _open(data)["SubmissionTemplate"]
    assert sheet["E16"].value == 119
    assert sheet["F16"].value == "=F7"
    again = read_return(data, context)
    assert as_expected(again.values) == as_expected(original.values)


def test_an_earlier_layout_return_is_written_in_its_own_layout():
    original = read_return(
        make_workbook(layout="1.1"),
        ImportContext(places={"Croydon": 1}, allowed_site_ids={1}, periods={JANUARY: "open"}),
    )

    sheet = _open(write_return(original.values, place_name="Croydon", month=JANUARY))["SubmissionTemplate"]

    assert [sheet.cell(5, column).value for column in range(11, 15)] == ["70-79", "80+", "Not known", "White"]
    assert sheet["Y5"].value == "Not Known" and sheet["Z5"].value is None
    assert sheet["M8"].value == "=IFERROR(M6/M7*1000,0)"
    assert sheet["Y46"].value == "=Y43"
    assert {str(r) for r in sheet.merged_cells.ranges} >= {"E4:M4", "N4:S4", "T4:Y4"}
    assert sheet["L21"].value == expected_values("1.1")[("O3_BED_DAYS", "age_80_plus")][0]


def test_figures_that_contradict_each_other_are_refused(context):
    values = read_return(make_workbook(), context).values
    cohort = next(v for v in values if v.metric == "COHORT" and v.category == "total")
    contradicting = [dataclasses.replace(v, numerator=11999) if v is cohort else v for v in values]

    with pytest.raises(ValueError, match="SubmissionTemplate!D7"):
        write_return(contradicting, place_name="Croydon", month=JANUARY)


def test_values_mixing_the_two_age_layouts_are_refused(context):
    values = read_return(make_workbook(), context).values
    odd = dataclasses.replace(values[0], category="age_80_plus")

    with pytest.raises(ValueError, match="80\\+"):
        write_return([*values, odd], place_name="Croydon", month=JANUARY)
