"""Path globs for ``exclude`` and ``per-file-ignores``: ``*``, ``?``, ``[...]`` and ``**``.

A pattern with no ``/`` matches a path's final component (``tests`` excludes every
``tests`` directory); one with a ``/`` matches the whole path relative to the project root.
"""

from __future__ import annotations

import re
from functools import lru_cache


class GlobError(ValueError):
    pass


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> re.Pattern[str]:
    if not pattern:
        raise GlobError("an empty glob matches nothing")
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if i < n and pattern[i] == "/":
                    i += 1
                    out.append("(?:.*/)?")
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern.startswith("[!", i) or pattern.startswith("[]", i) else i + 1)
            if end == -1:
                raise GlobError(f"unclosed '[' in glob {pattern!r}")
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("".join(out) + r"\Z")
    except re.error as exc:  # e.g. a reversed range "[z-a]"
        raise GlobError(f"invalid glob {pattern!r}: {exc}") from None


def glob_matches(pattern: str, relpath: str) -> bool:
    """Does ``pattern`` match ``relpath`` (posix, relative) or, for slash-free patterns, its name?"""
    regex = compile_glob(pattern.rstrip("/"))
    if "/" in pattern.rstrip("/"):
        return regex.match(relpath) is not None
    return regex.match(relpath.rsplit("/", 1)[-1]) is not None


def path_excluded(patterns: tuple[str, ...], relpath: str) -> bool:
    """True when ``relpath`` or any of its parent directories matches one of ``patterns``."""
    if not patterns:
        return False
    parts = relpath.split("/")
    for i in range(len(parts)):
        prefix = "/".join(parts[: i + 1])
        if any(glob_matches(p, prefix) for p in patterns):
            return True
    return False
