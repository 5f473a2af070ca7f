"""API for application rounds, applications, reviews and decisions."""

from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to /api/v1/."""
