"""Funnel plots: the pooled national rate and exact Poisson limits, held to scipy.

scipy is a test dependency only; the portal computes the chi-square quantiles itself."""

import math
import random

import pytest
from scipy.stats import chi2

from metrics.stats.funnel import Classification, Limits, chi2_ppf, classify, funnel, funnel_limits, poisson_count_limits

TOLERANCE = 1e-9  # the requirement, relative (absolute below 1e-300, where both are zero)


def _close(ours: float, reference: float) -> bool:
    return math.isclose(ours, reference, rel_tol=TOLERANCE, abs_tol=1e-300)


def _expected_counts() -> list[float]:
    fixed = [1e-6, 1e-3, 0.01, 0.1, 0.5, 1, 2, 5, 9.99, 10, 19.99, 20, 20.01, 50, 100, 999.5, 1e4, 1e5, 1e6]
    rng = random.Random(20261122)
    return fixed + [10 ** rng.uniform(-3, 6) for _ in range(300)]


@pytest.mark.parametrize("alpha", [0.05, 0.01], ids=["95%", "99%"])
def test_count_limits_agree_with_scipy_for_expected_counts_from_0_to_a_million(alpha):
    worst = 0.0
    for expected in _expected_counts():
        lower, upper = poisson_count_limits(expected, alpha)
        reference_lower = chi2.ppf(alpha / 2, 2 * expected) / 2
        reference_upper = chi2.ppf(1 - alpha / 2, 2 * (expected + 1)) / 2
        assert _close(lower, reference_lower), (expected, lower, reference_lower)
        assert _close(upper, reference_upper), (expected, upper, reference_upper)
        for ours, reference in ((lower, reference_lower), (upper, reference_upper)):
            if reference > 1e-300:
                worst = max(worst, abs(ours - reference) / reference)
    assert worst < 1e-11  # in practice < 5e-13, and that only where λ < 0.01 puts the lower limit near 1e-250


@pytest.mark.parametrize("alpha", [0.05, 0.01], ids=["95%", "99%"])
def test_an_expected_count_of_zero_has_lower_limit_zero_and_upper_limit_minus_log_of_the_tail(alpha):
    # χ²(α/2; 0) is the distribution at 0; χ²(1−α/2; 2)/2 = −ln(α/2) exactly (an exponential quantile)
    lower, upper = poisson_count_limits(0, alpha)
    assert lower == 0
    assert _close(upper, -math.log(alpha / 2))
    assert _close(upper, chi2.ppf(1 - alpha / 2, 2) / 2)


# Not further into the tails: at p = 1e-6 and df = 2e6 scipy itself is 1.4e-9 out (mpmath at 50 digits
# agrees with chi2_ppf there), so it stops being a reference.
@pytest.mark.parametrize("p", [0.001, 0.005, 0.025, 0.1, 0.5, 0.9, 0.975, 0.995, 0.999])
def test_chi_square_quantile_agrees_with_scipy_across_degrees_of_freedom(p):
    for df in [0.02, 0.5, 1, 2, 3, 7.5, 39, 40, 41, 100, 1e3, 2e4, 2e6]:
        assert _close(chi2_ppf(p, df), chi2.ppf(p, df)), (p, df)


def test_rate_limits_agree_with_scipy_for_denominators_and_targets():
    for denominator in [1, 7, 100, 1_000, 12_345, 250_000, 2_000_000]:
        for target in [0.5, 3.25, 50, 412.7]:
            expected = target * denominator / 1000
            limits = funnel_limits(denominator, target)
            reference = [
                chi2.ppf(0.025, 2 * expected) / 2,
                chi2.ppf(0.975, 2 * (expected + 1)) / 2,
                chi2.ppf(0.005, 2 * expected) / 2,
                chi2.ppf(0.995, 2 * (expected + 1)) / 2,
            ]
            for ours, count in zip(limits, reference, strict=True):
                assert _close(ours, count * 1000 / denominator), (denominator, target)


def test_a_target_of_50_per_1000_at_a_population_of_1000_by_hand():
    # λ = 50/1000 × 1000 = 50 events expected. Limits as counts, and so as rates per 1,000 (n = 1,000):
    #   lower95 = chi2.ppf(0.025, 100)/2, upper95 = chi2.ppf(0.975, 102)/2,
    #   lower99 = chi2.ppf(0.005, 100)/2, upper99 = chi2.ppf(0.995, 102)/2   (scipy 1.17.1)
    limits = funnel_limits(1000, 50)
    assert limits.lower95 == pytest.approx(37.110963737461866, rel=1e-12)
    assert limits.upper95 == pytest.approx(65.91876666433681, rel=1e-12)
    assert limits.lower99 == pytest.approx(33.66378165273958, rel=1e-12)
    assert limits.upper99 == pytest.approx(71.26608847545108, rel=1e-12)


def test_the_same_target_at_twenty_times_the_population_gives_a_narrower_funnel():
    # λ = 50/1000 × 20,000 = 1,000; counts from scipy: chi2.ppf(0.025, 2000)/2 = 938.97301840769...,
    # chi2.ppf(0.975, 2002)/2 = 1063.95213601630..., then ÷ 20,000 × 1,000
    limits = funnel_limits(20_000, 50)
    assert limits.lower95 == pytest.approx(chi2.ppf(0.025, 2000) / 2 / 20, rel=1e-12)
    assert limits.upper95 == pytest.approx(chi2.ppf(0.975, 2002) / 2 / 20, rel=1e-12)
    wide = funnel_limits(1000, 50)
    assert wide.lower99 < limits.lower99 < limits.lower95 < 50 < limits.upper95 < limits.upper99 < wide.upper99


def test_the_target_is_the_pooled_rate_not_the_mean_of_the_rates():
    # A: 10 events in 100 people = 100 per 1,000; B: 1 event in 1,000 people = 1 per 1,000.
    # Pooled: (10 + 1) / (100 + 1,000) × 1,000 = 11/1,100 × 1,000 = 10 per 1,000. Mean of rates: 50.5.
    result = funnel([("A", 10, 100), ("B", 1, 1000)])
    assert result.target_rate_per_1000 == 10
    assert (result.total_numerator, result.total_denominator) == (11, 1100)
    assert [unit.rate_per_1000 for unit in result.units] == [100, 1]
    # each unit is judged against its own expected count under the pooled rate: 1 and 10 events
    assert [unit.expected for unit in result.units] == [1, 10]
    assert result.units[0].limits == funnel_limits(100, 10)


def test_suppressed_units_and_zero_denominators_are_left_out_and_counted():
    result = funnel(
        [
            ("Croydon", 30, 1000),
            ("Leeds", None, 2000),  # suppressed count
            ("Bolton", 4, None),  # suppressed population
            ("Empty", 0, 0),  # no one to count
            ("Wigan", 0, 500),  # no events: a real zero, counted
        ]
    )
    assert result.target_rate_per_1000 == 20  # 30 / 1,500 × 1,000; Leeds's 2,000 never enters
    assert [unit.key for unit in result.units] == ["Croydon", "Wigan"]
    assert result.excluded_suppressed == ("Leeds", "Bolton")
    assert result.excluded_zero_denominator == ("Empty",)
    assert (result.units_contributing, result.units_suppressed, result.units_zero_denominator) == (2, 2, 1)


def test_with_no_unit_to_count_there_is_no_target_and_nothing_to_draw():
    result = funnel([("Leeds", None, 2000), ("Empty", 0, 0)])
    assert result.target_rate_per_1000 is None
    assert result.units == () and result.curve == ()
    assert (result.units_suppressed, result.units_zero_denominator) == (1, 1)


def test_when_no_unit_had_an_event_the_lower_limits_are_zero_and_every_unit_is_within():
    result = funnel([("A", 0, 1000), ("B", 0, 40_000)])
    assert result.target_rate_per_1000 == 0
    for unit in result.units:
        assert unit.limits.lower95 == unit.limits.lower99 == 0
        # upper: −ln(0.025) and −ln(0.005) events, as rates
        assert unit.limits.upper95 == pytest.approx(-math.log(0.025) * 1000 / unit.denominator, rel=1e-12)
        assert unit.limits.upper99 == pytest.approx(-math.log(0.005) * 1000 / unit.denominator, rel=1e-12)
        assert unit.classification == Classification("within", None)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (50, Classification("within", None)),
        (60, Classification("within", None)),
        (66, Classification("outside_95", "above")),  # 66 > 65.92
        (71, Classification("outside_95", "above")),  # 71 < 71.27
        (72, Classification("outside_99", "above")),
        (38, Classification("within", None)),  # 38 > 37.11
        (37, Classification("outside_95", "below")),
        (33, Classification("outside_99", "below")),  # 33 < 33.66
        (0, Classification("outside_99", "below")),  # no events where 50 were expected
    ],
)
def test_units_are_classified_by_band_and_side(events, expected):
    # at n = 1,000 and 50 per 1,000 the limits are 37.11–65.92 (95%) and 33.66–71.27 (99%), see above
    assert classify(events, 1000, funnel_limits(1000, 50)) == expected


def test_a_rate_exactly_on_a_limit_is_within_it():
    limits = Limits(lower95=40.0, upper95=60.0, lower99=30.0, upper99=70.0)
    assert classify(60, 1000, limits) == Classification("within", None)
    assert classify(40, 1000, limits) == Classification("within", None)
    assert classify(70, 1000, limits) == Classification("outside_95", "above")


def test_the_curve_spans_the_units_denominators_smoothly():
    result = funnel([("small", 3, 900), ("mid", 40, 12_000), ("large", 900, 300_000)], curve_points=50)
    target = result.target_rate_per_1000
    assert target == pytest.approx(943 / 312_900 * 1000)
    assert len(result.curve) == 50
    assert result.curve[0].denominator == 900 and result.curve[-1].denominator == 300_000
    for before, after in zip(result.curve, result.curve[1:], strict=False):
        assert before.denominator < after.denominator
        assert before.limits.upper99 > after.limits.upper99 and before.limits.upper95 > after.limits.upper95
        assert before.limits.lower99 < after.limits.lower99 and before.limits.lower95 < after.limits.lower95
    for point in result.curve[::7]:
        assert point.limits == pytest.approx(funnel_limits(point.denominator, target), rel=1e-12)


def test_a_single_denominator_still_draws_a_stretch_of_funnel():
    result = funnel([("A", 5, 1000), ("B", 9, 1000)], curve_points=3)
    assert [point.denominator for point in result.curve] == [500, 1000, 2000]


@pytest.mark.parametrize(
    ("unit", "error"),
    [(("A", -1, 100), ValueError), (("A", 1, -100), ValueError), (("A", 1.5, 100), TypeError), (("A", True, 100), TypeError)],
)
def test_impossible_counts_are_refused(unit, error):
    with pytest.raises(error):
        funnel([unit])


def test_funnel_limits_need_a_population():
    with pytest.raises(ValueError):
        funnel_limits(0, 50)
