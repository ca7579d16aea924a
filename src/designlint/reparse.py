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
import functools
import itertools
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from designlint.analysis.memo import StatementMemo
from designlint.parsing import StdlibVerdict, parse_module, parse_modules, stdlib_tree, stdlib_verdict

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


_Kept = TypeVar("_Kept")


class Reparser:
    """The last text and LibCST module, the last text and stdlib tree, and what is known of
    that tree's statements, of each of the last ``paths`` paths parsed."""

    def __init__(self, paths: int):
        self.paths = paths
        self._last: OrderedDict[str, _Parsed] = OrderedDict()
        self._trees: OrderedDict[str, tuple[str, ast.Module]] = OrderedDict()  # the last text that parsed
        self._memos: OrderedDict[str, StatementMemo] = OrderedDict()

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
        _remember(self._last, path, _Parsed(text, module, chunks, _firsts(chunks)), self.paths)
        return module

    def verdict(self, path: str, text: str) -> StdlibVerdict:
        """``stdlib_verdict(text)``, its tree spliced from the last tree of ``path`` where the
        edit allows it."""
        last = self._trees.get(path)
        verdict = stdlib_verdict(text, None if last is None else functools.partial(spliced_tree, *last))
        if verdict.tree is not None:  # after a syntax error, the next text is compared with the last that parsed
            _remember(self._trees, path, (text, verdict.tree), self.paths)
        return verdict

    def statements(self, path: str) -> StatementMemo:
        """What is known of the top-level statements of the last stdlib tree of ``path``."""
        memo = self._memos.get(path) or StatementMemo()
        _remember(self._memos, path, memo, self.paths)
        return memo


def _remember(last: OrderedDict[str, _Kept], path: str, kept: _Kept, paths: int) -> None:
    last[path] = kept
    last.move_to_end(path)
    while len(last) > paths:
        last.popitem(last=False)


def _groups(tree: ast.Module) -> list[list[int]]:
    """(first line, last line, statements) of each run of top-level statements sharing lines
    (``a; b``), 1-based, a statement's decorators included."""
    groups: list[list[int]] = []
    for statement in tree.body:
        decorators = getattr(statement, "decorator_list", ())
        start = min([statement.lineno, *(d.lineno for d in decorators)])
        end = statement.end_lineno or statement.lineno
        if groups and start <= groups[-1][1]:
            groups[-1][1] = max(end, groups[-1][1])
            groups[-1][2] += 1
        else:
            groups.append([start, end, 1])
    return groups


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
    groups = _groups(tree)
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


def spliced_tree(last_text: str, last: ast.Module, text: str) -> ast.Module | None:
    """The stdlib tree of ``text``, an edit of ``last_text`` whose tree is ``last``: the
    statements of ``last`` in the lines before and after the edit, and the lines between
    parsed alone; None when that cannot be sure to give the tree of a full parse.

    The lines between start after a statement's last line and end before a statement's first
    line, where the tokenizer starts afresh at the top level (no bracket, string or ``\\``
    continuation open), so their parse alone, and the statements either side, are what a
    full parse gives. A text that parses alone does not begin with ``else``, ``except`` or the
    like, which would join the statement before it. The nodes of ``last`` are shared, never
    changed: when the edit adds or removes lines, everything after it is parsed again, the
    first lines left blank so that its line numbers come out right."""
    if any(mark in text for mark in _UNUSUAL):
        return None
    last_lines, lines = last_text.split("\n"), text.split("\n")
    shortest = min(len(last_lines), len(lines))
    # Lines the same (with their newline) at the start, and at the end.
    head = 0
    while head < shortest - 1 and last_lines[head] == lines[head]:
        head += 1
    tail = 0
    while tail < shortest - 1 - head and last_lines[-1 - tail] == lines[-1 - tail]:
        tail += 1
    groups = _groups(last)
    # The statements kept at the start: those ending in the unchanged lines. And at the end:
    # those starting in them, when the lines after the edit are where they were.
    kept_before = 0
    while kept_before < len(groups) and groups[kept_before][1] <= head:
        kept_before += 1
    kept_after = len(groups)
    if len(lines) == len(last_lines):
        while kept_after > kept_before and groups[kept_after - 1][0] > len(last_lines) - tail:
            kept_after -= 1
    # A line typed at the end of a block, or a decorator added, belongs to the statement next
    # to the edit: when the lines between do not parse alone, that statement is parsed with them.
    for widen in (0, 1):
        before, after = max(kept_before - widen, 0), min(kept_after + widen, len(groups))
        while before and lines[groups[before - 1][1] - 1].endswith("\\"):
            before -= 1  # the line after it continues it
        while after < len(groups) and last_lines[groups[after][0] - 2].endswith("\\"):
            after += 1
        if before == 0 and after == len(groups):
            return None  # nothing to keep: the full parse, which also says why a text does not parse
        begin = groups[before - 1][1] if before else 0  # 0-based: the first line parsed, and the one after
        end = groups[after][0] - 1 if after < len(groups) else len(lines)
        if end < len(lines) and lines[end - 1].endswith("\\"):
            continue
        try:
            middle = stdlib_tree("\n" * begin + "\n".join(lines[begin:end]) + ("\n" if end < len(lines) else ""))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # in the end, the full parse says what it refuses, and where
        statements_before = sum(group[2] for group in groups[:before])
        statements_after = sum(group[2] for group in groups[after:])
        body = [*last.body[:statements_before], *middle.body, *last.body[len(last.body) - statements_after :]]
        return ast.Module(body=body, type_ignores=[])
    return None


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
