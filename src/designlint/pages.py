"""The rule pages read with nothing but the interpreter's built-ins, for the commands that only
show them (``designlint rules``, ``rule CODE``): importing ``tomllib``, ``re``, ``pathlib`` and
``dataclasses`` costs several times the interpreter's own start-up.

``simple_front_matter`` reads only the subset of TOML the pages use (one ``key = "text"`` or
``key = ["text", ...]`` per line, no escapes) and declines anything else, which its caller
then reads with ``tomllib``: the entry point through the catalogue, the catalogue itself
(read by every ``check``) directly.
"""

from __future__ import annotations

import os

DOCS_URL = "https://github.com/designlint/designlint/blob/main/rules/{code}.md"
_FENCE = "+++\n"
_CLOSING_FENCE = "\n+++\n"


def catalogue_dir() -> str:
    # The wheel's copy beside this module, else, in an editable install from a checkout, the
    # repository's rules/.
    here = os.path.dirname(os.path.realpath(__file__))
    packaged = os.path.join(here, "catalogue")
    return packaged if os.path.isdir(packaged) else os.path.join(os.path.dirname(os.path.dirname(here)), "rules")


def split_page(text: str) -> tuple[str, str] | None:
    """A page's front matter (the TOML between its ``+++`` fences) and its body; None when it
    does not start with the front matter block."""
    text = text.replace("\r\n", "\n")
    end = text.find(_CLOSING_FENCE, len(_FENCE))
    if not text.startswith(_FENCE) or end < 0:
        return None
    return text[len(_FENCE) : end], text[end + len(_CLOSING_FENCE) :]


def simple_front_matter(toml: str) -> dict[str, str | list[str]] | None:
    """The front matter's keys, when every line is ``key = "text"`` or ``key = ["text", ...]``
    with no backslash; None otherwise (the TOML parser must read it)."""
    meta: dict[str, str | list[str]] = {}
    for line in toml.split("\n"):
        key, sep, value = line.partition(" = ")
        if (
            not sep
            or not (bare := key.replace("-", "").replace("_", "")).isalnum()
            or not bare.isascii()
            or key in meta
            or "\\" in value
        ):
            return None
        if value.startswith("[") and value.endswith("]"):
            items = [item.strip() for item in value[1:-1].split(",")] if value[1:-1].strip() else []
            texts = [_simple_string(item) for item in items]
            if any(text is None for text in texts):
                return None
            meta[key] = [text for text in texts if text is not None]
        elif (text := _simple_string(value)) is not None:
            meta[key] = text
        else:
            return None
    return meta


def _simple_string(value: str) -> str | None:
    inner = value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == '"' and '"' not in inner and inner.isprintable():
        return inner
    return None
