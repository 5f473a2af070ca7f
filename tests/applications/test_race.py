"""Two people racing on the same application cannot both win. Needs PostgreSQL's row locks
(SQLite serialises whole-database writes instead): it runs whenever DATABASE_URL points at
PostgreSQL, as in CI, and is skipped on the SQLite default."""

import threading
import time

import pytest
from django.db import close_old_connections, connection

from applications import services
from applications.exceptions import TransitionNotAllowed
from applications.models import Application, Decision, Status
from nhsportal import audit
from nhsportal.models import AuditEvent
from sites.models import Site
from tests.applications.factories import answer_all, scored_review, submitted

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("The race needs PostgreSQL's row locks: set DATABASE_URL to a PostgreSQL database.")


@pytest.fixture
def slow_audit(monkeypatch):
    """Hold each winner inside its transaction a moment, so the other request truly waits on the lock."""
    original = audit.record

    def record(**kwargs):
        time.sleep(0.3)
        return original(**kwargs)

    monkeypatch.setattr(audit, "record", record)


def race(*calls):
    """Run the calls at the same moment, each on its own connection; return what each did."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "won"
        except TransitionNotAllowed as error:
            outcomes[index] = str(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_programme_leads_submitting_at_once_submit_it_once(cast, draft, slow_audit):
    answer_all(draft)

    outcomes = race(
        lambda: services.submit_application(application=Application.objects.get(pk=draft.pk), by=cast.lead),
        lambda: services.submit_application(application=Application.objects.get(pk=draft.pk), by=cast.colleague),
    )

    assert sorted(outcomes) == ["Knowsley's application has already been submitted.", "won"]
    assert Application.objects.get(pk=draft.pk).status == Status.SUBMITTED
    assert AuditEvent.objects.filter(action="application.submit", object_id=str(draft.pk)).count() == 1


def test_two_people_deciding_at_once_make_one_decision_and_one_site(cast, round_, slow_audit):
    application = submitted(round=round_, place=cast.place)
    Application.objects.filter(pk=application.pk).update(status=Status.UNDER_REVIEW)
    scored_review(application, cast.member, [4, 4])

    outcomes = race(
        lambda: services.record_decision(
            application=Application.objects.get(pk=application.pk), by=cast.chair, outcome="selected", rationale="Yes."
        ),
        lambda: services.record_decision(
            application=Application.objects.get(pk=application.pk), by=cast.admin, outcome="not_selected", rationale="No."
        ),
    )

    assert outcomes.count("won") == 1
    assert any(outcome.startswith("Knowsley's application has already been decided") for outcome in outcomes if outcome != "won")
    assert Decision.objects.filter(application=application).count() == 1
    decided = Application.objects.get(pk=application.pk)
    assert Site.objects.filter(place=cast.place).count() == (1 if decided.status == Status.SELECTED else 0)
