"""What the dashboard endpoints return (documented in the OpenAPI schema)."""

from rest_framework import serializers


class MetricSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(help_text="`per 1,000` for a rate, `patients` for a count.")
    latest = serializers.DecimalField(
        max_digits=20, decimal_places=6, allow_null=True, help_text="The headline month, over every site that reported."
    )
    previous = serializers.DecimalField(
        max_digits=20,
        decimal_places=6,
        allow_null=True,
        help_text="The month before, over the same sites only: those with a figure in both months.",
    )
    difference = serializers.DecimalField(
        max_digits=20, decimal_places=6, allow_null=True, help_text="`latest_same_sites` − `previous`: like with like."
    )
    sites_compared = serializers.IntegerField(help_text="How many sites the month before and the difference are over.")
    latest_same_sites = serializers.DecimalField(
        max_digits=20, decimal_places=6, allow_null=True, help_text="The headline month over the sites compared."
    )
    previous_published = serializers.DecimalField(
        max_digits=20, decimal_places=6, allow_null=True, help_text="The month before, over every site that reported."
    )
    average = serializers.DecimalField(
        max_digits=20, decimal_places=6, allow_null=True, help_text="Of the months shown (up to 24)."
    )
    national = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, help_text="England, headline month.")
    variation = serializers.CharField(allow_null=True, help_text="The SPC variation of the headline month.")
    variation_side = serializers.CharField(allow_null=True)
    provisional = serializers.BooleanField(help_text="The month's final submission deadline has not passed.")
    units_reporting = serializers.IntegerField(allow_null=True)
    units_expected = serializers.IntegerField(allow_null=True)
    outside_95 = serializers.IntegerField(
        allow_null=True, required=False, help_text="England only: sites outside the 95% limits."
    )
    in_funnel = serializers.IntegerField(allow_null=True, required=False)


class OverviewSerializer(serializers.Serializer):
    level = serializers.CharField()
    org_id = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField(help_text="The breakdown category of every figure: `?category=`, default total.")
    month = serializers.DateField(
        allow_null=True, help_text="The headline month: `?month=`, else the latest settled one (final, or every site in)."
    )
    previous_month = serializers.DateField(allow_null=True)
    provisional = serializers.BooleanField(help_text="The headline month's final submission deadline has not passed.")
    final_submission_due = serializers.DateField(allow_null=True)
    sites_reporting = serializers.IntegerField(allow_null=True)
    sites_expected = serializers.IntegerField(allow_null=True)
    metrics = MetricSummarySerializer(many=True)


class LimitsSerializer(serializers.Serializer):
    lower95 = serializers.FloatField()
    upper95 = serializers.FloatField()
    lower99 = serializers.FloatField()
    upper99 = serializers.FloatField()


class AdjustedLimitsSerializer(serializers.Serializer):
    lower95 = serializers.FloatField()
    upper95 = serializers.FloatField()
    lower998 = serializers.FloatField()
    upper998 = serializers.FloatField()


class FunnelUnitSerializer(serializers.Serializer):
    site_id = serializers.IntegerField(allow_null=True, help_text="Null for a site shown without its name.")
    name = serializers.CharField()
    own = serializers.BooleanField(help_text="The caller's own site.")
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.FloatField()
    limits = LimitsSerializer(help_text="The exact Poisson 95% and 99% limits, rate per 1,000 (whatever `limits` is).")
    adjusted_limits = AdjustedLimitsSerializer(
        allow_null=True, help_text="With `?limits=shmi|cqc`: the limits shown, at 95% and 99.8%, rate per 1,000."
    )
    band = serializers.ChoiceField(
        choices=["within", "outside_95", "outside_99", "outside_998"],
        help_text="Against the limits shown: outside_99 with Poisson limits, outside_998 with adjusted ones.",
    )
    side = serializers.CharField(allow_null=True)
    classification = serializers.ChoiceField(choices=["inside", "above", "below"], help_text="Against the 95% limits shown.")


class FunnelSerializer(serializers.Serializer):
    metric = serializers.CharField()
    category = serializers.CharField()
    month = serializers.DateField(allow_null=True)
    target = serializers.FloatField(allow_null=True, help_text="England's pooled rate per 1,000.")
    sites_in_funnel = serializers.IntegerField()
    hidden = serializers.IntegerField(help_text="Sites in the funnel the caller may not see.")
    limits = serializers.ChoiceField(
        choices=["poisson", "shmi", "cqc"],
        help_text="The limits drawn: poisson (exact, 95% and 99%) or adjusted for overdispersion (95% and 99.8%).",
    )
    limits_asked = serializers.CharField(
        help_text="`?limits=` as asked: poisson, shmi or cqc (shmi or cqc fall back to poisson when England's rate is 0)."
    )
    trim = serializers.CharField(allow_null=True, help_text="winsorise or truncate (adjusted limits only).")
    trim_proportion = serializers.FloatField(allow_null=True, help_text="Trimmed at each end: 0.1 is 10%.")
    outer_level = serializers.ChoiceField(choices=["99", "99.8"])
    phi = serializers.FloatField(allow_null=True, help_text="The dispersion ratio φ = Σz²/k (adjusted limits only).")
    tau2 = serializers.FloatField(
        allow_null=True, help_text="The between-site variance τ² (DerSimonian–Laird); 0: no adjustment."
    )
    overdispersed = serializers.BooleanField(allow_null=True, help_text="τ² > 0: the limits are widened.")
    units_in_estimate = serializers.IntegerField(allow_null=True, help_text="k: the sites φ and τ² are estimated over.")
    limits_text = serializers.CharField(help_text="Which limits are drawn and why, in plain English.")
    units = FunnelUnitSerializer(many=True)


class SpcEventSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(
        choices=["team", "milestone"], help_text="A neighbourhood team launched; an onboarding milestone confirmed."
    )
    text = serializers.CharField()


class SpcPointSerializer(serializers.Serializer):
    month = serializers.DateField()
    value = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True, help_text="Null: no figure, a gap.")
    provisional = serializers.BooleanField()
    rules = serializers.ListField(child=serializers.CharField())
    variation = serializers.CharField(allow_null=True)
    category = serializers.ChoiceField(
        choices=["improvement", "concern", "neither", "common_cause"],
        allow_null=True,
        help_text="What the point means read with the improvement direction (Making Data Count).",
    )
    colour = serializers.CharField(allow_null=True, help_text="Its colour as NHSRplotthedots draws it.")
    mean = serializers.FloatField(allow_null=True, help_text="Of its stretch (between change points).")
    lower_limit = serializers.FloatField(allow_null=True)
    upper_limit = serializers.FloatField(allow_null=True)
    target = serializers.DecimalField(
        max_digits=14, decimal_places=4, allow_null=True, help_text="The target in force that month."
    )
    change_point = serializers.BooleanField(help_text="The limits are recalculated from this month.")
    events = SpcEventSerializer(many=True)


class SpcTargetSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class SpcSegmentSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    mean = serializers.FloatField()
    lower_limit = serializers.FloatField()
    upper_limit = serializers.FloatField()
    points_behind = serializers.IntegerField(help_text="Months the mean and limits rest on.")
    reliable = serializers.BooleanField(help_text="False: trial limits, fewer than 12 months.")


class SpcChangePointSerializer(serializers.Serializer):
    month = serializers.DateField()
    reason = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["applied", "outside", "too_short"],
        help_text="applied; outside: not a month of the chart; too_short: would leave a stretch without two months in a row.",
    )


class SpcSerializer(serializers.Serializer):
    metric = serializers.CharField()
    level = serializers.CharField()
    org_id = serializers.IntegerField()
    name = serializers.CharField()
    improvement = serializers.CharField(help_text="higher_is_better, lower_is_better or not_specified.")
    mean = serializers.FloatField(allow_null=True, help_text="Of the latest stretch.")
    lower_limit = serializers.FloatField(allow_null=True)
    upper_limit = serializers.FloatField(allow_null=True)
    reliable = serializers.BooleanField(allow_null=True)
    variation = serializers.CharField(allow_null=True)
    assurance = serializers.CharField(
        allow_null=True,
        help_text="consistently_passing, consistently_failing or hit_or_miss; null without a target or direction.",
    )
    target = SpcTargetSerializer(allow_null=True, help_text="The target in force in the latest month charted.")
    colours = serializers.DictField(child=serializers.CharField())
    segments = SpcSegmentSerializer(many=True)
    change_points = SpcChangePointSerializer(many=True)
    annotations = SpcEventSerializer(many=True, help_text="A site's own events (its people and the taskforce only).")
    points = SpcPointSerializer(many=True)
