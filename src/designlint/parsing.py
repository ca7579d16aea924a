"""Parsing with LibCST so that hostile input can neither kill the process nor stall it.

LibCST's native parser recurses once per nesting level on the C stack: a few thousand nested
brackets or unary operators overflow the main thread's 8 MB stack and kill the process with
SIGSEGV, and its time grows with the square of the depth (10,000 brackets: over a minute).
So the stdlib parser (C, with fixed limits of its own) first rejects what no Python version
accepts, and LibCST then runs on a thread with a large stack.
"""

from __future__ import annotations

import ast
import threading
import warnings
from dataclasses import dataclass

import libcst as cst

# SyntaxError messages of the fixed limits of Python's parser (the same in every version since
# 3.9): code beyond them runs nowhere, whatever syntax it uses.
_LIMIT_MESSAGES = ("too many nested parentheses", "too many indentation levels", "too many statically nested blocks", "too complex")
# Virtual memory, committed only as far as it is used; about 50,000 levels of LibCST recursion.
PARSER_STACK_BYTES = 512 << 20
_stack_size_lock = threading.Lock()


class ParseRefused(Exception):
    """Code no Python parses: nested too deeply, or holding NUL bytes."""

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
    tree: ast.Module | None = None  # when it compiles: the line of each statement, for positions


def stdlib_verdict(text: str) -> StdlibVerdict:
    try:
        with warnings.catch_warnings():  # e.g. "invalid escape sequence": not ours to print
            warnings.simplefilter("ignore")
            tree = compile(text, "<designlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        message = str(exc.msg)
        if "null bytes" in message:
            return StdlibVerdict(False, _null_bytes(text))
        if any(limit in message for limit in _LIMIT_MESSAGES):
            return StdlibVerdict(False, ParseRefused(message, exc.lineno or 1))
        return StdlibVerdict(False, syntax_error=exc if exc.lineno else None)
    except (RecursionError, MemoryError):
        return StdlibVerdict(False, ParseRefused("the code is nested too deeply for Python's parser"))
    except ValueError:  # NUL bytes, on Python versions that raise ValueError for them
        return StdlibVerdict(False, _null_bytes(text))
    return StdlibVerdict(True, tree=tree)


def _null_bytes(text: str) -> ParseRefused:
    # LibCST accepts a NUL byte inside a string literal; no Python does.
    return ParseRefused("source code cannot contain null bytes", text.count("\n", 0, text.find("\0")) + 1)


def parse_module(text: str) -> cst.Module:
    """``cst.parse_module`` on a thread with a large stack. Raises ``cst.ParserSyntaxError``
    or ``ParseRefused``."""
    outcome: list = []

    def parse() -> None:
        try:
            outcome.append(cst.parse_module(text))
        except BaseException as exc:  # handed to the calling thread below
            outcome.append(exc)

    with _stack_size_lock:
        previous = threading.stack_size(PARSER_STACK_BYTES)
        try:
            worker = threading.Thread(target=parse, name="designlint-parse", daemon=True)
            worker.start()
        except RuntimeError:  # no thread (or no memory for its stack): parse here
            worker = None
        finally:
            threading.stack_size(previous)
    if worker is None:
        parse()
    else:
        worker.join()
    result = outcome[0]
    if isinstance(result, RecursionError):
        raise ParseRefused("the code is nested too deeply") from None
    if isinstance(result, BaseException):
        raise result
    return result
