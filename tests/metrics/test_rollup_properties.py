"""Property tests: for any returns, with any cells suppressed, in either template layout, the
rollups agree with sums worked out here from the raw cells, independently of the SQL."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import ReportingPeriod, Return, ReturnStatus, Rollup, RollupLevel
from metrics.rollups import build as rollups
from tests.metrics.test_rollups import SUPPRESSED, TODAY, period_ending, signed_off_return
from tests.sites.factories import ICBFactory, RegionFactory, SiteFactory

pytestmark = pytest.mark.django_db

LAYOUT_CATEGORIES = {"1.2": ("total", "age_80_89", "age_90_plus", "eth_white"), "1.1": ("total", "age_80_plus", "eth_white")}
TARGETS = {"age_80_89": "age_80_plus", "age_90_plus": "age_80_plus"}  # what a v1.2 band also counts towards

figure = st.one_of(st.integers(min_value=0, max_value=50_000), st.just(SUPPRESSED))
site_strategy = st.fixed_dictionaries(
    {
        "region": st.integers(min_value=0, max_value=2),
        "icb": st.integers(min_value=0, max_value=1),
        "layout": st.sampled_from(["1.2", "1.1"]),
        "rate_cells": st.fixed_dictionaries(
            {c: st.tuples(figure, st.one_of(st.integers(min_value=1, max_value=90_000), st.just(SUPPRESSED))) for c in LAYOUT_CATEGORIES["1.2"] + ("age_80_plus",)}
        ),
        "cohort": figure,
    }
)  # fmt: skip
programmes = st.lists(site_strategy, min_size=1, max_size=6)


def _build(sites_spec):
    """Sites in up to three regions of two ICBs each, each with one signed-off return."""
    period = period_ending(datetime.date(2026, 9, 1), final_due=datetime.date(2026, 11, 13))
    regions = [RegionFactory() for _ in range(3)]
    icbs = {(r, i): ICBFactory(region=regions[r]) for r in range(3) for i in range(2)}
    units = []
    for spec in sites_spec:
        site = SiteFactory(place__icb=icbs[spec["region"], spec["icb"]])
        cells = {("O1_NEW", c): spec["rate_cells"][c] for c in LAYOUT_CATEGORIES[spec["layout"]]}
        cells[("COHORT", "total")] = (spec["cohort"], None)
        signed_off_return(site, period, cells, layout=spec["layout"])
        units.append({"site": site, "region": regions[spec["region"]].pk, "icb": site.place.icb_id, "cells": cells})
    return units, period, icbs


def _unit_cell(cells, metric, category):
    """One site's figure for a category: its own cell, or the bands that make it (80+ from
    80-89 and 90+). None if it has none; "suppressed" if any part is suppressed."""
    parts = [v for (m, c), v in cells.items() if m == metric and (c == category or TARGETS.get(c) == category)]
    if not parts:
        return None
    if any(SUPPRESSED in part for part in parts):
        return "suppressed"
    denominators = [d for _, d in parts if d is not None]
    return sum(n for n, _ in parts), sum(denominators) if denominators else None


def _expected(units, org_of):
    """Σ numerator, Σ denominator, rate, reporting, suppressed for every (org, metric, category)."""
    cells = defaultdict(list)
    for unit in units:
        for metric, category in {("O1_NEW", c) for c in (*LAYOUT_CATEGORIES["1.2"], "age_80_plus")} | {("COHORT", "total")}:
            value = _unit_cell(unit["cells"], metric, category)
            if value is not None:
                cells[org_of(unit), metric, category].append(value)
    result = {}
    for key, values in cells.items():
        counted = [v for v in values if v != "suppressed"]
        numerator = sum(n for n, _ in counted) if counted else None
        dens = [d for _, d in counted if d is not None]
        denominator = sum(dens) if dens else None
        rate = None
        if denominator and numerator is not None:
            rate = (Decimal(numerator) * 1000 / Decimal(denominator)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        result[key] = (numerator, denominator, rate, len(values), len(values) - len(counted))
    return result


def _actual(level):
    query = Rollup.objects.current().filter(level=level).select_related("metric", "category")
    return {
        (row.org_id, row.metric.code, row.category.code): (
            row.sum_numerator,
            row.sum_denominator,
            row.rate,
            row.units_reporting,
            row.units_suppressed,
        )
        for row in query
    }


def _rows():
    fields = [f.attname for f in Rollup._meta.concrete_fields if f.attname not in ("id", "run_id")]
    return sorted(Rollup.objects.current().values_list(*fields))


def _in_a_rolled_back_transaction(check):
    """Each example starts from an empty programme: its rows are rolled back afterwards."""

    def run(*args):
        with transaction.atomic():
            check(*args)
            transaction.set_rollback(True)

    return run


# No example database: nothing written into the working tree; the examples are seeded afresh each run.
PROPERTIES = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTIES
@given(programmes)
def test_every_level_equals_the_sums_of_its_sites_unsuppressed_cells(catalogue, sites_spec):
    @_in_a_rolled_back_transaction
    def check():
        units, _, _ = _build(sites_spec)
        rollups.rebuild_all(today=TODAY)

        assert _actual(RollupLevel.SITE) == _expected(units, lambda u: u["site"].pk)
        assert _actual(RollupLevel.ICB) == _expected(units, lambda u: u["icb"])
        assert _actual(RollupLevel.REGION) == _expected(units, lambda u: u["region"])
        assert _actual(RollupLevel.NATIONAL) == _expected(units, lambda u: 0)

    check()


@PROPERTIES
@given(programmes)
def test_national_totals_equal_the_sum_of_the_regions(catalogue, sites_spec):
    @_in_a_rolled_back_transaction
    def check():
        _build(sites_spec)
        rollups.rebuild_all(today=TODAY)

        summed = defaultdict(lambda: [None, None, 0, 0])
        for (_, metric, category), (num, den, _, reporting, suppressed) in _actual(RollupLevel.REGION).items():
            total = summed[metric, category]
            total[0] = num if total[0] is None else total[0] + (num or 0)
            total[1] = den if total[1] is None else total[1] + (den or 0)
            total[2] += reporting
            total[3] += suppressed
        national = {(m, c): [n, d, r, s] for (_, m, c), (n, d, _, r, s) in _actual(RollupLevel.NATIONAL).items()}
        assert national == dict(summed)
        for num, den, rate, *_ in _actual(RollupLevel.NATIONAL).values():
            if den:
                assert rate == (Decimal(num) * 1000 / den).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)

    check()


@PROPERTIES
@given(programmes)
def test_a_rebuild_run_twice_gives_identical_rows(catalogue, sites_spec):
    @_in_a_rolled_back_transaction
    def check():
        _build(sites_spec)
        rollups.rebuild_all(today=TODAY)
        first = _rows()
        rollups.rebuild_all(today=TODAY)
        assert _rows() == first
        period = Rollup.objects.current().values_list("period", flat=True).first()
        rollups.rollup_period(ReportingPeriod.objects.get(pk=period), today=TODAY)
        assert _rows() == first, "a period run gives the same rows as the full rebuild"

    check()


@PROPERTIES
@given(programmes, st.sampled_from(["1.2", "1.1"]), st.integers(min_value=1, max_value=90_000))
def test_a_site_whose_cells_are_suppressed_changes_no_sum_and_no_rate(catalogue, sites_spec, layout, denominator):
    """If a suppressed cell counted as zero, a site filing only suppressed numerators would
    drag every rate down (its denominators would count). It changes only the unit counts."""

    @_in_a_rolled_back_transaction
    def check():
        _, period, icbs = _build(sites_spec)
        rollups.rebuild_all(today=TODAY)
        before = _actual(RollupLevel.NATIONAL)

        cells = {("O1_NEW", c): (SUPPRESSED, denominator) for c in LAYOUT_CATEGORIES[layout]}
        signed_off_return(
            SiteFactory(place__icb=icbs[0, 0]), period, cells | {("COHORT", "total"): (SUPPRESSED, None)}, layout=layout
        )
        rollups.rebuild_all(today=TODAY)
        after = _actual(RollupLevel.NATIONAL)

        its_cells = {("O1_NEW", c) for c in LAYOUT_CATEGORIES[layout] + (("age_80_plus",) if layout == "1.2" else ())}
        its_cells.add(("COHORT", "total"))
        for key, (num, den, rate, reporting, suppressed) in after.items():
            if key in before:
                added = int(key[1:] in its_cells)
                assert (num, den, rate) == before[key][:3], key
                assert (reporting, suppressed) == (before[key][3] + added, before[key][4] + added), key
            else:  # a category only the new site's layout has (80-89 and 90+)
                assert (num, den, rate, reporting, suppressed) == (None, None, None, 1, 1), key
        assert set(before) <= set(after)

    check()


@PROPERTIES
@given(programmes, st.data())
def test_a_period_rollup_after_random_sign_offs_equals_a_full_rebuild(catalogue, sites_spec, data):
    """The incremental run rewrites only the sites that changed; what readers see must be
    exactly what a rebuild from scratch gives."""

    @_in_a_rolled_back_transaction
    def check():
        units, period, icbs = _build(sites_spec)
        rollups.rebuild_all(today=TODAY)
        for unit, spec in zip(units, sites_spec, strict=True):
            change = data.draw(st.sampled_from(["none", "new version", "correction requested"]))
            if change == "new version":
                cells = data.draw(site_strategy)["rate_cells"]
                new = {("O1_NEW", c): cells[c] for c in LAYOUT_CATEGORIES[spec["layout"]]} | {("COHORT", "total"): (7, None)}
                signed_off_return(unit["site"], period, new, layout=spec["layout"], number=2)
            elif change == "correction requested":
                Return.objects.filter(site=unit["site"]).update(status=ReturnStatus.CORRECTION_REQUESTED)
        if data.draw(st.booleans()):  # and perhaps a site's first return
            newcomer = SiteFactory(place__icb=icbs[1, 1])
            signed_off_return(newcomer, period, {("O1_NEW", "total"): (3, 40), ("COHORT", "total"): (40, None)})

        rollups.rollup_period(period, today=TODAY)
        incremental = _rows()
        rollups.rebuild_all(today=TODAY)

        assert incremental == _rows()

    check()
