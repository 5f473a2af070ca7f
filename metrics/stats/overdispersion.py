"""Funnel limits that allow for overdispersion, for indirectly standardised ratios (Spiegelhalter 2005).

Each unit has an observed count O and an expected count E (here E = the pooled rate × the unit's
denominator), and its standardised ratio is O / E, around a target of 1. Following D. J.
Spiegelhalter, "Handling over-dispersion of performance indicators", Qual Saf Health Care
2005;14:347-51, and the NHS-R community's FunnelPlotR (`transformed_zscore`, `winsorisation`,
`truncation`, `phi_func`, `tau_func`, `calculate_limits`):

1. Each ratio is put on a scale where it is about normal, with target θ₀ and standard error s:

   - ``"shmi"`` (NHS England's SHMI): y = ln(O/E), θ₀ = 0, s = 1/√E, so z = √E · ln(O/E);
   - ``"cqc"`` (the CQC's, Spiegelhalter's square root): y = √(O/E), θ₀ = 1, s = 1/(2√E),
     so z = (y − 1)/s = 2(√O − √E).

2. Extreme z-scores are tamed so that the outliers one is looking for do not set the width of the
   funnel: *Winsorised* (the lowest 10% set to the 10th centile, the highest to the 90th; centiles
   by linear interpolation, R's default `quantile` type 7, as FunnelPlotR) or *truncated* (the units
   ranked by z, rank r of k, in group ⌊r·10/(k+1)⌋; groups 0 and 9 are dropped, as FunnelPlotR and
   the SHMI). By default the SHMI method truncates and the CQC method Winsorises.

3. The dispersion ratio over the k z-scores kept, φ = (1/k) Σ z², and the between-unit variance by
   DerSimonian and Laird's moment estimator, with weights w = 1/s² over the same units:

       τ² = (kφ − (k − 1)) / (Σw − Σw²/Σw)   when kφ > k − 1, else τ² = 0.

   τ² = 0 (φ ≤ (k−1)/k) means no overdispersion was found: the funnel is then left as Poisson
   (FunnelPlotR's rule: it draws exact Poisson limits when τ² is 0), here at 95% and 99.8%.

4. Otherwise the limits are θ₀ ± z_p √(s² + τ²) on the transformed scale, z_p the normal quantile
   for 95% (two-sided) and 99.8%, transformed back to the ratio scale: exp(·) for SHMI, (·)² for
   CQC, as the paper does. FunnelPlotR does not square the CQC limits back (its issue #33); we follow
   the paper. A CQC lower limit whose square root would be below 0 is 0 (a ratio is never negative).

A ratio exactly on a limit is within it. Pure functions of numbers: no models, no queries.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal, NamedTuple

from metrics.stats.funnel import poisson_count_limits

Method = Literal["shmi", "cqc"]
Trim = Literal["winsorise", "truncate"]
METHODS: tuple[Method, ...] = ("shmi", "cqc")
TRIMS: tuple[Trim, ...] = ("winsorise", "truncate")
DEFAULT_TRIM: dict[Method, Trim] = {"shmi": "truncate", "cqc": "winsorise"}
DEFAULT_PROPORTION = 0.1
Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054 (FunnelPlotR: 1.959964)
Z998 = NormalDist().inv_cdf(0.999)  # 3.090232306167813 (FunnelPlotR: 3.090232)
ALPHA95, ALPHA998 = 0.05, 0.002


class RatioLimits(NamedTuple):
    """Limits on the standardised ratio O/E (target 1)."""

    lower95: float
    upper95: float
    lower998: float
    upper998: float


@dataclass(frozen=True)
class Dispersion:
    method: Method
    trim: Trim
    proportion: float
    units: int  # every unit with E > 0
    kept: int  # k: the units whose z-scores went into φ (all of them when Winsorising)
    phi: float
    tau2: float

    @property
    def overdispersed(self) -> bool:
        """More spread between units than chance explains, so the limits are widened: τ² > 0,
        i.e. kφ > k − 1 (FunnelPlotR's and the paper's rule)."""
        return self.tau2 > 0


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"the method must be one of {', '.join(METHODS)}, got {method!r}")


def standard_error(expected: float, method: Method) -> float:
    """s on the transformed scale: 1/√E (SHMI, log) or 1/(2√E) (CQC, square root)."""
    _check_method(method)
    if not expected > 0:
        raise ValueError(f"the expected count must be above zero, got {expected}")
    return 1 / math.sqrt(expected) if method == "shmi" else 1 / (2 * math.sqrt(expected))


def z_score(observed: float, expected: float, method: Method) -> float:
    """The unadjusted z-score: √E·ln(O/E) (SHMI; −∞ when O = 0) or 2(√O − √E) (CQC)."""
    _check_method(method)
    if observed < 0 or not expected > 0:
        raise ValueError(f"a z-score needs O ≥ 0 and E > 0, got O={observed}, E={expected}")
    if method == "cqc":
        return 2 * (math.sqrt(observed) - math.sqrt(expected))
    if observed == 0:
        return -math.inf
    return math.sqrt(expected) * math.log(observed / expected)


def quantile(values: Sequence[float], p: float) -> float:
    """The p-quantile by linear interpolation between order statistics (R's type 7)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * p
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    if fraction == 0 or ordered[low] == ordered[high]:
        return ordered[low]
    if math.isinf(ordered[low]) or math.isinf(ordered[high]):  # −∞ (O = 0 on the log scale): no midpoint
        return ordered[low] if math.isinf(ordered[low]) else ordered[high]
    return ordered[low] + fraction * (ordered[high] - ordered[low])


def winsorise(z: Sequence[float], proportion: float = DEFAULT_PROPORTION) -> list[float]:
    """Each z-score below the `proportion` centile set to it, each above the 1 − `proportion` one to it."""
    low, high = quantile(z, proportion), quantile(z, 1 - proportion)
    return [min(max(value, low), high) for value in z]


def _average_ranks(z: Sequence[float]) -> list[float]:
    order = sorted(range(len(z)), key=lambda i: z[i])
    ranks = [0.0] * len(z)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and z[order[end + 1]] == z[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1  # ties share their average rank
        start = end + 1
    return ranks


def truncated_mask(z: Sequence[float], proportion: float = DEFAULT_PROPORTION) -> list[bool]:
    """True for the z-scores kept: with g = 1/proportion groups, rank r of k is in group
    ⌊r·g/(k+1)⌋, and groups 0 and g − 1 are dropped."""
    groups = 1 / proportion
    k = len(z)
    return [0 < math.floor(rank * groups / (k + 1)) < groups - 1 for rank in _average_ranks(z)]


def dispersion_ratio(z: Sequence[float]) -> float:
    """φ = (1/k) Σ z²."""
    return sum(value * value for value in z) / len(z)


def between_variance(phi: float, standard_errors: Sequence[float]) -> float:
    """DerSimonian–Laird τ² = (kφ − (k − 1)) / (Σw − Σw²/Σw), w = 1/s², or 0 when kφ ≤ k − 1."""
    k = len(standard_errors)
    if k == 0 or k * phi <= k - 1:
        return 0.0
    weights = [1 / (s * s) for s in standard_errors]
    total = sum(weights)
    spread = total - sum(w * w for w in weights) / total
    if not spread > 0:  # every unit the same size and k = 1: nothing to spread τ² over
        return 0.0
    return max(0.0, (k * phi - (k - 1)) / spread)


def estimate(
    units: Sequence[tuple[float, float]],
    method: Method,
    trim: Trim | None = None,
    proportion: float = DEFAULT_PROPORTION,
) -> Dispersion:
    """φ and τ² for ``(observed, expected)`` units (those with E ≤ 0 are left out). Truncation keeps
    the units it keeps and their s; Winsorising keeps every unit with its tamed z-score. On the log
    scale a kept unit with O = 0 has no finite z-score and is left out of φ and τ² (FunnelPlotR
    would return φ = ∞)."""
    _check_method(method)
    trim = trim or DEFAULT_TRIM[method]
    if trim not in TRIMS:
        raise ValueError(f"the trim must be one of {', '.join(TRIMS)}, got {trim!r}")
    if not 0 <= proportion < 0.5:
        raise ValueError(f"the proportion trimmed at each end must be from 0 to below 0.5, got {proportion}")
    counted = [(o, e) for o, e in units if e > 0]
    if not counted:
        return Dispersion(method, trim, proportion, 0, 0, 0.0, 0.0)
    z = [z_score(o, e, method) for o, e in counted]
    s = [standard_error(e, method) for _, e in counted]
    if trim == "truncate" and proportion > 0:
        keep = truncated_mask(z, proportion)
        z_kept = [value for value, kept in zip(z, keep, strict=True) if kept]
        s_kept = [se for se, kept in zip(s, keep, strict=True) if kept]
    elif trim == "winsorise" and proportion > 0:
        z_kept, s_kept = winsorise(z, proportion), s
    else:
        z_kept, s_kept = z, s
    finite = [(value, se) for value, se in zip(z_kept, s_kept, strict=True) if math.isfinite(value)]
    if not finite:
        return Dispersion(method, trim, proportion, len(counted), 0, 0.0, 0.0)
    phi = dispersion_ratio([value for value, _ in finite])
    tau2 = between_variance(phi, [se for _, se in finite])
    return Dispersion(method, trim, proportion, len(counted), len(finite), phi, tau2)


def ratio_limits(expected: float, method: Method, tau2: float) -> RatioLimits:
    """The 95% and 99.8% limits on O/E for a unit expected to count E. With τ² = 0 they are the
    exact Poisson limits (chi-square method) ÷ E; otherwise θ₀ ± z√(s² + τ²), transformed back."""
    if not expected > 0:
        raise ValueError(f"the expected count must be above zero, got {expected}")
    if tau2 < 0:
        raise ValueError(f"τ² cannot be negative, got {tau2}")
    if tau2 == 0:
        lower95, upper95 = poisson_count_limits(expected, ALPHA95)
        lower998, upper998 = poisson_count_limits(expected, ALPHA998)
        return RatioLimits(lower95 / expected, upper95 / expected, lower998 / expected, upper998 / expected)
    sd = math.sqrt(standard_error(expected, method) ** 2 + tau2)
    if method == "shmi":
        return RatioLimits(math.exp(-Z95 * sd), math.exp(Z95 * sd), math.exp(-Z998 * sd), math.exp(Z998 * sd))
    return RatioLimits(max(0.0, 1 - Z95 * sd) ** 2, (1 + Z95 * sd) ** 2, max(0.0, 1 - Z998 * sd) ** 2, (1 + Z998 * sd) ** 2)


Band = Literal["within", "outside_95", "outside_998"]


def classify_ratio(observed: float, expected: float, limits: RatioLimits) -> tuple[Band, Literal["above", "below"] | None]:
    """(band, side) of O/E against the limits; a ratio exactly on a limit is within it."""
    ratio = observed / expected
    for band, lower, upper in (("outside_998", limits.lower998, limits.upper998), ("outside_95", limits.lower95, limits.upper95)):
        if ratio > upper:
            return band, "above"  # type: ignore[return-value]
        if ratio < lower:
            return band, "below"  # type: ignore[return-value]
    return "within", None
