"""The funnel page and API with `?limits=poisson|shmi|cqc`, `?trim=` and `?label=`: the limits
drawn, φ and τ², each site classified against the limits shown, the labels and accessible names."""

import json
import math
import re
from fractions import Fraction

import pytest
from django.urls import reverse

from dashboards import funnel_limits
from metrics.stats import overdispersion as od
from metrics.stats.funnel import funnel
from nhsportal.models import Role
from tests.nhsportal.factories import user_with_role

METRIC = "O1_NEW"


@pytest.fixture
def taskforce(client, programme):
    client.force_login(user_with_role(Role.TASKFORCE_MEMBER))


def api(client, **query):
    response = client.get(reverse("api:dashboard-funnel", args=[METRIC]), query)
    assert response.status_code == 200, response.content
    return response.json()


def band_against(rate, lower95, upper95, lower_outer, upper_outer, outer):
    if not lower_outer <= rate <= upper_outer:
        return f"outside_{outer}"
    if not lower95 <= rate <= upper95:
        return "outside_95"
    return "within"


def test_the_default_is_the_exact_poisson_funnel_as_before(client, taskforce):
    body = api(client)
    assert (body["limits"], body["outer_level"], body["phi"], body["tau2"]) == ("poisson", "99", None, None)
    for unit in body["units"]:
        limits = unit["limits"]
        assert unit["adjusted_limits"] is None
        assert unit["band"] == band_against(
            unit["rate"], limits["lower95"], limits["upper95"], limits["lower99"], limits["upper99"], "99"
        )
        assert unit["classification"] == ("inside" if unit["side"] is None else unit["side"])


@pytest.mark.parametrize(
    ("method", "trim"), [("shmi", "truncate"), ("cqc", "winsorise"), ("shmi", "winsorise"), ("cqc", "truncate")]
)
def test_adjusted_limits_report_phi_tau2_and_classify_against_them(client, taskforce, method, trim):
    query = {"limits": method} | ({} if trim == od.DEFAULT_TRIM[method] else {"trim": trim})
    body = api(client, **query)
    assert (body["limits"], body["trim"], body["outer_level"], body["trim_proportion"]) == (method, trim, "99.8", 0.1)

    # worked from the units the API returns: O = numerator, E = pooled rate × denominator
    units = body["units"]
    pooled = Fraction(sum(u["numerator"] for u in units), sum(u["denominator"] for u in units))
    expected = [float(pooled * u["denominator"]) for u in units]
    estimate = od.estimate([(u["numerator"], e) for u, e in zip(units, expected, strict=True)], method, trim)
    assert math.isclose(body["phi"], estimate.phi, rel_tol=1e-12)
    assert math.isclose(body["tau2"], estimate.tau2, rel_tol=1e-12, abs_tol=1e-15)
    assert body["overdispersed"] is (estimate.tau2 > 0)
    assert body["units_in_estimate"] == estimate.kept
    for unit, e in zip(units, expected, strict=True):
        ratio = od.ratio_limits(e, method, estimate.tau2)
        shown = unit["adjusted_limits"]
        for key in ("lower95", "upper95", "lower998", "upper998"):
            assert math.isclose(shown[key], getattr(ratio, key) * body["target"], rel_tol=1e-12)
        assert unit["band"] == band_against(
            unit["rate"], shown["lower95"], shown["upper95"], shown["lower998"], shown["upper998"], "998"
        )
        assert set(unit["limits"]) == {"lower95", "upper95", "lower99", "upper99"}  # the Poisson limits stay
    assert "φ" in body["limits_text"] and "99.8%" in body["limits_text"]


def test_bad_choices_are_refused_with_the_choices_named(client, taskforce):
    for query in ({"limits": "normal"}, {"trim": "chop", "limits": "cqc"}, {"label": "everyone"}):
        for name in ("api:dashboard-funnel", "dashboard-funnel"):
            response = client.get(reverse(name, args=[METRIC]), query)
            assert response.status_code == 400, (name, query)
        assert (
            f"`{next(iter(query))}` must be one of"
            in client.get(reverse("api:dashboard-funnel", args=[METRIC]), query).content.decode()
        )


def chart_data(html):
    found = re.search(r'<script id="funnel-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found[1])


def test_the_page_keeps_the_choices_says_which_limits_and_why(client, taskforce):
    response = client.get(reverse("dashboard-funnel", args=[METRIC]), {"limits": "cqc", "label": "outliers"})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="cqc" selected>' in html and '<option value="outliers" selected>' in html
    body = api(client, limits="cqc")
    assert "Limits at 95% and 99.8%, by the CQC" in html
    assert f"{body['phi']:.4f}" in html
    assert "Lower 99.8%" in html and "Upper 99.8%" in html
    data = chart_data(html)
    assert data["outer"] == "99.8"
    by_name = {p["label"]: p for p in data["points"]}
    for unit in body["units"]:
        point = by_name[unit["name"]]
        assert point["band"] == unit["band"]
        assert point["labelled"] is (unit["band"] != "within")  # outliers labelled on request
        assert unit["name"] in point["name"] and ("Within" in point["name"] or "Outside" in point["name"])


def test_the_own_site_is_always_labelled_and_named(client, programme):
    client.force_login(programme["people"]["staff.Croydon"])
    data = chart_data(client.get(reverse("dashboard-funnel", args=[METRIC])).content.decode())
    own = [p for p in data["points"] if p["own"]]
    assert [p["label"] for p in own] == ["Croydon"] and own[0]["labelled"]
    assert own[0]["name"].startswith("Croydon (your site): ")
    assert not any(p["labelled"] for p in data["points"] if not p["own"])  # outliers only on request


def _spread_funnel():
    """22 sites whose rates differ far more than Poisson noise, as the demo's do."""
    units = []
    for i in range(22):
        denominator = 2000 + 450 * i
        rate = 30 * (1 + 0.35 * math.sin(i * 1.7))  # per 1,000: ±35% between sites
        units.append((i + 1, round(rate * denominator / 1000), denominator))
    result = funnel(units, curve_points=10)
    return {
        "target": result.target_rate_per_1000,
        "total_numerator": result.total_numerator,
        "total_denominator": result.total_denominator,
        "units": [
            {"site_id": u.key, "numerator": u.numerator, "denominator": u.denominator, "rate": u.rate_per_1000,
             "limits": u.limits._asdict(), "band": u.classification.band, "side": u.classification.side}
            for u in result.units
        ],
        "curve": [{"denominator": p.denominator, **p.limits._asdict()} for p in result.curve],
    }  # fmt: skip


def test_overdispersed_sites_mostly_fall_back_inside_the_adjusted_limits():
    data = _spread_funnel()
    poisson = funnel_limits.shown(data, funnel_limits.read({}))
    outside_poisson = sum(u["band"] == "outside_99" for u in poisson["units"].values())
    for method in ("shmi", "cqc"):
        adjusted = funnel_limits.shown(data, funnel_limits.read({"limits": method}))
        assert adjusted["overdispersed"] and adjusted["tau2"] > 0
        outside = sum(u["band"] == "outside_998" for u in adjusted["units"].values())
        assert outside_poisson >= 10 and outside < outside_poisson / 2
        assert "overdispersion" in adjusted["text"] and "widened" in adjusted["text"]
        assert len(adjusted["curve"]) == 10
        assert all(p["lower_outer"] < p["lower95"] < data["target"] < p["upper95"] < p["upper_outer"] for p in adjusted["curve"])


def test_no_adjustment_when_the_sites_vary_less_than_chance():
    data = _spread_funnel()
    for unit in data["units"]:  # every site exactly at England's rate, to the nearest whole count
        unit["numerator"] = round(unit["denominator"] * 30 / 1000)
    data["total_numerator"] = sum(u["numerator"] for u in data["units"])
    data["target"] = data["total_numerator"] / data["total_denominator"] * 1000
    shown = funnel_limits.shown(data, funnel_limits.read({"limits": "cqc"}))
    assert shown["tau2"] == 0 and not shown["overdispersed"]
    assert "not overdispersed" in shown["text"] and "exact Poisson limits, at 95% and 99.8%" in shown["text"]


def test_the_csv_follows_the_limits_chosen(client, taskforce):
    response = client.get(reverse("dashboard-funnel", args=[METRIC]), {"limits": "shmi", "format": "csv"})
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
    assert "Lower 99.8%" in text and "Upper 99.8%" in text and "Lower 99%" not in text
    body = api(client, limits="shmi")
    for unit in body["units"]:
        assert unit["name"] in text
