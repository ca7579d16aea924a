"""Parsing with LibCST so that hostile input can neither kill the process nor stall it.

LibCST's native parser recurses once per nesting level on the C stack: a few thousand nested
brackets or unary operators overflow the main thread's 8 MB stack and kill the process with
SIGSEGV, and its time grows with the square of the depth (10,000 brackets: over a minute).
So the stdlib parser (C, with fixed limits of its own) first rejects what no Python version
accepts, and LibCST then runs on a thread with a large stack. Within those limits LibCST's time
still grows with the square of a statement's nesting: ``nesting_cost`` estimates it from the
stdlib's tree, and a file over its ``nesting_budget`` is refused before LibCST sees it.
"""

from __future__ import annotations

import ast
import os
import queue
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import libcst as cst

    from designlint.analysis.memo import StatementMemo

# SyntaxError messages of the fixed limits of Python's parser (the same in every version since
# 3.9): code beyond them runs nowhere, whatever syntax it uses.
_LIMIT_MESSAGES = (
    "too many nested parentheses",
    "too many indentation levels",
    "too many statically nested blocks",
    "too complex",
)
# An escape no Python decodes (``"\\N{NO SUCH NAME}"``, ``f"\\x{path}"``): LibCST parses it, and a
# rule evaluating the string would fail (the same message since 3.8).
_ESCAPE_ERROR = "(unicode error)"
# Virtual memory, committed only as far as it is used; about 50,000 levels of LibCST recursion.
PARSER_STACK_BYTES = 512 << 20
_stack_size_lock = threading.Lock()


class ParseRefused(Exception):
    """Code no Python parses: nested too deeply, holding NUL bytes or an escape that does not decode."""

    def __init__(self, message: str, row: int = 1):
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class StdlibVerdict:
    compiles: bool  # the running Python parses it (LibCST may still parse newer syntax)
    refused: ParseRefused | None = None  # no Python parses it: too deep, or NUL bytes
    # Python's own SyntaxError when it refuses the text for another reason and says where:
    # the message for DL001 if LibCST refuses it too.
    syntax_error: SyntaxError | None = None
    tree: ast.Module | None = None  # when it compiles: for the rules' gates, the nesting cost and positions

    def problem(self) -> str:
        """Why the running Python refused the text, and where: ``invalid syntax (line 3)``."""
        if self.refused is not None:
            return f"{self.refused} (line {self.refused.row})"
        if self.syntax_error is not None:
            return f"{self.syntax_error.msg} (line {self.syntax_error.lineno})"
        return "invalid syntax"


# The verdicts of the texts parsed last, up to this many characters of source in all (a tree
# takes some 28 bytes of memory a character): a module of the project is parsed once whether it
# is linted or read for another file's cross-module facts (its names, constants, enums,
# summary), whichever comes first. The newest is kept whatever its size.
KEPT_CHARACTERS = 1 << 20
_kept: OrderedDict[str, StdlibVerdict] = OrderedDict()
_kept_characters = 0
_kept_lock = threading.Lock()


def stdlib_verdict(text: str, spliced: Callable[[str], ast.Module | None] | None = None) -> StdlibVerdict:
    """The running Python's verdict on ``text``, with its tree (read-only: it is shared).
    ``spliced``: the tree of ``text`` by a way cheaper than its parse (an editor's edit of the
    last text parsed, ``designlint.reparse``), exactly the parse's, or None to parse it."""
    global _kept_characters
    with _kept_lock:
        found = _kept.get(text)
        if found is not None:
            _kept.move_to_end(text)
            return found
    tree = None if spliced is None else spliced(text)
    verdict = _verdict(text) if tree is None else StdlibVerdict(True, tree=tree)
    with _kept_lock:
        if text not in _kept:
            _kept[text] = verdict
            _kept_characters += len(text)
        while _kept_characters > KEPT_CHARACTERS and len(_kept) > 1:
            _kept_characters -= len(_kept.popitem(last=False)[0])
    return verdict


def stdlib_tree(text: str) -> ast.Module:
    """``ast.parse(text)``, silently. Raises what it raises."""
    with warnings.catch_warnings():  # e.g. "invalid escape sequence": not ours to print
        warnings.simplefilter("ignore")
        return ast.parse(text, "<designlint>", "exec")


def _verdict(text: str) -> StdlibVerdict:
    try:
        tree = stdlib_tree(text)
    except SyntaxError as exc:
        message = str(exc.msg)
        if "null bytes" in message:
            return StdlibVerdict(False, _null_bytes(text))
        if any(limit in message for limit in _LIMIT_MESSAGES) or message.startswith(_ESCAPE_ERROR):
            return StdlibVerdict(False, ParseRefused(message, exc.lineno or 1))
        return StdlibVerdict(False, syntax_error=exc if exc.lineno else None)
    except (RecursionError, MemoryError):
        return StdlibVerdict(False, ParseRefused("the code is nested too deeply for Python's parser"))
    except ValueError as exc:  # NUL bytes on Python versions that raise ValueError for them; a lone surrogate
        return StdlibVerdict(False, _null_bytes(text) if "\0" in text else ParseRefused(str(exc)))
    return StdlibVerdict(True, tree=tree)


# The stdlib nodes of a file LibCST may parse: its tree and metadata take about 5 kB of memory a
# node (a 5 MB table of numbers, 1.6 million nodes, took 8 GB and minutes). Ordinary code has one
# every 15 bytes or so: 3.6 MB of it fits.
MAX_NODES = 250_000


def nesting_budget(nodes: int) -> int:
    """The ``nesting_cost`` a file of ``nodes`` stdlib nodes may have: 3 s of LibCST's time
    whatever the file, and 200 µs more a node (ordinary code takes LibCST some 13 µs a node),
    20 s at most. Real code stays far below: over the corpus of agent frameworks and 15,000
    files of site-packages, 430 a node at most (LibCST's own tests of nested nodes) and 16.4
    million for a whole file (a 450 kB sympy benchmark)."""
    return min(2_000 * nodes + 30_000_000, 200_000_000)


# Fields LibCST reads between brackets, and fields that continue a chain (``f()()``, ``a.b.c``,
# ``a[0][0]``): nesting through them costs LibCST most, then some; operators least.
_BRACKETED = {
    ast.Call: ("args", "keywords"),
    ast.List: ("elts",),
    ast.Tuple: ("elts",),
    ast.Set: ("elts",),
    ast.Dict: ("keys", "values"),
    ast.Subscript: ("slice",),
    ast.ListComp: ("elt", "generators"),
    ast.SetComp: ("elt", "generators"),
    ast.DictComp: ("key", "value", "generators"),
    ast.GeneratorExp: ("elt", "generators"),
}
# A chain of binary operators costs LibCST as much as a chain of calls: 2,500 ``%`` took it 7 s
# (found by bench/fuzz.py; a weight of 1 estimated 0.6 s).
_CHAINED = {
    ast.Call: ("func",),
    ast.Attribute: ("value",),
    ast.Subscript: ("value",),
    ast.BinOp: ("left", "right"),
}
# Fields that hold only leaves the cost leaves out: contexts (Load, Store) and operators (Add, Not);
# and fields that hold names, numbers or flags, never a node (read for nothing on every node).
_LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "module", "level", "is_async", "conversion", "simple", "type_comment"}
)
_STEPS: dict[type[ast.AST], tuple[tuple[str, int], ...]] = {}


def _steps(cls: type[ast.AST]) -> tuple[tuple[str, int], ...]:
    """(field, weight of a level of nesting through it) for a node type, worked out once."""
    steps = _STEPS.get(cls)
    if steps is None:
        bracketed, chained = _BRACKETED.get(cls, ()), _CHAINED.get(cls, ())
        steps = _STEPS[cls] = tuple(
            (name, 64 if name in bracketed else 8 if name in chained else 1)
            for name in cls._fields
            if name not in _LEAF_FIELDS
        )
    return steps


class Nesting(NamedTuple):
    cost: int  # LibCST's parse time, estimated in units of about 0.1 µs
    nodes: int
    line: int  # of the statement that costs most


def nesting_cost(tree: ast.Module, memo: StatementMemo | None = None) -> Nesting:
    """An estimate of LibCST's parse time from the stdlib's tree. LibCST's time grows with the
    square of the nesting within a statement: 25 nested calls take it 6 ms, 199 (Python's limit
    for brackets) 240 ms, a chain of 2,000 calls 1.5 s; a file of such statements would stall
    it for hours. The estimate sums, over every node, its weighted depth below its statement:
    64 per level of brackets, 8 per link of a chain (calls, attributes, binary operators), 1
    per other operator (calibrated on each to within a factor of four). With a ``memo``, the
    statements shared with the last tree asked about are not costed again."""
    parts = [_statement_nesting(s) for s in tree.body] if memo is None else memo.each(tree, _statement_nesting)
    total, nodes, worst, worst_line = 0, 0, -1, 1
    for cost, count, costliest, line in parts:
        total += cost
        nodes += count
        if costliest > worst or (costliest == worst and line < worst_line):  # the first of the costliest
            worst, worst_line = costliest, line
    return Nesting(total, nodes, worst_line)


def _statement_nesting(top: ast.stmt) -> tuple[int, int, int, int]:
    """(cost, nodes, the cost of the costliest statement, its line) of a statement and the
    statements inside it, each costed on its own."""
    total, nodes, worst, worst_line = 0, 0, -1, 1
    statements: list[ast.AST] = [top]
    steps_of = _STEPS
    statement_type, node_type = ast.stmt, ast.AST
    while statements:
        statement = statements.pop()
        cost, level = 0, [(statement, 0)]
        while level:
            below: list[tuple[ast.AST, int]] = []
            nodes += len(level)
            for node, depth in level:
                cost += depth
                for name, step in steps_of.get(type(node)) or _steps(type(node)):
                    value = getattr(node, name)
                    if type(value) is list:
                        for child in value:
                            if isinstance(child, statement_type):
                                statements.append(child)  # costed on its own
                            elif isinstance(child, node_type):
                                below.append((child, depth + step))
                    elif isinstance(value, node_type):
                        below.append((value, depth + step))  # a statement is never a field's single value
            level = below
        total += cost
        line = getattr(statement, "lineno", 1)
        if cost > worst or (cost == worst and line < worst_line):
            worst, worst_line = cost, line
    return total, nodes, worst, worst_line


def _null_bytes(text: str) -> ParseRefused:
    # LibCST accepts a NUL byte inside a string literal; no Python does.
    return ParseRefused("source code cannot contain null bytes", text.count("\n", 0, text.find("\0")) + 1)


class _ParserThread:
    """One long-lived thread with a large stack that parses on request. A thread per file
    cost about a tenth of the parse: each new 512 MB stack is mapped and faulted in afresh."""

    def __init__(self) -> None:
        self.requests: queue.SimpleQueue = queue.SimpleQueue()
        with _stack_size_lock:
            previous = threading.stack_size(PARSER_STACK_BYTES)
            try:
                threading.Thread(target=self._serve, name="designlint-parse", daemon=True).start()
            finally:
                threading.stack_size(previous)

    def _serve(self) -> None:
        _leave_parsed_nodes_unchecked()
        while True:
            parse, text, reply = self.requests.get()
            reply.put(_parse_or_raised(parse, text))
            del text, reply  # not held while waiting for the next request

    def parse(self, parse, text: str | list[str]):
        # A reply queue per request: a caller interrupted while waiting leaves nothing behind
        # for the next caller to pick up.
        reply: queue.SimpleQueue = queue.SimpleQueue()
        self.requests.put((parse, text, reply))
        return reply.get()


# The threads whose new LibCST nodes are not checked: the parser threads. LibCST checks every
# node it makes (``CSTNode._validate``: a tenth of its parse), which proves nothing for a node
# its own parser built from code Python parsed; and it refuses some such code outright
# (``() if 0 else(lambda:())``, LibCST#1061). Nodes made anywhere else (a fix) are checked.
_unchecked_threads: set[int] = set()
_checks_wrapped = False
_checks_lock = threading.Lock()


def _leave_parsed_nodes_unchecked() -> None:
    """Leave the nodes made on the calling thread unchecked, from now on."""
    global _checks_wrapped
    import libcst as cst

    with _checks_lock:
        if not _checks_wrapped:
            check = cst.CSTNode.__post_init__
            unchecked = _unchecked_threads

            def __post_init__(self: cst.CSTNode) -> None:
                if threading.get_ident() not in unchecked:
                    check(self)

            cst.CSTNode.__post_init__ = __post_init__  # type: ignore[method-assign]
            _checks_wrapped = True
        _unchecked_threads.add(threading.get_ident())


_parser: _ParserThread | None = None
_parser_lock = threading.Lock()


def _forget_parser() -> None:
    # A forked child has no such thread, and a lock held by another thread at the fork would
    # never be released in it; a thread of the parent's ident would be a different thread.
    global _parser, _parser_lock, _stack_size_lock, _checks_lock
    _parser, _parser_lock, _stack_size_lock = None, threading.Lock(), threading.Lock()
    _checks_lock = threading.Lock()
    _unchecked_threads.clear()


os.register_at_fork(after_in_child=_forget_parser)


def parse_module(text: str) -> cst.Module:
    """``cst.parse_module`` on a thread with a large stack. Raises ``cst.ParserSyntaxError``
    or ``ParseRefused``."""
    import libcst as cst  # here: the cross-module facts and a warm run use only the stdlib checks above

    return _on_parser_thread(cst.parse_module, text)


def parse_modules(texts: list[str]) -> list[cst.Module]:
    """``parse_module`` of each text, in one trip to the parser thread (the chunks of an edited
    file, whose whole text has passed the guards)."""
    import libcst as cst

    return _on_parser_thread(lambda chunks: [cst.parse_module(chunk) for chunk in chunks], texts)


def parse_expression(text: str) -> cst.BaseExpression:
    """``cst.parse_expression`` of text found in the linted code (a string annotation, a
    forward reference), behind the same guards as a module: the stdlib parser first, the
    nesting estimate, then LibCST on the large-stack thread. Raises ``cst.ParserSyntaxError``
    or ``ParseRefused``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, "<designlint>", "eval")
    except SyntaxError:
        # What LibCST alone accepts is no expression for the running Python: refused as such.
        raise ParseRefused("not an expression the running Python parses") from None
    except (RecursionError, MemoryError, ValueError):
        raise ParseRefused("the expression is nested too deeply for Python's parser") from None
    nesting = nesting_cost(ast.Module([ast.Expr(tree.body)], []))
    if nesting.cost > nesting_budget(nesting.nodes):
        raise ParseRefused("the expression is nested too deeply to parse in reasonable time")
    import libcst as cst

    return _on_parser_thread(cst.parse_expression, text)


def _on_parser_thread(parse, text: str | list[str]):
    global _parser
    if _parser is None:
        with _parser_lock:
            if _parser is None:
                try:
                    _parser = _ParserThread()
                except RuntimeError:  # no thread (or no memory for its stack): parse here
                    return _result(_parse_or_raised(parse, text))
    return _result(_parser.parse(parse, text))


def _parse_or_raised(parse, text: str | list[str]) -> cst.CSTNode | list[cst.Module] | BaseException:
    try:
        return parse(text)
    except BaseException as exc:  # raised again in the calling thread
        return exc


def _result(result: cst.CSTNode | list[cst.Module] | BaseException):
    if not isinstance(result, BaseException):
        return result
    import libcst as cst

    if isinstance(result, cst.ParserSyntaxError | KeyboardInterrupt | SystemExit):
        raise result
    if isinstance(result, RecursionError):
        raise ParseRefused("the code is nested too deeply") from None
    # LibCST's own failures on code Python runs: a TypeError from its node checks
    # (``() if 0 else(lambda:())``, LibCST#1061), a panic of its native parser. One file's
    # DL001, not the end of the run: one hostile line must not switch the linter off.
    detail = " ".join(str(result).split())[:200]
    raise ParseRefused(f"LibCST failed on it ({type(result).__name__}: {detail}); please report this") from result
