"""The layout of `metrics/` shows its architecture (ADR 20): packages by responsibility, each
importing only the layers below it, no module over 400 lines, no import cycles. Read from the
source with `ast`, so an import inside a function counts as much as one at the top."""

import ast
from pathlib import Path

METRICS = Path(__file__).resolve().parents[2] / "metrics"
MAX_LINES = 400

# What each package may import from the rest of metrics (besides itself). The entry points
# (admin, apps, urls, export_urls, management commands) may import anything.
MAY_IMPORT = {
    "models": set(),
    "returns": {"models"},
    "rollups": {"models", "returns"},
    "stats": {"models", "returns", "rollups"},
    "tasks": {"models", "returns", "rollups"},
    "services": {"models", "returns", "rollups", "stats", "tasks"},
    "api": {"models", "returns", "rollups", "stats", "services"},
    "views": {"models", "returns", "rollups", "stats", "services", "api"},
}
ENTRY_POINTS = {"admin", "apps", "urls", "export_urls", "management"}


def _modules():
    found = {}
    for path in METRICS.rglob("*.py"):
        parts = path.relative_to(METRICS.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name, path, modules):
    """The metrics modules `name` imports: `from a import b` counts as a.b when that is a
    module (a submodule, not its package), else as a."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parents, base] if base else parents)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {imported for imported in found if imported in modules and imported != name}


def _graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(name):
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_is_read():
    graph = _graph()
    # Not vacuous: the packages are there and their imports are seen.
    assert {"metrics.models", "metrics.returns.template", "metrics.rollups.build", "metrics.services.filing"} <= set(graph)
    assert "metrics.rollups.sql" in graph["metrics.rollups.build"]


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in _modules().items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_there_are_no_import_cycles():
    graph = _graph()
    cycles, state, stack = [], {}, []

    def visit(name):
        state[name] = "open"
        stack.append(name)
        for imported in sorted(graph[name]):
            if state.get(imported) == "open":
                cycles.append([*stack[stack.index(imported) :], imported])
            elif imported not in state:
                visit(imported)
        stack.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    assert cycles == []


def test_each_package_imports_only_the_layers_below_it():
    wrong = []
    for name, imported in _graph().items():
        layer = _layer(name)
        if layer in ENTRY_POINTS or layer == "":
            continue
        assert layer in MAY_IMPORT, f"{name}: a new package; give it a row in MAY_IMPORT (and ADR 20)"
        wrong += [f"{name} -> {other}" for other in sorted(imported) if _layer(other) not in MAY_IMPORT[layer] | {layer}]
    assert wrong == []
