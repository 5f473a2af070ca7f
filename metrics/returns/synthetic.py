"""Believable synthetic returns, for the demo and for benchmarks at national scale.

Figures are drawn from a seeded generator, so the same site and month always give the
same return. They obey the template's own rules: every breakdown adds up to its Total,
counts from 1 to 5 are suppressed as the guide asks, and rates sit in plausible ranges
for a cohort of adults with multiple long-term conditions.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping

from metrics.returns import template
from metrics.returns.checks import ParsedValue

# Typical monthly activity per 1,000 patients in the cohort (the centre of each site's range).
RATES_PER_1000 = {
    "O1_NEW": 110,
    "O1_FU": 240,
    "O1_PROC": 45,
    "O2_ZERO_LOS": 9,
    "O2_ONE_PLUS_LOS": 24,
    "O3_BED_DAYS": 190,
    "O4_CAT1": 2,
    "O4_CAT2": 11,
    "O4_CAT3": 5,
    "O4_CAT4": 1,
    "O5_TYPE1": 32,
    "O5_OTHER": 16,
    "O6_GP": 720,
    "O6_COMMUNITY": 410,
    "P1_CASELOAD": 95,
}
AGE_WEIGHTS = {
    "age_18_19": 1,
    "age_20_29": 4,
    "age_30_39": 6,
    "age_40_49": 9,
    "age_50_59": 14,
    "age_60_69": 19,
    "age_70_79": 23,
    "age_80_89": 17,
    "age_90_plus": 6,
    "age_not_known": 1,
}
ETHNICITY_WEIGHTS = {"eth_white": 78, "eth_black": 6, "eth_asian": 9, "eth_mixed": 2, "eth_other": 2, "eth_not_known": 3}


def allocate(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Split `total` in proportion to `weights`, whole numbers that add up exactly (largest remainder)."""
    whole = sum(weights.values())
    shares = {k: total * w / whole for k, w in weights.items()}
    result = {k: int(v) for k, v in shares.items()}
    for key in sorted(shares, key=lambda k: shares[k] - result[k], reverse=True)[: total - sum(result.values())]:
        result[key] += 1
    return result


def _imd_weights(rng: random.Random, deprivation: float) -> dict[str, float]:
    """`deprivation` 0 (affluent) to 1 (most deprived) tilts the cohort towards quintile 1."""
    tilt = 1 + 2 * deprivation
    return {
        "imd_1": 20 * tilt,
        "imd_2": 20 * (1 + deprivation),
        "imd_3": 20,
        "imd_4": 20 / (1 + deprivation),
        "imd_5": 20 / tilt,
        "imd_not_known": 2 + rng.random(),
    }


def synthetic_return(
    *, seed: str, cohort: int, month_index: int = 0, deprivation: float = 0.5, layout: str = "1.2"
) -> list[ParsedValue]:
    """A full return (every metric line, the cohort, every category of `layout`). `month_index`
    moves the figures along a gentle trend with noise, so a series of months looks real."""
    rng = random.Random(f"{seed}:{month_index}")
    site_rng = random.Random(seed)
    age = dict(AGE_WEIGHTS)
    if layout == "1.1":
        age["age_80_plus"] = age.pop("age_80_89") + age.pop("age_90_plus")
    weights: dict[str, Mapping[str, float]] = {
        "age": age,
        "ethnicity": ETHNICITY_WEIGHTS,
        "imd": _imd_weights(site_rng, deprivation),
    }
    cohort = max(0, int(cohort * (1 + 0.004 * month_index + rng.gauss(0, 0.01))))
    cohort_split = {dim: allocate(cohort, w) for dim, w in weights.items()}

    values: list[ParsedValue] = []
    for metric in template.METRICS:
        if metric.code == "COHORT":
            numerators = {"total": cohort} | {k: v for split in cohort_split.values() for k, v in split.items()}
        else:
            level = RATES_PER_1000[metric.code] * site_rng.uniform(0.7, 1.3) * (1 - 0.003 * month_index) * rng.uniform(0.92, 1.08)
            total = max(0, round(cohort * level / 1000))
            numerators = {"total": total} | {k: v for dim, w in weights.items() for k, v in allocate(total, w).items()}
        denominators = {"total": cohort} | {k: v for split in cohort_split.values() for k, v in split.items()}
        values.extend(_values(metric, numerators, denominators))
    return values


def _values(metric: template.Metric, numerators: dict[str, int], denominators: dict[str, int]) -> Iterable[ParsedValue]:
    for category, numerator in numerators.items():
        denominator = denominators[category] if metric.has_rate else None
        yield ParsedValue(
            metric=metric.code,
            category=category,
            numerator=None if 1 <= numerator <= 5 else numerator,
            denominator=None if denominator is not None and 1 <= denominator <= 5 else denominator,
            numerator_suppressed=1 <= numerator <= 5,
            denominator_suppressed=denominator is not None and 1 <= denominator <= 5,
            numerator_cell="",
            denominator_cell="",
        )
