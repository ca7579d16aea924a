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


@dataclass
class Suppressions:
    by_row: dict[int, frozenset[str] | None] = field(default_factory=dict)
    file_codes: frozenset[str] | None = frozenset()  # None: the whole file is suppressed

    def suppresses(self, code: str, row: int) -> bool:
        if self.file_codes is ALL or _matches(self.file_codes, code):
            return True
        if row not in self.by_row:
            return False
        codes = self.by_row[row]
        return codes is ALL or _matches(codes, code)


def _matches(codes: frozenset[str], code: str) -> bool:
    return any(code.startswith(c) for c in codes)


def _codes(match: re.Match[str]) -> frozenset[str] | None:
    raw = match.group("codes")
    return frozenset(c.upper() for c in re.split(r"[,\s]+", raw) if c) if raw else ALL


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
            continue
        if file_match:
            continue  # "# designlint: noqa" after code is not a line noqa either
        match = NOQA_INLINE.search(comment)
        if match:
            codes = _codes(match)
            previous = result.by_row.get(row, frozenset())
            result.by_row[row] = ALL if codes is ALL or previous is ALL else previous | codes
    result.file_codes = frozenset(file_codes)
    return result


def comments(text: str):
    """(row, comment text, is the comment alone on its line) for every comment token."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
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
    listed = _codes(match) if match else frozenset()
    missing = [code for code in dict.fromkeys(codes) if code not in listed]
    if not missing:
        return None
    if match:
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
