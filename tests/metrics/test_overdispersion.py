"""Overdispersion-adjusted funnel limits, against values worked by the published method.

Spiegelhalter, "Handling over-dispersion of performance indicators", Qual Saf Health Care 2005;
14:347-51 (z-scores, 10% Winsorisation, φ = Σz²/k, DerSimonian–Laird τ², limits θ₀ ± z√(s²+τ²)),
with the SHMI's truncation as FunnelPlotR does it. Each expected figure is worked out here step by
step from those formulas, with the standard library's `statistics` and scipy (a test dependency)
for the centiles and quantiles, not by calling the module's helpers; the first data set is also
worked by hand (whole square roots) in the comments."""

import math
import random
import statistics

import pytest
from scipy.stats import chi2, norm

from metrics.stats.overdispersion import (
    RatioLimits,
    classify_ratio,
    estimate,
    ratio_limits,
    truncated_mask,
    winsorise,
)

TOLERANCE = 1e-9


def close(ours: float, worked: float) -> bool:
    return math.isclose(ours, worked, rel_tol=TOLERANCE, abs_tol=1e-12)


# --- worked by the paper's method -------------------------------------------------------------


def worked_winsorised_z(z: list[float], p: float = 0.1) -> list[float]:
    # statistics.quantiles(method="inclusive") interpolates between order statistics as R's type 7
    cuts = statistics.quantiles(z, n=100, method="inclusive")
    low, high = cuts[round(p * 100) - 1], cuts[round((1 - p) * 100) - 1]
    return [low if v < low else high if v > high else v for v in z]


def worked_truncated(z: list[float], p: float = 0.1) -> list[bool]:
    k, groups = len(z), round(1 / p)
    kept = []
    for v in z:
        rank = sum(w < v for w in z) + (sum(w == v for w in z) + 1) / 2  # average rank of ties
        group = int(rank * groups // (k + 1))
        kept.append(group not in (0, groups - 1))
    return kept


def worked_tau2(z_kept: list[float], s_kept: list[float]) -> tuple[float, float]:
    k = len(z_kept)
    phi = sum(v**2 for v in z_kept) / k
    w = [1 / s**2 for s in s_kept]
    numerator = k * phi - (k - 1)
    tau2 = numerator / (sum(w) - sum(x**2 for x in w) / sum(w)) if numerator > 0 else 0.0
    return phi, tau2


def worked_limits(e: float, method: str, tau2: float) -> tuple[float, float, float, float]:
    if tau2 == 0:  # exact Poisson limits, chi-square method, at 95% and 99.8%, as a ratio to E
        return (
            chi2.ppf(0.025, 2 * e) / 2 / e,
            chi2.ppf(0.975, 2 * (e + 1)) / 2 / e,
            chi2.ppf(0.001, 2 * e) / 2 / e,
            chi2.ppf(0.999, 2 * (e + 1)) / 2 / e,
        )
    z95, z998 = norm.ppf(0.975), norm.ppf(0.999)
    if method == "shmi":
        sd = math.sqrt(1 / e + tau2)  # log scale, target 0
        return math.exp(-z95 * sd), math.exp(z95 * sd), math.exp(-z998 * sd), math.exp(z998 * sd)
    sd = math.sqrt((1 / (2 * math.sqrt(e))) ** 2 + tau2)  # square-root scale, target 1, squared back
    return (max(0, 1 - z95 * sd) ** 2, (1 + z95 * sd) ** 2, max(0, 1 - z998 * sd) ** 2, (1 + z998 * sd) ** 2)


# Set 1: ten units whose O and E are perfect squares, so the CQC z-scores 2(√O − √E) are whole.
SQUARES = [(121, 100), (81, 100), (100, 64), (36, 49), (81, 81), (196, 144), (100, 121), (16, 36), (49, 25), (144, 169)]
# z = 2, −2, 4, −2, 0, 4, −2, −4, 4, −2; sorted −4 −2 −2 −2 −2 0 2 4 4 4. Type-7 centiles: position
# 0.9 → −4 + 0.9·2 = −2.2, position 8.1 → 4. Winsorised: −4 → −2.2, nothing above 4. Σz² = 4·4 + 3·16
# + 4.84 + 4 + 0 = 72.84 (the four −2s, three 4s, −2.2, the 2, the 0), φ = 7.284.
# w = 4E: Σw = 4·889 = 3556, Σw² = 16·Σ E² = 16·98,917 = 1,582,672 → Σw − Σw²/Σw = 3556 − 445.07…


def test_set_1_cqc_winsorised_worked_by_hand():
    result = estimate(SQUARES, "cqc")
    assert (result.method, result.trim, result.kept, result.units) == ("cqc", "winsorise", 10, 10)
    assert close(result.phi, 7.284)
    sum_e, sum_e2 = sum(e for _, e in SQUARES), sum(e * e for _, e in SQUARES)
    assert (sum_e, sum_e2) == (889, 98917)
    by_hand = (10 * 7.284 - 9) / (4 * 889 - 16 * 98917 / (4 * 889))
    assert close(result.tau2, by_hand)
    assert result.overdispersed


def _synthetic(seed: int, k: int, spread: float) -> list[tuple[int, float]]:
    """k units, E from 5 to 2,000 and O drawn around E with extra between-unit spread."""
    rng = random.Random(seed)
    units = []
    for _ in range(k):
        e = 10 ** rng.uniform(0.7, 3.3)
        mean = e * math.exp(rng.gauss(0, spread))
        units.append((max(0, round(rng.gauss(mean, math.sqrt(mean)))), e))
    return units


# Set 2: 40 units with real between-unit spread (≈ 25% on the ratio scale), SHMI truncation.
SPREAD = _synthetic(20261203, 40, 0.25)
# Set 3: 30 units whose O is the nearest whole number to E: under-dispersed (φ far below 1).
UNDER = [(round(e), e) for e in (3.7 + 7.9 * i for i in range(30))]


@pytest.mark.parametrize(
    ("name", "units", "method", "trim"),
    [
        ("set 1 CQC Winsorised", SQUARES, "cqc", "winsorise"),
        ("set 1 SHMI truncated", SQUARES, "shmi", "truncate"),
        ("set 2 SHMI truncated", SPREAD, "shmi", "truncate"),
        ("set 2 CQC Winsorised", SPREAD, "cqc", "winsorise"),
        ("set 2 SHMI Winsorised", SPREAD, "shmi", "winsorise"),
        ("set 2 CQC truncated", SPREAD, "cqc", "truncate"),
        ("set 3 SHMI truncated", UNDER, "shmi", "truncate"),
        ("set 3 CQC Winsorised", UNDER, "cqc", "winsorise"),
    ],
)
def test_phi_tau2_and_limits_match_the_published_method(name, units, method, trim):
    o = [float(u[0]) for u in units]
    e = [float(u[1]) for u in units]
    if method == "shmi":  # y = ln(O/E), s = 1/√E, z = (y − 0)/s
        z = [math.log(oi / ei) / (1 / math.sqrt(ei)) for oi, ei in zip(o, e, strict=True)]
        s = [1 / math.sqrt(ei) for ei in e]
    else:  # y = √(O/E), s = 1/(2√E), z = (y − 1)/s = 2(√O − √E)
        z = [(math.sqrt(oi / ei) - 1) / (1 / (2 * math.sqrt(ei))) for oi, ei in zip(o, e, strict=True)]
        s = [1 / (2 * math.sqrt(ei)) for ei in e]
    if trim == "winsorise":
        z_kept, s_kept = worked_winsorised_z(z), s
    else:
        keep = worked_truncated(z)
        z_kept = [v for v, kept in zip(z, keep, strict=True) if kept]
        s_kept = [v for v, kept in zip(s, keep, strict=True) if kept]
    phi, tau2 = worked_tau2(z_kept, s_kept)

    result = estimate(units, method, trim)
    assert result.kept == len(z_kept)
    assert close(result.phi, phi), (name, result.phi, phi)
    assert close(result.tau2, tau2), (name, result.tau2, tau2)
    assert result.overdispersed is (tau2 > 0)
    for oi, ei in zip(o, e, strict=True):
        worked = worked_limits(ei, method, tau2)
        ours = ratio_limits(ei, method, result.tau2)
        assert all(close(a, b) for a, b in zip(ours, worked, strict=True)), (name, ei, ours, worked)
        ratio = oi / ei
        band = (
            "outside_998"
            if not worked[2] <= ratio <= worked[3]
            else "outside_95"
            if not worked[0] <= ratio <= worked[1]
            else "within"
        )
        assert classify_ratio(oi, ei, ours)[0] == band


def test_the_spread_set_is_overdispersed_and_widened():
    result = estimate(SPREAD, "shmi")
    assert result.phi > 2 and result.tau2 > 0
    # 32 of 40 kept: ranks 1–4 are in group 0 (⌊4·10/41⌋ = 0) and ranks 37–40 in group 9
    assert result.kept == 32
    plain = ratio_limits(100, "shmi", 0.0)
    wide = ratio_limits(100, "shmi", result.tau2)
    assert wide.upper998 > plain.upper998 and wide.lower998 < plain.lower998


def test_under_dispersed_data_are_not_adjusted():
    for method in ("shmi", "cqc"):
        result = estimate(UNDER, method)
        assert result.phi < (result.kept - 1) / result.kept
        assert result.tau2 == 0 and not result.overdispersed
        # the limits are then the exact Poisson ones (95% and 99.8%), as FunnelPlotR draws them
        e = UNDER[10][1]
        worked = worked_limits(e, method, 0.0)
        assert all(close(a, b) for a, b in zip(ratio_limits(e, method, 0.0), worked, strict=True))


def test_cqc_limits_are_squared_back_to_the_ratio_scale():
    # FunnelPlotR issue #33: its CQC limits stay on the square-root scale; the paper squares them.
    limits = ratio_limits(400, "cqc", 0.01)
    sd = math.sqrt(1 / 1600 + 0.01)
    assert close(limits.upper95, (1 + norm.ppf(0.975) * sd) ** 2)
    assert limits.upper95 > 1 + norm.ppf(0.975) * sd


def test_a_cqc_lower_limit_never_folds_back_above_zero():
    limits = ratio_limits(1, "cqc", 1.0)  # 1 − 3.09·√(0.25 + 1) < 0
    assert limits.lower998 == 0 and limits.lower95 == 0


def test_truncation_groups_follow_funnelplotr_with_ties_averaged():
    z = [float(v) for v in range(1, 21)]  # k = 20: group ⌊r·10/21⌋; 0 for r ≤ 2, 9 for r ≥ 19
    assert truncated_mask(z) == [False, False] + [True] * 16 + [False, False]
    tied = [0.0, 0.0, 0.0] + [float(v) for v in range(1, 18)]  # three tied at rank 2 → group 0 each
    assert truncated_mask(tied)[:3] == [False, False, False]
    four = [0.0] * 4 + [float(v) for v in range(1, 17)]  # four tied at rank 2.5 → group ⌊25/21⌋ = 1
    assert truncated_mask(four)[:4] == [True] * 4


def test_winsorising_clamps_to_type_7_centiles():
    z = [float(v) for v in range(11)]  # 0…10: 10th centile 1, 90th 9
    assert winsorise(z) == [1.0] + [float(v) for v in range(1, 10)] + [9.0]


def test_a_zero_count_on_the_log_scale_is_left_out_of_the_estimate():
    # eight units: truncation keeps every rank (⌊r·10/9⌋ runs 1…8), so the O = 0 unit survives it
    units = [(0, 5.0)] + [(round(e * 1.5) if i % 2 else round(e / 1.5), e) for i, e in enumerate(range(20, 48, 4))]
    result = estimate(units, "shmi", "truncate")
    assert result.units == 8 and result.kept == 7 and math.isfinite(result.phi)
    z = [math.sqrt(e) * math.log(o / e) for o, e in units[1:]]
    assert close(result.phi, sum(v * v for v in z) / 7)


def test_on_a_limit_is_within():
    limits = RatioLimits(0.5, 2.0, 0.25, 4.0)
    assert classify_ratio(2, 1, limits) == ("within", None)
    assert classify_ratio(4, 1, limits) == ("outside_95", "above")
    assert classify_ratio(41, 10, limits) == ("outside_998", "above")
    assert classify_ratio(1, 5, limits) == ("outside_998", "below")


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        estimate(SQUARES, "funnel")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        estimate(SQUARES, "cqc", "trim")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ratio_limits(0, "cqc", 0.1)
