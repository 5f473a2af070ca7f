"""Funnel plots of rates per 1,000 with exact Poisson 95% and 99% limits (chi-square method).

The target is the national pooled rate, Σ numerators / Σ denominators × 1,000 over the units that
reported (PRODUCT.md: a rate is never an average of rates). For a unit with denominator ``n`` the
expected count is ``λ = target / 1,000 × n`` and the control limits for its count are the exact
Poisson limits of a count equal to λ, by the chi-square method (Ulm 1990; PHE/OHID *Technical
Guide: Confidence intervals*, "exact method" for counts; applied around the target as a funnel
after Spiegelhalter 2005):

    lower = χ²(α/2;   2λ)     / 2
    upper = χ²(1−α/2; 2(λ+1)) / 2

where χ²(p; k) is the lower-tail p-quantile of the chi-square distribution with k degrees of
freedom and α = 0.05 (95%) or 0.01 (99%). Divided by n and multiplied by 1,000 they are rate limits.
χ²(0; ·) is 0, so the lower limit is 0 when the target is 0.

Because χ²(p; 2a) / 2 = P⁻¹(a, p), the inverse of the regularised lower incomplete gamma function,
the limits are computed here in pure Python (no scipy at run time) by safeguarded Newton iteration
on P(a, x). P(a, x) comes from its power series (x < a + 1) or Legendre's continued fraction
(Lentz's method) as in Numerical Recipes §6.2, and, for a ≥ 20 near the centre, from Temme's
uniform asymptotic expansion (Temme 1979; DLMF §8.12), whose coefficients are derived exactly
at import. The tests hold it to scipy.stats.chi2.ppf within a relative 1e-9 for λ from 0 to 1e6.

References: K. Ulm, Am J Epidemiol 1990;131:373-5. D. J. Spiegelhalter, Stat Med 2005;24:1185-1202.
N. M. Temme, SIAM J Math Anal 1979;10:757-66. NIST DLMF §5.11 and §8.12.
"""

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist
from typing import Literal, NamedTuple

PER = 1000
LEVELS = {"95": 0.05, "99": 0.01}

# --- the regularised incomplete gamma function P(a, x) and its inverse ------------------------

_TEMME_MIN_A = 20  # below this (or far from the centre) the series / continued fraction are used
_TEMME_TERMS = 11  # c_0 … c_10 of the expansion in 1/a
_TAYLOR_TERMS = 30  # Taylor coefficients kept of each c_k(η); |η| ≤ 1 where it is used
_LN_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400)


def _temme_coefficients() -> tuple[tuple[float, ...], ...]:
    """Taylor coefficients in η of Temme's c_k(η), in exact rational arithmetic.

    With λ = x/a, μ = λ − 1 and η²/2 = μ − ln(1 + μ): c_0 = 1/μ − 1/η and
    c_k = (1/η) dc_{k−1}/dη + (−1)^k g_k / μ (DLMF 8.12), g_k the coefficients of Stirling's series
    Γ*(a) ~ Σ g_k a^−k (DLMF 5.11.3). The pole at η = 0 cancels exactly; that is checked.
    """
    k_max, size = _TEMME_TERMS - 1, _TAYLOR_TERMS + 2 * _TEMME_TERMS + 2
    akiyama: list[Fraction] = []  # Akiyama–Tanigawa: bernoulli[m] = B_m
    bernoulli = []
    for m in range(k_max + 3):
        akiyama.append(Fraction(1, m + 1))
        for j in range(m, 0, -1):
            akiyama[j - 1] = j * (akiyama[j - 1] - akiyama[j])
        bernoulli.append(akiyama[0])
    log_gamma_star = [Fraction(0)] * (k_max + 1)  # ln Γ*(a) = Σ B_2m / (2m(2m−1)) a^(1−2m)
    for m in range(1, k_max // 2 + 2):
        if 2 * m - 1 <= k_max:
            log_gamma_star[2 * m - 1] = bernoulli[2 * m] / (2 * m * (2 * m - 1))
    g = [Fraction(1)] + [Fraction(0)] * k_max  # Γ*(a) = exp(ln Γ*(a)) as a series in 1/a
    for n in range(1, k_max + 1):
        g[n] = sum((k * log_gamma_star[k] * g[n - k] for k in range(1, n + 1)), Fraction(0)) / n
    mu = [Fraction(0), Fraction(1)] + [Fraction(0)] * size  # μ(η) from μ μ' = η (1 + μ)
    for n in range(2, len(mu)):
        mu[n] = (mu[n - 1] - sum((n + 1 - i) * mu[i] * mu[n + 1 - i] for i in range(2, n))) / (n + 1)
    inv_mu = [Fraction(1)] + [Fraction(0)] * (len(mu) - 3)  # η/μ
    for n in range(1, len(inv_mu)):
        inv_mu[n] = -sum((mu[j + 1] * inv_mu[n - j] for j in range(1, n + 1)), Fraction(0))
    c = [inv_mu[1:]]
    for k in range(1, k_max + 1):
        previous, term = c[-1], (-1) ** k * g[k]
        if previous[1] + term != 0:
            raise ArithmeticError("Temme's coefficients did not cancel at η = 0")
        c.append([(i + 2) * previous[i + 2] + term * inv_mu[i + 1] for i in range(len(previous) - 2)])
    return tuple(tuple(float(value) for value in reversed(ck[:_TAYLOR_TERMS])) for ck in c)


_TEMME = _temme_coefficients()


def _log_gamma_star(a: float) -> float:
    """ln Γ*(a) = ln Γ(a) − (a − ½) ln a + a − ½ ln 2π, without the cancellation for large a."""
    if a >= 10:
        inverse_square, power, total = 1 / (a * a), 1 / a, 0.0
        for coefficient in _STIRLING:
            total += coefficient * power
            power *= inverse_square
        return total
    return math.lgamma(a) - (a - 0.5) * math.log(a) + a - _LN_SQRT_2PI


def _a_log1pmx(a: float, x: float) -> float:
    """a·(ln(x/a) − (x/a − 1)), i.e. −a·η²/2, accurate when x is close to a."""
    t = (x - a) / a
    if abs(t) > 0.25:
        return a * math.log(x / a) - (x - a)
    total, power, k = 0.0, t * t, 2
    while True:
        term = power / k
        total += term if k % 2 == 0 else -term
        if abs(term) <= 1e-17 * abs(total):
            return -a * total
        power *= t
        k += 1


def _density_times_x(a: float, x: float) -> float:
    """x^a e^−x / Γ(a), i.e. x times the gamma density (dP/dx = this / x)."""
    if a < 10:
        return math.exp(a * math.log(x) - x - math.lgamma(a))
    return math.exp(_a_log1pmx(a, x) + 0.5 * math.log(a / (2 * math.pi)) - _log_gamma_star(a))


def _gamma_pq(a: float, x: float) -> tuple[float, float]:
    """(P(a, x), Q(a, x)); the smaller of the two is computed directly, the other as 1 − it."""
    if x <= 0:
        return 0.0, 1.0
    if a >= _TEMME_MIN_A:
        half_eta_squared = -_a_log1pmx(a, x) / a
        if half_eta_squared <= 0.5:
            eta = math.copysign(math.sqrt(2 * half_eta_squared), x - a)
            # the Taylor coefficients shrink about as 3.5^-n: keep the terms that reach 1e-17
            terms = -min(_TAYLOR_TERMS, 2 + int(39.2 / math.log(3.5 / max(abs(eta), 1e-12))))
            total, inverse_power = 0.0, 1.0
            for coefficients in _TEMME:
                series = 0.0
                for coefficient in coefficients[terms:]:
                    series = series * eta + coefficient
                total += series * inverse_power
                inverse_power /= a
                if inverse_power < 1e-18:
                    break
            remainder = math.exp(-a * half_eta_squared) / math.sqrt(2 * math.pi * a) * total
            if eta >= 0:
                q = 0.5 * math.erfc(eta * math.sqrt(a / 2)) + remainder
                return 1 - q, q
            p = 0.5 * math.erfc(-eta * math.sqrt(a / 2)) - remainder
            return p, 1 - p
    prefactor = _density_times_x(a, x)
    if x < a + 1:  # P = x^a e^−x / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
        term = total = 1 / a
        denominator = a
        while term > total * 1e-17:
            denominator += 1
            term *= x / denominator
            total += term
        p = prefactor * total
        return p, 1 - p
    tiny = 1e-300  # Q by the continued fraction, modified Lentz
    b = x + 1 - a
    c, d = 1 / tiny, 1 / b
    fraction = d
    i = 0
    while True:
        i += 1
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        fraction *= d * c
        if abs(d * c - 1) < 1e-16:
            break
    q = prefactor * fraction
    return 1 - q, q


def _gamma_p_inverse(a: float, p: float, q: float) -> float:
    """x with P(a, x) = p, given q = 1 − p as well so that upper tails keep their precision."""
    if a == 0 or p == 0:
        return 0.0
    if q == 0:
        return math.inf
    upper = p > 0.5
    x = 0.0
    if a >= 1:  # Wilson–Hilferty start
        z = -NormalDist().inv_cdf(q) if upper else NormalDist().inv_cdf(p)
        x = a * (1 - 1 / (9 * a) + z / (3 * math.sqrt(a))) ** 3
    if not x > 0:  # small-x start from P ≈ x^a / Γ(a+1)
        log_x = (math.log(p) + math.lgamma(a + 1)) / a
        if log_x < -700:
            return 0.0  # below 1e-304: zero for any rate we could draw
        x = math.exp(log_x)
    low, high = 0.0, math.inf
    for _ in range(200):  # Newton, kept inside a shrinking bracket, bisecting when it leaves it
        p_x, q_x = _gamma_pq(a, x)
        excess = (q - q_x) if upper else (p_x - p)  # increases with x
        if excess == 0:
            return x
        if excess < 0:
            low = x
        else:
            high = x
        density = _density_times_x(a, x)
        step = excess * x / density if density > 0 else math.copysign(math.inf, excess)
        if abs(step) <= 1e-11 * x:  # quadratic convergence: the next error is far below 1e-16
            return x - step
        new = x - step
        if not low < new < high:
            new = 2 * x if high == math.inf else (high / 2 if low == 0 else math.sqrt(low) * math.sqrt(high))
        x = new
        if high < math.inf and high - low <= 1e-15 * high:
            return x
    return x


def chi2_ppf(p: float, df: float) -> float:
    """The lower-tail p-quantile of the chi-square distribution with df degrees of freedom.

    χ²(p; df) = 2 · P⁻¹(df/2, p). df = 0 is the distribution concentrated at 0 (so 0)."""
    if not (0 <= p <= 1 and df >= 0):
        raise ValueError(f"chi2_ppf needs 0 ≤ p ≤ 1 and df ≥ 0, got p={p}, df={df}")
    return 2 * _gamma_p_inverse(df / 2, p, 1 - p)


def poisson_count_limits(expected: float, alpha: float) -> tuple[float, float]:
    """Exact (chi-square method) limits for a Poisson count whose expected value is ``expected``:
    (χ²(α/2; 2λ)/2, χ²(1−α/2; 2(λ+1))/2)."""
    if not expected >= 0:
        raise ValueError(f"expected count must be ≥ 0, got {expected}")
    tail = alpha / 2
    return _gamma_p_inverse(expected, tail, 1 - tail), _gamma_p_inverse(expected + 1, 1 - tail, tail)


# --- funnel plots -------------------------------------------------------------------------------


class Limits(NamedTuple):
    """Funnel limits, in rate per 1,000."""

    lower95: float
    upper95: float
    lower99: float
    upper99: float


Band = Literal["within", "outside_95", "outside_99"]


class Classification(NamedTuple):
    band: Band
    side: Literal["above", "below"] | None  # None when within


class CurvePoint(NamedTuple):
    denominator: float
    limits: Limits


@dataclass(frozen=True)
class FunnelUnit:
    key: Hashable
    numerator: int
    denominator: int
    rate_per_1000: float
    expected: float  # the count the target predicts for this denominator
    limits: Limits
    classification: Classification


@dataclass(frozen=True)
class FunnelResult:
    total_numerator: int
    total_denominator: int
    target_rate_per_1000: float | None  # Σ numerators / Σ denominators × 1,000; None if no unit counts
    units: tuple[FunnelUnit, ...]
    curve: tuple[CurvePoint, ...]  # limit lines across the units' denominators, for drawing
    excluded_zero_denominator: tuple[Hashable, ...]
    excluded_suppressed: tuple[Hashable, ...]

    @property
    def units_contributing(self) -> int:
        return len(self.units)

    @property
    def units_suppressed(self) -> int:
        return len(self.excluded_suppressed)

    @property
    def units_zero_denominator(self) -> int:
        return len(self.excluded_zero_denominator)


def _limits_for_expected(expected: float, denominator: float) -> Limits:
    lower95, upper95 = poisson_count_limits(expected, LEVELS["95"])
    lower99, upper99 = poisson_count_limits(expected, LEVELS["99"])
    return Limits(*(count * PER / denominator for count in (lower95, upper95, lower99, upper99)))


def funnel_limits(denominator: int | float, target_rate_per_1000: float | Decimal | Fraction) -> Limits:
    """The 95% and 99% limits, in rate per 1,000, for a unit of this denominator."""
    if not denominator > 0:
        raise ValueError(f"a funnel limit needs a denominator above zero, got {denominator}")
    target = Fraction(target_rate_per_1000)
    if target < 0:
        raise ValueError(f"the target rate cannot be negative, got {target_rate_per_1000}")
    return _limits_for_expected(float(target * Fraction(denominator) / PER), denominator)


def classify(numerator: int, denominator: int, limits: Limits) -> Classification:
    """Where the unit's rate sits against the limits; a rate exactly on a limit is within it."""
    rate = Fraction(numerator * PER, denominator)  # exact: no rounding can move a unit across a line
    bands: tuple[tuple[Band, float, float], ...] = (
        ("outside_99", limits.lower99, limits.upper99),
        ("outside_95", limits.lower95, limits.upper95),
    )
    for band, lower, upper in bands:
        if rate > Fraction(upper):
            return Classification(band, "above")
        if rate < Fraction(lower):
            return Classification(band, "below")
    return Classification("within", None)


def _checked(key: Hashable, value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{key!r}: the {what} must be a whole number or None (suppressed), got {value!r}")
    if value < 0:
        raise ValueError(f"{key!r}: the {what} cannot be negative, got {value}")
    return value


def _curve_denominators(low: float, high: float, points: int) -> list[float]:
    if low == high:  # one width of unit only: still draw a short stretch of funnel around it
        low, high = low / 2, high * 2
    ratio = high / low
    return [low * ratio ** (i / (points - 1)) for i in range(points - 1)] + [float(high)]


def funnel(units: Iterable[tuple[Hashable, int | None, int | None]], *, curve_points: int = 100) -> FunnelResult:
    """A funnel plot of rates per 1,000 for ``(key, numerator, denominator)`` units.

    A unit whose numerator or denominator is None is suppressed; one whose denominator is 0 has no
    population to judge. Both are left out of the target and the plot and counted in the result.
    The curve spans the lowest to the highest contributing denominator on a geometric grid of
    ``curve_points`` points (denser where the funnel bends); with a single denominator it spans
    half to twice that.
    """
    if curve_points < 2:
        raise ValueError("a curve needs at least two points")
    counted: list[tuple[Hashable, int, int]] = []
    suppressed: list[Hashable] = []
    zero: list[Hashable] = []
    for key, raw_numerator, raw_denominator in units:
        numerator = _checked(key, raw_numerator, "numerator")
        denominator = _checked(key, raw_denominator, "denominator")
        if numerator is None or denominator is None:
            suppressed.append(key)
        elif denominator == 0:
            zero.append(key)
        else:
            counted.append((key, numerator, denominator))
    total_numerator = sum(numerator for _, numerator, _ in counted)
    total_denominator = sum(denominator for _, _, denominator in counted)
    if not counted:
        return FunnelResult(0, 0, None, (), (), tuple(zero), tuple(suppressed))
    proportion = Fraction(total_numerator, total_denominator)  # the pooled rate, from integer sums
    results = []
    for key, numerator, denominator in counted:
        limits = _limits_for_expected(float(proportion * denominator), denominator)
        results.append(
            FunnelUnit(
                key=key,
                numerator=numerator,
                denominator=denominator,
                rate_per_1000=float(Fraction(numerator * PER, denominator)),
                expected=float(proportion * denominator),
                limits=limits,
                classification=classify(numerator, denominator, limits),
            )
        )
    denominators = [denominator for _, _, denominator in counted]
    curve = tuple(
        CurvePoint(n, _limits_for_expected(float(proportion * Fraction(n)), n))
        for n in _curve_denominators(min(denominators), max(denominators), curve_points)
    )
    return FunnelResult(
        total_numerator=total_numerator,
        total_denominator=total_denominator,
        target_rate_per_1000=float(proportion * PER),
        units=tuple(results),
        curve=curve,
        excluded_zero_denominator=tuple(zero),
        excluded_suppressed=tuple(suppressed),
    )
