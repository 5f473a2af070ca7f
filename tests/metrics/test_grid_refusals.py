"""A refusal when saving the web grid shows the grid again, with what was typed and the reason
in the error summary: never a bare error page after someone typed a whole return."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from metrics import services
from metrics.models import ReportingPeriod, ReturnVersion
from tests.metrics.factories import ReportingPeriodFactory, month_start
from tests.nhsportal import pages

pytestmark = pytest.mark.django_db


def _typed_grid(client, croydon, period, staff, workbook):
    client.force_login(staff)
    services.upload_return(data=workbook(), filename="v1.xlsx", by=staff)
    edit = reverse("return-edit", args=[croydon.pk, period.slug])
    return edit, {**client.get(edit).context["cells"], "D21": "1450", "based_on": "1"}


def test_a_refusal_by_the_service_shows_the_grid_again_with_what_was_typed(client, staff, croydon, period, workbook, monkeypatch):
    edit, typed = _typed_grid(client, croydon, period, staff, workbook)

    def refuse(**kwargs):
        raise PermissionDenied("Only the site's own staff and site lead can file its return.")

    monkeypatch.setattr(services, "submit_cells", refuse)
    response = client.post(edit, typed)

    assert response.status_code == 200
    summary = pages.links(response.content, within_class="nhsuk-error-summary")
    assert summary == [("#grid", "Only the site's own staff and site lead can file its return.")]
    assert response.context["cells"]["D21"] == "1450"
    assert 'value="1450"' in response.content.decode()


def test_a_month_that_closes_while_the_grid_is_typed_says_so_on_the_grid(client, staff, croydon, catalogue, workbook):
    today = timezone.localdate()
    month = ReportingPeriodFactory(today=today, month=month_start(today, 3), initial_in_days=-14, final_in_days=3)
    edit, typed = _typed_grid(client, croydon, month, staff, lambda **o: workbook(period=month.month, **o))
    ReportingPeriod.objects.filter(pk=month.pk).update(final_submission_due=today - datetime.timedelta(days=1))

    response = client.post(edit, typed)

    assert response.status_code == 200
    summary = pages.text(response.content, within_class="nhsuk-error-summary")
    assert "period is closed" in summary
    assert response.context["cells"]["D21"] == "1450"
    assert ReturnVersion.objects.count() == 1
