"""Rebasing an XmR chart at change points, as NHSRplotthedots' ``rebase`` does: each stretch gets
its own mean, moving ranges and limits, and no moving range or run crosses a change point.

Worked by hand: twelve points alternating 10, 12 then twelve alternating 20, 22.
    first stretch:  mean 11, moving ranges eleven of 2 → limits 11 ± 5.32 = 5.68 to 16.32
    second stretch: mean 21, likewise → 15.68 to 26.32 (the jump 12 → 20 is no moving range)
    unrebased: mean 16; moving ranges 22 of 2 and one of 8, mean 30/23; 8 ≥ 3.267 × 30/23 = 4.26
    is screened, so the mean moving range is 2 and the limits 10.68 to 21.32; the first twelve
    all sit below the mean, a shift.
"""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from metrics.stats.spc import usable_change_points, xmr

BEFORE, AFTER = [10, 12] * 6, [20, 22] * 6
properties = settings(max_examples=150, deadline=None)


def test_each_stretch_has_its_own_mean_and_limits():
    result = xmr(BEFORE + AFTER, improvement="higher_is_better", rebase=[12])
    first, second = result.segments
    assert (first.start, first.end, first.mean, first.mean_moving_range) == (0, 12, 11, 2)
    assert (first.lower_limit, first.upper_limit) == (pytest.approx(5.68), pytest.approx(16.32))
    assert (second.start, second.end, second.mean, second.mean_moving_range) == (12, 24, 21, 2)
    assert (second.lower_limit, second.upper_limit) == (pytest.approx(15.68), pytest.approx(26.32))
    assert [p.mean for p in result.points] == [11] * 12 + [21] * 12
    assert result.points[12].moving_range is None  # no moving range across the change point
    assert result.change_points == (12,)
    assert (result.mean, result.lower_limit, result.upper_limit) == (21, pytest.approx(15.68), pytest.approx(26.32))
    assert all(not p.rules for p in result.points) and result.variation == "common_cause"


def test_without_the_change_point_the_step_reads_as_special_cause():
    result = xmr(BEFORE + AFTER, improvement="higher_is_better")
    assert len(result.segments) == 1 and result.screened_moving_ranges == (12,)
    assert (result.mean, result.lower_limit, result.upper_limit) == (16, pytest.approx(10.68), pytest.approx(21.32))
    assert all("shift" in p.rules for p in result.points[:12])
    assert result.points[0].variation == "special_cause_concerning"  # low, where higher is better
    assert result.variation == "special_cause_improving"


def test_no_run_continues_across_a_change_point():
    # 10, 11, 12, 13 | 14, 15, 16 rises seven times in a row across the change point at 11
    series = [11, 13, 11, 13, 11, 13, 11, 10, 11, 12, 13, 14, 15, 16, 14, 16, 14, 16, 14, 16, 14]
    plain = xmr(series, improvement="lower_is_better")
    assert {p.index for p in plain.points if "trend" in p.rules} == set(range(7, 14))
    rebased = xmr(series, improvement="lower_is_better", rebase=[11])
    assert not any("trend" in p.rules for p in rebased.points)


def test_assurance_compares_the_target_with_the_latest_stretch():
    # Target 14: between the unrebased limits (10.68 to 21.32) but below the latest stretch's 15.68
    assert xmr(BEFORE + AFTER, improvement="higher_is_better", target=14).assurance == "hit_or_miss"
    rebased = xmr(BEFORE + AFTER, improvement="higher_is_better", target=14, rebase=[12])
    assert rebased.assurance == "consistently_passing"
    assert xmr(BEFORE + AFTER, improvement="lower_is_better", target=14, rebase=[12]).assurance == "consistently_failing"


def test_a_change_point_at_a_gap_starts_the_stretch_at_the_next_figure():
    series = [*BEFORE, None, *AFTER]
    result = xmr(series, improvement="higher_is_better", rebase=[12])
    assert [(s.start, s.end) for s in result.segments] == [(0, 12), (13, 25)]
    assert result.change_points == (13,)


def test_the_baseline_fixes_the_first_points_of_each_stretch():
    series = [10, 12, 10, 12, 30, 40, 20, 22, 20, 22, 50, 60]
    result = xmr(series, improvement="higher_is_better", baseline=4, rebase=[6])
    assert [s.mean for s in result.segments] == [11, 21]
    assert [p.in_baseline for p in result.points] == [True] * 4 + [False] * 2 + [True] * 4 + [False] * 2
    assert {p.index for p in result.points if "outside_limits" in p.rules} == {4, 5, 10, 11}


def test_change_points_that_change_nothing_or_leave_a_stretch_too_short():
    assert (
        xmr(BEFORE, improvement="higher_is_better", rebase=[0]).segments == xmr(BEFORE, improvement="higher_is_better").segments
    )
    with pytest.raises(ValueError, match="change point"):
        xmr(BEFORE, improvement="higher_is_better", rebase=[12])
    with pytest.raises(ValueError, match="two points in a row"):
        xmr(BEFORE, improvement="higher_is_better", rebase=[11])  # one point after it
    assert usable_change_points(BEFORE, [11, 6, 7, 40]) == [6]  # 7 would leave 6 alone; 11 and 40 too
    assert usable_change_points([*BEFORE[:6], None, *BEFORE], [7, 13]) == [7, 13]


@properties
@given(
    st.lists(st.integers(min_value=0, max_value=50), min_size=4, max_size=30),
    st.data(),
)
def test_a_rebased_chart_is_the_charts_of_its_stretches(values, data):
    change = data.draw(st.integers(min_value=2, max_value=len(values) - 2))
    assume(usable_change_points(values, [change]) == [change])
    whole = xmr(values, improvement="higher_is_better", rebase=[change])
    parts = xmr(values[:change], improvement="higher_is_better"), xmr(values[change:], improvement="higher_is_better")
    separate = [*parts[0].points, *parts[1].points]
    for joined, alone in zip(whole.points, separate, strict=True):
        assert (joined.mean, joined.lower_limit, joined.upper_limit) == (alone.mean, alone.lower_limit, alone.upper_limit)
        assert (joined.rules, joined.side, joined.variation) == (alone.rules, alone.side, alone.variation)
    assert whole.upper_limit == parts[1].upper_limit and whole.variation == parts[1].variation
