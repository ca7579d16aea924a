"""Generated and mutated Python sources, and the property every one of them must satisfy.

Shared by the fast slice in ``tests/test_fuzz.py`` and the long run in ``bench/fuzz.py``.
"""

from __future__ import annotations

import random
import re
import signal
from contextlib import contextmanager

import hypothesmith
from hypothesis import strategies as st
from projects import FIXTURES

from designlint.config import load_config
from designlint.engine import Linter
from designlint.project import Project
from designlint.rules import REGISTRY

FIXTURE_FILES = sorted(FIXTURES.rglob("*.py"))
TOKEN = re.compile(r"\w+|[^\w\s]|\s+")
# Characters that break things: brackets, quotes, indentation, line ends, NUL, form feed.
HOSTILE = [
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "'",
    '"',
    '"""',
    "\\",
    "\t",
    "    ",
    "\n",
    "\r",
    "\r\n",
    "\x0c",
    "\x00",
    "#",
    "f'{",
    "lambda",
    "match ",
    "except* ",
    "\ufeff",
    "é",
]


def mutate(text: str, rng: random.Random) -> str:
    """One to three mutations: delete a token, truncate, swap or duplicate lines, insert junk."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(("delete_token", "truncate", "swap_lines", "duplicate_line", "insert"))
        if kind == "delete_token":
            tokens = TOKEN.findall(text)
            if tokens:
                del tokens[rng.randrange(len(tokens))]
            text = "".join(tokens)
        elif kind == "truncate":
            text = text[: rng.randint(0, len(text))]
        elif kind in ("swap_lines", "duplicate_line"):
            lines = text.splitlines(keepends=True)
            if len(lines) >= 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                if kind == "swap_lines":
                    lines[i], lines[j] = lines[j], lines[i]
                else:
                    lines.insert(j, lines[i])
            text = "".join(lines)
        else:
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(HOSTILE) + text[at:]
    return text


def fixture_mutants() -> st.SearchStrategy[str]:
    texts = [p.read_text(encoding="utf-8") for p in FIXTURE_FILES]
    return st.builds(
        lambda index, seed: mutate(texts[index], random.Random(seed)),
        st.integers(0, len(texts) - 1),
        st.integers(0, 2**32),
    )


def generated_modules() -> st.SearchStrategy[str]:
    return hypothesmith.from_grammar()


def linters() -> list[Linter]:
    """The default configuration and the dispatcher fixture's (errors.codes resolved statically)."""
    dispatcher = FIXTURES / "dispatcher"
    config = load_config(dispatcher / "pyproject.toml", REGISTRY)
    return [Linter(), Linter(config, project=Project.from_root(dispatcher))]


class TimedOut(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    def expire(signum, frame):
        raise TimedOut(f"designlint took more than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def check_source(linter: Linter, source: str | bytes, path: str = "fuzz.py", seconds: int = 20) -> None:
    """The property: the source lints, or it yields exactly one DL001 and nothing else;
    designlint raises nothing, reports no internal error (DL002), and finishes in time."""
    with time_limit(seconds):
        diagnostics = linter.lint(source, path).diagnostics
    codes = [d.code for d in diagnostics]
    assert "DL002" not in codes, [d.message for d in diagnostics]
    if "DL001" in codes:
        assert codes == ["DL001"], codes
