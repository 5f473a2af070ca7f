"""API rate limits (rates in settings via `nhsportal.config.api_throttle_rates`).

They count in the cache, which is Redis in production. If Redis is down the API keeps
answering unthrottled rather than failing every request: a blip in the broker must not take
the API down with it (ADR 12). A throttled caller gets 429 with `Retry-After`.
"""

from __future__ import annotations

import logging
from typing import cast

from rest_framework import throttling
from rest_framework.settings import api_settings

logger = logging.getLogger(__name__)


class _FailOpen(throttling.SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at each request (DRF reads it once at import), so a changed setting takes effect.
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(self.scope) if self.scope else None

    def allow_request(self, request, view) -> bool:  # noqa: ANN001
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the cache is unavailable; serve the request
            logger.warning("API throttle skipped: the cache is unavailable", exc_info=True)
            return True


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    """Signed-out callers, per address."""


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    """Signed-in callers, per person."""
