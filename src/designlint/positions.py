"""Where reported nodes are, at the least cost the file allows.

LibCST computes positions by generating the code of the whole module (PositionProvider): on
files with findings that was the largest single cost of a run. A finding lies inside some
statement, and the stdlib parser (which has already read the file) knows the line each
statement starts on; so only the code of the innermost statement whose line is known (one of
the module's, or of a class or function body along the way) is generated, with the indentation
of the blocks around it, and its positions are shifted to where it stands. A node outside the
statements given, or a file the stdlib parser could not read, falls back to the whole module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence
from typing import cast

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState

_BODIES = (cst.ClassDef, cst.FunctionDef)


class Positions:
    def __init__(self, wrapper: MetadataWrapper, tree: ast.Module | None):
        self._wrapper = wrapper
        self._module = wrapper.module
        self._tree = tree
        self._placed: dict[int, ast.stmt] | None = None  # id(LibCST statement) -> its stdlib statement
        self._paired: set[int] = set()  # ids of the defs and classes whose bodies are placed
        self._by_statement: dict[int, tuple[Mapping[cst.CSTNode, CodeRange], int]] = {}

    def of(self, node: cst.CSTNode, path: Sequence[cst.CSTNode] = ()) -> CodeRange:
        """The range of ``node``; ``path`` holds the nodes enclosing it, outermost first, as
        far as the caller knows them."""
        if PositionProvider not in self._wrapper._metadata:
            for statement, indents in self._statements_on((*path, node)):
                ranges, shift = self._statement(statement, indents)
                found = ranges.get(node)
                if found is not None:
                    return CodeRange(
                        CodePosition(found.start.line + shift, found.start.column),
                        CodePosition(found.end.line + shift, found.end.column),
                    )
        return self.module()[node]

    def statement_line(self, chain: Sequence[cst.CSTNode]) -> int:
        """The line of the innermost statement along ``chain`` whose line the stdlib parser
        gave, without generating any code (it may be too deep for LibCST to); else 1."""
        for statement, _ in self._statements_on(chain):
            return self._place_top_level()[id(statement)].lineno
        return 1

    def module(self) -> Mapping[cst.CSTNode, CodeRange]:
        """PositionProvider for the whole module, computed once.

        Run directly rather than through ``MetadataWrapper.resolve``, which also walks the
        whole tree for batchable providers even when there are none (as costly as the
        positions themselves); stored where ``resolve`` keeps it."""
        metadata = self._wrapper._metadata
        if PositionProvider not in metadata:
            metadata[PositionProvider] = _generated(lambda: PositionProvider()._gen(self._wrapper))
        return cast("Mapping[cst.CSTNode, CodeRange]", metadata[PositionProvider])  # what PositionProvider computes

    def _statements_on(self, chain: Sequence[cst.CSTNode]) -> Iterator[tuple[cst.CSTNode, tuple[str, ...]]]:
        """The placed statements along ``chain``, innermost first, each with the indentation
        of the blocks around it."""
        placed = self._place_top_level()
        found: list[tuple[cst.CSTNode, tuple[str, ...]]] = []
        indents: tuple[str, ...] = ()
        for node in chain:
            stdlib = placed.get(id(node))
            if stdlib is None:
                continue
            found.append((node, indents))
            if (
                isinstance(node, _BODIES)
                and isinstance(node.body, cst.IndentedBlock)
                and isinstance(stdlib, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            ):
                if id(node) not in self._paired:
                    self._paired.add(id(node))
                    placed.update(_pair(node.body.body, stdlib.body))
                indents += (self._module.default_indent if node.body.indent is None else node.body.indent,)
        return reversed(found)

    def _place_top_level(self) -> dict[int, ast.stmt]:
        if self._placed is None:
            self._placed = _pair(self._module.body, self._tree.body) if self._tree is not None else {}
        return self._placed

    def _statement(
        self, statement: cst.CSTNode, indents: tuple[str, ...]
    ) -> tuple[Mapping[cst.CSTNode, CodeRange], int]:
        """(ranges from the statement's own code, the shift of its lines to the file's)."""
        key = id(statement)
        if key not in self._by_statement:
            provider = PositionProvider()
            state = PositionProvidingCodegenState(
                default_indent=self._module.default_indent,
                default_newline=self._module.default_newline,
                provider=provider,
            )
            state.indent_tokens = list(indents)
            _generated(lambda: statement._codegen(state))
            ranges = cast("Mapping[cst.CSTNode, CodeRange]", provider._computed)  # filled in by the codegen, not lazy
            self._by_statement[key] = (ranges, self._place_top_level()[key].lineno - ranges[statement].start.line)
        return self._by_statement[key]


def _generated(codegen):
    """LibCST's code generation recurses once per level of nesting: beyond Python's recursion
    limit it fails, with a KeyError from its own bookkeeping. Said as what it is."""
    try:
        return codegen()
    except (RecursionError, KeyError):
        raise RecursionError("the code is nested too deeply to place a finding in it") from None


def _pair(statements: Sequence[cst.CSTNode], stdlib: Sequence[ast.stmt]) -> dict[int, ast.stmt]:
    """LibCST's statements of a block with the stdlib's (a line of ``a; b`` is one LibCST
    statement and two stdlib ones; a decorated def starts at ``def`` in both). Empty when the
    two do not pair up exactly."""
    placed: dict[int, ast.stmt] = {}
    index = 0
    for statement in statements:
        if index >= len(stdlib):
            return {}
        placed[id(statement)] = stdlib[index]
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return placed if index == len(stdlib) else {}
