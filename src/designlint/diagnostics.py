"""The data model: frozen dataclasses with no behaviour beyond ordering and conversion, and
the fingerprint that identifies a finding whatever its line (baselines, the LSP, the cache)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum


@dataclass(frozen=True, order=True)
class Position:
    """A place in a source text: 1-based row, 1-based column counted in characters."""

    row: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between ``start`` (inclusive) and ``end`` (exclusive) with ``content``."""

    content: str
    start: Position
    end: Position


class Applicability(str, Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class Fix:
    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True)
class Diagnostic:
    """One finding in one file. ``path`` is the path as given to the linter."""

    path: str
    code: str
    name: str
    message: str
    start: Position
    end: Position
    fix: Fix | None = None
    severity: str = "error"
    # The row a ``# noqa`` must be on to suppress this finding (the first row of
    # the node, as flake8 and ruff report it).
    noqa_row: int = field(default=0, compare=False)
    # What identifies the finding across edits that move it (see ``span_fingerprint``);
    # empty for findings with no span in the code (a file that cannot be read).
    fingerprint: str = field(default="", compare=False)

    def sort_key(self) -> tuple:
        return (self.path, self.start.row, self.start.column, self.code, self.message)

    def applicable_fix(self, unsafe: bool) -> Fix | None:
        """The fix ``--fix`` applies (with ``--unsafe-fixes`` when ``unsafe``), else None."""
        fix = self.fix
        return fix if fix is not None and (unsafe or fix.applicability is Applicability.SAFE) else None


def span_fingerprint(code: str, scope: tuple[str, ...], text: str) -> str:
    """What identifies a finding within its file, whatever its line."""
    normalised = " ".join(text.split())
    return hashlib.sha256("\0".join((code, ".".join(scope), normalised)).encode()).hexdigest()[:20]
