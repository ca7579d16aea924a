"""The documents the editor has open, as it edits them: whole-text and incremental changes, the
positions counted in the position encoding negotiated at initialisation (utf-16 unless the
client offers utf-8 or utf-32 first), lines ended as LSP ends them (``\\n``, ``\\r\\n``, ``\\r``)."""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import unquote, urlsplit

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
ENCODINGS = (UTF16, UTF8, UTF32)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DRIVE = re.compile(r"/[A-Za-z]:")


def choose_encoding(offered: Any) -> str:
    """The first of the client's ``general.positionEncodings`` the server knows; else utf-16,
    which every client must support."""
    if isinstance(offered, list):
        for encoding in offered:
            if encoding in ENCODINGS:
                return encoding
    return UTF16


def code_units(text: str, encoding: str) -> int:
    """How long ``text`` is in ``encoding``'s code units (a lone surrogate counts as the
    character it is)."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _char_units(character: str, encoding: str) -> int:
    point = ord(character)
    if encoding == UTF16:
        return 2 if point > 0xFFFF else 1
    return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4


def column(line: str, units: int, encoding: str) -> int:
    """The index in ``line`` (no line break) of the character ``units`` code units in; past the
    end, the end. A position inside a character (half a surrogate pair) is taken as after it."""
    if encoding == UTF32 or line.isascii():
        return min(units, len(line))
    counted = 0
    for index, character in enumerate(line):
        if counted >= units:
            return index
        counted += _char_units(character, encoding)
    return len(line)


def offset(text: str, position: Any, encoding: str) -> int:
    """The index in ``text`` of an LSP ``position`` (0-based line and code units); a line past
    the last is the end of the text. Raises ``ValueError`` for a position that is no position."""
    try:
        line, units = position["line"], position["character"]
    except (TypeError, KeyError):
        raise ValueError(f"not a position: {position!r}") from None
    if not (isinstance(line, int) and isinstance(units, int)) or line < 0 or units < 0:
        raise ValueError(f"not a position: {position!r}")
    start = 0
    if line:
        for number, found in enumerate(_LINE_BREAK.finditer(text), 1):
            if number == line:
                start = found.end()
                break
        else:
            return len(text)
    line_break = _LINE_BREAK.search(text, start)
    end = line_break.start() if line_break else len(text)
    return start + column(text[start:end], units, encoding)


def apply_change(text: str, change: Any, encoding: str) -> str:
    """``text`` after one of ``didChange``'s content changes: the whole text, or a range
    replaced. Raises ``ValueError`` for a change that is neither."""
    if not isinstance(change, dict) or not isinstance(change.get("text"), str):
        raise ValueError(f"not a content change: {change!r}")
    edit_range = change.get("range")
    if edit_range is None:
        return change["text"]
    if not isinstance(edit_range, dict):
        raise ValueError(f"not a range: {edit_range!r}")
    start = offset(text, edit_range.get("start"), encoding)
    end = max(start, offset(text, edit_range.get("end"), encoding))
    return text[:start] + change["text"] + text[end:]


def uri_to_path(uri: str) -> str:
    """The file system path of a ``file:`` URI, as pygls gave it (percent-decoded; ``//host``
    for a UNC share; a Windows drive letter in lower case); of another scheme's URI (a
    notebook cell's), its path."""
    parts = urlsplit(uri)
    path = unquote(parts.path)
    if parts.scheme == "file":
        if parts.netloc and path:
            path = f"//{unquote(parts.netloc)}{path}"
        elif _DRIVE.match(path):
            path = path[1].lower() + path[2:]
        if os.sep != "/":
            path = path.replace("/", os.sep)
    return path


class TextDocument:
    """One version of an open document; a change makes a new one, so a thread that took a
    document reads a version and its text that go together."""

    __slots__ = ("path", "text", "uri", "version")

    def __init__(self, uri: str, text: str, version: int | None, path: str | None = None):
        self.uri, self.text, self.version = uri, text, version
        self.path = uri_to_path(uri) if path is None else path


class Documents:
    """The open documents by their URI, exactly as the client spells it."""

    def __init__(self) -> None:
        self.encoding = UTF16
        self._open: dict[str, TextDocument] = {}

    def get(self, uri: str) -> TextDocument | None:
        return self._open.get(uri)

    def all(self) -> list[TextDocument]:
        return list(self._open.values())

    def open(self, uri: str, text: str, version: int | None) -> None:
        self._open[uri] = TextDocument(uri, text, version)

    def change(self, uri: str, version: int | None, changes: list) -> TextDocument | None:
        """Apply ``changes`` in order; None (and nothing changed) for a document not open.
        Raises ``ValueError`` for a malformed change (the document is left as it was)."""
        document = self._open.get(uri)
        if document is None:
            return None
        text = document.text
        for change in changes:
            text = apply_change(text, change, self.encoding)
        changed = TextDocument(uri, text, version, document.path)
        self._open[uri] = changed
        return changed

    def close(self, uri: str) -> None:
        self._open.pop(uri, None)
