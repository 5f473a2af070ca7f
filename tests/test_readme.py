"""The README's commands are the Makefile's: every `make TARGET` it tells people to run exists,
and every target people run (the Makefile's .PHONY list) is in the README."""

import re

from tests import makefile

README = (makefile.ROOT / "README.md").read_text()
# `make run`, `make lock LOCK_ARGS=…`, and `make …` at the start of a line in a code block.
COMMAND = re.compile(r"(?:`|^\s*)make ([a-z][a-z0-9-]*)", re.MULTILINE)


def documented() -> set[str]:
    return set(COMMAND.findall(README))


def test_the_readme_finds_the_commands_it_names():
    assert {"run", "test", "bench", "load", "lint"} <= documented()


def test_every_command_the_readme_lists_is_a_make_target():
    targets = set(makefile.read().rules)
    assert documented() - targets == set()


def test_every_make_target_people_run_is_in_the_readme():
    make = makefile.read()
    assert make.phony, "the Makefile declares no .PHONY targets"
    assert set(make.phony) - documented() == set()


def test_every_target_that_is_not_a_file_is_declared_phony():
    """A new entry point cannot slip past the test above by not being declared."""
    make = makefile.read()
    commands = {name for name in make.rules if "/" not in name and "." not in name}
    assert commands - set(make.phony) == set()
