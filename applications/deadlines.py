"""Deadlines in UK time.

The rule: a round's opening and closing moments are instants (stored in UTC) that people
enter and read in Europe/London. A round is open from `opens_at` (inclusive) to
`closes_at` (exclusive); the server compares instants, never wall-clock times, so the
hour the clocks go back (01:00–02:00 on the last Sunday of October happens twice) and the
hour they go forward (01:00–02:00 on the last Sunday of March never happens) cannot move
a deadline. Django's admin form refuses a London time that is ambiguous or does not exist,
so every deadline names exactly one instant; we show it with GMT or BST beside it.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from nhsportal.formats import clock

LONDON = ZoneInfo("Europe/London")


def london(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, *, fold: int = 0
) -> datetime.datetime:
    """A London wall-clock time as an aware datetime. `fold=1` picks the second of two
    identical times when the clocks go back."""
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=LONDON, fold=fold)


def london_deadline(value: datetime.datetime | None) -> str:
    """`11:59pm on Friday 16 January 2026 (GMT)`: the moment in UK time, with its zone."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{clock(local)} on {local:%A} {local.day} {local:%B %Y} ({local.tzname()})"
