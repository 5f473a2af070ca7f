"""The figures the dashboards should show, worked out independently from the values the sites
filed (not from the rollups): Σ numerators / Σ denominators over the sites whose cell was not
suppressed, 80+ made from 80-89 and 90+ where a site gives the finer split."""

from decimal import ROUND_HALF_UP, Decimal

SPLIT_80 = ("age_80_89", "age_90_plus")


def cell(values, metric, category):
    """(numerator, denominator) of one site's cell, or None if suppressed or not filed."""
    found = {(v.metric, v.category): v for v in values}
    if category == "age_80_plus" and (metric, category) not in found:
        parts = [cell(values, metric, c) for c in SPLIT_80]
        if any(p is None for p in parts):
            return None
        numerator = sum(p[0] for p in parts)
        denominator = None if parts[0][1] is None else sum(p[1] for p in parts)
        return numerator, denominator
    value = found.get((metric, category))
    if value is None or value.numerator_suppressed or value.denominator_suppressed:
        return None
    return value.numerator, value.denominator


def totals(programme, names, period, metric, category="total"):
    """(Σ numerator, Σ denominator or None, sites contributing) over the named sites."""
    cells = [cell(programme["filed"][(name, period.pk)], metric, category) for name in names]
    counted = [c for c in cells if c is not None]
    if not counted:
        return None, None, 0
    numerator = sum(c[0] for c in counted)
    denominator = None if counted[0][1] is None else sum(c[1] for c in counted)
    return numerator, denominator, len(counted)


def rate(numerator, denominator):
    """Per 1,000, to 6 places, half up (as the rollups store it)."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * 1000 / Decimal(denominator)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def shown(value):
    """As the pages show a figure: one decimal place, half up."""
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def value(programme, names, period, metric, *, has_rate=True, category="total"):
    numerator, denominator, _ = totals(programme, names, period, metric, category)
    return rate(numerator, denominator) if has_rate else numerator


ALL = ("Leeds", "Bradford", "Croydon")
NORTH = ("Leeds", "Bradford")
