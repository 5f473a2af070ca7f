"""The real reference data: loaded as published, and loading twice changes nothing."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.apps import apps
from django.core.management import call_command

from sites.models import ICB, Place, Region, Site, SiteStatus
from sites.selectors import site_profile

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).resolve().parents[2] / "metrics" / "reference_data" / "NNHIPDataCollectionTemplatev1.2.xlsx"


def _load():
    call_command("load_reference_data", stdout=io.StringIO())


def _counts():
    models = [m for app in ("sites", "teams", "nhsportal") for m in apps.get_app_config(app).get_models()]
    return {m.__name__: m.objects.count() for m in models}


def test_loading_twice_changes_no_counts_and_keeps_an_administrators_edits():
    _load()
    walsall = Site.objects.get(name="Walsall")
    walsall.status = SiteStatus.ACTIVE
    walsall.save()
    before = _counts()

    _load()

    assert _counts() == before
    walsall.refresh_from_db()
    assert walsall.status == SiteStatus.ACTIVE


def test_seven_regions_42_icbs_in_force_before_the_mergers_and_43_wave_one_sites():
    _load()

    assert Region.objects.count() == 7
    assert ICB.objects.in_force_on(datetime.date(2026, 3, 31)).count() == 42
    assert ICB.objects.exclude(ods_code=None).count() == 42
    assert Site.objects.filter(wave__number=1).count() == 43
    per_region = {r.name: Site.objects.filter(place__icb__region=r).count() for r in Region.objects.all()}
    assert per_region == {
        "East of England": 6,
        "London": 5,
        "Midlands": 8,
        "North East and Yorkshire": 8,
        "North West": 6,
        "South East": 6,
        "South West": 4,
    }


def test_site_names_are_exactly_the_templates_lookup_names_without_stray_spaces():
    _load()
    sheet = openpyxl.load_workbook(TEMPLATE, read_only=True)["Lookups"]
    official = [row[0] for row in sheet.iter_rows(min_row=2, max_col=1, values_only=True) if row[0]]

    assert len(official) == 43
    assert sorted(Site.objects.values_list("name", flat=True)) == sorted(" ".join(name.split()) for name in official)
    assert Site.objects.filter(name="Dorset Place").exists()


def test_merged_icbs_name_their_successor_from_april_2026():
    _load()

    north_west_london = ICB.objects.get(ods_code="QRV")
    assert north_west_london.effective_to == datetime.date(2026, 3, 31)
    assert north_west_london.successor.ons_code == "E54000071"
    assert set(north_west_london.successor.predecessors.values_list("ods_code", flat=True)) == {"QRV", "QMJ"}
    # Frimley only loses a part to Thames Valley: it is not merged into it.
    assert ICB.objects.get(ods_code="QNQ").successor is None


def test_deprivation_is_weighted_across_a_places_districts():
    _load()
    place = Place.objects.get(name="Lambeth and Southwark")
    lambeth, southwark = place.local_authorities.order_by("name")

    deprivation = site_profile(place.sites.get())["deprivation"]

    expected_rank = (lambeth.imd_average_rank * lambeth.population + southwark.imd_average_rank * southwark.population) / (
        lambeth.population + southwark.population
    )
    assert deprivation["imd_average_rank"] == expected_rank.quantize(deprivation["imd_average_rank"])
    assert deprivation["most_deprived_decile"] == min(lambeth.imd_decile, southwark.imd_decile)
