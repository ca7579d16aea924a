"""What a rule is given of the file it looks at: the facts known before LibCST parses it
(``FileFacts``, for ``Rule.could_fire``) and, during the walk, the parsed file and the place
its reports go (``FileContext``). Below the rules and the engine: both import it."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

import libcst as cst

from designlint.analysis.memo import FileMemo, StatementMemo
from designlint.analysis.modules import imported_modules
from designlint.analysis.stdlib_nodes import nodes_by_type

if TYPE_CHECKING:
    from designlint.analysis.names import NameResolver
    from designlint.config import Config
    from designlint.fixes import NodeFix
    from designlint.positions import Positions
    from designlint.project import Project

StdlibNode = TypeVar("StdlibNode", bound=ast.AST)


@dataclass(frozen=True)
class FileFacts:
    """What is known of a file before LibCST parses it (see ``Rule.could_fire``)."""

    relpath: str  # posix, relative to the config's root
    module_name: str | None
    text: str
    tree: ast.Module | None  # the stdlib parser's; None when the running Python cannot parse the file
    # The directories above the module's top package when no project root anchors its name
    # (an unpacked wheel): namespace packages, or where it was unpacked (``Project.unanchored_parents``).
    module_parents: tuple[str, ...] = ()
    # An editor's: what is known of the top-level statements of the path's last tree.
    statements: StatementMemo | None = field(default=None, compare=False)
    # The project's other modules, for a gate that follows the file's calls into them (their
    # facts are recorded, as a rule's are, as what the file's result depends on).
    project: Project | None = field(default=None, compare=False)

    @cached_property
    def imports(self) -> frozenset[str] | None:
        """The modules the file's import statements may bring in (``imported_modules``), worked
        out once for all rules; None without a tree."""
        return None if self.tree is None else frozenset(imported_modules(self.tree))

    @cached_property
    def _nodes_by_type(self) -> dict[type[ast.AST], list[ast.AST]]:
        return {} if self.tree is None else nodes_by_type(self.tree, self.statements)

    def nodes_of(self, *types: type[StdlibNode]) -> Iterator[StdlibNode]:
        """The stdlib tree's nodes of these exact types (concrete ones: ``ast.Call``, not
        ``ast.expr``), from one walk of the tree shared by all rules; none without a tree."""
        for kind in types:
            yield from cast("list[StdlibNode]", self._nodes_by_type.get(kind, ()))


@dataclass(frozen=True)
class Report:
    """A finding as a rule made it, in terms of nodes; the engine places it after the walk."""

    code: str
    name: str
    node: cst.CSTNode
    message: str
    fix: NodeFix | None
    ancestors: tuple[cst.CSTNode, ...]  # they tell the positions which statement to generate the code of


@dataclass(frozen=True)
class FileContext:
    """What a rule knows about the file it is looking at."""

    path: str
    relpath: str  # posix, relative to the config's root
    module_name: str | None
    module: cst.Module
    text: str
    config: Config
    project: Project | None
    names: NameResolver
    ancestors: list[cst.CSTNode]  # the nodes enclosing the one being visited, outermost first
    positions: Positions
    metadata: dict = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    module_parents: tuple[str, ...] = ()  # as in FileFacts
    tree: ast.Module | None = None  # the stdlib parser's, as in FileFacts (read-only: it is shared)
    # Answers worked out once for this file, shared by the rules and analyses (``FileMemo.get``).
    memo: FileMemo = field(default_factory=FileMemo)

    def report(self, code: str, name: str, node: cst.CSTNode, message: str, fix: NodeFix | None) -> None:
        self.reports.append(Report(code, name, node, message, fix, tuple(self.ancestors)))

    def line_of(self, node: cst.CSTNode, chain: Sequence[cst.CSTNode] | None = None) -> int:
        """The 1-based line where ``node`` starts, for messages that point elsewhere in the file.
        ``chain``: the nodes enclosing it, outermost first, as far as known (by default, those
        enclosing the node being visited); the code of the innermost statement along it is
        generated, and when that one is too deep to generate, its first line is the answer."""
        path = self.ancestors if chain is None else chain
        try:
            return self.positions.of(node, path).start.line
        except RecursionError:
            return self.positions.statement_line(path)
