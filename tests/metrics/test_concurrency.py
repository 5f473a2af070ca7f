"""Two people acting on one return at the same moment: one wins, the other is told, and
nothing is half-written.

Real concurrent transactions need PostgreSQL's row locks (SQLite serialises whole-database
writes, so these races cannot be staged there); CI runs these on PostgreSQL.

How a race is staged: both threads start together at a barrier; the first goes straight in,
the second waits until the first is inside its transaction holding the return's lock (the
first is held there a moment), then goes. So the second always meets the lock, whatever the
machine's speed, which is the case the locking exists for.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from metrics.models import Return, ReturnStatus, ReturnValue, ReturnVersion
from metrics.returns.checks import ParsedValue
from metrics.services import filing as services
from nhsportal.models import Role
from tests.metrics.workbooks import expected_values
from tests.nhsportal.factories import user_with_role
from tests.sites.factories import SiteFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent transactions and SELECT … FOR UPDATE cannot be staged on SQLite",
    ),
    pytest.mark.django_db(transaction=True),
]

VALUES_PER_VERSION = 16 * 23  # 15 metric lines and the cohort, 23 categories of v1.2
HOLD_SECONDS = 1.0
CLEAN = [
    ParsedValue(metric, category, num, den, num_sup, den_sup, "", "")
    for (metric, category), (num, den, num_sup, den_sup) in expected_values("1.2").items()
]


def at_once(first, second):
    """Run `first` and `second` in two threads released together by a barrier. Returns
    [("ok", result) or ("error", exception)] for each, in order."""
    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - the outcome under test
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (a deadlock?)"
    return outcomes


class LockHeld(threading.Event):
    """Set once a writer is inside its transaction holding the return's lock (storing a
    version's values, or moving the return to its next state); from `arm()` on, the first
    writer to get there then stays HOLD_SECONDS before carrying on."""

    armed = False

    def arm(self):
        self.clear()
        self.armed = True


@pytest.fixture
def lock_held(monkeypatch):
    inside = LockHeld()

    def held(original):
        def wrapper(*args, **kwargs):
            if inside.armed and not inside.is_set():
                inside.set()
                time.sleep(HOLD_SECONDS)
            return original(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(services, "_store_values", held(services._store_values))
    monkeypatch.setattr(services, "_transition", held(services._transition))
    return inside


def after(event, call):
    """`call`, once `event` is set: the second of two racing people."""

    def run():
        assert event.wait(timeout=30), "the first writer never took the lock"
        return call()

    return run


def _errors(outcomes):
    return [type(value) for kind, value in outcomes if kind == "error"]


def _every_version_is_whole():
    for version in ReturnVersion.objects.all():
        assert ReturnValue.objects.filter(version=version).count() == VALUES_PER_VERSION, f"version {version.number}"


def test_two_people_filing_from_the_same_version_at_once_make_one_new_version(workbook, croydon, staff, lead, lock_held):
    services.upload_return(data=workbook(), filename="v1.xlsx", by=staff, based_on=0)
    lock_held.arm()
    staff_file, lead_file = workbook(D21=3000), workbook(D21=3100)

    outcomes = at_once(
        lambda: services.upload_return(data=staff_file, filename="staff.xlsx", by=staff, based_on=1),
        after(lock_held, lambda: services.upload_return(data=lead_file, filename="lead.xlsx", by=lead, based_on=1)),
    )

    assert _errors(outcomes) == [services.ReturnConflict], outcomes
    assert "Version 2 of this return was filed by" in str(outcomes[1][1])
    winner = outcomes[0][1]
    assert winner.number == 2
    assert list(ReturnVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert Return.objects.get().latest_version == winner
    _every_version_is_whole()


def test_two_first_filings_of_a_month_at_once_make_one_return_with_one_version(workbook, croydon, staff, lead, lock_held):
    staff_file, lead_file = workbook(), workbook(D21=3100)
    lock_held.arm()

    outcomes = at_once(
        lambda: services.upload_return(data=staff_file, filename="staff.xlsx", by=staff, based_on=0),
        after(lock_held, lambda: services.upload_return(data=lead_file, filename="lead.xlsx", by=lead, based_on=0)),
    )

    assert _errors(outcomes) == [services.ReturnConflict], outcomes
    assert Return.objects.count() == 1
    assert list(ReturnVersion.objects.values_list("number", flat=True)) == [1]
    _every_version_is_whole()


def test_two_filings_that_name_no_version_are_both_kept(workbook, croydon, staff, lead, lock_held):
    """Without `based_on` there is nothing to conflict with: both filings are stored, one after
    the other, and nothing is lost."""
    services.upload_return(data=workbook(), filename="v1.xlsx", by=staff)
    lock_held.arm()
    staff_file, lead_file = workbook(D21=3000), workbook(D21=3100)

    outcomes = at_once(
        lambda: services.upload_return(data=staff_file, filename="staff.xlsx", by=staff),
        after(lock_held, lambda: services.upload_return(data=lead_file, filename="lead.xlsx", by=lead)),
    )

    assert _errors(outcomes) == [], outcomes
    assert list(ReturnVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2, 3]
    assert Return.objects.get().latest_version.number == 3
    _every_version_is_whole()


def test_two_sign_offs_at_once_one_wins_and_the_other_is_told(workbook, croydon, staff, lead, lock_held):
    deputy = user_with_role(Role.SITE_LEAD, site=croydon, username="deputy.croydon")
    record = services.upload_return(data=workbook(), filename="v1.xlsx", by=staff).return_record
    services.send_for_sign_off(return_record=record, by=staff)
    lock_held.arm()

    outcomes = at_once(
        lambda: services.sign_off(return_record=record, by=lead),
        after(lock_held, lambda: services.sign_off(return_record=record, by=deputy)),
    )

    assert _errors(outcomes) == [services.TransitionRefused], outcomes
    record.refresh_from_db()
    assert record.status == ReturnStatus.SUBMITTED
    assert (record.signed_off_version.number, record.signed_off_version.signed_off_by) == (1, lead)
    assert ReturnVersion.objects.filter(signed_off_at__isnull=False).count() == 1


def test_a_new_filing_while_the_lead_signs_off_is_stored_after_it(workbook, croydon, staff, lead, lock_held):
    """The lead signs off version 1 while staff file version 2: version 1 stays what was
    signed off, and version 2 makes the return a draft again for its own sign-off."""
    record = services.upload_return(data=workbook(), filename="v1.xlsx", by=staff).return_record
    services.send_for_sign_off(return_record=record, by=staff)
    lock_held.arm()
    correction = workbook(D21=3000)

    outcomes = at_once(
        lambda: services.sign_off(return_record=record, by=lead, version_number=1),
        after(lock_held, lambda: services.upload_return(data=correction, filename="v2.xlsx", by=staff, based_on=1)),
    )

    assert _errors(outcomes) == [], outcomes
    record.refresh_from_db()
    assert (record.latest_version.number, record.status, record.signed_off_version.number) == (2, ReturnStatus.DRAFT, 1)
    _every_version_is_whole()


def test_sending_for_sign_off_while_a_new_version_is_filed_is_told_not_a_server_error(workbook, croydon, staff, lead, lock_held):
    """Staff send version 1 for sign-off just as the lead files version 2 (which has warnings
    to acknowledge). The send waits for the filing, then must judge the return as it now is."""
    record = services.upload_return(data=workbook(), filename="v1.xlsx", by=staff).return_record
    lock_held.arm()
    correction = workbook(E6=3)  # a small number: version 2 has warnings

    outcomes = at_once(
        lambda: services.upload_return(data=correction, filename="v2.xlsx", by=lead, based_on=1),
        after(lock_held, lambda: services.send_for_sign_off(return_record=record, by=staff)),
    )

    filed, sent = outcomes
    assert filed[0] == "ok", outcomes
    assert sent[0] == "error" and isinstance(sent[1], services.TransitionRefused), outcomes
    record.refresh_from_db()
    assert (record.latest_version.number, record.status) == (2, ReturnStatus.DRAFT)
    _every_version_is_whole()


def test_one_sites_filing_does_not_hold_up_another_sites_filing_for_the_same_month(catalogue, croydon, period, staff, lock_held):
    """Locking a return must lock that return, not the reporting month (every site's) or the site."""
    walsall = SiteFactory(place__name="Walsall")
    walsall_staff = user_with_role(Role.SITE_STAFF, site=walsall, username="staff.walsall")
    finished: dict[str, float] = {}
    lock_held.arm()

    def file(site, by):
        services.submit_values(site=site, period=period, values=CLEAN, layout="1.2", source="api", by=by, based_on=None)
        finished[site.name] = time.monotonic()

    outcomes = at_once(lambda: file(croydon, staff), after(lock_held, lambda: file(walsall, walsall_staff)))

    assert _errors(outcomes) == [], outcomes
    assert finished["Walsall"] < finished["Croydon"], "Walsall's filing waited for Croydon's to finish"
