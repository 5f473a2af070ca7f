"""The shortcut that settles most charts without the exact XmR arithmetic never says "common cause"
where `metrics.stats.spc.xmr` finds a special cause at the latest point."""

from __future__ import annotations

import random
from decimal import Decimal

from bulletins.signals import surely_common_cause
from metrics.stats.spc import xmr


def _series(rng: random.Random) -> list[Decimal]:
    n = rng.randint(2, 60)
    kind = rng.choice(["noise", "step", "trend", "flat", "ties", "spike", "integers"])
    base = rng.uniform(0, 500)
    values = []
    for i in range(n):
        if kind == "noise":
            v = base + rng.gauss(0, 10)
        elif kind == "step":
            v = base + rng.gauss(0, 5) + (30 if i > n - rng.randint(1, 9) else 0)
        elif kind == "trend":
            v = base + i * rng.uniform(0, 3) + rng.gauss(0, 1)
        elif kind == "flat":
            v = base
        elif kind == "ties":
            v = base + rng.choice([0, 0, 1, 2])
        elif kind == "spike":
            v = base + rng.gauss(0, 5) + (rng.uniform(10, 60) if i == n - 1 else 0)
        else:
            v = rng.randint(0, 12)
        values.append(Decimal(f"{max(v, 0):.6f}"))
    return values


def test_the_shortcut_agrees_with_the_exact_chart():
    rng = random.Random(14)
    settled = special = 0
    for _ in range(1500):
        run = _series(rng)
        exact = xmr(run, improvement="lower_is_better").points[-1].is_special_cause
        special += exact
        if surely_common_cause(run):
            settled += 1
            assert not exact, run
    # Not vacuous: both answers occur, and the shortcut settles many charts.
    assert special > 200 and settled > 400


def test_points_a_millionth_either_side_of_the_two_thirds_line_agree_with_the_exact_chart():
    head = [Decimal(v) for v in ("100", "104", "100", "104", "100", "104", "100", "104", "100")]

    def beyond(x: Decimal) -> Decimal:  # how far the last point is past the upper two-thirds line
        return x - Decimal(repr(xmr([*head, x], improvement="lower_is_better").upper_two_thirds))

    low, high = Decimal("102"), Decimal("130")
    for _ in range(60):  # bisect to the line
        mid = (low + high) / 2
        low, high = (mid, high) if beyond(mid) < 0 else (low, mid)
    line = low.quantize(Decimal("0.000001"))
    for x in (line - Decimal("0.000001"), line, line + Decimal("0.000001"), line + Decimal("0.000002")):
        run = [*head, x]
        exact = xmr(run, improvement="lower_is_better").points[-1].is_special_cause
        assert not (surely_common_cause(run) and exact), x
    assert surely_common_cause([*head, Decimal("104")])
