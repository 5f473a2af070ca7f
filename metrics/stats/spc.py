"""XmR (individuals and moving range) charts as NHS England's *Making Data Count* draws them,
computed the way the NHS-R community's NHSRplotthedots (``ptd_spc``) computes them.

- Centre line: the mean of the baseline points (all points unless ``baseline`` fixes the first n).
- Moving ranges |x_i − x_{i−1}| within the baseline; their mean is computed, moving ranges not
  below 3.267 × that mean are screened out, and the mean of the rest is the mean moving range.
- Process limits: mean ± 2.66 × mean moving range. The "two-thirds" lines: mean ± (2/3 × 2.66) ×
  mean moving range. A lower limit below zero is kept as computed, as NHSRplotthedots does.
- Special cause rules, each on every point (the baseline's limits apply to later points too):
  ``outside_limits``  a point above the upper or below the lower limit (a point on a limit is in);
  ``shift``           7 or more points in a row on the same side of the mean; every point of the
                      run is flagged, and a point exactly on the mean breaks the run;
  ``trend``           7 or more points in a row each higher (or each lower) than the one before;
                      every point of the run is flagged, and two equal points break it;
  ``two_of_three``    two of three consecutive points beyond a two-thirds line, all three on the
                      same side of the mean; the points beyond the line are flagged. As in
                      NHSRplotthedots, "beyond the line" means between it and the limit: a point
                      outside the limits is flagged by ``outside_limits`` and does not count here.
- A flagged point's colour comes from one rule, in NHSRplotthedots' order: outside_limits, trend,
  two_of_three, shift. It is high or low by its side of the mean (for a trend: its direction,
  rising or falling; a point shared by two trends takes the later one's). Read with the
  improvement direction it is improving or concerning; with no direction it is "neither".
- The variation icon is the latest point's; the assurance icon compares the target with the
  limits (above the upper or below the lower limit: consistently passing or failing, otherwise
  hit or miss) and is only given with a target and an improvement direction.

Rebasing (``rebase``, as NHSRplotthedots' ``rebase`` argument): from each change point the mean,
moving ranges and limits are worked out afresh over that stretch; no moving range and no run
crosses a change point, each point is judged against its own stretch's limits, and the assurance
icon compares the target with the latest stretch's.

A period without a figure (None) is a gap, as NHSRplotthedots treats a missing value: no point,
no moving range across it, no run continued across it; the mean is of the points there are.

Arithmetic is exact (fractions) from the values given to the results returned as floats, so the
flags never depend on rounding or summation order. A chart whose limits rest on fewer than 12
points has trial limits only (``reliable`` is False), as NHSRplotthedots warns; Making Data Count
prefers 15 to 20. References: NHS England, *Making Data Count* (2019) and *Making Data Count:
Getting started* (2019); NHSRplotthedots, ``ptd_spc_standard`` and ``ptd_calculate_point_type``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

LIMIT_FACTOR = Fraction("2.66")
NEAR_LIMIT_FACTOR = LIMIT_FACTOR * 2 / 3
SCREEN_FACTOR = Fraction("3.267")
RUN_LENGTH = 7
MIN_POINTS_FOR_RELIABLE_LIMITS = 12
IMPROVEMENT_DIRECTIONS = ("higher_is_better", "lower_is_better", "not_specified")
RULE_PRECEDENCE = ("outside_limits", "trend", "two_of_three", "shift")

Improvement = Literal["higher_is_better", "lower_is_better", "not_specified"]
Side = Literal["high", "low"]
Variation = Literal["common_cause", "special_cause_improving", "special_cause_concerning", "special_cause_neither"]
Assurance = Literal["consistently_passing", "consistently_failing", "hit_or_miss"]
Number = float | int | Decimal | Fraction


@dataclass(frozen=True)
class SpcPoint:
    index: int  # its place in the series given, gaps included
    value: float
    moving_range: float | None  # |x_i − x_{i−1}|, None for the first point and the first after a gap
    mean: float
    lower_limit: float
    upper_limit: float
    in_baseline: bool
    rules: tuple[str, ...]  # every special cause rule the point is part of, in RULE_PRECEDENCE order
    special_cause: str | None  # the rule that decides its colour
    side: Side | None  # high or low, for a special cause point
    variation: Variation

    @property
    def is_special_cause(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class SpcSegment:
    """The mean and limits of one stretch of the series between change points (``rebase``)."""

    start: int  # the place in the series of its first point
    end: int  # one past the place of its last point
    mean: float
    mean_moving_range: float
    lower_limit: float
    upper_limit: float
    lower_two_thirds: float
    upper_two_thirds: float
    baseline_points: int
    reliable: bool


@dataclass(frozen=True)
class SpcResult:
    points: tuple[SpcPoint, ...]
    improvement: Improvement
    mean: float
    mean_moving_range: float
    lower_limit: float
    upper_limit: float
    lower_two_thirds: float
    upper_two_thirds: float
    baseline_points: int  # how many points the mean and limits were computed from
    screened_moving_ranges: tuple[int, ...]  # indexes of the points whose moving range was screened out
    reliable: bool  # False: fewer than MIN_POINTS_FOR_RELIABLE_LIMITS points behind the limits
    variation: Variation  # the icon: the latest point's variation
    variation_side: Side | None
    target: float | None
    assurance: Assurance | None  # against the latest stretch's limits
    segments: tuple[SpcSegment, ...] = ()  # one per stretch between change points, oldest first
    change_points: tuple[int, ...] = ()  # where each stretch after the first begins (a place in the series)


def charted_run(values: Sequence[Number | None]) -> tuple[int, int]:
    """Which of a month-by-month series an XmR chart is drawn over, as a slice [start, end): from
    the first month with figures to the last. The empty months before and after (not yet due, not
    yet filed, before the unit joined) are not data. A month without figures in between stays a
    gap in the chart (see ``xmr``)."""
    end = len(values)
    while end and values[end - 1] is None:
        end -= 1
    start = 0
    while start < end and values[start] is None:
        start += 1
    return start, end


def can_chart(values: Sequence[Number | None]) -> bool:
    """Whether ``xmr`` can draw these: at least one moving range, two months in a row with figures."""
    return any(a is not None and b is not None for a, b in zip(values, values[1:], strict=False))


def _sign(value: Fraction) -> int:
    return (value > 0) - (value < 0)


def _runs(keys: Sequence[int]) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of equal, non-zero keys (end exclusive)."""
    runs, start = [], 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0:
                runs.append((start, i))
            start = i
    return runs


def _mean_moving_range(baseline: Sequence[Fraction], after_gap: frozenset[int]) -> tuple[Fraction, tuple[int, ...]]:
    """The screened mean of the moving ranges, each keyed by its later point; none spans a gap."""
    moving_ranges = {i: abs(baseline[i] - baseline[i - 1]) for i in range(1, len(baseline)) if i not in after_gap}
    if not moving_ranges:
        raise ValueError("an XmR chart needs two points in a row (one moving range)")
    initial = sum(moving_ranges.values(), Fraction(0)) / len(moving_ranges)
    if initial == 0:  # a flat baseline: nothing to screen (NHSRplotthedots would screen all and give NaN)
        return initial, ()
    screened = tuple(i for i, mr in moving_ranges.items() if not mr < SCREEN_FACTOR * initial)
    kept = [mr for i, mr in moving_ranges.items() if i not in screened]
    return sum(kept, Fraction(0)) / len(kept), screened


def _segments(count: int, after_gap: frozenset[int]) -> list[tuple[int, int]]:
    """(start, end) of each stretch of points with no gap inside it."""
    starts = [0, *sorted(after_gap)]
    return list(zip(starts, [*starts[1:], count], strict=True))


def _change_starts(positions: Sequence[int], count: int, rebase: Sequence[int]) -> tuple[int, ...]:
    """Where each rebased stretch begins, as an index into the points there are: a change point
    at a period without a figure starts the stretch at the next point; one at or before the first
    point, or after the last, changes nothing."""
    starts = set()
    for change in rebase:
        if isinstance(change, bool) or not isinstance(change, int) or not 0 <= change < count:
            raise ValueError(f"a change point must be a period of the series (0 to {count - 1}), got {change!r}")
        k = next((k for k, position in enumerate(positions) if position >= change), None)
        if k:
            starts.add(k)
    return tuple(sorted(starts))


def usable_change_points(points: Sequence[Number | None], rebase: Sequence[int]) -> list[int]:
    """The change points (in order) that ``xmr`` can rebase at: each stretch they make keeps two
    points in a row (a moving range). One that would leave a stretch without one is left out."""
    kept: list[int] = []
    for change in sorted(set(rebase)):
        if not 0 <= change < len(points):
            continue
        bounds = [0, *kept, change, len(points)]
        if all(can_chart(points[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if a < b):
            kept.append(change)
    return kept


@dataclass(frozen=True)
class _Limits:
    mean: Fraction
    mean_mr: Fraction
    lower: Fraction
    upper: Fraction
    lower_near: Fraction
    upper_near: Fraction
    baseline: int
    screened: tuple[int, ...]


def _limits(values: Sequence[Fraction], first: int, last: int, breaks: frozenset[int], baseline: int | None) -> _Limits:
    """Mean and limits of the points values[first:last] (the first ``baseline`` of them when given)."""
    base = values[first : first + baseline if baseline else last][: last - first]
    mean = sum(base, Fraction(0)) / len(base)
    local_breaks = frozenset(k - first for k in breaks if first < k < first + len(base))
    mean_mr, screened = _mean_moving_range(base, local_breaks)
    spread, near = LIMIT_FACTOR * mean_mr, NEAR_LIMIT_FACTOR * mean_mr
    return _Limits(
        mean, mean_mr, mean - spread, mean + spread, mean - near, mean + near, len(base), tuple(first + i for i in screened)
    )


def xmr(
    points: Sequence[Number | None],
    *,
    improvement: Improvement,
    target: Number | None = None,
    baseline: int | None = None,
    rebase: Sequence[int] = (),
) -> SpcResult:
    """An XmR chart of ``points`` (oldest first, one per period).

    A None is a period without a figure: it gets no point, and, as NHSRplotthedots treats a
    missing value (``NA``) in its series, the mean is of the points there are, no moving range
    spans the gap, and no run (shift, trend, two of three) continues across it. ``SpcPoint.index``
    is the point's place in ``points``. ``baseline`` fixes the mean and limits on the first n
    points (all points when None or when there are fewer); every point is still judged against
    them. Needs two points in a row (one moving range).

    ``rebase`` lists change points (places in ``points``), as NHSRplotthedots' ``rebase``: from
    each, the mean, the moving ranges and the limits are worked out afresh over the points up to
    the next change point (``baseline`` then fixes the first n of each stretch); no moving range
    and no run crosses a change point, and each point is judged against its own stretch's limits.
    The result's mean and limits (and so the assurance) are the latest stretch's. Every stretch
    needs two points in a row (``usable_change_points`` leaves out those that would not).
    """
    if improvement not in IMPROVEMENT_DIRECTIONS:
        raise ValueError(f"improvement must be one of {', '.join(IMPROVEMENT_DIRECTIONS)}, got {improvement!r}")
    if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, int) or baseline < 2):
        raise ValueError(f"baseline must be a whole number of points, at least 2, got {baseline!r}")
    positions = [i for i, value in enumerate(points) if value is not None]
    if len(positions) < 2:
        raise ValueError("an XmR chart needs at least two points (one moving range)")
    values = [Fraction(value) for value in points if value is not None]  # rejects NaN and infinities
    count = len(values)
    after_gap = frozenset(k for k in range(1, count) if positions[k] != positions[k - 1] + 1)
    starts = _change_starts(positions, len(points), rebase)
    breaks = after_gap | frozenset(starts)  # no moving range and no run crosses a gap or a change point
    stretches = list(zip((0, *starts), (*starts, count), strict=True))
    limits: list[_Limits] = []
    for first, last in stretches:
        try:
            limits.append(_limits(values, first, last, breaks, baseline))
        except ValueError as exc:
            if len(stretches) == 1:
                raise
            raise ValueError(f"the stretch from period {positions[first]} needs two points in a row (one moving range)") from exc
    of_point = [limits[n] for n, (first, last) in enumerate(stretches) for _ in range(first, last)]

    side_of_mean = [_sign(value - lim.mean) for value, lim in zip(values, of_point, strict=True)]
    outside = [value > lim.upper or value < lim.lower for value, lim in zip(values, of_point, strict=True)]
    near = [
        not out and (value > lim.upper_near or value < lim.lower_near)
        for value, lim, out in zip(values, of_point, outside, strict=True)
    ]
    rules: list[set[str]] = [set() for _ in values]
    trend_direction: list[int] = [0] * count

    for first, last in _segments(count, breaks):
        for start, end in _runs(side_of_mean[first:last]):
            if end - start >= RUN_LENGTH:
                for i in range(first + start, first + end):
                    rules[i].add("shift")
    # steps[i] is the move from point i to point i + 1; none across a break (0 breaks a run, as a tie does)
    steps = [0 if i + 1 in breaks else _sign(values[i + 1] - values[i]) for i in range(count - 1)]
    for start, end in _runs(steps):
        if end - start >= RUN_LENGTH - 1:
            for i in range(start, end + 1):
                rules[i].add("trend")
                trend_direction[i] = steps[start]  # later runs overwrite: a shared point takes the later
    for i in range(count - 2):
        if i + 1 in breaks or i + 2 in breaks:
            continue
        window = range(i, i + 3)
        same_side = side_of_mean[i] != 0 and all(side_of_mean[j] == side_of_mean[i] for j in window)
        if same_side and sum(near[j] for j in window) >= 2:
            for j in window:
                if near[j]:
                    rules[j].add("two_of_three")
    for i in range(count):
        if outside[i]:
            rules[i].add("outside_limits")

    stretch_start = [first for first, last in stretches for _ in range(first, last)]
    result_points = []
    for i, value in enumerate(values):
        lim = of_point[i]
        flagged = tuple(rule for rule in RULE_PRECEDENCE if rule in rules[i])
        special_cause = flagged[0] if flagged else None
        direction = trend_direction[i] if special_cause == "trend" else side_of_mean[i]
        side: Side | None = None if special_cause is None else ("high" if direction > 0 else "low")
        result_points.append(
            SpcPoint(
                index=positions[i],
                value=float(value),
                moving_range=None if i == 0 or i in breaks else float(abs(value - values[i - 1])),
                mean=float(lim.mean),
                lower_limit=float(lim.lower),
                upper_limit=float(lim.upper),
                in_baseline=i - stretch_start[i] < lim.baseline,
                rules=flagged,
                special_cause=special_cause,
                side=side,
                variation=_variation(side, improvement),
            )
        )
    segments = tuple(
        SpcSegment(
            start=positions[first],
            end=positions[last - 1] + 1,
            mean=float(lim.mean),
            mean_moving_range=float(lim.mean_mr),
            lower_limit=float(lim.lower),
            upper_limit=float(lim.upper),
            lower_two_thirds=float(lim.lower_near),
            upper_two_thirds=float(lim.upper_near),
            baseline_points=lim.baseline,
            reliable=lim.baseline >= MIN_POINTS_FOR_RELIABLE_LIMITS,
        )
        for (first, last), lim in zip(stretches, limits, strict=True)
    )
    latest, current = result_points[-1], limits[-1]
    return SpcResult(
        points=tuple(result_points),
        improvement=improvement,
        mean=float(current.mean),
        mean_moving_range=float(current.mean_mr),
        lower_limit=float(current.lower),
        upper_limit=float(current.upper),
        lower_two_thirds=float(current.lower_near),
        upper_two_thirds=float(current.upper_near),
        baseline_points=current.baseline,
        screened_moving_ranges=tuple(k for lim in limits for k in lim.screened),
        reliable=segments[-1].reliable,
        variation=latest.variation,
        variation_side=latest.side,
        target=None if target is None else float(target),
        assurance=_assurance(None if target is None else Fraction(target), current.lower, current.upper, improvement),
        segments=segments,
        change_points=tuple(positions[k] for k in starts),
    )


def _variation(side: Side | None, improvement: Improvement) -> Variation:
    if side is None:
        return "common_cause"
    if improvement == "not_specified":
        return "special_cause_neither"
    improving = (side == "high") == (improvement == "higher_is_better")
    return "special_cause_improving" if improving else "special_cause_concerning"


def _assurance(target: Fraction | None, lower: Fraction, upper: Fraction, improvement: Improvement) -> Assurance | None:
    """Whether the process, as it runs, will meet the target: the target beyond a limit means every
    point is expected on one side of it; between the limits, some months will pass and some fail."""
    if target is None or improvement == "not_specified":
        return None
    if target > upper:
        return "consistently_failing" if improvement == "higher_is_better" else "consistently_passing"
    if target < lower:
        return "consistently_passing" if improvement == "higher_is_better" else "consistently_failing"
    return "hit_or_miss"
