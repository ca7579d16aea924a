"""Decoding source bytes (PEP 263 coding line, BOM) and mapping rows/columns to offsets."""

from __future__ import annotations

import bisect
import codecs
import io
import re
import tokenize
from dataclasses import dataclass

# Python's own line terminators; str.splitlines() also splits on \f, \v, \x1c.. which
# Python (and LibCST's positions) do not count as new lines.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


class DecodeError(Exception):
    def __init__(self, message: str, row: int = 1, column: int = 1):
        super().__init__(message)
        self.row, self.column = row, column


@dataclass(frozen=True)
class Decoded:
    text: str  # without the BOM
    encoding: str  # codec name, "utf-8" by default
    bom: bool

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def decode(data: bytes) -> Decoded:
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        message = str(exc.msg if hasattr(exc, "msg") else exc)
        if message.startswith("invalid or missing encoding declaration"):
            encoding = "utf-8"  # a first line that is not UTF-8: decoding below says where
        elif bom and message.startswith("encoding problem"):
            raise DecodeError("the file starts with a UTF-8 BOM but its coding line names another encoding") from None
        else:
            raise DecodeError(message, getattr(exc, "lineno", None) or 1) from None
    body = data[len(codecs.BOM_UTF8) :] if bom else data
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        row = body[: exc.start].count(b"\n") + 1
        column = exc.start - (body.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DecodeError(
            f"cannot decode the file as {encoding}: {exc.reason} at byte {exc.start + (3 if bom else 0)}", row, column
        ) from None
    except LookupError:
        raise DecodeError(f"unknown encoding {encoding!r} in the coding line") from None
    return Decoded(text, encoding, bom)


def decode_text(text: str) -> Decoded:
    """Text given as a string (an editor's buffer): it must be Unicode, which a lone surrogate
    (``"\\ud800"`` in the JSON of a language client) is not; Python's parser would refuse it with
    an error that says nothing of where."""
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        starts = line_starts(text)
        row = bisect.bisect_right(starts, exc.start)
        raise DecodeError(
            f"the text holds a lone surrogate (U+{ord(text[exc.start]):04X}), which is not Unicode",
            row,
            exc.start - starts[row - 1] + 1,
        ) from None
    return Decoded(text, "utf-8", bom)


# A run of word characters beyond ASCII: where a name may be that Python reads otherwise than
# it is written (a word is in NFKC form when its runs are).
_WIDE_RUN = re.compile(r"[^\W\x00-\x7f]+")


def as_python_reads_names(text: str) -> str:
    """``text`` with each name in the form Python reads it: NFKC (PEP 3131), so that
    ``ｒｅｑｕｅｓｔｓ.get(url)`` is linted as the ``requests.get(url)`` it runs as, not passed over.
    A name whose form has as many characters (every row and column stays where it is); not
    one whose form is a keyword (``ｉｍｐｏｒｔ = 1`` binds a name ``import``, which no parser
    of source text would read). Strings and comments as they are. Text of ASCII only, or whose
    words are all in that form already (nearly every file), is returned as it is, untokenized."""
    if text.isascii():
        return text
    import keyword
    import unicodedata  # here: a warm run reads ASCII files only, mostly

    if unicodedata.is_normalized("NFKC", text):
        return text
    if all(unicodedata.is_normalized("NFKC", run) for run in _WIDE_RUN.findall(text)):
        return text
    lines = io.StringIO(text).readlines()  # as tokenize reads them: its rows and columns are in these
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    renamed: list[tuple[int, str]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.NAME or token.string.isascii():
                continue
            name = unicodedata.normalize("NFKC", token.string)
            if name != token.string and len(name) == len(token.string) and not keyword.iskeyword(name):
                renamed.append((starts[token.start[0] - 1] + token.start[1], name))
    except (tokenize.TokenError, SyntaxError):
        return text  # the parsers say what is wrong with it
    if not renamed:
        return text
    pieces, last = [], 0
    for offset, name in renamed:
        pieces += [text[last:offset], name]
        last = offset + len(name)
    pieces.append(text[last:])
    return "".join(pieces)


def split_lines(text: str) -> list[str]:
    """Lines without their terminators, split the way Python counts rows."""
    return LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in LINE_BREAK.finditer(text))
    return starts


def offset_of(starts: list[int], row: int, column: int) -> int:
    """Character offset of a 1-based row and 1-based column."""
    return starts[row - 1] + column - 1
