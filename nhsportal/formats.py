"""Times as the NHS content style writes them: `3pm`, `9:05am`, `midday`, `midnight`.
One function, so a deadline, a lock and a "filed at" read alike (docs/glossary.md)."""

from __future__ import annotations

import datetime


def clock(value: datetime.datetime | datetime.time) -> str:
    """The wall-clock time of `value` as it stands (convert to UK time first)."""
    if value.minute == 0 and value.hour == 12:
        return "midday"
    if value.minute == 0 and value.hour == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = "" if value.minute == 0 else f":{value:%M}"
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"
