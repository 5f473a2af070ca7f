"""Administrators keep the dictionary: a new definition is added as a new version starting on a day,
which ends the version before it (`dictionary.services.add_version`); earlier versions are kept."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from dictionary import services
from dictionary.models import DefinitionVersion


@admin.register(DefinitionVersion)
class DefinitionVersionAdmin(admin.ModelAdmin):
    list_display = ("metric", "valid_from", "valid_to", "improvement_direction", "source_document")
    list_filter = ("improvement_direction", "metric__kind")
    search_fields = ("metric__code", "metric__name", "definition")
    list_select_related = ("metric",)
    date_hierarchy = "valid_from"

    def save_model(self, request: HttpRequest, obj: DefinitionVersion, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.add_version(obj)  # ends the open version before it, so the dates never overlap
