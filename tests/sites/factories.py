import datetime
import string
from decimal import Decimal

import factory

from sites.models import ICB, LocalAuthority, Neighbourhood, Place, Region, Site, Wave

_BASE36 = string.digits + string.ascii_uppercase


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("ods_code",)

    # Region codes are three characters (Y56…Y63); 1,296 distinct ones are plenty for tests.
    ods_code = factory.Sequence(lambda n: "Y" + _BASE36[(n // 36) % 36] + _BASE36[n % 36])
    ons_code = factory.Sequence(lambda n: f"E400{n:05d}")
    name = factory.Sequence(lambda n: f"Region {n}")


class ICBFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ICB

    ods_code = factory.Sequence(lambda n: f"Q{n:02d}")
    ons_code = factory.Sequence(lambda n: f"E540{n:05d}")
    name = factory.Sequence(lambda n: f"NHS Test {n} Integrated Care Board")
    short_name = factory.LazyAttribute(lambda o: o.name.removeprefix("NHS ").replace("Integrated Care Board", "ICB"))
    region = factory.SubFactory(RegionFactory)
    effective_from = datetime.date(2022, 7, 1)


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    code = factory.Sequence(lambda n: f"E0600{n:04d}")
    name = factory.Sequence(lambda n: f"Borough {n}")
    lsoa_count = 100
    population = 150_000
    imd_average_rank = Decimal("12000.0")
    imd_rank_of_average_rank = 100
    imd_decile = 4
    pct_lsoas_most_deprived_10 = Decimal("12.0")
    pct_lsoas_most_deprived_20 = Decimal("25.0")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Place {n}")
    icb = factory.SubFactory(ICBFactory)


class WaveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Wave
        django_get_or_create = ("number",)

    number = 1
    name = "Wave one"
    start_date = datetime.date(2025, 9, 9)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    place = factory.SubFactory(PlaceFactory)
    name = factory.LazyAttribute(lambda o: o.place.name)
    wave = factory.SubFactory(WaveFactory)


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Neighbourhood {n}")
    population = 40_000
