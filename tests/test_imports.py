"""designlint's own modules import one another one way only: the import graph of
``src/designlint`` has no cycle.

The graph is read from the source with ``ast`` (nothing is imported). An edge is an import
that runs when the module is first imported: module-level statements, including those inside
``try``, ``if``, ``with`` and class bodies. Left out are

- ``if TYPE_CHECKING:`` blocks: they never run, and a type that names a module back (a rule's
  context, the rule it records reports of) is no import-order hazard;
- imports inside functions: they run later, when the function is called, after every module
  involved has finished importing (the CLI imports the language server only for ``lsp``).

Importing ``designlint.a.b`` runs the package ``designlint/__init__.py`` first; that is no
edge here (it is the package's own business, done once, before any of its modules).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "designlint"


def module_names(package: Path) -> dict[str, Path]:
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def _runs_on_import(statements: list[ast.stmt], type_only: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports among ``statements`` that run on import; with ``type_only``, also those
    under ``if TYPE_CHECKING:``."""
    for statement in statements:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            yield statement
        elif isinstance(statement, ast.If):
            if type_only or not _is_type_checking(statement.test):
                yield from _runs_on_import(statement.body, type_only)
            yield from _runs_on_import(statement.orelse, type_only)
        elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # try, with, for, while, class bodies, match cases: they run
            for block in ("body", "orelse", "finalbody"):
                yield from _runs_on_import(getattr(statement, block, []), type_only)
            for clause in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
                yield from _runs_on_import(clause.body, type_only)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(module: str, source: str, is_package: bool, known: set[str], type_only: bool = False) -> set[str]:
    """The modules of ``known`` that ``module`` imports when it is imported."""
    found = set()
    for statement in _runs_on_import(ast.parse(source).body, type_only):
        if isinstance(statement, ast.Import):
            found.update(alias.name for alias in statement.names)
            continue
        base = statement.module or ""
        if statement.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            anchor = package[: len(package) - statement.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in statement.names:
            submodule = f"{base}.{alias.name}"
            found.add(submodule if submodule in known else base)
    return found & known - {module}


def import_graph(package: Path, type_only: bool = False) -> dict[str, set[str]]:
    modules = module_names(package)
    known = set(modules)
    return {
        name: imports_of(name, path.read_text(encoding="utf-8"), path.name == "__init__.py", known, type_only)
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` as the path that closes it (``[a, b, a]``), or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_designlint_has_no_import_cycle():
    graph = import_graph(PACKAGE)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_graph_is_read_whole():
    """Guards the test above against passing on a graph that lost its edges."""
    graph = import_graph(PACKAGE)
    assert len(graph) > 40
    assert {"designlint.walk", "designlint.context", "designlint.rules", "designlint.fixes"} <= graph[
        "designlint.engine"
    ]
    assert "designlint.analysis.names" in graph["designlint.rules.trust"]
    assert "designlint.catalogue" in graph["designlint.rules"]  # from designlint.catalogue import load_catalogue
    assert "designlint._version" in graph["designlint.cache"]


def test_rules_and_analysis_do_not_reach_up():
    """The layers: rules see the context, never the engine; the shared analysis imports neither
    the configuration (its tables included), the rules nor the engine.
    Type-only imports count here: they are how a layer comes to lean on the one above."""
    graph = import_graph(PACKAGE, type_only=True)
    for module in ("designlint.rules.base", "designlint.context", "designlint.walk", "designlint.fixes"):
        assert "designlint.engine" not in graph[module], module
    for module, imported in graph.items():
        if module == "designlint.analysis" or module.startswith("designlint.analysis."):
            above = {name for name in imported if _in_layer_above_analysis(name)}
            assert not above, f"{module} imports {sorted(above)}: the shared analysis knows no layer above it"


# What the shared analysis must not import: the option tables and the configuration (it knows
# no config), the rules and the engine (it serves them).
_ABOVE_ANALYSIS = ("designlint.tables", "designlint.rules", "designlint.config", "designlint.engine")


def _in_layer_above_analysis(module: str) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in _ABOVE_ANALYSIS)


def test_the_layer_check_sees_the_layers():
    """Guards the test above: its layers are modules of the graph, and it tells them apart."""
    graph = import_graph(PACKAGE, type_only=True)
    assert all(
        any(_in_layer_above_analysis(module) for module in graph if module.startswith(layer))
        for layer in _ABOVE_ANALYSIS
    )
    assert _in_layer_above_analysis("designlint.tables.states")
    assert not _in_layer_above_analysis("designlint.configs")
    assert not _in_layer_above_analysis("designlint.analysis.states")
    assert "designlint.analysis.transitions" in graph["designlint.tables.states"]  # the arrow points down


def test_what_counts_as_an_import():
    source = """
from __future__ import annotations
import pkg.a
from pkg import b, VALUE
from . import c
from .d import thing
try:
    from pkg.e import x
except ImportError:
    from pkg.f import x
if TYPE_CHECKING:
    from pkg.g import T
else:
    from pkg.h import T
if sys.version_info >= (3, 11):
    import pkg.i
class K:
    from pkg.j import y


def later():
    from pkg.k import z
"""
    known = {f"pkg.{name}" for name in "abcdefghijk"} | {"pkg"}
    found = imports_of("pkg.mod", source, False, known)
    assert found == {"pkg.a", "pkg.b", "pkg", "pkg.c", "pkg.d", "pkg.e", "pkg.f", "pkg.h", "pkg.i", "pkg.j"}
    assert imports_of("pkg.mod", source, False, known, type_only=True) == found | {"pkg.g"}
    assert imports_of("pkg", "from . import a\nfrom .b import q\n", True, known) == {"pkg.a", "pkg.b"}


def test_a_cycle_is_found_and_shown():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
