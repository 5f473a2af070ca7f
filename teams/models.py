"""Who delivers care: neighbourhood teams, the organisations that employ their people,
and the workforce each team has over time."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower


class OrganisationKind(models.TextChoices):
    GP_PRACTICE = "gp_practice", "GP practice"
    PCN = "pcn", "Primary care network"
    NHS_TRUST = "nhs_trust", "NHS trust"
    COUNCIL = "council", "Local authority"
    VCSE = "vcse", "Voluntary, community or social enterprise"
    PHARMACY = "pharmacy", "Community pharmacy"
    DENTAL = "dental", "Dental practice"
    OPTOMETRY = "optometry", "Optometry practice"
    AMBULANCE = "ambulance", "Ambulance service"
    OTHER = "other", "Other"


class PartnerOrganisation(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=OrganisationKind.choices)
    ods_code = models.CharField("ODS code", max_length=10, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="unique_partner_name_kind")]

    def __str__(self) -> str:
        return self.name


class Profession(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    group = models.CharField(max_length=100, help_text="Staff group, for grouping the make-up of a team.")

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class FocusCondition(models.Model):
    """A long-term condition a team focuses on (diabetes, hypertension, …)."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FocusCohort(models.Model):
    """A group of people a team focuses on (adults with multiple long-term conditions, …)."""

    name = models.CharField(max_length=150, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NeighbourhoodTeam(models.Model):
    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="teams")
    neighbourhood = models.ForeignKey(
        "sites.Neighbourhood", null=True, blank=True, on_delete=models.SET_NULL, related_name="teams"
    )
    name = models.CharField(max_length=150)
    lead_name = models.CharField("team lead", max_length=150, blank=True)
    lead_email = models.EmailField("team lead's email", blank=True)
    launched_on = models.DateField(null=True, blank=True)
    focus_conditions = models.ManyToManyField(FocusCondition, blank=True, related_name="teams")
    focus_cohorts = models.ManyToManyField(FocusCohort, blank=True, related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["site_id", "name"]
        constraints = [
            models.UniqueConstraint(
                "site",
                Lower("name"),
                name="unique_team_name_per_site",
                violation_error_message="This site already has a team with this name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkforceEntry(models.Model):
    """Headcount and whole-time equivalent of one profession from one employer in a team,
    over a span of time. A change in make-up is a new entry, so history is kept."""

    team = models.ForeignKey(NeighbourhoodTeam, on_delete=models.CASCADE, related_name="workforce")
    profession = models.ForeignKey(Profession, on_delete=models.PROTECT, related_name="workforce")
    employer = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, related_name="workforce")
    headcount = models.PositiveIntegerField()
    wte = models.DecimalField("WTE", max_digits=7, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "workforce entries"
        ordering = ["team_id", "profession__name", "start_date"]
        constraints = [
            models.CheckConstraint(
                name="workforce_wte_not_negative", condition=Q(wte__gte=0), violation_error_message="WTE cannot be negative."
            ),
            models.CheckConstraint(
                name="workforce_wte_within_headcount",
                condition=Q(wte__lte=F("headcount")),
                violation_error_message="WTE cannot be more than the headcount (each person is at most 1.0 WTE).",
            ),
            models.CheckConstraint(
                name="workforce_dates_in_order",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                violation_error_message="The end date must be on or after the start date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profession} ({self.employer}): {self.headcount} / {self.wte} WTE"
