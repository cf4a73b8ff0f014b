"""The package is layered: no import cycles, and the light layers do not load the heavy ones.

Static reference data (market metadata, calendars), the models and the statistics must import
without DuckDB, ibis or Mantle; the lake must not know the quality gate that judges its commits.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tecton"
HEAVY = ("duckdb", "ibis", "arch")  # arch: seconds to import, needed only to fit a GARCH


def _modules() -> dict[str, Path]:
    """``{dotted name: file}`` for every module of the package (a package is its ``__init__``)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(tree: ast.Module, in_functions: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements run when the module loads (or all of them, ``in_functions``).

    Imports under ``if TYPE_CHECKING:`` never run, so they are not edges.
    """
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            elif in_functions or not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            ):
                visit(child)

    visit(tree)
    return found


def _targets(node: ast.Import | ast.ImportFrom, importer: str, modules: dict) -> set[str]:
    """The tecton modules one import statement loads (``from x import y``: ``x.y`` if a module)."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in modules}
    base = node.module or ""
    if node.level:
        package = importer.split(".")
        if modules[importer].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, *([node.module] if node.module else [])])
    out = set()
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        out.add(sub if sub in modules else base)
    return {m for m in out if m in modules}


def import_graph(in_functions: bool = False) -> dict[str, set[str]]:
    """``{module: modules it imports}`` within tecton."""
    modules = _modules()
    return {
        name: {
            target
            for node in _imports(ast.parse(path.read_text()), in_functions)
            for target in _targets(node, name, modules)
        }
        - {name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, or None (an iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    for root in sorted(graph):
        if root in state:
            continue
        path, stack = [root], [iter(sorted(graph[root]))]
        state[root] = 1
        while stack:
            child = next(stack[-1], None)
            if child is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(child) == 1:
                return [*path[path.index(child) :], child]
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append(iter(sorted(graph.get(child, ()))))
    return None


def test_find_cycle_names_the_cycle():
    # the checker itself: a cycle is found and named in order; a diamond is not a cycle
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()}) is None


def test_the_graph_sees_from_imports_of_submodules():
    graph = import_graph()
    # `from tecton.dal import warehouse` in flows is outside; inside: readers -> metadata leaf
    assert "tecton.markets.metadata" in graph["tecton.data.readers.vendor_csv"]
    assert "tecton.markets.calendar" in graph["tecton.markets.metadata"]


def test_no_import_cycle_at_module_level():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _layer(module: str) -> str:
    """The subpackage (layer) a module belongs to: ``tecton.dal.mantle`` is ``tecton.dal``."""
    return ".".join(module.split(".")[:2])


def test_no_cycle_across_packages_through_deferred_imports_either():
    # an import inside a function still runs, later: packages must not lean on each other that
    # way either (the old cycle ran mantle -> lake -> ingest -> readers -> markets -> mantle,
    # through functions). Inside one package a deferred import is that package's own affair.
    at_load = import_graph()
    graph = {
        module: at_load[module] | {t for t in targets if _layer(t) != _layer(module)}
        for module, targets in import_graph(in_functions=True).items()
    }
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle (counting imports inside functions): " + " -> ".join(cycle)


def test_mantle_and_the_warehouse_build_do_not_import_each_other():
    # mantle builds as-of warehouses (through dal.asof); the build closes connections through
    # dal.connections, not through Mantle
    graph = import_graph(in_functions=True)
    assert "tecton.dal.mantle" not in graph["tecton.dal.warehouse"]
    assert find_cycle({m: t for m, t in graph.items() if m.startswith("tecton.dal")}) is None


def test_static_market_data_is_a_leaf():
    # reference data may lean on other reference data and on tecton.errors, and nothing else
    # (not the Markets objects, which read through Mantle)
    leaves = {"tecton.markets.metadata", "tecton.markets.calendar", "tecton.errors"}
    graph = import_graph(in_functions=True)
    for leaf in leaves:
        outside = graph[leaf] - leaves
        assert not outside, f"{leaf} imports {sorted(outside)}"


def _loaded_by(module: str) -> list[str]:
    """The heavy modules (DuckDB, ibis, arch, Mantle, the quality gate) a fresh import loads."""
    code = (
        f"import {module}, sys, json; print(json.dumps(sorted(m for m in sys.modules "
        f"if m.split('.')[0] in {set(HEAVY)!r} or m == 'tecton.dal.mantle' "
        f"or m.startswith('tecton.quality'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize(
    "module",
    [
        "tecton.factor_model",
        "tecton.factor_model.risk.estimate",
        "tecton.markets",
        "tecton.markets.metadata",
        "tecton.stats",
        "tecton.errors",
        "tecton.dal",
    ],
)
def test_light_modules_load_without_duckdb_ibis_or_mantle(module):
    assert _loaded_by(module) == []


def test_the_lake_does_not_import_the_quality_gate():
    assert _loaded_by("tecton.lake") == []
    # nor later, inside a function: commit() is handed the gate
    graph = import_graph(in_functions=True)
    for name, targets in graph.items():
        if name.startswith("tecton.lake"):
            gate = sorted(t for t in targets if t.startswith("tecton.quality"))
            assert not gate, f"{name} imports {gate}"


def test_the_old_homes_still_export_their_names():
    # TectonError moved to tecton.errors; code importing it from its old places keeps working
    code = (
        "from tecton.errors import TectonError, DateLike\n"
        "from tecton.dal import TectonError as a, Mantle\n"
        "from tecton.dal.catalog import TectonError as b\n"
        "from tecton.dal.mantle import DateLike as d\n"
        "from tecton.markets import Markets, market_specs\n"
        "assert a is b is TectonError and d is DateLike and Mantle.__name__ == 'Mantle'\n"
        "assert Markets.__module__ == 'tecton.markets.universe'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
