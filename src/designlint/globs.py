"""Path globs for ``exclude`` and ``per-file-ignores``: ``*``, ``?``, ``[...]`` and ``**``.

A pattern with no ``/`` matches a path's final component (``tests`` excludes every
``tests`` directory); one with a ``/`` matches the whole path relative to the project root.
``*`` and ``?`` stop at ``/``; ``**/`` matches any number of whole directories, a ``**``
elsewhere anything at all.

Patterns come from the repository being linted, so matching must not backtrack: a glob is an
automaton run over the path once, in time proportional to the path's length times the glob's
(``re`` took minutes on ``*a*a*a*a*a*a*a*ab`` against 80 characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property, lru_cache


class GlobError(ValueError):
    pass


class _Wildcard(Enum):
    ANY = "?"  # one character but "/"
    STAR = "*"  # any run of characters but "/"
    ANYTHING = "**"  # any run of characters
    DIRECTORIES = "**/"  # nothing, or any run of characters ending in "/"


_ANY, _STAR, _ANYTHING, _DIRECTORIES = _Wildcard

_TRANSITIONS_KEPT = 4096  # per glob: states seen are cached, within bounds


@dataclass(frozen=True)
class Glob:
    pattern: str
    tokens: tuple[str | _Wildcard | re.Pattern[str], ...]  # a literal character, a wildcard, or a class
    literal: bool  # no wildcard or class: matched by comparing strings (most configured globs: ``migrations``)
    _transitions: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def start(self) -> frozenset[int]:
        return self._closure({0})

    def accepts(self, state: frozenset[int]) -> bool:
        return len(self.tokens) in state

    def step(self, state: frozenset[int], char: str) -> frozenset[int]:
        """The states after ``char``: a subset construction, worked out once per (states, char)."""
        key = (state, char)
        found = self._transitions.get(key)
        if found is None:
            if len(self._transitions) >= _TRANSITIONS_KEPT:
                self._transitions.clear()
            found = self._transitions[key] = self._closure(self._moves(state, char))
        return found

    def matches(self, text: str) -> bool:
        if self.literal:
            return text == self.pattern
        state = self.start
        for char in text:
            state = self.step(state, char)
            if not state:
                return False
        return self.accepts(state)

    def _moves(self, state: frozenset[int], char: str) -> set[int]:
        # State i: before token i. State -1 - i: inside the run of characters of a "**/" at i.
        moves = set()
        for position in state:
            index = -1 - position if position < 0 else position
            if index == len(self.tokens):
                continue
            token = self.tokens[index]
            if token is _DIRECTORIES:
                moves.add(-1 - index)
                if char == "/":
                    moves.add(index + 1)
            elif token is _ANYTHING:
                moves.add(index)
            elif token is _STAR:
                if char != "/":
                    moves.add(index)
            elif token is _ANY:
                if char != "/":
                    moves.add(index + 1)
            elif isinstance(token, str):
                if char == token:
                    moves.add(index + 1)
            elif isinstance(token, re.Pattern) and token.fullmatch(char):
                moves.add(index + 1)
        return moves

    def _closure(self, positions: set[int]) -> frozenset[int]:
        """With every state reachable without reading: past a ``*``, ``**`` or ``**/`` that matches nothing."""
        pending, closed = list(positions), set(positions)
        while pending:
            position = pending.pop()
            skippable = 0 <= position < len(self.tokens) and self.tokens[position] in (_STAR, _ANYTHING, _DIRECTORIES)
            if skippable and position + 1 not in closed:
                closed.add(position + 1)
                pending.append(position + 1)
        return frozenset(closed)


@lru_cache(maxsize=1024)
def compile_glob(pattern: str) -> Glob:
    if not pattern:
        raise GlobError("an empty glob matches nothing")
    tokens: list[str | _Wildcard | re.Pattern[str]] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if i < n and pattern[i] == "/":
                    i += 1
                    tokens.append(_DIRECTORIES)
                else:
                    tokens.append(_ANYTHING)
                continue
            tokens.append(_STAR)
        elif c == "?":
            tokens.append(_ANY)
        elif c == "[":
            end = pattern.find("]", i + 2 if pattern.startswith("[!", i) or pattern.startswith("[]", i) else i + 1)
            if end == -1:
                raise GlobError(f"unclosed '[' in glob {pattern!r}")
            body = pattern[i + 1 : end]
            if body.startswith("!"):
                body = "^" + body[1:]
            try:
                tokens.append(re.compile("[" + body.replace("\\", "\\\\") + "]"))
            except re.error as exc:  # e.g. a reversed range "[z-a]"
                raise GlobError(f"invalid glob {pattern!r}: {exc.msg} at position {i + (exc.pos or 0)}") from None
            i = end
        else:
            tokens.append(c)
        i += 1
    return Glob(pattern, tuple(tokens), all(type(token) is str for token in tokens))


def glob_matches(pattern: str, relpath: str) -> bool:
    """Does ``pattern`` match ``relpath`` (posix, relative) or, for slash-free patterns, its name?"""
    pattern = pattern.rstrip("/")
    glob = compile_glob(pattern)
    return glob.matches(relpath if "/" in pattern else relpath.rsplit("/", 1)[-1])


def path_excluded(patterns: tuple[str, ...], relpath: str) -> bool:
    """True when ``relpath`` or any of its parent directories matches one of ``patterns``: each
    glob is run over the path once, asked at every ``/`` whether the path so far matches."""
    if not patterns:
        return False
    components = relpath.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        glob = compile_glob(pattern)
        if "/" not in pattern:
            if pattern in components if glob.literal else any(glob.matches(part) for part in components):
                return True
            continue
        if glob.literal:
            if relpath == pattern or relpath.startswith(pattern + "/"):
                return True
            continue
        state = glob.start
        for char in relpath:
            if char == "/" and glob.accepts(state):
                return True
            state = glob.step(state, char)
            if not state:
                break
        else:
            if glob.accepts(state):
                return True
    return False
