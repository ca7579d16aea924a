"""Fixes: as a rule states them (``NodeFix``, in terms of nodes), as text edits, applied to a
source text, and a fixed file written atomically."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from designlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Position
from designlint.source import line_starts, offset_of

if TYPE_CHECKING:
    import libcst as cst
    from libcst.metadata import CodeRange

MAX_ROUNDS = 10  # a fix may enable another; stop well before a loop could matter


@dataclass(frozen=True)
class Replace:
    """Replace ``node`` with ``replacement`` (a node, or its source text)."""

    node: cst.CSTNode
    replacement: cst.CSTNode | str


@dataclass(frozen=True)
class AddImport:
    """Add ``statement`` (e.g. ``from app.errors import ErrorCode``) after the module's docstring
    and ``__future__`` imports."""

    statement: str


Change = Replace | AddImport


@dataclass(frozen=True)
class NodeFix:
    """A fix as a rule states it, in terms of nodes; ``text_fix`` turns it into text edits."""

    message: str
    changes: tuple[Change, ...]
    applicability: Applicability = Applicability.SAFE


def text_fix(node_fix: NodeFix, module: cst.Module, range_of: Callable[[cst.CSTNode], CodeRange]) -> Fix:
    """``node_fix`` as edits of the text of ``module``; ``range_of`` places a node of it."""
    import libcst as cst  # here and below: the text half of this module serves a warm run, without LibCST

    edits = []
    for change in node_fix.changes:
        if isinstance(change, Replace):
            content = (
                change.replacement if isinstance(change.replacement, str) else module.code_for_node(change.replacement)
            )
            edits.append(Edit(content, *span(range_of(change.node))))
        elif isinstance(change, AddImport):
            extended = _extended_import(module, change.statement)
            if extended is not None:  # `from app.errors import ToolError` gains the name
                statement, code = extended
                edits.append(Edit(code, *span(range_of(statement))))
                continue
            row, before = _import_insertion_point(module, range_of)
            # Joins an import block as one more line; before other code, PEP 8's blank lines follow.
            spacing = (
                0
                if isinstance(before, (cst.Import, cst.ImportFrom))
                else 2
                if isinstance(before, (cst.FunctionDef, cst.ClassDef))
                else 1
                if before
                else 0
            )
            edits.append(
                Edit(change.statement + module.default_newline * (1 + spacing), Position(row, 1), Position(row, 1))
            )
    return Fix(node_fix.message, tuple(sorted(edits, key=lambda e: (e.start, e.end))), node_fix.applicability)


def span(code_range: CodeRange) -> tuple[Position, Position]:
    """LibCST's range (0-based columns) as designlint's start and end (1-based columns)."""
    return Position(code_range.start.line, code_range.start.column + 1), Position(
        code_range.end.line, code_range.end.column + 1
    )


def _extended_import(module: cst.Module, statement: str) -> tuple[cst.ImportFrom, str] | None:
    """A module-level ``from X import ...`` that a new ``from X import Y`` can join, and its
    code with the name added; None when there is none (or the statement is another kind)."""
    import libcst as cst

    try:
        parsed = cst.parse_statement(statement)
    except cst.ParserSyntaxError:
        return None
    wanted = parsed.body[0] if isinstance(parsed, cst.SimpleStatementLine) else None
    if not isinstance(wanted, cst.ImportFrom) or isinstance(wanted.names, cst.ImportStar):
        return None
    for line in module.body:
        for existing in line.body if isinstance(line, cst.SimpleStatementLine) else ():
            if (
                isinstance(existing, cst.ImportFrom)
                and not isinstance(existing.names, cst.ImportStar)
                and existing.module is not None
                and wanted.module is not None
                and existing.module.deep_equals(wanted.module)
                and len(existing.relative) == len(wanted.relative)
            ):
                *names, last = existing.names
                if isinstance(last.comma, cst.Comma):  # a trailing comma (in parentheses): keep its layout
                    # Between names: the comma (and line break and indent) the names already have.
                    between = (
                        names[-1].comma
                        if names
                        else cst.Comma(whitespace_after=existing.lpar.whitespace_after)
                        if existing.lpar
                        else last.comma
                    )
                    *others, final = wanted.names
                    added = [
                        *names,
                        last.with_changes(comma=between),
                        *(alias.with_changes(comma=between) for alias in others),
                        final.with_changes(comma=last.comma),
                    ]
                else:
                    separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                    added = [*names, last.with_changes(comma=separator), *wanted.names]
                return existing, module.code_for_node(existing.with_changes(names=added))
    return None


def _import_insertion_point(
    module: cst.Module, range_of: Callable[[cst.CSTNode], CodeRange]
) -> tuple[int, cst.CSTNode | None]:
    """Where a new import goes: the row after the docstring and ``__future__`` imports, and the
    statement it lands before (an import, a def or class, other code, or None at the end)."""
    import libcst as cst

    row = 1
    for index, statement in enumerate(module.body):
        first = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and statement.body else None
        is_docstring = (
            index == 0
            and isinstance(first, cst.Expr)
            and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString))
        )
        is_future = (
            isinstance(first, cst.ImportFrom)
            and isinstance(first.module, cst.Name)
            and first.module.value == "__future__"
        )
        if not (is_docstring or is_future):
            decorators = getattr(statement, "decorators", ())  # a def's range starts at `def`, after them
            return range_of(decorators[0] if decorators else statement).start.line, first or statement
        row = range_of(statement).end.line + 1
    return row, None


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits; an edit that overlaps an earlier one is skipped."""
    starts = line_starts(text)
    starts.append(len(text) + 1)  # an insertion at the row after the last line
    spans: list[tuple[int, int, str]] = []
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


def fix_text(
    text: str, lint: Callable[[str], list[Diagnostic]], unsafe: bool = False
) -> tuple[str, int, list[Diagnostic]]:
    """Lint and fix until nothing fixable remains. Returns the text, the number of fixes
    applied and the findings left. A round whose result does not parse is discarded."""
    import libcst as cst

    from designlint.parsing import ParseRefused, parse_module  # with --fix only, as LibCST

    applied = 0
    diagnostics = lint(text)
    for _ in range(MAX_ROUNDS):
        todo = [
            fix for d in sorted(diagnostics, key=Diagnostic.sort_key) if (fix := d.applicable_fix(unsafe)) is not None
        ]
        if not todo:
            break
        # The edits of one fix go in together or not at all; an overlapping fix waits a round.
        edits: list[Edit] = []
        taken: list[tuple] = []
        this_round = 0
        for fix in todo:
            fix_edits = fix.edits
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
    import difflib  # with --diff only

    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
        )
    )


TEMPORARY_SUFFIX = ".designlint-tmp"  # a fixed file is written under a short name beside it, then renamed


class NotWritten(Exception):
    """A fixed file was left as it was; the message says why, to follow "cannot write the fixed file: "."""


def write_fixed_file(path: Path, original: bytes, fixed: bytes, root: Path) -> None:
    """Replace the file at ``path``, which held ``original`` when it was linted, with ``fixed``.

    The new content goes to a temporary file beside the target, which is renamed over it:
    readers see the old file or the new one, whole. Just before the rename, the file must
    still be the same one, holding ``original`` byte for byte; an edit made meanwhile is kept.
    Mode, owner and group are kept; a symlink is written through to its target, which must be
    inside ``root``. Read-only files, files this user may not write and files with other hard
    links (which the rename would split) are not written. Raises ``NotWritten``; the file is
    then as it was.
    """
    import tempfile  # with --fix only: it imports shutil, random and the compressors

    try:
        target = _write_target(path, root)
        before = os.lstat(target)
        _refuse_unwritable(target, before)
        descriptor, temporary = tempfile.mkstemp(prefix=".", suffix=TEMPORARY_SUFFIX, dir=target.parent)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(fixed)
                handle.flush()
                _keep_owner(handle.fileno(), before)
                os.fsync(handle.fileno())
            os.chmod(temporary, before.st_mode & 0o7777)  # after the chown, which may clear set-id bits
            _check_unchanged(target, before, original)
            os.replace(temporary, target)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise NotWritten(exc.strerror or str(exc)) from exc


def _write_target(path: Path, root: Path) -> Path:
    """The file a write to ``path`` lands in: through symlinks (in the name or a directory on
    the way), but never outside the project, which a linted repository could point anywhere."""
    target = Path(os.path.realpath(path))
    if target != Path(os.path.abspath(path)) and not target.is_relative_to(os.path.realpath(root)):
        raise NotWritten(f"it leads through a symlink to {target}, outside the project")
    return target


def _refuse_unwritable(target: Path, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise NotWritten("it is no longer a regular file")
    # os.access says yes to root whatever the mode: the mode bits say whether it is meant to be written.
    if not status.st_mode & 0o222:
        raise NotWritten("it is read-only")
    if not os.access(target, os.W_OK):
        raise NotWritten("this user may not write it")
    if status.st_nlink > 1:
        raise NotWritten(f"it has {status.st_nlink} hard links, which a rewrite would split")


def _keep_owner(descriptor: int, before: os.stat_result) -> None:
    created = os.fstat(descriptor)
    if (created.st_uid, created.st_gid) == (before.st_uid, before.st_gid):
        return
    try:
        os.fchown(descriptor, before.st_uid, before.st_gid)
    except OSError as exc:  # not root, and the file is another user's (or in a group this user is not in)
        raise NotWritten(
            f"its owner and group ({before.st_uid}:{before.st_gid}) cannot be kept: {exc.strerror or exc}"
        ) from exc


# What must not have changed between the checks before writing and the rename.
_IDENTITY = ("st_dev", "st_ino", "st_mode", "st_uid", "st_gid", "st_nlink")


def _check_unchanged(target: Path, before: os.stat_result, original: bytes) -> None:
    """The file is still the one checked before writing, and holds what was linted. Its bytes
    are compared, not its mtime, which can stay the same across a quick edit."""
    changed = NotWritten("it changed after it was read (left as it is: run --fix again)")
    try:
        descriptor = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:  # deleted, or replaced by a symlink
        raise changed from exc
    with os.fdopen(descriptor, "rb") as handle:
        now = os.fstat(descriptor)
        same_file = all(getattr(now, field) == getattr(before, field) for field in _IDENTITY)
        if not same_file or now.st_size != len(original) or handle.read() != original:
            raise changed
