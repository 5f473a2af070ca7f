"""`manage.py seed_scale`, as someone preparing a benchmark runs it: every site files a signed-off
return with every metric line and category each month, running it again replaces only its own
data, and it refuses to run in production."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from metrics.models import BreakdownCategory, MetricDefinition, Return, ReturnStatus, ReturnValue, Rollup
from metrics.returns.scale import SYNTHETIC_NOTE, ScaleNotAllowed, seed_scale
from metrics.rollups import build as rollups
from sites.models import Site, SiteStatus
from tests.metrics.factories import ReportingPeriodFactory
from tests.metrics.test_rollups import signed_off_return
from tests.sites.factories import ICBFactory, RegionFactory, SiteFactory, WaveFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture
def programme(catalogue):
    """Two real sites in two regions; seed_scale adds comparators under the same ICBs."""
    icbs = [ICBFactory(region=RegionFactory(name="North")), ICBFactory(region=RegionFactory(name="South"))]
    wave = WaveFactory(number=1, start_date=datetime.date(2020, 1, 1))
    return [
        SiteFactory(place__name=name, place__icb=icb, wave=wave, status=SiteStatus.ACTIVE)
        for name, icb in zip(["Leeds", "Croydon"], icbs, strict=True)
    ]


def cells_per_return(layout: str) -> int:
    """v1.2 has 80-89 and 90+; the earlier layout one 80+ band instead."""
    left_out = ["age_80_plus"] if layout == "1.2" else ["age_80_89", "age_90_plus"]
    return MetricDefinition.objects.count() * BreakdownCategory.objects.exclude(code__in=left_out).count()


def test_every_site_files_a_signed_off_return_with_every_cell_for_every_month(programme):
    result = seed_scale(sites=4, months=3, today=TODAY)

    assert (result.sites, result.synthetic_sites, result.periods, result.returns) == (4, 2, 3, 12)
    returns = Return.objects.select_related("signed_off_version")
    assert returns.count() == 12
    assert all(r.status == ReturnStatus.SUBMITTED and r.signed_off_version_id and r.first_signed_off_at for r in returns)
    for record in returns:
        assert record.signed_off_version.values.count() == cells_per_return(record.signed_off_version.layout)
    assert result.values == ReturnValue.objects.count()
    comparators = Site.objects.exclude(pk__in=[s.pk for s in programme])
    assert {site.place.icb_id for site in comparators} <= {s.place.icb_id for s in programme}  # under real ICBs
    months = sorted(set(Return.objects.values_list("period__month", flat=True)))
    assert months == [datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)]


def test_small_counts_are_suppressed_never_stored(programme):
    seed_scale(sites=4, months=2, today=TODAY)

    suppressed = ReturnValue.objects.filter(numerator_suppressed=True)
    assert not suppressed.exclude(numerator=None).exists()
    assert not ReturnValue.objects.filter(numerator__gte=1, numerator__lte=5).exists()
    assert suppressed.exists()  # the smallest categories of the rarest metrics


def test_running_it_again_gives_the_same_figures_and_touches_nothing_else(programme):
    real_period = ReportingPeriodFactory(month=datetime.date(2026, 10, 1), today=TODAY)
    own = signed_off_return(programme[0], real_period, {("O1_NEW", "total"): (7, 70)})
    seed_scale(sites=4, months=3, today=TODAY)
    first = list(
        ReturnValue.objects.filter(version__note=SYNTHETIC_NOTE)
        .order_by("version__return_record__site", "version__return_record__period", "metric", "category")
        .values_list("numerator", "denominator")
    )

    seed_scale(sites=4, months=3, today=TODAY)

    again = list(
        ReturnValue.objects.filter(version__note=SYNTHETIC_NOTE)
        .order_by("version__return_record__site", "version__return_record__period", "metric", "category")
        .values_list("numerator", "denominator")
    )
    assert again == first
    assert Site.objects.count() == 4
    own.refresh_from_db()
    assert own.signed_off_version.values.get().numerator == 7  # a real return is never replaced
    assert Return.objects.count() == 12


def test_fewer_sites_removes_the_comparators_it_no_longer_needs(programme):
    seed_scale(sites=5, months=2, today=TODAY)

    seed_scale(sites=3, months=2, today=TODAY)

    assert Site.objects.count() == 3
    assert Return.objects.count() == 6


def test_the_rollups_of_the_seeded_data_add_up(programme):
    seed_scale(sites=4, months=2, today=TODAY)

    rollups.rebuild_all(today=TODAY)

    for period_id in set(Return.objects.values_list("period_id", flat=True)):
        england = Rollup.objects.current().get(
            period_id=period_id, level="national", metric__code="COHORT", category__code="total"
        )
        filed = ReturnValue.objects.filter(
            version__return_record__period_id=period_id, metric__code="COHORT", category__code="total"
        )
        assert england.sum_numerator == filed.aggregate(n=Sum("numerator"))["n"]
        assert england.units_reporting == 4


def test_it_refuses_to_run_in_production(programme, settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(ScaleNotAllowed):
        seed_scale(sites=2, months=1, today=TODAY)
    with pytest.raises(CommandError, match="production"):
        call_command("seed_scale", "--sites", "2", "--months", "1")
    assert not Return.objects.exists()


def test_the_command_reports_what_it_made(programme):
    out = StringIO()

    call_command("seed_scale", "--sites", "3", "--months", "2", stdout=out)

    assert "3 sites (1 synthetic comparators)" in out.getvalue()
    assert "6 signed-off returns" in out.getvalue()
