"""LibCST's parse of a text that is the last one parsed for its path with a small edit (an
editor's keystroke): only the changed top-level statements are parsed again.

The text is split into chunks at top-level statement boundaries, found in the stdlib's tree
(which the engine has anyway). A chunk holds its statements and the blank lines and comments
before them (LibCST's ``leading_lines``); the first chunk holds the module's header, the last
its footer. A chunk whose text is unchanged keeps its LibCST nodes; the others are parsed
alone and the module is assembled from both. The result is the module a full parse gives
(``deep_equals``, the same code): a boundary is placed only where nothing is in doubt, and
whatever is unusual (no tree, ``\\r``, tabs, form feeds, a BOM, a coding declaration, another
default indent, a chunk that parses to something else) takes the full parse.

Nodes are shared between the last module and the next: nothing in designlint or LibCST's
metadata keeps anything per node from one lint to the next (a ``MetadataWrapper`` per lint),
and a node never appears twice in one module.
"""

from __future__ import annotations

import ast
import itertools
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from designlint.parsing import parse_module, parse_modules

if TYPE_CHECKING:
    import libcst as cst

# More changed chunks than this share of all: one full parse is as cheap as several small ones.
_MOST_CHANGED = 0.25
_UNUSUAL = ("\r", "\t", "\f", "\ufeff")


@dataclass(frozen=True)
class _Chunk:
    text: str
    statements: int  # LibCST's top-level statements in it


@dataclass
class _Parsed:
    text: str
    module: cst.Module
    chunks: list[_Chunk] | None  # None: the text could not be split; only an identical text reuses it
    first: list[int]  # index in module.body of each chunk's first statement


class Reparser:
    """The last text and LibCST module of each of the last ``paths`` paths parsed."""

    def __init__(self, paths: int):
        self.paths = paths
        self._last: OrderedDict[str, _Parsed] = OrderedDict()

    def parse(self, path: str, text: str, tree: ast.Module | None) -> cst.Module:
        """``parse_module(text)``, reusing what it can of the last module of ``path``. Raises
        what ``parse_module`` raises."""
        chunks = _chunks(text, tree)
        last = self._last.get(path)
        module = None
        if last is not None:
            if last.text == text:
                module = last.module
            elif chunks is not None and last.chunks is not None:
                module = _assembled(chunks, last)
        if module is None:
            module = parse_module(text)
            if chunks is not None and sum(c.statements for c in chunks) != len(module.body):
                chunks = None
        self._remember(path, _Parsed(text, module, chunks, _firsts(chunks)))
        return module

    def _remember(self, path: str, parsed: _Parsed) -> None:
        self._last[path] = parsed
        self._last.move_to_end(path)
        while len(self._last) > self.paths:
            self._last.popitem(last=False)


def _firsts(chunks: list[_Chunk] | None) -> list[int]:
    firsts, index = [], 0
    for chunk in chunks or ():
        firsts.append(index)
        index += chunk.statements
    return firsts


def _chunks(text: str, tree: ast.Module | None) -> list[_Chunk] | None:
    """The text split into chunks of whole top-level statements, or None when it cannot be
    split with certainty."""
    if tree is None or len(tree.body) < 2 or any(mark in text for mark in _UNUSUAL):
        return None
    lines = text.split("\n")
    if any("coding" in line for line in lines[:2]):
        return None  # LibCST's module records the declared encoding
    # (first line, last line, statements) of each run of statements sharing lines (`a; b`).
    groups: list[list[int]] = []
    for statement in tree.body:
        decorators = getattr(statement, "decorator_list", ())
        start = min([statement.lineno, *(d.lineno for d in decorators)])
        end = statement.end_lineno or statement.lineno
        if groups and start <= groups[-1][1]:
            groups[-1][1] = max(end, groups[-1][1])
        else:
            groups.append([start, end, 1])
    # A boundary where only empty lines and comments at column 0 lie between two statements:
    # they are the next statement's leading lines. (A line indented further, even a comment,
    # belongs to the block before it, and so do the lines above it.)
    chunks: list[_Chunk] = []
    begin, statements = 0, 0  # 0-based first line of the chunk being built
    for (_, end, _), (start, _, _) in itertools.pairwise(groups):
        statements += 1
        gap = lines[end : start - 1]
        if all(not line or line.startswith("#") for line in gap):
            chunks.append(_Chunk("".join(line + "\n" for line in lines[begin:end]), statements))
            begin, statements = end, 0
    chunks.append(_Chunk("\n".join(lines[begin:]), statements + 1))
    return chunks if len(chunks) > 1 else None


def _assembled(chunks: list[_Chunk], last: _Parsed) -> cst.Module | None:
    """The module of the new text from the last one's nodes and the changed chunks parsed
    alone, or None when it cannot be sure of it."""
    import libcst as cst

    old, old_chunks = last.module, last.chunks
    assert old_chunks is not None
    reusable: dict[str, list[int]] = {}  # middle chunks' texts: their index among the last chunks
    for index in range(len(old_chunks) - 2, 0, -1):
        reusable.setdefault(old_chunks[index].text, []).append(index)
    final = len(chunks) - 1
    reused: list[int | None] = []
    for position, chunk in enumerate(chunks):
        if position == 0:
            found = 0 if chunk == old_chunks[0] else None
        elif position == final:
            found = len(old_chunks) - 1 if chunk == old_chunks[-1] else None
        else:
            candidates = reusable.get(chunk.text)
            found = candidates.pop() if candidates else None
            if found is not None and old_chunks[found].statements != chunk.statements:
                found = None
        reused.append(found)
    changed = [position for position, found in enumerate(reused) if found is None]
    if len(changed) > max(2, _MOST_CHANGED * len(chunks)):
        return None
    try:
        parsed = parse_modules([chunks[position].text for position in changed])
    except Exception:  # a syntax error or a refusal: the full parse says so, as it always does
        return None
    fresh = dict(zip(changed, parsed))
    indent = old.default_indent
    body: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = []
    header, footer, trailing_newline = old.header, old.footer, old.has_trailing_newline
    for position, chunk in enumerate(chunks):
        found = reused[position]
        if found is not None:
            start = last.first[found]
            body.extend(old.body[start : start + chunk.statements])
            continue
        module = fresh[position]
        statements = list(module.body)
        if len(statements) != chunk.statements:
            return None
        own = _first_indent(statements, module.default_indent)
        if own is not None and own != indent:
            return None  # its blocks were read against another default indent
        if position == 0:
            header = module.header
        else:
            # Parsed alone, the lines before the chunk's first statement are its module's header.
            statements[0] = statements[0].with_changes(leading_lines=(*module.header, *statements[0].leading_lines))
        if position == final:
            footer, trailing_newline = module.footer, module.has_trailing_newline
        elif module.footer or not module.has_trailing_newline:
            return None
        body.extend(statements)
    # The default indent of the whole text is its first block's: the last one's, or the full parse.
    first = next((i for i in (_first_indent([s], indent) for s in body) if i is not None), "    ")
    if first != indent:
        return None
    return cst.Module(
        body=body,
        header=header,
        footer=footer,
        encoding=old.encoding,
        default_indent=indent,
        default_newline="\n",
        has_trailing_newline=trailing_newline,
    )


def _first_indent(statements: Sequence[cst.CSTNode], default: str) -> str | None:
    """The indent of the first indented block among these statements (what LibCST takes for a
    module's default indent), or None when they have none."""
    import libcst as cst

    stack: list[cst.CSTNode] = list(reversed(statements))
    while stack:
        node = stack.pop()
        if isinstance(node, cst.IndentedBlock):
            return default if node.indent is None else node.indent
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite, cst.BaseExpression)):
            continue  # no block inside
        stack.extend(reversed(node.children))
    return None
