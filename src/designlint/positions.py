"""Where reported nodes are, at the least cost the file allows.

LibCST computes positions by generating the code of the whole module (PositionProvider):
on files with findings that was the largest single cost of a run. A finding lies inside one
top-level statement, and the stdlib parser (which has already run on the file) knows the line
each top-level statement starts on; so the code of that statement alone is generated, and its
positions are shifted to where the statement stands. A node that is not inside the
statement given, or a file the stdlib parser could not read, falls back to the whole module.
"""

from __future__ import annotations

import ast
from typing import Mapping

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider
from libcst.metadata.position_provider import PositionProvidingCodegenState


class Positions:
    def __init__(self, wrapper: MetadataWrapper, tree: ast.Module | None):
        self._wrapper = wrapper
        self._tree = tree
        self._top_lines: dict[int, int] | None = None
        self._by_statement: dict[int, tuple[Mapping[cst.CSTNode, CodeRange], int] | None] = {}

    def of(self, node: cst.CSTNode, statement: cst.CSTNode | None = None) -> CodeRange:
        """The range of ``node``; ``statement`` is the top-level statement it is believed to be in."""
        if PositionProvider not in self._wrapper._metadata:
            # The statement the report came from, or the node itself when it is a top-level one.
            for candidate in (statement, node):
                local = self._statement(candidate) if candidate is not None else None
                found = local[0].get(node) if local is not None else None
                if found is not None:
                    shift = local[1]
                    return CodeRange(CodePosition(found.start.line + shift, found.start.column), CodePosition(found.end.line + shift, found.end.column))
        return self.module()[node]

    def module(self) -> Mapping[cst.CSTNode, CodeRange]:
        """PositionProvider for the whole module, computed once.

        Run directly rather than through ``MetadataWrapper.resolve``, which also walks the
        whole tree for batchable providers even when there are none (as costly as the
        positions themselves); stored where ``resolve`` keeps it."""
        metadata = self._wrapper._metadata
        if PositionProvider not in metadata:
            metadata[PositionProvider] = PositionProvider()._gen(self._wrapper)
        return metadata[PositionProvider]

    def _statement(self, statement: cst.CSTNode):
        """(ranges relative to the statement's own code, the shift to its lines), or None for a
        node that is not a top-level statement whose line is known."""
        key = id(statement)
        if key not in self._by_statement:
            line = self._line_of_top_level(statement)
            if line is None:
                self._by_statement[key] = None
            else:
                module = self._wrapper.module
                provider = PositionProvider()
                state = PositionProvidingCodegenState(default_indent=module.default_indent, default_newline=module.default_newline, provider=provider)
                statement._codegen(state)
                ranges = provider._computed
                self._by_statement[key] = (ranges, line - ranges[statement].start.line)
        return self._by_statement[key]

    def _line_of_top_level(self, statement: cst.CSTNode) -> int | None:
        if self._top_lines is None:
            self._top_lines = _top_level_lines(self._wrapper.module, self._tree)
        return self._top_lines.get(id(statement))


def _top_level_lines(module: cst.Module, tree: ast.Module | None) -> dict[int, int]:
    """The line each top-level statement starts on, by pairing LibCST's statements with the
    stdlib's (a line of ``a; b`` is one LibCST statement and two stdlib ones; a decorated def
    starts at ``def`` in both). Empty when the two do not pair up exactly."""
    if tree is None:
        return {}
    lines: dict[int, int] = {}
    index = 0
    for statement in module.body:
        if index >= len(tree.body):
            return {}
        lines[id(statement)] = tree.body[index].lineno
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return lines if index == len(tree.body) else {}
