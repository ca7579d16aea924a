"""``--add-noqa``: a ``# noqa: CODE`` on every line with a finding, written as ``--fix`` writes.

Existing comments and codes are kept (the codes of a ``# noqa: X`` are extended); running it
again adds nothing. A finding's comment goes on its ``noqa_row``; when that line ends inside a
string literal (or continues with a backslash) no comment can go there, and it is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from designlint.diagnostics import Diagnostic
from designlint.fixes import NotWritten, apply_edits, write_fixed_file
from designlint.parsing import stdlib_tree
from designlint.rules import INTERNAL_ERROR, PARSE_ERROR
from designlint.source import DecodeError, decode, split_lines
from designlint.suppression import noqa_edit

# Reported by the engine before any ``# noqa`` is read: a comment cannot suppress them.
_UNSUPPRESSIBLE = (PARSE_ERROR[0], INTERNAL_ERROR[0])


@dataclass
class AddedNoqa:
    added: int = 0  # directives added or extended
    files: int = 0
    problems: list[str] = field(default_factory=list)  # "path:row: why", one per line or file skipped


def add_noqa(diagnostics: list[Diagnostic], root_of) -> AddedNoqa:
    """Add the comments for ``diagnostics``; ``root_of(path)`` is the project root a write
    through a symlink must stay in (as for ``--fix``)."""
    codes_by_file: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for d in diagnostics:
        if d.code not in _UNSUPPRESSIBLE and d.path != "-":
            codes_by_file[d.path][d.noqa_row or d.start.row].append(d.code)
    outcome = AddedNoqa()
    for path, codes_by_row in codes_by_file.items():
        if path.endswith(".md"):  # the design document: its own comment syntax, which tables constrain
            outcome.problems.append(f"{path}: not a Python file: suppress there with <!-- designlint: noqa: CODE -->")
            continue
        _add_to_file(Path(path), codes_by_row, root_of(path), outcome)
    return outcome


def _add_to_file(path: Path, codes_by_row: dict[int, list[str]], root: Path, outcome: AddedNoqa) -> None:
    try:
        original = path.read_bytes()
        decoded = decode(original)
    except (OSError, DecodeError) as exc:
        outcome.problems.append(f"{path}: cannot add # noqa: {getattr(exc, 'strerror', None) or exc}")
        return
    text = decoded.text
    lines = split_lines(text)
    edits = []
    for row in sorted(codes_by_row):
        if row > len(lines):
            continue
        edit = noqa_edit(text, lines, sorted(set(codes_by_row[row])), row)
        if edit is not None:
            edits.append(edit)
        else:  # a line with a finding has no noqa covering it: no comment can go there
            outcome.problems.append(
                f"{path}:{row}: cannot add # noqa: the line ends inside a string literal or continues with a backslash"
            )
    if not edits:
        return
    fixed = apply_edits(text, edits)
    try:
        stdlib_tree(fixed)  # silently: the file's own warnings are not ours to print
    except (SyntaxError, ValueError):
        outcome.problems.append(f"{path}: cannot add # noqa: the result would not parse (left as it was)")
        return
    try:
        write_fixed_file(path, original, decoded.encode(fixed), root)
    except NotWritten as exc:
        outcome.problems.append(f"{path}: cannot write the file: {exc}")
        return
    outcome.added += len(edits)
    outcome.files += 1
