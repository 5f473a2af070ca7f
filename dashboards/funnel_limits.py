"""Which limits a funnel draws: the exact Poisson 95%/99% limits (`metrics.stats.funnel`, the
default), or limits allowing for overdispersion (`metrics.stats.overdispersion`, ADR 21), with each
site classified against the limits shown, and a sentence saying which limits and why.

The adjusted limits are worked from the cached Poisson funnel (`dashboards.funnels.site_funnels`):
each site's standardised ratio is O / E with E = England's pooled rate × its denominator. The result
is cached beside the funnel under the same rollup generation, so it is never older than the figures."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from typing import Any

from django.core.cache import cache

from metrics.stats import overdispersion as od
from nhsportal import params

LIMITS = ("poisson", "shmi", "cqc")
LABELS = ("own", "outliers")


def choice(raw: str | None, allowed: tuple[str, ...], *, name: str, default: str | None) -> str | None:
    """`?name=` as one of `allowed` (absent or empty: the default), or a 400 naming the choices."""
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        raise params.BadParameter(f"`{name}` must be one of {', '.join(allowed)}; {raw[:40]!r} is not.")
    return raw


def read(query: Any) -> dict[str, str | None]:
    """The funnel's limit and label choices from a query dict (page or API)."""
    limits = choice(query.get("limits"), LIMITS, name="limits", default="poisson")
    trim = choice(query.get("trim"), od.TRIMS, name="trim", default=None)
    # the plain Poisson limits trim nothing; the adjusted ones default to their method's own
    trim = None if limits == "poisson" else trim or od.DEFAULT_TRIM[limits]  # type: ignore[index]
    label = choice(query.get("label"), LABELS, name="label", default="own")
    return {"limits": limits, "trim": trim, "label": label}


def _rate_limits(ratio: od.RatioLimits, target: float) -> dict[str, float]:
    return {key: value * target for key, value in ratio._asdict().items()}


def content_key(data: dict[str, Any]) -> str:
    """A cache key that changes whenever the funnel's figures do (no query needed)."""
    figures = repr([(u["site_id"], u["numerator"], u["denominator"]) for u in data["units"]])
    return hashlib.blake2b(figures.encode(), digest_size=16).hexdigest()


def adjusted(data: dict[str, Any], method: str, trim: str) -> dict[str, Any] | None:
    """The overdispersion-adjusted limits for a cached funnel: φ, τ², each site's limits (rate per
    1,000) and band, and the curve. None when England's pooled rate is 0 (no expected counts)."""
    if not data or not data["units"] or not data["total_numerator"]:
        return None
    name = f"dashboards:funnel-od:{content_key(data)}:{len(data['curve'])}:{method}:{trim}"
    hit = cache.get(name)
    if hit is not None:
        return hit
    proportion = Fraction(data["total_numerator"], data["total_denominator"])
    target = data["target"]
    expected = {u["site_id"]: float(proportion * u["denominator"]) for u in data["units"]}
    result = od.estimate([(u["numerator"], expected[u["site_id"]]) for u in data["units"]], method, trim)  # type: ignore[arg-type]
    units = {}
    for u in data["units"]:
        ratio = od.ratio_limits(expected[u["site_id"]], method, result.tau2)  # type: ignore[arg-type]
        band, side = od.classify_ratio(u["numerator"], expected[u["site_id"]], ratio)
        units[u["site_id"]] = {"limits": _rate_limits(ratio, target), "band": band, "side": side}
    curve = [
        {"denominator": p["denominator"], **_rate_limits(od.ratio_limits(float(proportion * Fraction(p["denominator"])), method, result.tau2), target)}  # type: ignore[arg-type]
        for p in data["curve"]
    ]  # fmt: skip
    body = {
        "method": method,
        "trim": trim,
        "proportion": result.proportion,
        "phi": result.phi,
        "tau2": result.tau2,
        "overdispersed": result.overdispersed,
        "units_in_estimate": result.kept,
        "units": units,
        "curve": curve,
    }
    cache.set(name, body, 24 * 60 * 60)
    return body


def shown(data: dict[str, Any] | None, choices: dict[str, str | None]) -> dict[str, Any]:
    """What the chart draws: the method, the outer level, each site's limits and band by site id,
    the curve, φ and τ², and the plain-English reason."""
    method, trim = choices["limits"], choices["trim"]
    if method != "poisson" and data:
        extra = adjusted(data, method, trim)  # type: ignore[arg-type]
        if extra is not None:
            units = {
                site: {
                    **u,
                    "limits": {**u["limits"], "lower_outer": u["limits"]["lower998"], "upper_outer": u["limits"]["upper998"]},
                }
                for site, u in extra["units"].items()
            }
            curve = [{**p, "lower_outer": p["lower998"], "upper_outer": p["upper998"]} for p in extra["curve"]]
            return {**extra, "units": units, "curve": curve, "outer": "99.8", "text": explain(extra)}
    units = {
        u["site_id"]: {
            "limits": {"lower95": u["limits"]["lower95"], "upper95": u["limits"]["upper95"],
                       "lower_outer": u["limits"]["lower99"], "upper_outer": u["limits"]["upper99"]},
            "band": u["band"], "side": u["side"],
        }
        for u in (data["units"] if data else [])
    }  # fmt: skip
    curve = [
        {"denominator": p["denominator"], "lower95": p["lower95"], "upper95": p["upper95"], "lower_outer": p["lower99"], "upper_outer": p["upper99"]}
        for p in (data["curve"] if data else [])
    ]  # fmt: skip
    text = (
        "The limits are exact Poisson 95% and 99% limits around England's rate (chi-square method): a site outside "
        "them differs from England by more than chance would usually explain. Where sites differ among themselves by "
        "far more than chance (overdispersion), most fall outside them: choose limits adjusted for overdispersion."
    )
    if method != "poisson":
        text = "England's rate is 0, so there are no expected counts to adjust: " + text
    return {"method": "poisson", "trim": None, "proportion": None, "phi": None, "tau2": None, "overdispersed": None,
            "units_in_estimate": None, "units": units, "curve": curve, "outer": "99", "text": text}  # fmt: skip


def explain(extra: dict[str, Any]) -> str:
    """Which limits, and why, in plain English."""
    method = "SHMI (log scale)" if extra["method"] == "shmi" else "CQC (square-root scale, Spiegelhalter)"
    trimmed = (
        f"the {extra['units_in_estimate']} sites left once the top and bottom {extra['proportion']:.0%} are left out,"
        if extra["trim"] == "truncate"
        else f"every site, the most extreme {extra['proportion']:.0%} at each end pulled in to the "
        f"{round(extra['proportion'] * 100)}th and {round((1 - extra['proportion']) * 100)}th centiles (Winsorised),"
    )
    phi = f"{extra['phi']:.2f}"
    head = (
        f"Limits at 95% and 99.8%, by the {method} method. The dispersion ratio φ over {trimmed} is {phi} "
        "(about 1 when sites differ only by chance)"
    )
    if extra["overdispersed"]:
        return (
            f"{head}: the sites differ among themselves more than chance alone would make them (overdispersion). "
            f"The limits are widened by the between-site variance τ² = {extra['tau2']:.6g} (DerSimonian–Laird), so a "
            "site outside them stands out even allowing for that spread."
        )
    return (
        f"{head}. That is no more than chance alone would give, so τ² = 0: the data are not overdispersed and "
        "nothing is adjusted. The limits are the exact Poisson limits, at 95% and 99.8%."
    )
