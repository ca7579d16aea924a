"""Module names from file paths, relative to the project root (``src/`` layouts understood)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from designlint.globs import path_excluded


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
                blocks.extend(statement_blocks(statement))


def resolve_relative(level: int, module: str, current: str | None) -> str:
    """The module ``from <level dots><module> import ...`` names in the module ``current``
    (a package's ``__init__`` spelled ``pkg.__init__``); ``module`` itself when ``current`` is unknown."""
    if not current:
        return module
    package = current.split(".")
    # ``current`` names a module; its package is everything but the last part.
    package = package[: max(len(package) - level, 0)]
    return ".".join(package + ([module] if module else []))


def statement_blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists directly inside a compound statement, in source order (``try``'s
    handlers before its ``else``)."""
    body = getattr(statement, "body", None)
    if type(body) is list:
        yield body
    for clause in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
        yield clause.body
    for name in ("orelse", "finalbody"):
        block = getattr(statement, name, None)
        if type(block) is list:
            yield block
