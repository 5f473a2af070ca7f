"""The embedded default (SQLite, no broker) as `make run` serves it: `manage.py rollup` runs while
pages are being read, rather than failing with "database is locked"."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(database: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"DJANGO_ENV": "test", "DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_a_rollup_on_sqlite_does_not_fail_while_another_connection_reads(tmp_path):
    database = tmp_path / "portal.sqlite3"
    for command in (["migrate", "--no-input", "-v0"], ["load_reference_data"]):
        result = _manage(database, *command)
        assert result.returncode == 0, result.stderr

    reader = sqlite3.connect(database, isolation_level=None)
    try:
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        reader.execute("BEGIN")  # a page's read, held open across the rollup's writes and commit
        months = reader.execute("SELECT COUNT(*) FROM metrics_reportingperiod").fetchone()[0]

        result = _manage(database, "rollup")

        assert result.returncode == 0, result.stderr
        assert "locked" not in result.stderr
        assert "Rollup run" in result.stdout
        assert reader.execute("SELECT COUNT(*) FROM metrics_reportingperiod").fetchone()[0] == months
        reader.execute("COMMIT")
        runs = reader.execute("SELECT COUNT(*) FROM metrics_rolluprun").fetchone()[0]
        assert runs >= 1  # the reader, once its read is over, sees the run the rollup committed
    finally:
        reader.close()
