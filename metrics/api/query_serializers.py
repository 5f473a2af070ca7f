"""The data-quality loop in the API: a query, and what raising, answering, closing and
reopening one take."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from metrics.models import (
    DataQualityQuery,
)


class PersonField(serializers.StringRelatedField):
    """A person's name, or null when nobody was recorded or the account has been deleted."""

    def to_representation(self, value: Any) -> str:
        return value.get_full_name() or value.get_username()


class DataQualityQuerySerializer(serializers.ModelSerializer):
    return_id = serializers.IntegerField(source="return_record_id", read_only=True)
    site = serializers.IntegerField(source="return_record.site_id", read_only=True)
    month = serializers.DateField(source="return_record.period.month", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True, allow_null=True, default=None)
    raised_by = PersonField()
    answered_by = PersonField()
    closed_by = PersonField()
    reopened_by = PersonField()

    class Meta:
        model = DataQualityQuery
        fields = [
            "id",
            "return_id",
            "site",
            "month",
            "version",
            "status",
            "round",
            "question",
            "raised_by",
            "raised_at",
            "answer",
            "answered_by",
            "answered_at",
            "closing_note",
            "closed_by",
            "closed_at",
            "reopening_note",
            "reopened_by",
            "reopened_at",
        ]
        read_only_fields = fields


class RaiseQuerySerializer(serializers.Serializer):
    return_id = serializers.IntegerField(help_text="The return the query is about.")
    question = serializers.CharField(max_length=2000)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


class CloseQuerySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReopenQuerySerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="What the site should answer now.")
