from django.urls import path  # noqa: F401 - pages arrive with the applications issue

urlpatterns: list = []
