"""Just enough of a Makefile reader for the tests that keep the Makefile, the locks and the README
in step: variables (`=`, `:=`, `?=`) expanded, rules with their prerequisites and recipes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(\?=|:=|=)\s*(.*)$")
RULE = re.compile(r"^([^\s#=:][^=:]*?)\s*:(?!=)\s*(.*)$")
REFERENCE = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


@dataclass
class Rule:
    prerequisites: list[str] = field(default_factory=list)
    recipe: list[str] = field(default_factory=list)


@dataclass
class Makefile:
    variables: dict[str, str]
    rules: dict[str, Rule]
    phony: list[str]

    def expand(self, text: str) -> str:
        for _ in range(10):
            expanded = REFERENCE.sub(lambda match: self.variables.get(match[1], match[0]), text)
            if expanded == text:
                break
            text = expanded
        return text

    def closure(self, target: str) -> list[str]:
        """The target and every target it depends on, first to last."""
        seen: list[str] = []
        pending = [target]
        while pending:
            name = pending.pop(0)
            if name in seen or name not in self.rules:
                continue
            seen.append(name)
            pending.extend(self.rules[name].prerequisites)
        return seen

    def recipes(self, target: str) -> list[str]:
        """Every command `make TARGET` can run, variables expanded."""
        return [self.expand(line) for name in self.closure(target) for line in self.rules[name].recipe]


def read(path: Path = ROOT / "Makefile") -> Makefile:
    lines = path.read_text().replace("\\\n", " ").splitlines()
    variables: dict[str, str] = {}
    rules: dict[str, Rule] = {}
    phony: list[str] = []
    current: list[Rule] = []
    for line in lines:
        if line.startswith("\t"):
            for rule in current:
                rule.recipe.append(line.strip())
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        assignment = ASSIGNMENT.match(line)
        if assignment:
            name, operator, value = assignment.groups()
            if operator != "?=" or name not in variables:
                variables[name] = value.strip()
            current = []
            continue
        rule = RULE.match(line)
        if rule:
            makefile = Makefile(variables, rules, phony)
            targets = makefile.expand(rule[1]).split()
            prerequisites = makefile.expand(rule[2].split("#")[0]).split()
            if targets == [".PHONY"]:
                phony.extend(prerequisites)
                current = []
                continue
            current = [rules.setdefault(target, Rule()) for target in targets]
            for entry in current:
                entry.prerequisites.extend(prerequisites)
    return Makefile(variables, rules, phony)
