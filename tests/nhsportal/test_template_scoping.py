"""Jinja's `{% set %}` inside a `{% for %}` assigns a variable of the loop's own scope: the
value is gone when the loop ends. Building a list with `set items = items + […]` in a loop
therefore leaves `items` as it was before the loop (the edit grid's error summary came out
empty that way). Lists built in a loop must be built in the view, with `.append`, or with a
`namespace()`. This reads every template and names each loop whose assignment is read after it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from jinja2 import Environment, nodes

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _assigned(node: nodes.Node) -> set[str]:
    names = set()
    for assign in node.find_all((nodes.Assign, nodes.AssignBlock)):
        target = assign.target
        names |= {n.name for n in ([target] if isinstance(target, nodes.Name) else target.find_all(nodes.Name))}
    return names


def _read(body: list[nodes.Node]) -> set[str]:
    return {name.name for node in body for name in node.find_all(nodes.Name) if name.ctx == "load"}


def _lost_assignments(body: list[nodes.Node], where: str) -> list[str]:
    found = []
    for index, node in enumerate(body):
        if isinstance(node, nodes.For):
            for name in sorted(_assigned(node) & _read(body[index + 1 :])):
                found.append(f"{where}:{node.lineno} sets {name!r} inside a loop and reads it after the loop")
        for attribute in ("body", "else_", "elif_"):
            inner = getattr(node, attribute, None)
            if isinstance(inner, list):
                found += _lost_assignments(inner, where)
    return found


def test_no_template_reads_after_a_loop_what_it_set_inside_the_loop():
    environment = Environment(autoescape=True, extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"])
    paths = sorted(TEMPLATES.rglob("*.jinja"))
    assert len(paths) > 50, "the templates were not found"
    found = []
    for path in paths:
        found += _lost_assignments(environment.parse(path.read_text()).body, str(path.relative_to(TEMPLATES)))
    assert found == []


def test_the_check_finds_the_mistake_it_is_for():
    environment = Environment(autoescape=True)
    broken = "{% set items = [] %}{% for p in ps %}{% set items = items + [p] %}{% endfor %}{{ items }}"
    fine = "{% set ns = namespace(items=[]) %}{% for p in ps %}{% set ns.items = ns.items + [p] %}{% endfor %}{{ ns.items }}"
    assert _lost_assignments(environment.parse(broken).body, "broken") != []
    assert _lost_assignments(environment.parse(fine).body, "fine") == []
    assert environment.from_string(broken).render(ps=[1, 2]) == "[]", "Jinja's scoping changed: revisit this check"
