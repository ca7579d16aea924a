"""Text from the linted code or the file system, made safe to print.

Messages quote string literals and source text, and paths come from the file system; either can
hold characters a terminal acts on instead of showing them (ESC sequences retitle the window or
erase lines, CR returns over what was written, bidi overrides reorder it), characters that end
a line (LF, U+2028) and so let a string forge lines of the report, and bytes that are not UTF-8
(a file name's, decoded with surrogate escapes), which no UTF-8 stream can write. GitHub Actions
also acts on two spellings in any line of a job's log: ``::command::`` at the start of a line
(after white space) and ``##[command]`` anywhere in it.

Text formats show all of these as escapes (``printable``); JSON formats keep every value as it
is and escape them in the encoding (``dumps_json``), which any JSON decoder undoes.
"""

from __future__ import annotations

import json
import re
import unicodedata

# Format characters that stay: the joiners that scripts (Persian, Indic) and emoji sequences need.
_JOINERS = frozenset("\u200c\u200d")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Everything but printable ASCII and LF: the characters worth a closer look in JSON text.
_NOT_PLAIN_ASCII = re.compile(r"[^ -~\n]")
# "::" opening a line, after white space (.NET's TrimStart): the first colon is escaped.
_LEADING_COMMAND = re.compile(r"\s*:(?=:)")
_LEGACY_COMMAND = "##["


def _is_unsafe(char: str) -> bool:
    """A control (C0, DEL, C1), format (bidi, zero-width), line or paragraph separator, or surrogate."""
    return not char.isprintable() and unicodedata.category(char) in _UNSAFE_CATEGORIES and char not in _JOINERS


def _escape(char: str) -> str:
    """Python's spelling of ``char``, except that a byte of a file name that is not UTF-8 shows as that byte."""
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogate escape of the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable_pieces(text: str) -> list[str]:
    """How each character of ``text`` is shown: itself or its escape (one piece per character,
    so that a caret can be placed under the shown text)."""
    pieces = [_escape(char) if _is_unsafe(char) else char for char in text]
    leading = _LEADING_COMMAND.match(text)
    if leading:
        pieces[leading.end() - 1] = "\\x3a"
    start = text.find(_LEGACY_COMMAND)
    while start != -1:
        pieces[start + 2] = "\\x5b"
        start = text.find(_LEGACY_COMMAND, start + len(_LEGACY_COMMAND))
    return pieces


def printable(text: str) -> str:
    """``text`` as one line that shows every character it holds and that no terminal or CI log
    acts on: controls, separators, bidi and zero-width characters and non-UTF-8 bytes as escapes
    (``\\n``, ``\\x1b``, ``\\u202e``, ``\\xff``), ``##[`` as ``##\\x5b``, a leading ``::`` as
    ``\\x3a:``. Other text, accents and CJK included, is unchanged."""
    if text.isprintable() and _LEGACY_COMMAND not in text and not _LEADING_COMMAND.match(text):
        return text
    return "".join(printable_pieces(text))


def printable_diff(diff: str) -> tuple[str, int]:
    """``diff`` with each line made ``printable`` (lines end at LF only, so a CR or U+2028 in a
    line shows as its escape), and how many lines changed: those no longer apply as a patch."""
    lines = diff.split("\n")
    shown = [printable(line) for line in lines]
    return "\n".join(shown), sum(a != b for a, b in zip(lines, shown))


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if not _is_unsafe(char):
        return char
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)  # JSON spells an astral character as a UTF-16 pair
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


def dumps_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON, non-ASCII text as it is, except that what ``printable`` escapes is
    written as ``\\uXXXX`` (a surrogate escape of a non-UTF-8 file name as ``\\udcxx``): safe to
    print, valid UTF-8, and decoded back to the same value."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    # Outside strings JSON is printable ASCII, and "#" appears only inside strings.
    return _NOT_PLAIN_ASCII.sub(_json_escape, text).replace(_LEGACY_COMMAND, "##\\u005b")
