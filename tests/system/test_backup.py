"""`make backup` and `make restore` (docs/runbook.md): a backup restored into an empty database
gives the same rows, table by table."""

from __future__ import annotations

import subprocess

import psycopg2
import pytest
from django.db import connection

from metrics.rollups import build as rollups
from tests.system.conftest import database_url
from tests.system.programme import programme
from tests.system.stack import ROOT

pytestmark = pytest.mark.django_db(transaction=True)


def _tables_and_checksums(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of all its rows (in a stable order)."""
    with psycopg2.connect(url) as db, db.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall()]
        summary = {}
        for table in tables:
            cursor.execute(
                f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM \"{table}\" t"  # noqa: S608
            )
            summary[table] = cursor.fetchone()
    return summary


def _make(target: str, **variables: str) -> None:
    subprocess.run(["make", "--no-print-directory", target, *(f"{k}={v}" for k, v in variables.items())], cwd=ROOT, check=True)  # noqa: S607


def test_a_backup_restored_into_an_empty_database_has_the_same_rows(tmp_path):
    world = programme(sites=2)
    from tests.metrics.test_rollups import signed_off_return

    for site in world.sites:
        signed_off_return(site, world.period, {("COHORT", "total"): (5000 + site.pk, None), ("O1_NEW", "total"): (40, 5000)})
    rollups.rebuild_all()
    backup = tmp_path / "portal.dump"
    empty = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{empty}"')
        cursor.execute(f'CREATE DATABASE "{empty}"')
    try:
        _make("backup", DATABASE_URL=database_url(), BACKUP_FILE=str(backup))
        _make("restore", DATABASE_URL=database_url(empty), BACKUP_FILE=str(backup))

        original, restored = _tables_and_checksums(database_url()), _tables_and_checksums(database_url(empty))
        assert original["metrics_returnvalue"][0] > 0 and original["metrics_rollup"][0] > 0, "there was something to back up"
        assert restored == original
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{empty}"')
