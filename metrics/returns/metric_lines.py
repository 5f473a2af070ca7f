"""The template's metric lines: what each counts and which rows of SubmissionTemplate hold its
numerator, cohort denominator and rate per 1,000. Part of the template's layout
(`metrics.returns.template`, which re-exports these names), kept apart as the longest table."""

from __future__ import annotations

from dataclasses import dataclass

DENOMINATOR_LABEL = "Number of patients in the cohort"
RATE_SUFFIX = "per 1,000 patients in the cohort"


@dataclass(frozen=True)
class Metric:
    code: str
    template_id: str  # column A of the template: "O1" … "P1"; "" for the cohort size
    name: str
    numerator: str  # what the counted figure means
    denominator: str  # "" when there is none
    has_rate: bool  # a rate per 1,000 patients in the cohort
    numerator_row: int
    denominator_row: int | None
    rate_row: int | None
    label: str  # column C of the numerator row, as the template has it (compared with spaces folded, case ignored)
    unit: str  # what one counts, for messages: "Enter a count of bed days …"
    order: int
    rate_label: str = ""  # column C of the rate row ("… per 1,000 patients in the cohort")


def _line(order, code, template_id, name, numerator, row, label, unit, rate_label=None) -> Metric:
    """One three-row line. `label` is column C of its numerator row; the rate row's label is
    the same text with "for patients in the cohort" / "in the cohort" turned into "per 1,000
    patients in the cohort", unless the template words it otherwise (`rate_label`)."""
    if rate_label is None:
        stem = label.removesuffix(" for patients in the cohort").removesuffix(" in the cohort")
        rate_label = label if label.endswith(RATE_SUFFIX) else f"{stem} {RATE_SUFFIX}"
    return Metric(
        code=code,
        template_id=template_id,
        name=name,
        numerator=numerator,
        denominator=DENOMINATOR_LABEL,
        has_rate=True,
        numerator_row=row,
        denominator_row=row + 1,
        rate_row=row + 2,
        label=label,
        unit=unit,
        order=order,
        rate_label=rate_label,
    )


METRICS: tuple[Metric, ...] = (
    Metric(
        code="COHORT",
        template_id="",
        name="Number of patients in the cohort",
        numerator="Number of patients identified as meeting the criteria of the local cohort definition",
        denominator="",
        has_rate=False,
        numerator_row=7,
        denominator_row=None,
        rate_row=None,
        label=DENOMINATOR_LABEL,
        unit="patients in the cohort",
        order=0,
    ),
    _line(
        1,
        "O1_NEW",
        "O1",
        "New consultant-led outpatient appointments per 1,000 patients in the cohort",
        "Number of new consultant-led outpatient appointments for patients in the cohort",
        6,
        "Number of new consultant-led outpatient appointments for patients in the cohort",
        "new outpatient appointments",
    ),
    _line(
        2,
        "O1_FU",
        "O1",
        "Follow-up consultant-led outpatient appointments per 1,000 patients in the cohort",
        "Number of follow up consultant-led outpatient appointments for patients in the cohort",
        9,
        "Number of follow up consultant-led outpatient appointments for patients in the cohort",
        "follow-up outpatient appointments",
    ),
    _line(
        3,
        "O1_PROC",
        "O1",
        "Consultant-led outpatient procedures per 1,000 patients in the cohort",
        "Number of consultant-led outpatient procedures for patients in the cohort",
        12,
        "Number of consultant-led outpatient procedures for patients in the cohort",
        "outpatient procedures",
    ),
    _line(
        4,
        "O2_ZERO_LOS",
        "O2",
        "Emergency admissions with a length of stay of zero days per 1,000 patients in the cohort",
        "Number of specific acute non-elective spells in the period with a length of stay of zero days",
        15,
        "Number of specific acute non-elective spells in the period with a length of stay of zero days for patients in the cohort",
        "zero-day emergency spells",
    ),
    _line(
        5,
        "O2_ONE_PLUS_LOS",
        "O2",
        "Emergency admissions with a length of stay of one or more days per 1,000 patients in the cohort",
        "Number of specific acute non-elective spells in the period with a length of stay of one or more days",
        18,
        "Number of specific acute non-elective spells in the period with a length of stay of one or more days for patients in the cohort",
        "emergency spells of one or more days",
        # The template's own wording drops "stay of" on this rate row.
        "Number of specific acute non-elective spells in the period with a length of one or more days per 1,000 patients in the cohort",
    ),
    _line(
        6,
        "O3_BED_DAYS",
        "O3",
        "Inpatient bed days per 1,000 patients in the cohort",
        "Number of inpatient bed days for patients in the cohort",
        21,
        "Number of inpatient bed days per 1,000 patients in the cohort",  # sic: the template's numerator row
        "bed days",
    ),
    *(
        _line(
            6 + n,
            f"O4_CAT{n}",
            "O4",
            f"Category {n} ambulance conveyances per 1,000 patients in the cohort",
            f"Number of category {n} ambulance conveyances for patients in the cohort",
            21 + 3 * n,
            f"Number of category {n} ambulance conveyances for patients in the cohort",
            f"category {n} ambulance conveyances",
        )
        for n in (1, 2, 3, 4)
    ),
    _line(
        11,
        "O5_TYPE1",
        "O5",
        "A&E attendances at a type 1 department per 1,000 patients in the cohort",
        "Number of A&E attendances at a type 1 department for patients in the cohort",
        36,
        "Number of A&E attendances at a type 1 department in the cohort",
        "type 1 A&E attendances",
    ),
    _line(
        12,
        "O5_OTHER",
        "O5",
        "A&E attendances at an other type department per 1,000 patients in the cohort",
        "Number of A&E attendances at an other type department for patients in the cohort",
        39,
        "Number of A&E attendances at an other type department in the cohort",
        "other type A&E attendances",
    ),
    _line(
        13,
        "O6_GP",
        "O6",
        "General practice appointments per 1,000 patients in the cohort",
        "Number of appointments in general practice and Primary Care Networks for patients in the cohort",
        42,
        "Number of appointments in general practice and Primary Care Networks per 1,000 patients in the cohort",  # sic
        "general practice appointments",
    ),
    _line(
        14,
        "O6_COMMUNITY",
        "O6",
        "Community care contacts per 1,000 patients in the cohort",
        "Number of Community Care Contacts attended for patients in the cohort",
        45,
        "Number of Community Care Contacts attended for patients in the cohort",
        "community care contacts",
    ),
    Metric(
        code="P1_CASELOAD",
        template_id="P1",
        name="Number of patients on the NNHIP caseload",
        numerator="Number of active cases the Place is working with during the month (not the whole cohort)",
        denominator="",
        has_rate=False,
        numerator_row=48,
        denominator_row=None,
        rate_row=None,
        label="Number of patients on the NNHIP caseload",
        unit="patients on the caseload",
        order=15,
    ),
)
METRICS_BY_CODE = {metric.code: metric for metric in METRICS}
# The lines checked for their column A / column C labels: the cohort row sits inside O1's block.
METRIC_LINES = tuple(metric for metric in METRICS if metric.code != "COHORT")
