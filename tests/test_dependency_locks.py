"""Every Python package the portal installs comes from a lock: one exact version, checked against its
hash (ADR 2). The `.in` files say what we depend on; `make lock` compiles them; the lock holds it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests import makefile

ROOT = makefile.ROOT
LOCKS = {
    "requirements.in": "requirements.txt",
    "requirements-dev.in": "requirements-dev.txt",
    "requirements-load.in": "requirements-load.txt",
}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)(?P<rest>.*)$")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def entries(path: Path) -> list[str]:
    """The requirement lines of a pip requirements file, continuations joined, comments dropped."""
    text = path.read_text().replace("\\\n", " ")
    lines = [line.split(" #")[0].strip() for line in text.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def pins(lock: str) -> dict[str, str]:
    found = {}
    for line in entries(ROOT / lock):
        match = PIN.match(line)
        assert match, f"{lock}: {line[:60]!r} is not one exact version"
        found[canonicalize_name(match["name"])] = match["version"]
    return found


def declared(source: str) -> list[Requirement]:
    """What a `.in` file asks for, with the `.in` files it includes (`-r`); constraints (`-c`) are
    the lock's business, not a dependency."""
    found = []
    for line in entries(ROOT / source):
        if line.startswith("-r "):
            found.extend(declared(line.split(None, 1)[1]))
        elif not line.startswith("-"):
            found.append(Requirement(line))
    return found


@pytest.mark.parametrize("lock", sorted(LOCKS.values()))
def test_every_locked_line_is_one_version_with_its_hashes(lock):
    lines = entries(ROOT / lock)
    assert lines, f"{lock} is empty"
    for line in lines:
        match = PIN.match(line)
        assert match, f"{lock}: {line[:60]!r} is not `name==version`"
        tokens = match["rest"].split()
        assert tokens, f"{lock}: {match['name']} has no --hash"
        assert all(HASH.fullmatch(token) for token in tokens), (
            f"{lock}: {match['name']} carries something besides its sha256 hashes: {match['rest'][:80]!r}"
        )


@pytest.mark.parametrize(("source", "lock"), sorted(LOCKS.items()))
def test_every_declared_dependency_is_in_its_lock_at_a_version_it_allows(source, lock):
    locked = pins(lock)
    for requirement in declared(source):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{source} asks for {requirement.name}; {lock} does not lock it (run `make lock`)"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{source} asks for {requirement}; {lock} locks {locked[name]} (run `make lock`)"
        )


@pytest.mark.parametrize(
    ("smaller", "larger"), [("requirements.txt", "requirements-dev.txt"), ("requirements-dev.txt", "requirements-load.txt")]
)
def test_each_lock_runs_the_same_versions_as_the_one_it_builds_on(smaller, larger):
    """Development runs what production runs, and the load test what development runs."""
    inner, outer = pins(smaller), pins(larger)
    assert {name: outer.get(name) for name in inner} == inner


def test_the_load_tools_are_in_their_own_lock_and_nowhere_else():
    load_only = set(pins("requirements-load.txt")) - set(pins("requirements-dev.txt"))
    assert {"locust", "gevent", "flask", "pyzmq"} <= load_only
    for source in ("requirements.in", "requirements-dev.in"):
        assert "locust" not in {canonicalize_name(r.name) for r in declared(source)}


def test_make_install_installs_the_development_lock_by_hash_and_never_the_load_tools():
    make = makefile.read()
    install = " ; ".join(make.recipes("install"))
    assert "pip install --quiet --require-hashes -r requirements-dev.txt" in install
    assert "requirements-load" not in install
    load = " ; ".join(make.recipes("load"))
    assert "--require-hashes -r requirements-load.txt" in load


def test_every_pip_install_checks_hashes():
    make = makefile.read()
    commands = [command for rule in make.rules for command in make.recipes(rule)]
    commands += [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("RUN")]
    installs = [command for command in commands if "pip install" in command]
    assert installs
    for command in installs:
        assert "--require-hashes -r requirements" in command, command


def test_the_image_installs_the_runtime_lock_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes -r requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile and "requirements-load" not in dockerfile


def test_make_lock_compiles_every_lock_from_its_source_with_hashes():
    lock = makefile.read().recipes("lock")
    for source, target in LOCKS.items():
        [command] = [line for line in lock if line.endswith(f"--output-file {target} {source}")]
        assert "uv pip compile" in command and "--generate-hashes" in command and "--python-version 3.11" in command
