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

GAVE_UP = "cannot analyse: rule "
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


def _nested_loops(depth: int) -> str:
    lines = ["import requests", "def f(client, url, items):", "    page = requests.get(url).text"]
    for level in range(depth):
        indent = "    " * (level + 1)
        lines += [f"{indent}for x{level} in items:", f"{indent}    page = page + x{level}"]
    return "\n".join([*lines, "    client.messages.create(model='m', system=page, messages=[])"])


def _chained_fstrings(levels: int, names: int) -> str:
    lines = ["import requests", "def f(host):", "    a0 = host"]
    lines += [f"    a{n} = f'" + "/".join([f"{{a{n - 1}}}"] * names) + "'" for n in range(1, levels + 1)]
    return "\n".join([*lines, f"    return requests.get(f'https://{{a{levels}}}', timeout=1)"])


def _named_ors(terms: int, depth: int) -> str:
    lines = [
        "def check(user, resource):",
        "    v1 = " + " or ".join(["user.tenant_id == resource.tenant_id", "user.is_admin"] * terms),
    ]
    lines += [f"    v{n} = " + " or ".join([f"v{n - 1}"] * terms) for n in range(2, depth + 1)]
    return "\n".join([*lines, f"    if not v{depth}:", "        raise PermissionError('denied')"])


def _requests(count: int) -> str:
    calls = [f"    requests.get(url + '/{n}', timeout=1)" for n in range(count)]
    return "\n".join(["import requests", "def f(url):", *calls])


def _operator_chain(terms: int, operator: str) -> str:
    chain = f" {operator} ".join(["'part'"] * terms)
    return "\n".join(
        [
            "import requests",
            "def f(client, url):",
            "    page = requests.get(url).text",
            f"    prompt = page {operator} {chain}",
            "    client.messages.create(model='m', system=prompt, messages=[])",
        ]
    )


def _elif_chain(branches: int) -> str:
    lines = [
        "import requests",
        "def f(client, url, k):",
        "    page = requests.get(url).text",
        "    if k == 0:",
        "        x = 0",
    ]
    for n in range(1, branches):
        lines += [f"    elif k == {n}:", f"        x = {n}"]
    return "\n".join([*lines, "    client.messages.create(model='m', system=page, messages=[])"])


def _string_annotation(brackets: int, parts: int) -> str:
    nested = "(" * brackets + "openai.X" + ")" * brackets
    dotted = "openai." + ".".join(["a"] * parts)
    return f"import openai\n\ndef f(a: '{nested}', b: '{dotted}') -> 'aiohttp.{dotted}':\n    pass"


def hostile_shapes() -> st.SearchStrategy[str]:
    """Small files shaped to blow up an analysis or a parse (issue 11, items 9 to 11), at
    sizes from harmless to far past what broke designlint; each ends with a line DL501 fires on."""
    shapes = st.one_of(
        st.builds(_nested_loops, st.integers(1, 30)),
        st.builds(_chained_fstrings, st.integers(1, 10), st.integers(1, 16)),
        st.builds(_named_ors, st.integers(1, 40), st.integers(1, 6)),
        st.builds(_requests, st.integers(1, 600)),
        st.builds(_operator_chain, st.integers(1, 3000), st.sampled_from(["+", "or", "and", "**", "%"])),
        st.builds(_elif_chain, st.integers(1, 1500)),
        st.builds(_string_annotation, st.integers(0, 10_000), st.integers(0, 30_000)),
    )
    return shapes.map(lambda source: source + '\nraise ToolError("RATE_LIMITED")\n')


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


# A hang guard, not a speed assertion: generous enough for a machine loaded many times over (a
# 20 s limit fired once under a load average above 10 on a file that lints in about a second).
HANG_SECONDS = 120


def check_source(linter: Linter, source: str | bytes, path: str = "fuzz.py", seconds: int = HANG_SECONDS) -> None:
    """The property: the source lints (a rule that gave up saying so with a DL001 of its
    own), or it yields exactly one DL001 and nothing else;
    designlint raises nothing, reports no internal error (DL002), and finishes in time."""
    with time_limit(seconds):
        diagnostics = linter.lint(source, path).diagnostics
    codes = [d.code for d in diagnostics]
    assert "DL002" not in codes, [d.message for d in diagnostics]
    # A rule that gave up on the file says so with a DL001 of its own; the other rules go on.
    unparsed = [d for d in diagnostics if d.code == "DL001" and not d.message.startswith(GAVE_UP)]
    if unparsed:
        assert codes == ["DL001"], codes


# -- globs (issue 11, item 12) ------------------------------------------------------------------

_GLOB_PIECES = ["*", "**", "**/", "?", "a", "b", "/", ".", "[ab]", "[!a]", "*a", "a*"]
_PATH_PIECES = ["a", "b", "ab", "ba", "/", ".py", "aa"]


def _glob_as_regex(pattern: str) -> re.Pattern[str]:
    """README's glob semantics written the obvious way, with backtracking ``re``: the oracle for
    small cases (on hostile sizes it takes minutes, which is why designlint does not use it)."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            out.append("[^" + body[1:] + "]" if body.startswith("!") else "[" + body + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.S)


def oracle_glob_matches(pattern: str, relpath: str) -> bool:
    pattern = pattern.rstrip("/")
    subject = relpath if "/" in pattern else relpath.rsplit("/", 1)[-1]
    return _glob_as_regex(pattern).fullmatch(subject) is not None


def small_glob_cases() -> st.SearchStrategy[tuple[str, str]]:
    """A glob and a path small enough for the backtracking oracle."""
    glob = st.lists(st.sampled_from(_GLOB_PIECES), min_size=1, max_size=6).map("".join)
    path = st.lists(st.sampled_from(_PATH_PIECES), min_size=1, max_size=8).map("".join)
    return st.tuples(glob.filter(lambda g: g.rstrip("/")), path.filter(lambda p: not p.startswith("/")))


def _alternating_stars(stars: int, tail: str) -> str:
    return "*a" * stars + tail


def _directory_stars(levels: int, tail: str) -> str:
    return "**/" * levels + tail


def _classes(count: int, tail: str) -> str:
    return "[ab]*" * count + tail


def hostile_glob_cases() -> st.SearchStrategy[tuple[str, str, bool]]:
    """Globs shaped for catastrophic backtracking against paths that almost match, with the
    answer known by construction (the paths never hold the final ``b``/``zz``)."""
    text = st.integers(1, 400).map(lambda n: "a" * n)
    deep = st.integers(1, 200).map(lambda n: "/".join(["a"] * n) + "/zy")
    patterns = st.one_of(
        st.tuples(st.builds(_alternating_stars, st.integers(1, 40), st.just("b")), text),
        st.tuples(st.builds(_classes, st.integers(1, 40), st.just("b")), text),
        st.tuples(st.builds(_directory_stars, st.integers(1, 40), st.just("zz")), deep),
        st.tuples(st.builds(_directory_stars, st.integers(1, 40), st.just("a/zz")), deep),
    )
    return patterns.map(lambda case: (*case, False))


def check_glob(pattern: str, relpath: str, expected: bool | None = None, seconds: int = HANG_SECONDS) -> None:
    """The property: matching finishes (no backtracking blow-up) and agrees with the oracle, and
    excluding by the glob agrees with matching the path or one of its parent directories."""
    from designlint.globs import glob_matches, path_excluded

    with time_limit(seconds):
        matched = glob_matches(pattern, relpath)
        excluded = path_excluded((pattern,), relpath)
    if expected is None:
        expected = oracle_glob_matches(pattern, relpath)
        parts = relpath.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        assert excluded is any(oracle_glob_matches(pattern, prefix) for prefix in prefixes), (pattern, relpath)
    assert matched is expected, (pattern, relpath)
    if expected:
        assert excluded
