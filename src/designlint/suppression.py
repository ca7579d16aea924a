"""``# noqa`` comments, with flake8's spelling rules.

- ``# noqa`` on a line suppresses every finding on that line;
- ``# noqa: DL501, DL101`` (commas and/or spaces) only those codes or prefixes;
- ``# designlint: noqa`` on a line of its own suppresses the whole file, and
  ``# designlint: noqa: DL501`` only those codes in it.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field

from designlint.diagnostics import Edit, Position
from designlint.fixes import apply_edits
from designlint.source import split_lines

# flake8's inline form: the colon may be followed by one space; codes are separated by
# commas and/or white space. ``# noqa:E501`` and ``# NOQA: DL501,DL101`` both count.
_CODES = r"[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*"
NOQA_INLINE = re.compile(rf"#\s*noqa(?::[\s]?(?P<codes>{_CODES}))?", re.IGNORECASE)
NOQA_FILE = re.compile(rf"#\s*designlint\s*:\s*noqa(?::[\s]?(?P<codes>{_CODES}))?", re.IGNORECASE)

ALL = None  # a blanket suppression
# A text search before tokenizing: could the text hold a directive with a designlint code?
MAY_NAME_DL_CODES = re.compile(r"noqa[^\n]*\bDL\d", re.IGNORECASE)


@dataclass(frozen=True)
class Directive:
    """One ``# noqa: CODES`` (or ``# designlint: noqa: CODES``) comment with codes."""

    row: int
    comment: str  # the comment token: from its "#" to the end of the line
    span: tuple[int, int]  # of the directive, within the comment
    codes_span: tuple[int, int]  # of its codes, within the comment
    codes: tuple[str, ...]  # as written (upper-cased), in order
    file_level: bool


FILE = 0  # the row ``Suppressions.used`` records for a file-level directive


@dataclass
class Suppressions:
    by_row: dict[int, frozenset[str] | None] = field(default_factory=dict)
    file_codes: frozenset[str] | None = frozenset()  # None: the whole file is suppressed
    directives: list[Directive] = field(default_factory=list)  # those with codes, for DL003
    used: set[tuple[int, str]] = field(default_factory=set)  # (row or FILE, code) that suppressed something

    def suppresses(self, code: str, row: int) -> bool:
        if self.file_codes is ALL:
            return True
        if self._record(FILE, self.file_codes, code):
            return True
        if row not in self.by_row:
            return False
        codes = self.by_row[row]
        return codes is ALL or self._record(row, codes, code)

    def _record(self, row: int, codes: frozenset[str], code: str) -> bool:
        matching = [c for c in codes if code.startswith(c)]
        self.used.update((row, c) for c in matching)
        return bool(matching)


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    raw = match.group("codes")
    return frozenset(_listed(raw)) if raw else ALL


def _listed(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.upper() for c in re.split(r"[,\s]+", raw) if c))


def parse_suppressions(text: str) -> Suppressions:
    result = Suppressions()
    if "noqa" not in text and "NOQA" not in text.upper():
        return result
    file_codes: set[str] = set()
    for row, comment, own_line in comments(text):
        file_match = NOQA_FILE.match(comment)
        if file_match and own_line:
            codes = _codes(file_match)
            if codes is ALL:
                result.file_codes = ALL
                return result
            file_codes |= codes
            result.directives.append(_directive(row, comment, file_match, file_level=True))
            continue
        if file_match:
            continue  # "# designlint: noqa" after code is not a line noqa either
        match = NOQA_INLINE.search(comment)
        if match:
            codes = _codes(match)
            previous = result.by_row.get(row, frozenset())
            result.by_row[row] = ALL if codes is ALL or previous is ALL else previous | codes
            if codes is not ALL:
                result.directives.append(_directive(row, comment, match, file_level=False))
    result.file_codes = frozenset(file_codes)
    return result


def _directive(row: int, comment: str, match: re.Match[str], file_level: bool) -> Directive:
    return Directive(row, comment, match.span(), match.span("codes"), _listed(match.group("codes")), file_level)


def comments(text: str):
    """(row, comment text, is the comment alone on its line) for every comment token."""
    try:
        # newline="": lines end at CR, LF or CRLF, as Python counts them (a lone CR file is one line otherwise).
        for token in tokenize.generate_tokens(io.StringIO(text, newline="").readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string, not token.line[: token.start[1]].strip()
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # The parser accepted the file but tokenize did not (rare): fall back to text.
        for row, line in enumerate(split_lines(text), start=1):
            index = line.find("#")
            if index != -1:
                yield row, line[index:], not line[:index].strip()


def noqa_edit(text: str, lines: list[str], codes: list[str], row: int) -> Edit | None:
    """The edit that makes a ``# noqa`` on ``row`` cover ``codes``: extend the codes of the
    noqa comment there (keeping them and any other comment), or add one. None when no comment
    there can: the line ends inside a string literal, or continues with a backslash."""
    line = lines[row - 1]
    comment = next((c for r, c, _ in comments(text) if r == row), None)
    match = NOQA_INLINE.search(comment) if comment else None
    if match and not match.group("codes"):
        return None  # a blanket noqa already suppresses everything
    listed = frozenset(_listed(match.group("codes"))) if match else frozenset()
    missing = [code for code in dict.fromkeys(codes) if code not in listed]
    if not missing:
        return None
    if comment and match:
        column = len(line) - len(comment) + match.end("codes") + 1
        edit = Edit("".join(f", {code}" for code in missing), Position(row, column), Position(row, column))
    elif line.rstrip().endswith("\\"):
        return None  # a comment after a line continuation would end it
    else:
        code_end = len(line.rstrip()) + 1
        edit = Edit(f"  # noqa: {', '.join(missing)}", Position(row, code_end), Position(row, len(line) + 1))
    # A comment inserted into a multi-line string is no comment: check with the real reader.
    suppressions = parse_suppressions(apply_edits(text, [edit]))
    return edit if all(suppressions.suppresses(code, row) for code in missing) else None


@dataclass(frozen=True)
class UnusedCodes:
    directive: Directive
    codes: tuple[str, ...]  # the directive's codes that suppressed nothing
    removal: Edit  # drops them, or the directive when none is left
    start: Position  # of the directive
    end: Position


def unused_codes(suppressions: Suppressions, lines: list[str], checked: Callable[[str], bool]) -> list[UnusedCodes]:
    """The codes of each directive that suppressed nothing in this lint; only codes for which
    ``checked`` says yes are looked at (another tool's, or a rule that did not run, are not)."""
    out = []
    for directive in suppressions.directives:
        row = FILE if directive.file_level else directive.row
        unused = tuple(c for c in directive.codes if checked(c) and (row, c) not in suppressions.used)
        if unused:
            line = lines[directive.row - 1]
            kept = [c for c in directive.codes if c not in unused]
            column = len(line) - len(directive.comment) + 1  # of the "#": a comment runs to the end of its line
            start, end = (Position(directive.row, column + offset) for offset in directive.span)
            out.append(UnusedCodes(directive, unused, _removal(directive, kept, line), start, end))
    return out


def _removal(directive: Directive, kept: list[str], line: str) -> Edit:
    row = directive.row
    column = len(line) - len(directive.comment) + 1  # of the "#": a comment runs to the end of its line
    if kept:
        start, end = directive.codes_span
        return Edit(", ".join(kept), Position(row, column + start), Position(row, column + end))
    rest = _without(directive.comment, *directive.span)
    if rest:
        return Edit(rest, Position(row, column), Position(row, len(line) + 1))
    if not line[: column - 1].strip():  # the comment was alone on its line: so goes the line
        return Edit("", Position(row, 1), Position(row + 1, 1))
    return Edit("", Position(row, len(line[: column - 1].rstrip()) + 1), Position(row, len(line) + 1))


def _without(comment: str, start: int, end: int) -> str:
    """The comment without the directive at ``start:end``; other text in it is kept as a comment."""
    before, after = comment[:start].rstrip(), comment[end:].strip()
    if before and after:
        return f"{before} {after}"
    if after and not after.startswith("#"):
        return f"# {after}"
    return before or after
