"""A small programme with rolled-up returns, for the rollup API and export tests: sites in two
regions filing synthetic signed-off returns (metrics.scale) for a few months, rolled up."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from metrics.returns.scale import seed_scale
from metrics.rollups import build as rollups
from sites.models import PlaceICBMembership, Site, SiteStatus
from tests.sites.factories import ICBFactory, RegionFactory, SiteFactory, WaveFactory

TODAY = datetime.date(2026, 11, 20)


@dataclass
class World:
    sites: list[Site]
    months: int

    @property
    def leeds(self) -> Site:
        return self.sites[0]

    @property
    def croydon(self) -> Site:
        return self.sites[1]


def rolled_up_world(*, sites: int = 2, months: int = 3) -> World:
    """Leeds (North) and Croydon (South) first, then more sites alternating between the regions."""
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    icbs = [ICBFactory(region=north), ICBFactory(region=south)]
    wave = WaveFactory(number=1, start_date=datetime.date(2020, 1, 1))
    names = ["Leeds", "Croydon"] + [f"Site {n}" for n in range(3, sites + 1)]
    made = [
        SiteFactory(place__name=name, place__icb=icbs[n % 2], wave=wave, status=SiteStatus.ACTIVE) for n, name in enumerate(names)
    ]
    seed_scale(sites=sites, months=months, today=TODAY)
    rollups.rebuild_all(today=TODAY)
    return World(sites=made, months=months)


MOVE = datetime.date(2026, 4, 1)
MOVED_TODAY = datetime.date(2026, 6, 20)  # Feb–May 2026 rolled up: two months either side of the move


def moved_place_world() -> dict:
    """North: an ICB merged away at the end of March 2026 and its successor; South: one ICB.
    Mover's Place moves from the old northern ICB to the new one on 1 April 2026, Stayer's stays
    in the old one (as a Place left behind by a boundary change would), Southern is in the South.
    Each files four months (February to May 2026), signed off; not yet rolled up."""
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    old = ICBFactory(region=north, name="NHS Old North ICB", effective_to=MOVE - datetime.timedelta(days=1))
    new = ICBFactory(region=north, name="NHS New North ICB", effective_from=MOVE)
    southern_icb = ICBFactory(region=south, name="NHS South ICB")
    wave = WaveFactory(number=1, start_date=datetime.date(2025, 9, 9))
    sites = {
        name: SiteFactory(place__name=name, place__icb=icb, wave=wave, status=SiteStatus.ACTIVE)
        for name, icb in (("Mover", new), ("Stayer", old), ("Southern", southern_icb))
    }
    mover = sites["Mover"].place
    PlaceICBMembership.objects.create(
        place=mover,
        icb=old,
        effective_from=datetime.date(2022, 7, 1),
        effective_to=MOVE - datetime.timedelta(days=1),
        source="Test",
    )
    PlaceICBMembership.objects.create(place=mover, icb=new, effective_from=MOVE, source="Test")
    seed_scale(sites=3, months=4, today=MOVED_TODAY)
    return {"sites": sites, "icbs": {"old": old, "new": new, "south": southern_icb}, "regions": {"north": north, "south": south}}
