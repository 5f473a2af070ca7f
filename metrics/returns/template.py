"""The layout of the NNHIP data collection template, as plain data.

Everything the importer, the exporter and the metric catalogue need to know about where a
figure lives in the official workbook (`reference_data/NNHIPDataCollectionTemplatev1.2.xlsx`)
is here and nowhere else: sheet names, the Place and period cells, the metric lines (three
rows each: numerator, "Number of patients in the cohort", rate per 1,000) and the breakdown
columns of the two layouts sites file.

Layouts
    "1.2"  the current template: 26 columns A–Z, age bands 18-19 … 80-89, 90+, Not known.
    "1.1"  the earlier layout sites filed for the first months: identical except that the
           oldest age band is one `80+` column, so everything right of it sits one column to
           the left (25 columns A–Y). A return keeps the categories it was filed with;
           `comparable_category` maps both layouts onto common ground for comparison.

The metric lines themselves are in `metrics.returns.metric_lines` (re-exported here).
The catalogue (`METRICS`, `CATEGORIES`) is what `metrics.returns.reference` loads into the database (`metrics.models.catalogue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter

from metrics.returns.metric_lines import DENOMINATOR_LABEL as DENOMINATOR_LABEL
from metrics.returns.metric_lines import METRIC_LINES as METRIC_LINES
from metrics.returns.metric_lines import METRICS as METRICS
from metrics.returns.metric_lines import METRICS_BY_CODE as METRICS_BY_CODE
from metrics.returns.metric_lines import RATE_SUFFIX as RATE_SUFFIX
from metrics.returns.metric_lines import Metric as Metric

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "reference_data" / "NNHIPDataCollectionTemplatev1.2.xlsx"

INSTRUCTIONS_SHEET = "Instructions"
SUBMISSION_SHEET = "SubmissionTemplate"
TIMETABLE_SHEET = "SubmissionTimetable"
LOOKUPS_SHEET = "Lookups"
REQUIRED_SHEETS = (INSTRUCTIONS_SHEET, SUBMISSION_SHEET)

# Where a site chooses its Place and period (drop-down lists fed by the Lookups sheet) …
PLACE_CELL = "B6"
PERIOD_CELL = "B7"
# … and the SubmissionTemplate cells that repeat them with =Instructions!B6 / =Instructions!B7.
SUBMISSION_PLACE_CELL = "B1"
SUBMISSION_PERIOD_CELL = "B2"
# The drop-down lists, for restoring them in files we write (openpyxl drops the originals).
PLACE_LIST_RANGE = "Lookups!$A$2:$A$44"
PERIOD_LIST_RANGE = "Lookups!$C$2:$C$36"

GROUP_HEADER_ROW = 4  # "Total", "Age Group", "Ethnic Group", "Deprivation Quintile"
HEADER_ROW = 5  # one header per breakdown column
FIRST_DATA_COLUMN = 4  # D
METRIC_ID_COLUMN = "A"
METRIC_DETAILS_COLUMN = "C"

# The rows a site types the cohort size into; every other "Number of patients in the cohort"
# row holds a formula such as =D7 (or =D16, which itself is =D7) that a typed number may replace.
INPUT_DENOMINATOR_ROWS = (7, 10, 13)
# The blank template's formula rows: row -> the row its =D7-style formula points at (chains:
# 25 -> 16 -> 7). Used for messages ("put back the formula =E7") and by the exporter.
DERIVED_DENOMINATOR_REFS = {16: 7, 19: 10, 22: 7, 25: 16, 28: 19, 31: 22, 34: 25, 37: 22, 40: 25, 43: 7, 46: 43}
# The last row of the layout (P1, the caseload): nothing may be typed below it.
LAST_ROW = 48

SUPPRESSION_MARKERS = frozenset({"*", "<6", "-", "–", "—", "null"})


@dataclass(frozen=True)
class Category:
    code: str
    dimension: str  # "total" | "age" | "ethnicity" | "imd"
    label: str
    order: int


DIMENSIONS = ("total", "age", "ethnicity", "imd")
DIMENSION_LABELS = {"total": "Total", "age": "age groups", "ethnicity": "ethnic groups", "imd": "deprivation quintiles"}
DIMENSION_HEADERS = {"total": "Total", "age": "Age Group", "ethnicity": "Ethnic Group", "imd": "Deprivation Quintile"}

_CATEGORY_ROWS = (
    ("total", "total", "Total"),
    ("age_18_19", "age", "18-19"),
    ("age_20_29", "age", "20-29"),
    ("age_30_39", "age", "30-39"),
    ("age_40_49", "age", "40-49"),
    ("age_50_59", "age", "50-59"),
    ("age_60_69", "age", "60-69"),
    ("age_70_79", "age", "70-79"),
    ("age_80_89", "age", "80-89"),
    ("age_90_plus", "age", "90+"),
    ("age_80_plus", "age", "80+"),
    ("age_not_known", "age", "Not known"),
    ("eth_white", "ethnicity", "White"),
    ("eth_black", "ethnicity", "Black"),
    ("eth_asian", "ethnicity", "Asian"),
    ("eth_mixed", "ethnicity", "Mixed"),
    ("eth_other", "ethnicity", "Other"),
    ("eth_not_known", "ethnicity", "Not known"),
    ("imd_1", "imd", "1"),
    ("imd_2", "imd", "2"),
    ("imd_3", "imd", "3"),
    ("imd_4", "imd", "4"),
    ("imd_5", "imd", "5"),
    ("imd_not_known", "imd", "Not Known"),
)
CATEGORIES: tuple[Category, ...] = tuple(
    Category(code, dim, label, order) for order, (code, dim, label) in enumerate(_CATEGORY_ROWS)
)
CATEGORIES_BY_CODE = {category.code: category for category in CATEGORIES}

# For comparison across layouts: a v1.2 return's 80-89 and 90+ together are the earlier 80+.
COMPARABLE_CATEGORIES = {"age_80_89": "age_80_plus", "age_90_plus": "age_80_plus"}


def comparable_category(code: str) -> str:
    """The category a figure counts towards when returns of both layouts are compared or summed:
    `age_80_89` and `age_90_plus` both become `age_80_plus`; every other code is itself."""
    return COMPARABLE_CATEGORIES.get(code, code)


def describe_category(code: str) -> str:
    """For messages: "age 60-69", "ethnic group White", "IMD quintile 3", "Total"."""
    category = CATEGORIES_BY_CODE[code]
    prefix = {"total": "", "age": "age ", "ethnicity": "ethnic group ", "imd": "IMD quintile "}[category.dimension]
    return f"{prefix}{category.label}"


@dataclass(frozen=True)
class Column:
    index: int  # 1-based, as openpyxl counts
    category: str

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)

    @property
    def header(self) -> str:
        return CATEGORIES_BY_CODE[self.category].label


@dataclass(frozen=True)
class Layout:
    version: str
    description: str
    columns: tuple[Column, ...]
    # The header cell that tells the layouts apart, and what it holds in this layout.
    marker_column: str
    marker_header: str

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(column.category for column in self.columns)

    @property
    def last_column(self) -> str:
        return self.columns[-1].letter

    def column_for(self, category: str) -> Column:
        for column in self.columns:
            if column.category == category:
                return column
        raise KeyError(f"category {category!r} is not in the {self.version} layout")

    def cell(self, category: str, row: int) -> str:
        return f"{self.column_for(category).letter}{row}"

    def dimension_columns(self, dimension: str) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if CATEGORIES_BY_CODE[column.category].dimension == dimension)


def _layout(version: str, description: str, age_top: tuple[str, ...]) -> Layout:
    codes = (
        "total",
        "age_18_19",
        "age_20_29",
        "age_30_39",
        "age_40_49",
        "age_50_59",
        "age_60_69",
        "age_70_79",
        *age_top,
        "age_not_known",
        "eth_white",
        "eth_black",
        "eth_asian",
        "eth_mixed",
        "eth_other",
        "eth_not_known",
        "imd_1",
        "imd_2",
        "imd_3",
        "imd_4",
        "imd_5",
        "imd_not_known",
    )
    columns = tuple(Column(FIRST_DATA_COLUMN + offset, code) for offset, code in enumerate(codes))
    return Layout(version, description, columns, marker_column="L", marker_header=CATEGORIES_BY_CODE[age_top[0]].label)


LAYOUT_V1_2 = _layout("1.2", "template v1.2", ("age_80_89", "age_90_plus"))
LAYOUT_V1_1 = _layout("1.1", "the earlier template", ("age_80_plus",))
LAYOUTS = {layout.version: layout for layout in (LAYOUT_V1_2, LAYOUT_V1_1)}
CURRENT_LAYOUT = LAYOUT_V1_2
MARKER_COLUMN = "L"  # 80-89 in v1.2, 80+ in the earlier layout


def layout_for_categories(categories) -> Layout:
    """The layout a set of category codes belongs to (for values that arrive without a workbook)."""
    codes = set(categories)
    has_old, has_new = "age_80_plus" in codes, bool(codes & {"age_80_89", "age_90_plus"})
    if has_old and has_new:
        raise ValueError("values mix the earlier layout's 80+ with v1.2's 80-89 / 90+")
    return LAYOUT_V1_1 if has_old else LAYOUT_V1_2


def normalise_text(value: object) -> str:
    """Collapse runs of whitespace and ignore case: how headers, labels and Place names compare."""
    return " ".join(str(value).split()).casefold()
