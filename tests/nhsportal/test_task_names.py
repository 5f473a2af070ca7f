"""Celery task names are part of the contract with the broker: a queued message and beat's
schedule name a task by its string. Every task states its name, so moving the code that
runs it (ADR 20) cannot strand a message already in Redis or a beat entry."""

import ast
from pathlib import Path

from nhsportal.celery import app

ROOT = Path(__file__).resolve().parents[2]

# The names queued messages and the beat schedule already carry: change one only with a
# migration of what is in flight (keep the old name registered until the queue has drained).
STABLE_NAMES = {
    "accounts.tasks.expire_inactive_access",
    "accounts.tasks.send_access_confirmation_reminders",
    "bulletins.build_bulletin",
    "bulletins.request_due_bulletins",
    "bulletins.send_bulletin_email",
    "metrics.tasks.build_export_task",
    "metrics.tasks.delete_expired_exports_task",
    "metrics.tasks.drain_rollup_requests_task",
    "metrics.tasks.rebuild_rollups_task",
    "metrics.tasks.rollup_period_task",
    "metrics.tasks.send_data_quality_notice",
    "metrics.tasks.send_return_reminders",
    "nhsportal.tasks.heartbeat",
    "reviews.tasks.send_review_reminders",
    "reviews.tasks.sync_onboarding",
}


def _portal_tasks():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def _declared_tasks():
    """Every function decorated as a task in the project's own code, with the `name=` it gives
    (None when it gives none)."""
    found = {}
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "node_modules", "tests", "var"} for part in path.relative_to(ROOT).parts):
            continue
        text = path.read_text()
        if "shared_task" not in text and ".task" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                label = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if label not in {"shared_task", "task"}:
                    continue
                keywords = decorator.keywords if isinstance(decorator, ast.Call) else []
                name = next((k.value.value for k in keywords if k.arg == "name" and isinstance(k.value, ast.Constant)), None)
                found[f"{path.relative_to(ROOT)}:{node.name}"] = name
    return found


def test_every_task_declares_its_name():
    declared = _declared_tasks()
    assert declared, "no tasks found: the scan is looking in the wrong place"
    unnamed = sorted(where for where, name in declared.items() if name is None)
    assert unnamed == [], f"tasks without an explicit name=: {unnamed}"
    assert set(declared.values()) == STABLE_NAMES


def test_the_worker_registers_exactly_the_stable_names():
    assert set(_portal_tasks()) == STABLE_NAMES


def test_beat_and_every_send_task_name_a_registered_task():
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled <= STABLE_NAMES
    sent = set()
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "node_modules", "var"} for part in path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            is_send = isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "send_task"
            if is_send and node.args and isinstance(node.args[0], ast.Constant):
                sent.add(node.args[0].value)
    assert sent <= STABLE_NAMES, sent - STABLE_NAMES
