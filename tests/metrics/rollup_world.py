"""A small programme with rolled-up returns, for the rollup API and export tests: sites in two
regions filing synthetic signed-off returns (metrics.scale) for a few months, rolled up."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from metrics import rollups
from metrics.scale import seed_scale
from sites.models import Site, SiteStatus
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
