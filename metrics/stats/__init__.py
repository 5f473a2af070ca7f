"""The statistics behind the dashboards: pure functions of numbers, no models, no queries.

``funnel``: funnel plots of rates per 1,000 around the pooled national rate, with exact Poisson
95% and 99% limits (chi-square method). ``spc``: XmR charts with Making Data Count's rules and
icons, as NHSRplotthedots computes them. Why they are built this way: docs/adr/0009-funnel-and-spc.md.
"""

from metrics.stats.funnel import (
    Classification,
    CurvePoint,
    FunnelResult,
    FunnelUnit,
    Limits,
    chi2_ppf,
    classify,
    funnel,
    funnel_limits,
    poisson_count_limits,
)
from metrics.stats.spc import SpcPoint, SpcResult, can_chart, charted_run, xmr

__all__ = [
    "Classification",
    "CurvePoint",
    "FunnelResult",
    "FunnelUnit",
    "Limits",
    "SpcPoint",
    "SpcResult",
    "can_chart",
    "charted_run",
    "chi2_ppf",
    "classify",
    "funnel",
    "funnel_limits",
    "poisson_count_limits",
    "xmr",
]
