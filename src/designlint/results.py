"""A file's lint result, and the findings designlint makes itself rather than a rule: DL001
(the file cannot be linted) and DL002 (designlint's bug, the traceback kept for --verbose)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from designlint.diagnostics import Diagnostic, Position
from designlint.reading import MAX_SOURCE_SIZE, TooLarge
from designlint.rules import INTERNAL_ERROR, PARSE_ERROR
from designlint.source import Decoded

if TYPE_CHECKING:  # a warm run's results have none, and it does not import the noqa reader
    from designlint.suppression import Suppressions


@dataclass(frozen=True)
class FileResult:
    path: str
    diagnostics: list[Diagnostic]
    decoded: Decoded | None = None  # None when the file could not be decoded
    internal_errors: list[str] = field(default_factory=list)  # tracebacks, for --verbose
    suppressions: Suppressions | None = None  # the file's ``# noqa``s, once findings were checked against them

    def internal_error(self, where: str, exc: Exception, trace: str | None = None) -> None:
        """A bug in designlint, in ``where``: DL002 for this file."""
        if trace is None:
            import traceback  # a bug's only: a warm run would import it for nothing

            trace = traceback.format_exc()
        self.internal_errors.append(trace)
        detail = " ".join(str(exc).split())  # one line, however the exception prints
        detail = detail if len(detail) <= 200 else detail[:199] + "…"
        message = f"internal error in {where}: {type(exc).__name__}: {detail}; please report this as a bug"
        self.diagnostics.append(_diagnostic(self.path, INTERNAL_ERROR, message, 1, 1))


def rule_label(code: str, name: str) -> str:
    """How a DL002 names the rule that failed."""
    return f"rule {code} ({name})"


def parse_error(path: str, message: str, row: int = 1, column: int = 1) -> Diagnostic:
    """DL001: the file cannot be read, decoded or parsed (or not in reasonable time)."""
    return _diagnostic(path, PARSE_ERROR, message, row, column)


def _diagnostic(path: str, rule: tuple[str, str], message: str, row: int, column: int) -> Diagnostic:
    position = Position(max(row, 1), max(column, 1))
    return Diagnostic(path, rule[0], rule[1], message, position, position, noqa_row=position.row)


def too_large_message(size: int | None) -> str:
    return f"the file is too large to lint ({TooLarge(size, MAX_SOURCE_SIZE)})"
