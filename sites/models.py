"""The organisation hierarchy: Region → ICB → Place → Site (in a Wave) → Neighbourhood."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower


class Region(models.Model):
    """One of NHS England's seven regions."""

    ods_code = models.CharField("ODS code", max_length=3, unique=True)
    ons_code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ICBQuerySet(models.QuerySet["ICB"]):
    def in_force_on(self, day: datetime.date) -> ICBQuerySet:
        return self.filter(Q(effective_from__isnull=True) | Q(effective_from__lte=day)).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=day)
        )


class ICB(models.Model):
    """An integrated care board. ICBs merge from April 2026: a merged-away ICB keeps its
    rows (sites still point at it) and names its successor."""

    ods_code = models.CharField("ODS code", max_length=5, unique=True, null=True, blank=True)
    ons_code = models.CharField("ONS code", max_length=9, unique=True)
    ons_code_previous = models.CharField("previous ONS code", max_length=9, blank=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=150, blank=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="icbs")
    effective_from = models.DateField(null=True, blank=True)
    effective_to = models.DateField(null=True, blank=True)
    successor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="predecessors")
    gp_registered_population_16_plus = models.PositiveIntegerField(null=True, blank=True)
    source_note = models.CharField(max_length=300, blank=True)

    objects = ICBQuerySet.as_manager()

    class Meta:
        verbose_name = "ICB"
        verbose_name_plural = "ICBs"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="icb_effective_dates_in_order",
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                violation_error_message="An ICB cannot stop before it starts.",
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def code(self) -> str:
        """What the portal names it by in filters: its ODS code, or for an ICB formed in 2026
        that has none yet, its ONS code."""
        return self.ods_code or self.ons_code


class LocalAuthority(models.Model):
    """A 2019 local authority district with its Indices of Deprivation 2019 summary."""

    code = models.CharField("LAD19 code", max_length=9, unique=True)
    name = models.CharField(max_length=100)
    lsoa_count = models.PositiveIntegerField()
    population = models.PositiveIntegerField(help_text="Mid-2015 population (IoD2019 denominators).")
    imd_average_rank = models.DecimalField(max_digits=8, decimal_places=1, help_text="Population-weighted average LSOA rank.")
    imd_rank_of_average_rank = models.PositiveIntegerField(help_text="1 = most deprived of 317.")
    imd_decile = models.PositiveSmallIntegerField(help_text="1 = most deprived tenth of districts.")
    pct_lsoas_most_deprived_10 = models.DecimalField(max_digits=4, decimal_places=1)
    pct_lsoas_most_deprived_20 = models.DecimalField(max_digits=4, decimal_places=1)

    class Meta:
        verbose_name_plural = "local authorities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A place-based partnership area within an ICB. Places move between ICBs (the 2026 mergers
    and boundary changes): `icb_memberships` say which ICB it belonged to when, and each month's
    ICB figures follow them; `icb` is the ICB today (kept in step with the memberships by
    `sites.memberships`), and the ICB of any month no membership covers."""

    name = models.CharField(max_length=200, unique=True)
    icb = models.ForeignKey(
        ICB,
        on_delete=models.PROTECT,
        related_name="places",
        help_text="The Place's ICB today. Where memberships are recorded below, it follows the one in force today.",
    )
    local_authorities = models.ManyToManyField(LocalAuthority, blank=True, related_name="places")
    local_authority_note = models.CharField(max_length=300, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def long_date(day: datetime.date) -> str:
    """1 April 2026, as people write it."""
    return f"{day.day} {day:%B %Y}"


class PlaceICBMembershipQuerySet(models.QuerySet["PlaceICBMembership"]):
    def in_force_on(self, day: datetime.date) -> PlaceICBMembershipQuerySet:
        return self.filter(effective_from__lte=day).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))


class PlaceICBMembership(models.Model):
    """A Place's ICB over whole months, from `effective_from` (the first of a month) to
    `effective_to` (the last day of a month; empty while it lasts). A Place's memberships never
    overlap. The rollups read the one in force on each month's first day."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="icb_memberships")
    icb = models.ForeignKey(ICB, on_delete=models.PROTECT, related_name="place_memberships", verbose_name="ICB")
    effective_from = models.DateField(help_text="The first day of the first month in this ICB.")
    effective_to = models.DateField(
        null=True, blank=True, help_text="The last day of the last month in this ICB; empty while the Place stays."
    )
    source = models.CharField(max_length=300, help_text="Where this membership is stated: a statement, a procedure, a news item.")
    inferred = models.BooleanField(
        default=False, help_text="Inferred from geography (where the Place's local authorities sit), not named by the source."
    )

    objects = PlaceICBMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "ICB membership"
        ordering = ["place", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "effective_from"],
                name="one_icb_membership_per_place_per_start",
                violation_error_message="This Place already has a membership starting that day.",
            ),
            models.CheckConstraint(
                name="icb_membership_dates_in_order",
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                violation_error_message="A membership cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        until = f" to {long_date(self.effective_to)}" if self.effective_to else ""
        return f"{self.place} in {self.icb} from {long_date(self.effective_from)}{until}"

    def overlaps(self, other: PlaceICBMembership) -> bool:
        """Whether the two periods share a day (an empty end runs on for ever)."""
        far = datetime.date.max
        return self.effective_from <= (other.effective_to or far) and other.effective_from <= (self.effective_to or far)

    def clean(self) -> None:
        """Whole months only; a Place's memberships are checked against each other where they
        are edited together (`overlapping`), in admin's inline and the loader."""
        errors: dict[str, str] = {}
        if self.effective_from and self.effective_from.day != 1:
            errors["effective_from"] = "Figures are monthly: a membership starts on the first day of a month."
        if self.effective_to:
            if (self.effective_to + datetime.timedelta(days=1)).day != 1:
                errors["effective_to"] = "Figures are monthly: a membership ends on the last day of a month (or leave it empty)."
            elif self.effective_from and self.effective_to < self.effective_from:
                errors["effective_to"] = "A membership cannot end before it starts."
        icb = self.icb if self.icb_id else None
        if icb and icb.effective_from and self.effective_from and self.effective_from < icb.effective_from:
            errors.setdefault(
                "effective_from", f"{icb} only starts on {long_date(icb.effective_from)}: start the membership then or later."
            )
        if icb and icb.effective_to and (self.effective_to is None or self.effective_to > icb.effective_to):
            errors.setdefault(
                "effective_to",
                f"{icb} ended on {long_date(icb.effective_to)}: end the membership then or earlier (and add the next).",
            )
        if errors:
            raise ValidationError(errors)


def overlapping(memberships: list[PlaceICBMembership]) -> tuple[PlaceICBMembership, PlaceICBMembership] | None:
    """The first two of one Place's memberships that share a day, if any."""
    ordered = sorted(memberships, key=lambda m: m.effective_from)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if earlier.overlaps(later):
            return earlier, later
    return None


class Wave(models.Model):
    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=100)
    start_date = models.DateField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.name


class SiteStatus(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    EXITED = "exited", "Exited"


class Site(models.Model):
    """A Place selected into a wave. `name` is the official name sites file returns under."""

    name = models.CharField(max_length=200)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="sites")
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="sites")
    status = models.CharField(max_length=16, choices=SiteStatus.choices, default=SiteStatus.ONBOARDING)
    programme_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_sites",
        help_text="Named on the site's page. What the lead may see and do comes from their Programme lead role on the Place.",
    )
    summary = models.TextField(blank=True, help_text="What the site is doing, in a few sentences.")
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "wave"], name="one_site_per_place_per_wave"),
            models.UniqueConstraint(fields=["name", "wave"], name="unique_site_name_per_wave"),
        ]

    def __str__(self) -> str:
        return self.name


class Neighbourhood(models.Model):
    """A sub-area of a site, typically 30,000–50,000 people."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="neighbourhoods")
    name = models.CharField(max_length=150)
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["site_id", "name"]
        constraints = [
            models.UniqueConstraint(
                "site",
                Lower("name"),
                name="unique_neighbourhood_name_per_site",
                violation_error_message="This site already has a neighbourhood with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


def weighted_deprivation(authorities: list[LocalAuthority]) -> dict[str, Decimal] | None:
    """A Place's deprivation from its districts: population-weighted average rank and the
    share of its LSOAs in the most deprived 10% and 20% (weighted by LSOA count)."""
    if not authorities:
        return None
    population = sum(a.population for a in authorities)
    lsoas = sum(a.lsoa_count for a in authorities)
    return {
        "population": Decimal(population),
        "imd_average_rank": Decimal(sum(a.imd_average_rank * a.population for a in authorities) / population).quantize(
            Decimal("0.1")
        ),
        "pct_lsoas_most_deprived_10": Decimal(
            sum(a.pct_lsoas_most_deprived_10 * a.lsoa_count for a in authorities) / lsoas
        ).quantize(Decimal("0.1")),
        "pct_lsoas_most_deprived_20": Decimal(
            sum(a.pct_lsoas_most_deprived_20 * a.lsoa_count for a in authorities) / lsoas
        ).quantize(Decimal("0.1")),
        "most_deprived_decile": Decimal(min(a.imd_decile for a in authorities)),
    }
