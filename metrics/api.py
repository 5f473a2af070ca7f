"""API for the metric catalogue, reporting periods, returns, versions and values."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to /api/v1/."""
