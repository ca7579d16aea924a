"""Facts read from the stdlib's tree of one module of the project.

``ModuleFact`` is the common part of the cross-module fact providers that each read one
module (its string constants, the names it defines, an enum or record class it holds): which
module a fact's name is read from, the module's tree, and what an absent or unparsable module
means. ``stdlib_last_name`` is the reading of a name they and the rules' gates share. Nothing
here imports LibCST: the configuration checks enum names on every run, a warm one included.
"""

from __future__ import annotations

import ast
from abc import abstractmethod
from collections.abc import Mapping
from typing import TypeVar

from designlint.parsing import stdlib_verdict
from designlint.project import FactProvider, LookupFailed

T = TypeVar("T")


class ModuleFact(FactProvider[T]):
    """A fact worked out from the stdlib's tree of one module: by default the fact's name is
    the module's dotted name (``module_of`` says otherwise)."""

    def module_of(self, name: str) -> str:
        """The dotted name of the module the fact about ``name`` is read from."""
        return name

    def modules(self, name: str) -> tuple[str, ...]:
        return (self.module_of(name),)

    def compute(self, name: str, sources: Mapping[str, str | None]) -> object:
        module = self.module_of(name)
        source = sources[module]
        if source is None:
            missing = f"module {module!r} not found under the project root (looked for {module.replace('.', '/')}.py, also under src/)"
            return self.unreadable(name, LookupFailed(missing))
        verdict = stdlib_verdict(source)  # quietly, and safe from hostile nesting
        if verdict.tree is None:
            return self.unreadable(name, LookupFailed(f"module {module!r} cannot be parsed: {verdict.problem()}"))
        return self.read(name, verdict.tree)

    @abstractmethod
    def read(self, name: str, tree: ast.Module) -> object:
        """The fact about ``name`` as a JSON-compatible value, from its module's tree; raises
        ``LookupFailed`` saying what is wrong."""

    def unreadable(self, name: str, failure: LookupFailed) -> object:
        """The fact when the module is not in the project or the running Python cannot parse
        it: by default none, ``failure`` says why."""
        raise failure


class DefinitionFact(ModuleFact[T]):
    """A fact about something defined in a module, named ``pkg.module.Name``."""

    def module_of(self, name: str) -> str:
        return name.rpartition(".")[0]


def stdlib_last_name(node: ast.expr) -> str:
    """``c`` for a name or an attribute in the stdlib's tree (``a.b.c``, also ``f().c``), ``""``
    for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
