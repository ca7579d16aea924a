"""Applying fixes to a source text, and writing a fixed file atomically."""

from __future__ import annotations

import difflib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import libcst as cst

from designlint.diagnostics import Applicability, Diagnostic, Edit
from designlint.parsing import ParseRefused, parse_module
from designlint.source import line_starts, offset_of

MAX_ROUNDS = 10  # a fix may enable another; stop well before a loop could matter


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits; an edit that overlaps an earlier one is skipped."""
    starts = line_starts(text)
    starts.append(len(text) + 1)  # an insertion at the row after the last line
    spans = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        begin = min(offset_of(starts, edit.start.row, edit.start.column), len(text))
        end = min(offset_of(starts, edit.end.row, edit.end.column), len(text))
        if spans and begin < spans[-1][1]:
            continue
        spans.append((begin, end, edit.content))
    out, cursor = [], 0
    for begin, end, content in spans:
        out.append(text[cursor:begin])
        out.append(content)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    fix = diagnostic.fix
    return fix is not None and (unsafe or fix.applicability is Applicability.SAFE)


def fix_text(
    text: str, lint: Callable[[str], list[Diagnostic]], unsafe: bool = False
) -> tuple[str, int, list[Diagnostic]]:
    """Lint and fix until nothing fixable remains. Returns the text, the number of fixes
    applied and the findings left. A round whose result does not parse is discarded."""
    applied = 0
    diagnostics = lint(text)
    for _ in range(MAX_ROUNDS):
        todo = [d for d in diagnostics if fixable(d, unsafe)]
        if not todo:
            break
        # The edits of one fix go in together or not at all; an overlapping fix waits a round.
        edits: list[Edit] = []
        taken: list[tuple] = []
        this_round = 0
        for diagnostic in sorted(todo, key=Diagnostic.sort_key):
            fix_edits = diagnostic.fix.edits
            if any(_overlaps(e, t) for e in fix_edits for t in taken):
                continue
            edits.extend(fix_edits)
            taken.extend((e.start, e.end) for e in fix_edits)
            this_round += 1
        candidate = apply_edits(text, edits)
        try:
            parse_module(candidate)
        except (cst.ParserSyntaxError, ParseRefused):
            break  # never write code that does not parse
        applied += this_round
        text = candidate
        diagnostics = lint(text)
    return text, applied, diagnostics


def _overlaps(edit: Edit, span: tuple) -> bool:
    start, end = span
    return (edit.start < end and start < edit.end) or edit.start == start


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
        )
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over: readers see the old
    file or the new one, whole, never a mix. The file's mode is kept."""
    mode = path.stat().st_mode
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".designlint-tmp", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
