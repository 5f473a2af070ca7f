from django.urls import path  # noqa: F401 - pages arrive with the monthly returns issue

urlpatterns: list = []
