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
