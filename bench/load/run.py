"""`make load`: the monthly peak on the real stack, bounded to a couple of minutes.

On loopback, with the production settings: a throwaway PostgreSQL database (next to the one
DATABASE_URL names) and a redis-server of its own on a free port, loaded with the reference data and the demo's
returns history (rolled up); 43 site staff and 43 site leads with API tokens and 50 taskforce
members signed in; gunicorn (gunicorn.conf.py, several workers), a Celery worker and beat. Then
locust, headless: every site uploads, sends and signs off its return for the same month within
the same minute while the taskforce browse the dashboards and the API.

It prints requests, errors and p50/p95/p99 per page and endpoint, then checks every return was
stored exactly once (one Return per site and month, one version, signed off once) and that the
rollups caught up, and exits non-zero on any error or lost or duplicated return.

    make load            (needs DATABASE_URL=postgres://… and redis-server; REDIS_URL is not used)

LOAD_SECONDS (default 75), LOAD_WEB_WORKERS (default 4) and LOAD_THINK_SECONDS ("5,15": a taskforce
member's pause between pages) tune the run.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = secrets.token_urlsafe(50)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nhsportal.settings")
os.environ["DJANGO_ENV"] = "test"  # this process prepares data; the servers run as production
os.environ["DJANGO_SECRET_KEY"] = SECRET_KEY  # sessions made here must be valid there

SECONDS = int(os.environ.get("LOAD_SECONDS", "75"))
WEB_WORKERS = os.environ.get("LOAD_WEB_WORKERS", "4")
# A taskforce member reads each dashboard before opening the next (seconds, at random between).
THINK = [float(x) for x in os.environ.get("LOAD_THINK_SECONDS", "5,15").split(",")]
FILING_WINDOW = 45  # every site starts filing within this many seconds: the same minute
TASKFORCE = 50
DASHBOARD_P95_GOAL_MS = 500


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not shutil.which("redis-server"):
        print("make load needs PostgreSQL (DATABASE_URL=postgres://…) and redis-server on the PATH.", file=sys.stderr)
        return 2
    # This process only prepares and checks data: no broker, nothing sent to anyone's Redis.
    os.environ["REDIS_URL"] = ""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = f"{old_name}_load"
    directory = Path(tempfile.mkdtemp(prefix="portal-load-"))
    started = time.monotonic()
    print(f"Preparing a throwaway database {old_name}_load …", flush=True)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return _run(directory, started)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(directory, ignore_errors=True)


def _run(directory: Path, started: float) -> int:
    from django.db import connection

    from bench.load import plan as load_plan
    from tests.system.stack import PrivateRedis, Stack, portal_environment

    plan = load_plan.prepare(directory, taskforce=TASKFORCE, think=THINK, filing_window=FILING_WINDOW)
    plan_path = directory / "plan.json"
    plan_path.write_text(json.dumps(plan))
    for note in plan["notes"]:
        print(f"note: {note}")
    print(f"Prepared in {time.monotonic() - started:.0f} s: {plan['summary']}", flush=True)

    _collect_static()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    redis = PrivateRedis(directory)
    redis.start()
    env = portal_environment(database_url=database_url, redis_url=redis.url, directory=directory) | {
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "MEDIA_ROOT": str(directory / "uploads"),
        "LOG_LEVEL": "INFO",
        "GUNICORN_WORKERS": WEB_WORKERS,
        "ROLLUP_OUTBOX_SECONDS": "5",
    }
    stack = Stack(env=env, directory=directory)
    try:
        stack.start_worker()
        stack.start_beat()
        stack.start_web()
        print(
            f"Stack up ({WEB_WORKERS} gunicorn workers, a Celery worker and beat); running locust for {SECONDS} s …", flush=True
        )
        before = os.getloadavg()[0]
        stats = _locust(stack.base_url, plan_path, directory)
        # The figures mean little if other work shared the cores: say how busy the machine was.
        print(
            f"Machine load average (1 min): {before:.1f} before the run, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores."
        )
        rollups_ok = load_plan.wait_for_rollups(plan, within=120)
    finally:
        _stop_worker_and_beat(stack)
        stack.stop_all()
        redis.stop()
    server_errors = _server_errors(directory)
    table_ok = _print_table(stats, plan)
    _print_server_times(directory)
    checks_ok = load_plan.print_checks(plan, rollups_ok=rollups_ok)
    if server_errors:
        print(f"\n{len(server_errors)} error lines in the servers' logs, the first:\n" + "\n".join(server_errors[:5]))
    print(f"\nTotal time {time.monotonic() - started:.0f} s.")
    return 0 if table_ok and checks_ok and not server_errors else 1


def _stop_worker_and_beat(stack) -> None:
    """A warm shutdown (SIGTERM to the main process only): a task in hand finishes, none is lost."""
    for name in ("beat", "worker"):
        process = stack.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _collect_static() -> None:
    """Production serves hashed static files from the manifest collectstatic writes."""
    from django.conf import settings

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        env = os.environ | {"DJANGO_ENV": "production", "DJANGO_SECRET_KEY": SECRET_KEY}
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603


def _locust(base_url: str, plan_path: Path, directory: Path) -> list[dict]:
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(ROOT / "bench" / "load" / "locustfile.py"),
        "--headless",
        "--host",
        base_url,
        "--users",
        str(TASKFORCE + 43),
        "--spawn-rate",
        "100",
        "--run-time",
        f"{SECONDS}s",
        "--stop-timeout",
        "60",  # a site mid-way through filing finishes it
        "--csv",
        str(directory / "load"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = os.environ | {"LOAD_PLAN": str(plan_path)}
    subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)  # noqa: S603 - our own arguments
    with (directory / "load_stats.csv").open() as handle:
        return list(csv.DictReader(handle))


def _server_errors(directory: Path) -> list[str]:
    lines = []
    for log in directory.glob("*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{") and ('"level": "ERROR"' in line or '"level": "CRITICAL"' in line):
                lines.append(f"{log.stem}: {line[:500]}")
    return lines


def _print_server_times(directory: Path) -> None:
    """The time each request spent inside Django (its access line's duration_ms), without the
    wait for a free gunicorn worker that the client's figures include."""
    from django.urls import Resolver404, resolve

    times: dict[str, list[float]] = {}
    for line in (directory / "web.log").read_text(errors="replace").splitlines():
        if '"logger": "nhsportal.request"' not in line:
            continue
        entry = json.loads(line)
        try:
            name = resolve(entry["path"]).view_name
        except Resolver404:
            name = entry["path"]
        times.setdefault(name, []).append(entry["duration_ms"])
    print(f"\n{'inside Django (server side)':40} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for name, values in sorted(times.items()):
        values.sort()
        p50, p95 = (values[min(len(values) - 1, int(q * len(values)))] for q in (0.5, 0.95))
        print(f"{name:40} {len(values):>8} {p50:>7.0f} {p95:>7.0f} {values[-1]:>7.0f}")


def _print_table(stats: list[dict], plan: dict) -> bool:
    dashboards = {entry["name"] for entry in plan["pages"]}
    print(f"\n{'page or endpoint':40} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    ok = True
    for row in sorted(stats, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "all requests" if row["Name"] == "Aggregated" else row["Name"]
        errors = int(row["Failure Count"])
        ok = ok and errors == 0
        print(f"{name:40} {row['Request Count']:>8} {errors:>6} {row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")
    dashboard_rows = [row for row in stats if row["Name"] in dashboards]
    if dashboard_rows:
        worst = max(dashboard_rows, key=lambda row: float(row["95%"]))
        verdict = "met" if float(worst["95%"]) < DASHBOARD_P95_GOAL_MS else "NOT met"
        print(
            f"\nSlowest dashboard page at p95: {worst['Name']} {worst['95%']} ms (goal < {DASHBOARD_P95_GOAL_MS} ms: {verdict})."
        )
    return ok


if __name__ == "__main__":
    sys.exit(main())
