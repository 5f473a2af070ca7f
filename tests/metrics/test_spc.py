"""XmR charts: limits and special cause rules against series worked by hand, plus properties.

Most examples fix the limits on a 12-point baseline alternating 10, 12, so the arithmetic is short:
    mean = (6 × 10 + 6 × 12) / 12 = 11
    moving ranges: eleven of |12 − 10| = 2, mean 2 (none ≥ 3.267 × 2 = 6.534, so none screened)
    limits = 11 ± 2.66 × 2 = 11 ± 5.32 → 5.68 and 16.32
    two-thirds lines = 11 ± (2/3 × 2.66) × 2 = 11 ± 3.5466… → 7.4533… and 14.5466…
"""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.stats.spc import xmr

BASELINE = [10, 12] * 6

properties = settings(max_examples=150, deadline=None)


def flagged(result) -> dict[int, tuple[str, ...]]:
    return {point.index: point.rules for point in result.points if point.rules}


def test_the_baseline_worked_by_hand():
    result = xmr(BASELINE, improvement="higher_is_better")
    assert result.mean == 11
    assert result.mean_moving_range == 2
    assert result.lower_limit == pytest.approx(5.68) and result.upper_limit == pytest.approx(16.32)
    assert result.lower_two_thirds == pytest.approx(11 - 3.546666666666) and result.upper_two_thirds == pytest.approx(
        11 + 3.546666666666
    )
    assert result.screened_moving_ranges == ()
    assert flagged(result) == {}
    assert result.variation == "common_cause" and result.variation_side is None
    assert result.reliable and result.baseline_points == 12
    assert all(point.mean == 11 and point.in_baseline for point in result.points)


def test_points_outside_the_limits_and_one_exactly_on_a_limit():
    # Judged against the baseline's 5.68–16.32: 16.32 (exactly, as a Decimal) is on the limit, so in;
    # 17 > 16.32 is out above; 11 sits on the mean; 5 < 5.68 is out below.
    result = xmr([*BASELINE, Decimal("16.32"), 17, 11, 5], improvement="higher_is_better", baseline=12)
    assert result.upper_limit == pytest.approx(16.32)
    assert flagged(result) == {13: ("outside_limits",), 15: ("outside_limits",)}
    assert (result.points[13].side, result.points[15].side) == ("high", "low")
    assert [point.in_baseline for point in result.points[11:13]] == [True, False]


def test_large_moving_ranges_are_screened_out_before_the_limits_are_set():
    series = [10, 12, 10, 12, 10, 27, 10, 12, 10, 12, 10, 12, 22]
    # mean = (6 × 10 + 5 × 12 + 27 + 22) / 13 = 169 / 13 = 13
    # moving ranges: 2, 2, 2, 2, 17, 17, 2, 2, 2, 2, 2, 10 → sum 62, mean 62/12 = 5.1666…
    # screen at 3.267 × 5.1666… = 16.8795: the two 17s (into and out of point 5) go; 10 stays
    # mean moving range = (62 − 34) / 10 = 2.8 → limits 13 ± 2.66 × 2.8 = 13 ± 7.448 → 5.552, 20.448
    # Unscreened the upper limit would be 13 + 2.66 × 5.1666… = 26.743 and 22 would look ordinary.
    result = xmr(series, improvement="lower_is_better")
    assert result.mean == 13
    assert result.screened_moving_ranges == (5, 6)
    assert result.mean_moving_range == pytest.approx(2.8)
    assert (result.lower_limit, result.upper_limit) == (pytest.approx(5.552), pytest.approx(20.448))
    assert flagged(result) == {5: ("outside_limits",), 12: ("outside_limits",)}
    assert result.variation == "special_cause_concerning" and result.variation_side == "high"
    assert result.points[5].moving_range == 17 and result.points[0].moving_range is None


def test_seven_points_on_one_side_of_the_mean_flag_the_whole_run():
    series = [9, 11, 9, 11, 9, 11, 9, 11, 12, 11, 12, 11, 12, 11]
    # mean = (4 × 9 + 3 × 11 + 4 × 11 + 3 × 12) / 14 = 149/14 = 10.642857…
    # moving ranges: seven of 2 (to the 8th point) and six of 1 → 20/13 = 1.538…, none screened
    # limits 10.642857 ± 2.66 × 1.538 = ± 4.0923 → 6.5505, 14.7352; two-thirds ± 2.7282 → 7.9147, 13.3711
    # points 8–14 (indexes 7–13) are all above 10.64: a run of 7
    result = xmr(series, improvement="higher_is_better")
    assert result.mean == pytest.approx(149 / 14)
    assert result.mean_moving_range == pytest.approx(20 / 13)
    assert result.upper_limit == pytest.approx(149 / 14 + 2.66 * 20 / 13)
    assert flagged(result) == dict.fromkeys(range(7, 14), ("shift",))
    assert {result.points[i].side for i in range(7, 14)} == {"high"}
    assert result.variation == "special_cause_improving"


def test_a_run_of_seven_on_one_side_is_a_shift_six_is_not_and_a_point_on_the_mean_breaks_it():
    # after the baseline (…, 12) a 10 below the mean, then points above 11:
    six = xmr([*BASELINE, 10, 11.5, 12, 11.5, 12, 11.5, 12], improvement="higher_is_better", baseline=12)
    assert flagged(six) == {}  # indexes 13–18: six above
    seven = xmr([*BASELINE, 10, 11.5, 12, 11.5, 12, 11.5, 12, 11.5], improvement="higher_is_better", baseline=12)
    assert flagged(seven) == dict.fromkeys(range(13, 20), ("shift",))
    broken = xmr([*BASELINE, 10, 11.5, 12, 11, 11.5, 12, 11.5, 12, 11.5], improvement="higher_is_better", baseline=12)
    assert flagged(broken) == {}  # the 11 at index 15 is on the mean: runs of 2 and 5 above


def test_seven_rising_points_are_a_trend():
    # after the baseline (…, 12): 9, 9.5, 10, 10.5, 11.5, 12, 12.5 rise six times → indexes 12–18
    # four below and three above the mean, nothing beyond 7.4533 or 14.5466
    result = xmr([*BASELINE, 9, 9.5, 10, 10.5, 11.5, 12, 12.5], improvement="higher_is_better", baseline=12)
    assert flagged(result) == dict.fromkeys(range(12, 19), ("trend",))
    assert {result.points[i].side for i in range(12, 19)} == {"high"}  # rising, though 4 are below the mean
    assert result.variation == "special_cause_improving"
    assert xmr([*BASELINE, 9, 9.5, 10, 10.5, 11.5, 12, 12.5], improvement="lower_is_better", baseline=12).variation == (
        "special_cause_concerning"
    )


def test_seven_falling_points_are_a_trend_and_improving_when_lower_is_better():
    # 12 → 13 rises, then 13, 12.5, 12, 11.5, 10.5, 10, 9.5 fall six times → indexes 12–18
    result = xmr([*BASELINE, 13, 12.5, 12, 11.5, 10.5, 10, 9.5], improvement="lower_is_better", baseline=12)
    assert flagged(result) == dict.fromkeys(range(12, 19), ("trend",))
    assert result.points[12].side == "low"  # falling, though above the mean
    assert result.variation == "special_cause_improving" and result.variation_side == "low"


def test_two_equal_points_break_a_trend():
    # 9, 9.5, 10, 10, 10.5, 11.5, 12, 12.5: eight points but the tie leaves rises of 2 and 4
    result = xmr([*BASELINE, 9, 9.5, 10, 10, 10.5, 11.5, 12, 12.5], improvement="higher_is_better", baseline=12)
    assert flagged(result) == {}


def test_two_of_three_beyond_two_thirds_on_each_side():
    # above: 15, 11.5, 15 — all above 11; both 15s beyond 14.5466 and inside 16.32 → the 15s
    # below: 7, 10.5, 7 (after a 10) — all below 11; both 7s beneath 7.4533 and above 5.68 → the 7s
    result = xmr([*BASELINE, 15, 11.5, 15, 10, 7, 10.5, 7], improvement="higher_is_better", baseline=12)
    assert flagged(result) == {12: ("two_of_three",), 14: ("two_of_three",), 16: ("two_of_three",), 18: ("two_of_three",)}
    assert [result.points[i].side for i in (12, 14, 16, 18)] == ["high", "high", "low", "low"]
    assert result.variation == "special_cause_concerning" and result.variation_side == "low"


@pytest.mark.parametrize(
    "window",
    [
        [15, 10, 15],  # the middle point is below the mean: not all three on one side
        [15, 11, 15],  # the middle point is exactly on the mean
        [17, 15, 11.5],  # 17 is outside the limits, so only one point lies between the line and the limit
    ],
)
def test_two_of_three_needs_all_three_on_one_side_and_two_between_the_line_and_the_limit(window):
    result = xmr([*BASELINE, *window], improvement="higher_is_better", baseline=12)
    assert all("two_of_three" not in rules for rules in flagged(result).values())


def test_a_point_can_break_several_rules_and_takes_its_colour_from_the_first():
    # 7 above the mean with the last two beyond the two-thirds line and the very last outside
    series = [*BASELINE, 12, 11.5, 12, 11.5, 15, 15.5, 17]
    result = xmr(series, improvement="lower_is_better", baseline=12)
    last = result.points[-1]
    assert last.rules == ("outside_limits", "shift")
    assert last.special_cause == "outside_limits"
    assert result.points[-2].rules == ("two_of_three", "shift")
    assert result.variation == "special_cause_concerning"


@pytest.mark.parametrize(
    ("improvement", "variation"),
    [
        ("higher_is_better", "special_cause_concerning"),
        ("lower_is_better", "special_cause_improving"),
        ("not_specified", "special_cause_neither"),
    ],
)
def test_the_variation_icon_reads_the_latest_point_with_the_improvement_direction(improvement, variation):
    result = xmr([*BASELINE, 11, 5], improvement=improvement, baseline=12)  # 5 < 5.68: low special cause
    assert (result.variation, result.variation_side) == (variation, "low")
    assert xmr([*BASELINE, 5, 11], improvement=improvement, baseline=12).variation == "common_cause"


@pytest.mark.parametrize(
    ("improvement", "target", "assurance"),
    [
        ("higher_is_better", 20, "consistently_failing"),  # the target is above the upper limit 16.32
        ("lower_is_better", 20, "consistently_passing"),
        ("higher_is_better", 3, "consistently_passing"),  # below the lower limit 5.68
        ("lower_is_better", 3, "consistently_failing"),
        ("higher_is_better", 11, "hit_or_miss"),
        ("lower_is_better", Decimal("16.32"), "hit_or_miss"),  # exactly on the limit
        ("not_specified", 20, None),
        ("higher_is_better", None, None),
    ],
)
def test_the_assurance_icon_places_the_target_against_the_limits(improvement, target, assurance):
    assert xmr(BASELINE, improvement=improvement, target=target).assurance == assurance


def test_fewer_than_twelve_points_compute_but_are_not_yet_reliable():
    assert not xmr(BASELINE[:11], improvement="not_specified").reliable
    assert xmr(BASELINE, improvement="not_specified").reliable
    fixed_early = xmr(BASELINE * 2, improvement="not_specified", baseline=8)
    assert (fixed_early.baseline_points, fixed_early.reliable) == (8, False)


def test_a_baseline_fixes_the_limits_for_the_points_after_it():
    # the first 12 set mean 11 and limits 5.68–16.32; the next six, far outside, do not move them
    result = xmr([*BASELINE, 30, 2, 30, 2, 30, 2], improvement="higher_is_better", baseline=12)
    assert result.mean == 11 and result.upper_limit == pytest.approx(16.32)
    assert flagged(result) == {i: ("outside_limits",) for i in range(12, 18)}
    assert xmr([*BASELINE, 30], improvement="higher_is_better", baseline=40).baseline_points == 13


@pytest.mark.parametrize(
    ("points", "options"),
    [
        ([1], {}),
        ([1, 2, 3], {"improvement": "up"}),
        ([1, 2, 3], {"baseline": 1}),
        ([1, float("nan"), 3], {}),
    ],
)
def test_unusable_input_is_refused(points, options):
    with pytest.raises(ValueError):
        xmr(points, **{"improvement": "not_specified", **options})


# Away from the subnormal range, so that scaling by a power of two stays exact.
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0 or abs(x) > 1e-200
)
directions = st.sampled_from(["higher_is_better", "lower_is_better", "not_specified"])


@properties
@given(points=st.lists(finite, min_size=2, max_size=40), improvement=directions)
def test_limits_are_symmetric_about_the_mean(points, improvement):
    result = xmr(points, improvement=improvement)
    scale = max(1.0, *map(abs, points))
    assert result.upper_limit - result.mean == pytest.approx(result.mean - result.lower_limit, abs=1e-12 * scale)
    assert result.lower_limit <= result.lower_two_thirds <= result.mean <= result.upper_two_thirds <= result.upper_limit


@properties
@given(points=st.lists(finite, min_size=2, max_size=40), power=st.integers(-8, 8), improvement=directions)
def test_scaling_by_a_power_of_two_scales_mean_and_limits_exactly_and_keeps_the_flags(points, power, improvement):
    factor = 2.0**power  # exact in binary floating point, so the comparison can be exact too
    before = xmr(points, improvement=improvement)
    after = xmr([value * factor for value in points], improvement=improvement)
    assert (after.mean, after.lower_limit, after.upper_limit) == (
        before.mean * factor,
        before.lower_limit * factor,
        before.upper_limit * factor,
    )
    assert flagged(after) == flagged(before) and after.variation == before.variation


@properties
@given(points=st.lists(finite, min_size=2, max_size=40), factor=st.floats(0.001, 1000), improvement=directions)
def test_scaling_by_any_positive_factor_scales_mean_and_limits(points, factor, improvement):
    before = xmr(points, improvement=improvement)
    after = xmr([value * factor for value in points], improvement=improvement)
    tolerance = 1e-9 * factor * max(1.0, *map(abs, points))
    assert after.mean == pytest.approx(before.mean * factor, abs=tolerance)
    assert after.upper_limit == pytest.approx(before.upper_limit * factor, abs=tolerance)
    assert after.lower_limit == pytest.approx(before.lower_limit * factor, abs=tolerance)


@properties
@given(
    points=st.lists(st.integers(-10_000, 10_000), min_size=2, max_size=40),
    shift=st.integers(-(10**6), 10**6),
    improvement=directions,
)
def test_adding_a_constant_shifts_mean_and_limits_and_keeps_the_flags(points, shift, improvement):
    before = xmr(points, improvement=improvement)
    after = xmr([value + shift for value in points], improvement=improvement)
    assert after.mean == pytest.approx(before.mean + shift, abs=1e-6)
    assert after.upper_limit == pytest.approx(before.upper_limit + shift, abs=1e-6)
    assert after.lower_limit == pytest.approx(before.lower_limit + shift, abs=1e-6)
    assert after.mean_moving_range == before.mean_moving_range
    assert flagged(after) == flagged(before)


@properties
@given(points=st.lists(st.integers(-10_000, 10_000), min_size=2, max_size=40))
def test_mirroring_the_series_and_the_direction_keeps_the_verdict(points):
    up = xmr(points, improvement="higher_is_better")
    down = xmr([-value for value in points], improvement="lower_is_better")
    assert flagged(down) == flagged(up) and down.variation == up.variation


@properties
@given(value=finite, length=st.integers(2, 40), improvement=directions)
def test_a_constant_series_has_no_special_cause(value, length, improvement):
    result = xmr([value] * length, improvement=improvement)
    assert flagged(result) == {}
    assert result.lower_limit == result.mean == result.upper_limit == value
    assert result.variation == "common_cause"


# A month without figures in the middle of a series (a site that did not file it).


def test_a_missing_month_is_a_gap_no_moving_range_spans():
    with_gap = xmr([10, 12, None, 30, 31], improvement="higher_is_better")
    joined = xmr([10, 12, 30, 31], improvement="higher_is_better")

    assert [p.index for p in with_gap.points] == [0, 1, 3, 4]  # places in the series given
    assert with_gap.mean == joined.mean == (10 + 12 + 30 + 31) / 4
    assert with_gap.mean_moving_range == (2 + 1) / 2  # |12 - 10| and |31 - 30|; not |30 - 12|
    assert joined.mean_moving_range > with_gap.mean_moving_range
    assert [p.moving_range for p in with_gap.points] == [None, 2.0, None, 1.0]


def test_no_run_continues_across_a_gap():
    high = [5, 6, 5, 6, 5, 6]  # a baseline around 5.5 ...
    # ... then four points above it, a month missing, and three more above: seven, but not in a row.
    broken = xmr([*high, 9, 9.5, 9, 9.5, None, 9, 9.5, 9], improvement="higher_is_better")
    unbroken = xmr([*high, 9, 9.5, 9, 9.5, 9, 9.5, 9], improvement="higher_is_better")

    assert not any("shift" in p.rules for p in broken.points)
    assert sum("shift" in p.rules for p in unbroken.points) >= 7
    rising = xmr([1, 2, 3, 4, None, 5, 6, 7], improvement="higher_is_better")
    assert not any("trend" in p.rules for p in rising.points)
    assert any("trend" in p.rules for p in xmr([1, 2, 3, 4, 5, 6, 7], improvement="higher_is_better").points)


def test_a_series_with_no_two_months_in_a_row_cannot_be_charted():
    from metrics.stats.spc import can_chart

    assert not can_chart([1, None, 2, None, 3])
    assert can_chart([None, 1, 2])
    with pytest.raises(ValueError):
        xmr([1, None, 2], improvement="higher_is_better")
