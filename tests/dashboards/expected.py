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
    filed = [programme["filed"].get((name, period.pk)) for name in names]
    cells = [cell(values, metric, category) for values in filed if values is not None]  # a site not filed adds nothing
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


def same_sites(programme, names, latest, previous, metric, *, has_rate=True, category="total"):
    """(sites, this month, the month before) over only the named sites with a figure (not
    suppressed, and a denominator above 0 for a rate) in both months."""
    both = []
    for name in names:
        now = cell(programme["filed"].get((name, latest.pk), []), metric, category)
        before = cell(programme["filed"].get((name, previous.pk), []), metric, category)
        if now is None or before is None or (has_rate and not (now[1] and before[1])):
            continue
        both.append((now, before))
    if not both:
        return 0, None, None
    figures = []
    for side in (0, 1):
        numerator = sum(pair[side][0] for pair in both)
        figures.append(rate(numerator, sum(pair[side][1] for pair in both)) if has_rate else numerator)
    return len(both), figures[0], figures[1]
