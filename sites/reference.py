"""Loads the organisation hierarchy from the CSVs in `sites/reference_data/` (see its
SOURCES.md). Keyed on official codes and names, so loading twice changes nothing and an
administrator's own edits to a site (status, lead, summary) and to a Place's ICB memberships
are kept."""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from sites.models import ICB, LocalAuthority, Place, PlaceICBMembership, Region, Site, Wave
from sites.services import follow_icb_memberships

DATA_DIR = Path(__file__).resolve().parent / "reference_data"

ICBS_ESTABLISHED = datetime.date(2022, 7, 1)
MERGERS_EFFECTIVE = datetime.date(2026, 4, 1)
WAVE_ONE = {"number": 1, "name": "Wave one", "start_date": datetime.date(2025, 9, 9)}

_ICB_CODE = re.compile(r"\b(Q[A-Z0-9]{2})\b")


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def short_icb_name(name: str) -> str:
    """`NHS Devon Integrated Care Board` → `Devon ICB`."""
    core = name.removeprefix("NHS ").removesuffix(" Integrated Care Board").removesuffix(" ICB")
    return f"{core} ICB"


def official_site_name(name: str) -> str:
    """Names arrive with stray spaces (the template's own "Dorset Place ")."""
    return " ".join(name.split())


@transaction.atomic
def load_organisations() -> dict[str, int]:
    regions: dict[str, Region] = {}
    for row in _rows("icbs.csv"):
        code = row["nhs_region_ods_code"]
        if code not in regions:
            regions[code], _ = Region.objects.update_or_create(
                ods_code=code, defaults={"name": row["nhs_region"], "ons_code": row["nhs_region_ons_code"]}
            )
    region_by_name = {r.name: r for r in regions.values()}

    population = {row["icb_ods_code"]: int(row["gp_registered_population_aged_16_plus"]) for row in _rows("icb_population.csv")}
    icbs: dict[str, ICB] = {}
    for row in _rows("icbs.csv"):
        icbs[row["icb_ods_code"]], _ = ICB.objects.update_or_create(
            ods_code=row["icb_ods_code"],
            defaults={
                "ons_code": row["icb_ons_code"],
                "ons_code_previous": row["icb_ons_code_previous"],
                "name": row["icb_name"],
                "short_name": short_icb_name(row["icb_name"]),
                "region": regions[row["nhs_region_ods_code"]],
                "effective_from": ICBS_ESTABLISHED,
                "gp_registered_population_16_plus": population.get(row["icb_ods_code"]),
                "source_note": "RCPCH NHS organisations constants; pre-April-2026 configuration.",
            },
        )

    for row in _rows("icb_changes_2026.csv"):
        name = row["name_in_third_party_boundary_file"]
        successor, _ = ICB.objects.update_or_create(
            ons_code=row["ons_code_2026_third_party"],
            defaults={
                "name": name,
                "short_name": f"{short_icb_name(name)} (from April 2026)",
                "region": region_by_name[row["nhs_region_third_party"]],
                "effective_from": MERGERS_EFFECTIVE,
                "source_note": "Ministerial statement 9 Sep 2025; ONS code from a third-party file, not verified.",
            },
        )
        # Only the predecessors the sources verify: "QRV;QMJ", "QXU;QNX (+ Farnham … from QNQ)".
        # A part of an ICB moving (the parenthesis) does not make the new ICB its successor.
        verified = row["predecessor_icb_ods_codes"].split("(")[0]
        for code in _ICB_CODE.findall(verified):
            predecessor = icbs[code]
            predecessor.successor = successor
            predecessor.effective_to = MERGERS_EFFECTIVE - datetime.timedelta(days=1)
            predecessor.save(update_fields=["successor", "effective_to"])

    return {"regions": Region.objects.count(), "icbs": ICB.objects.count()}


@transaction.atomic
def load_local_authorities() -> dict[str, int]:
    for row in _rows("deprivation.csv"):
        LocalAuthority.objects.update_or_create(
            code=row["lad19_code"],
            defaults={
                "name": row["lad19_name"],
                "lsoa_count": int(row["lsoa_count"]),
                "population": int(row["population_mid2015"]),
                "imd_average_rank": Decimal(row["imd2019_avg_rank_popweighted"]),
                "imd_rank_of_average_rank": int(row["imd2019_rank_of_avg_rank"]),
                "imd_decile": int(row["imd2019_avg_rank_decile_of_lads"]),
                "pct_lsoas_most_deprived_10": Decimal(row["imd2019_pct_lsoas_most_deprived_10pct"]),
                "pct_lsoas_most_deprived_20": Decimal(row["imd2019_pct_lsoas_most_deprived_20pct"]),
            },
        )
    return {"local_authorities": LocalAuthority.objects.count()}


@transaction.atomic
def load_wave_one() -> dict[str, int]:
    wave, _ = Wave.objects.update_or_create(number=WAVE_ONE["number"], defaults=WAVE_ONE)
    authorities = {la.code: la for la in LocalAuthority.objects.all()}
    icbs = {icb.ods_code: icb for icb in ICB.objects.exclude(ods_code=None)}
    for row in _rows("nnhip_wave1_sites.csv"):
        name = official_site_name(row["site_name"])
        # The ICB only for a new Place: after that its memberships decide it (`load_icb_memberships`).
        place, _ = Place.objects.update_or_create(
            name=name,
            defaults={"local_authority_note": row["lad_mapping_note"]},
            create_defaults={"icb": icbs[row["icb_ods_code"]], "local_authority_note": row["lad_mapping_note"]},
        )
        codes = [code for code in row["lad19_codes"].split(";") if code]
        place.local_authorities.set([authorities[code] for code in codes])
        Site.objects.get_or_create(place=place, wave=wave, defaults={"name": name, "joined_on": wave.start_date})
    return {"places": Place.objects.count(), "waves": Wave.objects.count(), "sites": Site.objects.count()}


class ReferenceDataError(ValueError):
    """A reference file names something that is not there, or contradicts itself."""


@transaction.atomic
def load_icb_memberships() -> dict[str, int]:
    """Which ICB each wave-one Place belonged to, when (`place_icb_memberships.csv`). A row is
    added unless its Place already has a membership sharing a day with it: what is there, an
    administrator's correction included, is kept. Then each Place follows the membership in
    force today."""
    places = {p.name: p for p in Place.objects.all()}
    icbs = {icb.ods_code: icb for icb in ICB.objects.exclude(ods_code=None)} | {icb.ons_code: icb for icb in ICB.objects.all()}
    existing: dict[int, list[PlaceICBMembership]] = {}
    for membership in PlaceICBMembership.objects.all():
        existing.setdefault(membership.place_id, []).append(membership)
    for number, row in enumerate(_rows("place_icb_memberships.csv"), start=2):
        place, icb = places.get(row["place_name"]), icbs.get(row["icb_code"])
        if place is None or icb is None:
            missing = f"Place “{row['place_name']}”" if place is None else f"ICB {row['icb_code']}"
            raise ReferenceDataError(f"place_icb_memberships.csv line {number}: no {missing} in the reference data.")
        membership = PlaceICBMembership(
            place=place,
            icb=icb,
            effective_from=datetime.date.fromisoformat(row["effective_from"]),
            effective_to=datetime.date.fromisoformat(row["effective_to"]) if row["effective_to"] else None,
            inferred=row["inferred_from_geography"] == "yes",
            source=row["source"],
        )
        try:
            membership.clean()
        except ValidationError as exc:
            raise ReferenceDataError(f"place_icb_memberships.csv line {number}: {' '.join(exc.messages)}") from exc
        if any(membership.overlaps(other) for other in existing.get(place.pk, [])):
            continue
        membership.save()
        existing.setdefault(place.pk, []).append(membership)
    follow_icb_memberships()
    return {"icb_memberships": PlaceICBMembership.objects.count()}


def load_all() -> dict[str, int]:
    counts: dict[str, int] = {}
    counts |= load_organisations()
    counts |= load_local_authorities()
    counts |= load_wave_one()
    counts |= load_icb_memberships()
    return counts
