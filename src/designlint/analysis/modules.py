"""Module names from file paths, relative to the project root (``src/`` layouts understood)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, cast

from designlint.analysis.module_facts import ModuleFact
from designlint.analysis.stdlib_nodes import nodes_by_type
from designlint.globs import path_excluded
from designlint.project import LookupFailed


def module_name_for(relpath: str) -> str | None:
    """``src/app/adapters/openai_adapter.py`` -> ``app.adapters.openai_adapter``."""
    path = PurePosixPath(relpath)
    if path.suffix not in (".py", ".pyi"):
        return None
    parts = list(path.with_suffix("").parts)
    if parts and parts[0] in ("src", "lib") and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def module_parts(relpath: str, module_name: str | None) -> list[str]:
    """The dotted parts of a file's module name; when the path gives none (the file lies outside
    the project root, or under a directory such as ``my-project`` that no import can name), the
    deepest run of directory names that are identifiers stands in for it."""
    if module_name:
        return module_name.split(".")
    parts = list(PurePosixPath(relpath).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    run: list[str] = []
    for part in reversed(parts):
        if not part.isidentifier():
            break
        run.append(part)
    return run[::-1]


def module_glob_matches(patterns: tuple[str, ...], module: str) -> bool:
    """Does a dotted glob (``app.adapters.*``, ``app.**.llm``) match ``module`` or one of its
    parent packages? ``*`` stands for one dotted part, ``**`` for any number of them."""
    return path_excluded(tuple(p.replace(".", "/") for p in patterns), module.replace(".", "/"))


def imported_modules(tree: ast.Module) -> Iterator[str]:
    """Every module an absolute import statement anywhere in ``tree`` (the stdlib's) may bring
    in: ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be
    a submodule). Reads statements only, never expressions: a fraction of the tree."""
    blocks = [tree.body]
    while blocks:
        for statement in blocks.pop():
            if isinstance(statement, ast.Import):
                yield from (alias.name for alias in statement.names)
            elif isinstance(statement, ast.ImportFrom):
                if statement.module and not statement.level:
                    yield statement.module
                    yield from (f"{statement.module}.{alias.name}" for alias in statement.names)
            else:
                blocks.extend(_blocks(statement))


def _blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists directly inside a compound statement."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(statement, name, None)
        if type(block) is list:
            yield block
    for clause in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
        yield clause.body


@dataclass(frozen=True)
class DefinedNames:
    """The names a module defines anywhere: of its functions and methods (``def``), and bound
    by an assignment, ``for``, ``with`` or walrus. A superset, read with the stdlib's
    tree (several times faster to build than LibCST's): a name not in it is nothing the module
    defines, so a costlier fact about it need not be worked out."""

    functions: frozenset[str]
    bound: frozenset[str]


class DefinedNamesFacts(ModuleFact[DefinedNames]):
    """A module's ``DefinedNames``; nothing for a module absent or the running Python cannot
    parse (no fact worked out from its LibCST tree knows more of it)."""

    kind = "defined-names"

    def read(self, name: str, tree: ast.Module) -> dict[str, list[str]]:
        nodes = nodes_by_type(tree)
        defs = (*nodes.get(ast.FunctionDef, ()), *nodes.get(ast.AsyncFunctionDef, ()))
        functions = {cast(ast.FunctionDef, node).name for node in defs}
        bound = {name.id for name in cast("list[ast.Name]", nodes.get(ast.Name, ())) if type(name.ctx) is ast.Store}
        return {"functions": sorted(functions), "bound": sorted(bound)}

    def unreadable(self, name: str, failure: LookupFailed) -> dict[str, list[str]]:
        return {"functions": [], "bound": []}

    def load(self, name: str, value: Any) -> DefinedNames:
        functions, bound = value["functions"], value["bound"]
        if not all(type(n) is str for n in (*functions, *bound)):
            raise TypeError("malformed defined names")
        return DefinedNames(frozenset(functions), frozenset(bound))


DEFINED_NAMES = DefinedNamesFacts()
