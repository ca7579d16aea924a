"""Hostile files, each with its exact outcome: designlint reports, it never crashes or hangs.

Every source case ends with a line DL501 fires on, so "lints" is visible as that finding.
"""

from __future__ import annotations

import ast
import errno
import hashlib
import hmac
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import libcst as cst
import pytest
from click.testing import CliRunner

from designlint import engine, runner
from designlint.cache import MARKER_TEXT, config_fingerprint, content_digest, entry_key, open_cache
from designlint.cli import main
from designlint.engine import lint_source
from designlint.globs import glob_matches
from designlint.resolution import ConfigResolver
from designlint.runner import Options, lint_paths

CODE = b'raise ToolError("RATE_LIMITED")\n'
DL501 = 'raw error code "RATE_LIMITED": use a member of the error-code enum (name it in [tool.designlint.errors] codes)'


ESCAPE = "(unicode error) 'unicodeescape' codec can't decode bytes in position 0-15"
NESTING = "cannot parse in reasonable time: expressions nested too deeply (nesting cost {cost}; the limit for this file is {budget})"


def lints(row: int) -> list[tuple]:
    return [("DL501", row, 17, DL501)]


def parse_error(row: int, column: int, message: str) -> list[tuple]:
    return [("DL001", row, column, message)]


SOURCES = {
    "empty file": (b"", []),
    "only a BOM": (b"\xef\xbb\xbf", []),
    "BOM then code": (b"\xef\xbb\xbf" + CODE, lints(1)),
    "invalid UTF-8": (
        b"x = 1\ny = '\xff'\n" + CODE,
        parse_error(2, 6, "cannot decode the file as utf-8: invalid start byte at byte 11"),
    ),
    "invalid UTF-8 on the first line": (
        b"x = '\xc3\x28'\n" + CODE,
        parse_error(1, 6, "cannot decode the file as utf-8: invalid continuation byte at byte 5"),
    ),
    "unknown PEP 263 encoding": (b"# -*- coding: klingon -*-\n" + CODE, parse_error(1, 1, "unknown encoding: klingon")),
    "PEP 263 line that lies": (
        b"# coding: ascii\nx = '\xc3\xa9'\n" + CODE,
        parse_error(2, 6, "cannot decode the file as ascii: ordinal not in range(128) at byte 21"),
    ),
    "PEP 263 latin-1": (b"# -*- coding: latin-1 -*-\nx = '\xe9'\n" + CODE, lints(3)),
    "BOM and another coding line": (
        b"\xef\xbb\xbf# coding: latin-1\n" + CODE,
        parse_error(1, 1, "the file starts with a UTF-8 BOM but its coding line names another encoding"),
    ),
    "NUL byte in code": (
        b"x = 1\x00\n" + CODE,
        parse_error(1, 1, "cannot parse: source code cannot contain null bytes"),
    ),
    # LibCST parses this one; literal evaluation of the string raised (found by bench/fuzz.py).
    "NUL byte in a string literal": (
        b"x = 1\n" + CODE + b'raise ToolError("RATE_\x00LIMITED")\n',
        parse_error(3, 1, "cannot parse: source code cannot contain null bytes"),
    ),
    # Escapes no Python decodes: LibCST parses them, and the rules that evaluate strings failed
    # on them (DL002 in DL201/DL202); a mere warning (`\\d`) lints.
    "an invalid escape that only warns": (b'raise ToolError("\\d")\n' + CODE, lints(2)),
    "unknown \\N{...} escape": (
        b'x = 1\nraise ToolError("\\N{NO SUCH NAME}")\n' + CODE,
        parse_error(2, 1, f"cannot parse: {ESCAPE}: unknown Unicode character name"),
    ),
    "unknown \\N{...} escape in an f-string URL": (
        b'import requests\nrequests.get(f"\\N{NO SUCH NAME}{path}")\n' + CODE,
        parse_error(2, 1, f"cannot parse: {ESCAPE}: unknown Unicode character name"),
    ),
    "truncated \\x escape in an f-string URL": (
        b'import httpx\nhttpx.post(f"https://a.example/{path}\\x{path}")\n' + CODE,
        parse_error(
            2,
            1,
            "cannot parse: (unicode error) 'unicodeescape' codec can't decode bytes in position 0-1: truncated \\xXX escape",
        ),
    ),
    "\\U escape past the last code point, in a raise": (
        b'raise ToolError(f"{x}\\U00110000")\n' + CODE,
        parse_error(
            1,
            1,
            "cannot parse: (unicode error) 'unicodeescape' codec can't decode bytes in position 0-9: illegal Unicode character",
        ),
    ),
    "CRLF newlines": (b"x = 1\r\n" + CODE.replace(b"\n", b"\r\n"), lints(2)),
    "lone CR newlines": (b"x = 1\r" + CODE.replace(b"\n", b"\r"), lints(2)),
    "form feeds between statements": (b"x = 1\n\x0c\ndef f():\n    return 1\n\x0c" + CODE, lints(5)),
    "form feed resetting an indent": (
        b"if x:\n    \x0cy = 1\n" + CODE,
        parse_error(2, 6, "cannot parse: expected an indented block after 'if' statement on line 1"),
    ),
    "mixed tabs and spaces": (
        b"if x:\n\ty = 1\n        z = 2\n" + CODE,
        parse_error(3, 1, "cannot parse: inconsistent use of tabs and spaces in indentation"),
    ),
    "Python 2 print statement": (
        b"print 'hello'\n" + CODE,
        parse_error(1, 1, "cannot parse: Missing parentheses in call to 'print'. Did you mean print(...)?"),
    ),
    # LibCST reads `except E, e:` as a tuple of exceptions; it lints (and DL501 still fires).
    "Python 2 except clause": (b"try:\n    pass\nexcept Exception, e:\n    pass\n" + CODE, lints(5)),
    "PEP 695 type parameters": (
        b"type Alias[T] = list[T]\ndef first[T](xs: list[T]) -> T:\n    return xs[0]\nclass Box[T]: ...\n" + CODE,
        lints(5),
    ),
    "PEP 701 nested f-strings": (b'x = f"{f\'{f"{1}"}\'}"\n' + CODE, lints(2)),
    "match statement": (b"match msg:\n    case {'code': 'RATE_LIMITED'}:\n        pass\n" + CODE, lints(4)),
    "except*": (b"try:\n    pass\nexcept* ValueError:\n    pass\n" + CODE, lints(5)),
    "3.14 template string": (b"x = t'hello {name}'\n" + CODE, lints(2)),
    # Python reads names in NFKC form (PEP 3131), and so do the rules; positions stay as written.
    "a name in fullwidth letters": ('raise ＴｏｏｌＥｒｒｏｒ("RATE_LIMITED")\n'.encode(), lints(1)),
    "fullwidth names before the finding, on its line": (
        'ｘ = 1; raise ＴｏｏｌＥｒｒｏｒ("RATE_LIMITED")\n'.encode(),
        [("DL501", 1, 24, DL501)],
    ),
    "a fullwidth name Python reads as a keyword": ("ｉｍｐｏｒｔ = 1\n".encode() + CODE, lints(2)),
    "valid code LibCST's node checks refuse (LibCST#1061)": (b"x = () if 0 else(lambda:())\n" + CODE, lints(2)),
    "10,000 nested parentheses": (
        b"x = " + b"(" * 10000 + b"1" + b")" * 10000 + b"\n" + CODE,
        parse_error(1, 1, "cannot parse: too many nested parentheses"),
    ),
    "10,000 nested unary minus": (
        b"x = " + b"-" * 10000 + b"1\n" + CODE,
        parse_error(1, 1, "cannot parse: the code is nested too deeply for Python's parser"),
    ),
    "10,000 nested parentheses after a syntax error": (
        b"print 'x'\nx = " + b"(" * 10000 + b"1" + b")" * 10000 + b"\n",
        parse_error(2, 1, "cannot parse: too many nested parentheses"),
    ),
    # Python accepts it (a flat BoolOp); LibCST nests it 10,000 deep.
    # Positions are computed for the statement holding a finding only: a deep statement elsewhere does not matter.
    "chain of 10,000 `and`, the finding elsewhere": (b"x = " + b"a and " * 10000 + b"b\n" + CODE, lints(2)),
    # The finding's statement is too deep for LibCST to generate: placed at its start.
    "chain of 10,000 `and` holding the finding": (
        b'x = ToolError("RATE_LIMITED") and ' + b"a and " * 10000 + b"b\n",
        [("DL501", 1, 1, DL501)],
    ),
    # Valid code whose nesting LibCST parses in time growing with its square: refused from the
    # stdlib's tree before LibCST sees it (it would take about 10 s on each), at the costliest
    # statement; ordinary code that is merely long or deep is parsed.
    "199 nested calls, forty times": (
        CODE + (b"x = " + b"f(" * 199 + b"1" + b")" * 199 + b"\n") * 40,
        parse_error(2, 1, NESTING.format(cost="101,458,315", budget="62,088,000")),
    ),
    "chains of 2,000 calls, five times": (
        (b"x = f" + b"()" * 2000 + b"\n") * 5 + CODE,
        parse_error(1, 1, NESTING.format(cost="80,050,085", budget="50,038,000")),
    ),
    "a union of 300 classes": (b"X = " + b" | ".join(b"Event%d" % i for i in range(300)) + b"\n" + CODE, lints(2)),
    "an elif chain of 1,000 branches": (
        b"if a == 0:\n    pass\n" + b"".join(b"elif a == %d:\n    pass\n" % i for i in range(1, 1000)) + CODE,
        lints(2001),
    ),
    "a fluent chain of 400 calls": (b"q = session" + b".filter(x == 1)" * 400 + b"\n" + CODE, lints(2)),
    "2,000 strings added up": (b"s = " + b" + ".join([b"'a'"] * 2000) + b"\n" + CODE, lints(2)),
    "20 MB generated file": (
        b"x = 1\n" * (20 * 2**20 // 6),
        parse_error(1, 1, "the file is too large to lint (20.0 MB; the limit is 5 MB)"),
    ),
}


@pytest.mark.parametrize("name", list(SOURCES))
def test_hostile_source(name: str):
    source, expected = SOURCES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the linted code's warnings are not designlint's to print
        diagnostics = lint_source(source, "hostile.py")
    assert [(d.code, d.start.row, d.start.column, d.message) for d in diagnostics] == expected


# -- files on disk -----------------------------------------------------------------------


def _outcome(result, root: Path) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    for d in result.diagnostics:
        found.setdefault(Path(os.path.relpath(d.path, root)).as_posix(), []).append((d.code, d.message))
    return found


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "good.py").write_bytes(CODE)
    monkeypatch.chdir(root)
    return root


RAW = ("DL501", DL501)


def test_symlinks_are_not_followed_in_discovery(project: Path, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_bytes(CODE)
    (project / "to_outside").symlink_to(outside, target_is_directory=True)
    (project / "secret_link.py").symlink_to(outside / "secret.py")
    (project / "loop_a").symlink_to(project / "loop_b")
    (project / "loop_b").symlink_to(project / "loop_a")
    (project / "self_loop.py").symlink_to(project / "self_loop.py")
    assert _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project) == {"good.py": [RAW]}


def test_symlink_loop_given_explicitly_is_reported(project: Path):
    (project / "self_loop.py").symlink_to(project / "self_loop.py")
    outcome = _outcome(lint_paths(["self_loop.py", "good.py"], Options(isolated=True, jobs=1)), project)
    assert outcome == {
        "good.py": [RAW],
        "self_loop.py": [("DL001", "cannot read the file: Too many levels of symbolic links")],
    }


def test_unreadable_file(project: Path, monkeypatch):
    victim = project / "secret.py"
    victim.write_bytes(CODE)
    victim.chmod(0)
    if os.access(victim, os.R_OK):
        # Running as root (CI containers): chmod denies nothing, so the denial is simulated
        # where designlint opens the file.
        real_open = os.open

        def deny(path, flags, *args, **kwargs):
            if Path(path).name == "secret.py":
                raise PermissionError(errno.EACCES, "Permission denied", path)
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(runner.os, "open", deny)
    outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    assert outcome == {"good.py": [RAW], "secret.py": [("DL001", "cannot read the file: Permission denied")]}


def test_directory_named_like_a_python_file(project: Path):
    (project / "x.py").mkdir()
    (project / "x.py" / "inner.py").write_bytes(CODE)
    outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    assert outcome == {"good.py": [RAW], "x.py/inner.py": [RAW]}
    assert _outcome(lint_paths(["x.py"], Options(isolated=True, jobs=1)), project) == {"x.py/inner.py": [RAW]}


def test_fifo_is_refused_not_read(project: Path):
    os.mkfifo(project / "pipe.py")  # reading it would block forever
    outcome = _outcome(lint_paths([".", "pipe.py"], Options(isolated=True, jobs=1)), project)
    assert outcome == {"good.py": [RAW], "pipe.py": [("DL001", "cannot read the file: not a regular file")]}


def test_file_deleted_between_discovery_and_reading(project: Path, monkeypatch):
    (project / "vanishing.py").write_bytes(CODE)
    real_discover = runner.discover

    def discover_then_delete(*args):
        files = list(real_discover(*args))
        (project / "vanishing.py").unlink()
        return iter(files)

    monkeypatch.setattr(runner, "discover", discover_then_delete)
    outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    assert outcome == {"good.py": [RAW], "vanishing.py": [("DL001", "cannot read the file: No such file or directory")]}


class _Panic(BaseException):  # what pyo3 raises when LibCST's native parser panics
    pass


@pytest.mark.parametrize("failure", [TypeError, _Panic])
def test_a_libcst_failure_on_valid_code_is_that_files_dl001_and_the_rest_are_linted(
    project: Path, monkeypatch, failure
):
    # One line LibCST fails on must not end the run and hide every other file's findings.
    (project / "odd.py").write_bytes(b"odd = 1\n" + CODE)
    real_parse = cst.parse_module

    def fail_on_odd(text):
        if text.startswith("odd = 1"):
            raise failure("msg")
        return real_parse(text)

    monkeypatch.setattr(cst, "parse_module", fail_on_odd)
    outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    name = failure.__name__
    assert outcome == {
        "good.py": [RAW],
        "odd.py": [("DL001", f"cannot parse: LibCST failed on it ({name}: msg); please report this")],
    }


def test_directory_that_cannot_be_listed_is_reported(project: Path, monkeypatch):
    locked = project / "locked"
    locked.mkdir()
    (locked / "hidden.py").write_bytes(CODE)
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        # Root lists anything: simulate the denial where discovery lists and opens.
        real_scandir, real_open = os.scandir, os.open

        def scandir(path):
            if Path(path).name == "locked":
                raise PermissionError(errno.EACCES, "Permission denied", path)
            return real_scandir(path)

        def deny(path, flags, *args, **kwargs):
            if Path(path).name == "locked":
                raise PermissionError(errno.EACCES, "Permission denied", path)
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(runner.os, "scandir", scandir)
        monkeypatch.setattr(runner.os, "open", deny)
    try:
        outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    finally:
        locked.chmod(0o755)
    assert outcome == {"good.py": [RAW], "locked": [("DL001", "cannot list the directory: Permission denied")]}


def test_huge_file_is_not_read(project: Path):
    """A 10 GB (sparse) file: reported from its size, never read into memory."""
    with open(project / "huge.py", "wb") as handle:
        handle.truncate(10 * 2**30)
    outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    assert outcome == {
        "good.py": [RAW],
        "huge.py": [("DL001", "the file is too large to lint (10240.0 MB; the limit is 5 MB)")],
    }


def _nest(root: Path, names: list[str], leaf: bytes | None) -> None:
    """Directories ``names`` one inside the other under ``root``, each holding ``leaf`` as
    ``x.py`` if given; made relative to an open directory (no recursion, and no path longer
    than PATH_MAX)."""
    directory = os.open(root, os.O_RDONLY)
    try:
        for name in names:
            os.mkdir(name, dir_fd=directory)
            inner = os.open(name, os.O_RDONLY, dir_fd=directory)
            os.close(directory)
            directory = inner
            if leaf is None:
                continue
            handle = os.open("x.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=directory)
            os.write(handle, leaf)
            os.close(handle)
    finally:
        os.close(directory)


def _unnest(root: Path, names: list[str]) -> None:
    """Remove what ``_nest`` made, a level at a time from the top, by short paths: ``shutil.rmtree``
    (and so pytest's clean-up of old temporary directories) recurses too."""
    for name, inner in zip(names, [*names[1:], None]):
        if inner is not None:
            os.rename(root / name / inner, root / "unnesting")
        (root / name / "x.py").unlink(missing_ok=True)
        os.rmdir(root / name)
        if inner is not None:
            os.rename(root / "unnesting", root / inner)


@pytest.fixture
def nested(project: Path):
    """``_nest`` under the project, removed afterwards."""
    made: list[list[str]] = []

    def nest(names: list[str], leaf: bytes | None) -> None:
        made.append(names)
        _nest(project, names, leaf)

    yield nest
    for names in made:
        _unnest(project, names)


def test_a_tree_deeper_than_the_recursion_limit_is_walked(project: Path, nested):
    depth = 1_000  # os.walk recursed once per level before Python 3.12 (a few seconds to delete here)
    nested(["d"] * depth, None)
    (project / Path(*["d"] * depth) / "x.py").write_bytes(CODE)  # the deepest file holds a finding
    outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    assert outcome == {"good.py": [RAW], "/".join(["d"] * depth) + "/x.py": [RAW]}


def test_a_directory_deeper_than_path_max_is_reported_and_the_rest_linted(project: Path, nested):
    nested([f"{i:02d}" + "d" * 248 for i in range(20)], CODE)  # 5,000 bytes of path
    outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    unlisted = [
        path for path, found in outcome.items() if found == [("DL001", "cannot list the directory: File name too long")]
    ]
    linted = [path for path, found in outcome.items() if found == [RAW]]
    assert len(unlisted) == 1 and len(linted) + len(unlisted) == len(outcome)
    assert len(linted) > 10 and max(len(path) for path in linted) < len(unlisted[0]) + len("/x.py")


def test_a_file_named_twice_is_linted_once(project: Path):
    named = ["good.py", str(project / "good.py"), "./good.py", "sub/../good.py", "."]
    (project / "sub").mkdir()
    result = lint_paths(named, Options(isolated=True, jobs=1))
    assert [(Path(d.path).name, d.code) for d in result.diagnostics] == [("good.py", "DL501")]


# -- globs from the repository: matched in linear time ---------------------------------------


def _in_a_subprocess(statement: str) -> str:
    """What ``statement`` prints, run where a runaway match can be stopped (``re`` took minutes
    on these globs; no thread can interrupt it)."""
    program = f"from designlint.globs import glob_matches, path_excluded\nprint({statement})"
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    ).stdout.strip()


DEEP = "/".join(["d"] * 30)
BACKTRACKING_GLOBS = [
    ("**/" * 9 + "zz", f"{DEEP}/x.py", False),
    ("**/" * 9 + "zz", f"{DEEP}/zz", True),
    ("**/" * 40 + "*.py", f"{DEEP}/x.pyc", False),
    ("*a" * 8 + "b", "a" * 80, False),
    ("*a" * 8 + "b", "a" * 80 + "b", True),
    ("d/" + "*d" * 12 + "/x", f"d/{'d' * 80}/y", False),
    ("**" + "*a" * 10 + "**b", "a" * 200, False),
    ("?*" * 20 + "[!a]", "a" * 100, False),
]


@pytest.mark.parametrize(("pattern", "path", "excluded"), BACKTRACKING_GLOBS)
def test_globs_that_backtrack_in_re_are_matched_at_once(pattern: str, path: str, excluded: bool):
    assert _in_a_subprocess(f"path_excluded(({pattern!r},), {path!r})") == str(excluded)


def test_an_exclude_that_backtracks_in_re_does_not_stall_discovery(project: Path):
    (project / DEEP).mkdir(parents=True)
    (project / DEEP / "x.py").write_bytes(CODE)
    (project / DEEP / "zz").mkdir()
    (project / DEEP / "zz" / "y.py").write_bytes(CODE)
    (project / "designlint.toml").write_text(f'extend-exclude = ["{"**/" * 9}zz"]\n')
    program = (
        "from designlint.runner import lint_paths, Options\n"
        "print(sorted(d.path for d in lint_paths(['.'], Options(jobs=1)).diagnostics))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == str(sorted([f"{DEEP}/x.py", "good.py"]))


# A run of ``#`` after an exception's "(" (a comment banner): DL501's prefilter read the
# comment in as many ways as the run could be split, minutes for 30 of them. A line of
# ``Error(#`` it read to the line's end from each one: minutes for 200,000 of them. A comment
# there passes the prefilter (the stdlib tree's gate then reads the call).
HASH_RUNS = [
    ("raise ValueError(  " + "#" * 64 + "\n", True),
    ("raise ToolError(  " + "#" * 64 + "\n    'RATE_LIMITED')\n", True),
    ("x = QuotaFailure(" + "#" * 64, True),
    ("x = 1  # ToolError(#" + "ToolError(#" * 200_000 + "\n", True),
    ("x = 1  # raise e(#" + "raise e(#" * 200_000 + "\n", True),
    ("raise ValueError(  " + "()" * 64 + "\n", False),
    ("raise" + " \\" * 500_000 + "\n", False),
    ("x = ToolError" + " \\" * 500_000 + "(" + " \\" * 500_000 + "\n", False),
]


def _prefilter_matches(gate: str, text: str) -> bool:
    """Whether the prefilter of ``gate`` (``module:Class``) matches ``text``, searched in a fresh
    interpreter with a timeout: a super-linear pattern fails the test rather than hanging it."""
    module, name = gate.split(":")
    program = (
        f"import sys\nfrom designlint.config import Config\nfrom {module} import {name}\n"
        f"print(bool({name}(Config()).prefilter.search(sys.stdin.read())))"
    )
    done = subprocess.run([sys.executable, "-c", program], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() == "True"


@pytest.mark.parametrize(("text", "matches"), HASH_RUNS)
def test_a_run_of_hashes_is_searched_at_once(text: str, matches: bool):
    assert _prefilter_matches("designlint.gates.errors:RawStringErrorCodeGate", text) is matches


# DL102's prefilter reads a word's tokens apart (``"super user"``) across any run of what is
# neither a letter nor a digit: runs after many a ``super``, with or without the word's end.
SPACED_WORDS = [
    ("team " + "super" + " -" * 1_000_000 + "\n", False),
    ("team " + "super-" * 400_000 + "\n", False),
    ("team " + "super " * 400_000 + "user\n", True),
]


@pytest.mark.parametrize(("text", "matches"), SPACED_WORDS)
def test_a_words_tokens_apart_are_searched_at_once(text: str, matches: bool):
    assert _prefilter_matches("designlint.gates.authz:SuperuserBypassGate", text) is matches


# Runs of a word DL401's prefilter reads a name's tail after (``system\w*\s*=``): each start
# scanned the rest of the run, minutes for a line of them.
WORD_RUNS = [("system" * 50_000, False), ("to_messages" * 30_000, False), ("system" * 50_000 + " = requests", True)]


@pytest.mark.parametrize(("text", "matches"), WORD_RUNS, ids=["system", "messages", "system then a match"])
def test_a_run_of_a_sink_word_is_searched_at_once(text: str, matches: bool):
    assert _prefilter_matches("designlint.gates.trust:UntrustedContentGate", text) is matches


GLOB_SEMANTICS = [  # (glob, path, matches): what README documents, kept by the automaton
    ("tests", "a/tests", True),
    ("tests", "a/tests.py", False),
    ("*.py", "a/b/c.py", True),
    ("a/*.py", "a/b/c.py", False),
    ("a/*.py", "a/c.py", True),
    ("a/**/c.py", "a/c.py", True),
    ("a/**/c.py", "a/b/b/c.py", True),
    ("a/**", "a/b/c", True),
    ("x/a**c", "x/ab/bc", True),
    ("a**c", "x/ab/bc", False),  # no "/": the final component only
    ("**/c", "c", True),
    ("a/?", "a/b", True),
    ("a?b", "a/b", False),
    ("[ab]x", "bx", True),
    ("[!ab]x", "bx", False),
    ("[!ab]x", "cx", True),
    ("a/b/", "a/b", True),
]


@pytest.mark.parametrize(("pattern", "path", "matches"), GLOB_SEMANTICS)
def test_glob_semantics(pattern: str, path: str, matches: bool):
    assert glob_matches(pattern, path) is matches


# -- analysis memory ---------------------------------------------------------------------------


def table(rows: int, module: bytes = b"requests") -> bytes:
    """Generated data behind an import that makes the egress rules need LibCST's tree (10 nodes a row)."""
    return b"import " + module + b"\n\nTABLE = [\n" + b"    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,\n" * rows + b"]\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            table(100) + CODE,
            parse_error(
                1,
                1,
                "the file is too large to analyse (1,009 syntax nodes; the limit is 1,000: LibCST's tree takes about 5 kB a node)",
            ),
        ),
        (table(99) + CODE, lints(104)),  # 999 nodes: linted
        (table(100, b"os") + b"x = 1\n", []),  # no rule needs LibCST's tree, which is not built
    ],
    ids=["over the limit", "under the limit", "over the limit, parsed by no rule"],
)
def test_a_file_whose_tree_would_be_too_large_gets_one_dl001(monkeypatch, source: bytes, expected: list[tuple]):
    monkeypatch.setattr(engine, "MAX_NODES", 1_000)  # as 1.6 million nodes are to the real limit
    diagnostics = lint_source(source, "table.py")
    assert [(d.code, d.start.row, d.start.column, d.message) for d in diagnostics] == expected


@pytest.mark.parametrize(
    ("text", "row", "column", "code_point"),
    [
        ("x = 1\ny = '\ud800'\n" + CODE.decode(), 2, 6, "D800"),
        ("\ufeffy = 'ab\udfff'\r\n", 1, 8, "DFFF"),
        ("x = 1\r" + CODE.decode() + "# \udc80\n", 3, 3, "DC80"),
    ],
)
def test_a_lone_surrogate_in_text_is_reported_where_it_is(text: str, row: int, column: int, code_point: str):
    """An editor's buffer comes as a string, and a language client's JSON can hold "\\ud800"."""
    diagnostics = lint_source(text, "buffer.py")
    message = f"the text holds a lone surrogate (U+{code_point}), which is not Unicode"
    assert [(d.code, d.start.row, d.start.column, d.message) for d in diagnostics] == [("DL001", row, column, message)]


# -- a results cache the repository planted ------------------------------------------------
# The default cache is .designlint_cache in the project root, which a pull request controls.


def _public_entry_key(root: Path, name: str) -> str:
    """What anyone can compute: an entry's key is a hash of public inputs."""
    config = ConfigResolver().for_path(root / name)
    return entry_key(config_fingerprint(config), str(root / name), content_digest((root / name).read_bytes()))


def _sign(secret: bytes, key: str, document: dict) -> bytes:
    data = json.dumps(document).encode()
    return hmac.new(secret, key.encode() + b"\n" + data, hashlib.sha256).hexdigest().encode() + b"\n" + data


FORGERIES = {
    "an entry as entries were (plain JSON)": lambda key: json.dumps(
        {"mark": "designlint-cache-entry", "format": 1, "key": key, "deps": {}, "diagnostics": []}
    ).encode(),
    "an entry signed with a guessed secret": lambda key: _sign(bytes(32), key, {"deps": {}, "diagnostics": []}),
}


def _cached_run(paths=(".",)) -> runner.RunResult:
    return lint_paths(list(paths), Options(isolated=True, jobs=1, use_cache=True))


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_committed_cache_entry_does_not_hide_findings(project: Path, forgery: str):
    key = _public_entry_key(project, "good.py")
    planted = project / ".designlint_cache" / key[:2] / f"{key}.json"
    planted.parent.mkdir(parents=True)
    planted.write_bytes(FORGERIES[forgery](key))
    (project / ".designlint_cache" / ".designlint-cache").write_text(MARKER_TEXT)  # it looks like designlint's
    result = _cached_run()
    assert _outcome(result, project) == {"good.py": [RAW]} and result.warnings == []
    assert open_cache(project / ".designlint_cache", explicit=True).load(key) is not None  # rewritten, signed


def test_a_committed_entry_symlink_is_not_followed(project: Path, tmp_path: Path):
    key = _public_entry_key(project, "good.py")
    forged = tmp_path / "forged.json"
    forged.write_bytes(FORGERIES["an entry as entries were (plain JSON)"](key))
    planted = project / ".designlint_cache" / key[:2] / f"{key}.json"
    planted.parent.mkdir(parents=True)
    planted.symlink_to(forged)
    (project / ".designlint_cache" / ".designlint-cache").write_text(MARKER_TEXT)
    assert _outcome(_cached_run(), project) == {"good.py": [RAW]}
    assert not planted.is_symlink() and forged.read_bytes() == FORGERIES["an entry as entries were (plain JSON)"](key)


def test_a_committed_giant_entry_is_not_read(project: Path):
    key = _public_entry_key(project, "good.py")
    planted = project / ".designlint_cache" / key[:2] / f"{key}.json"
    planted.parent.mkdir(parents=True)
    with open(planted, "wb") as handle:
        handle.truncate(10 * 2**30)  # sparse: reading it would take 10 GB of memory
    assert _outcome(_cached_run(), project) == {"good.py": [RAW]}
    assert planted.stat().st_size < 4096  # rewritten


def test_a_committed_cache_symlink_is_not_written_through(project: Path, tmp_path: Path, monkeypatch):
    outside = tmp_path / "home"
    outside.mkdir()
    (project / ".designlint_cache").symlink_to(outside, target_is_directory=True)
    result = _cached_run()
    assert _outcome(result, project) == {"good.py": [RAW]}
    assert result.warnings == [
        f"cache disabled: {project / '.designlint_cache'} is or passes through a symlink"
        f" ({project / '.designlint_cache'}); give --cache-dir to use it anyway"
    ]
    assert list(outside.iterdir()) == []
    monkeypatch.delenv("DESIGNLINT_CACHE_DIR")
    cleaned = CliRunner().invoke(main, ["clean"])
    assert cleaned.exit_code == 2 and "is or passes through a symlink" in cleaned.output, cleaned.output
    assert (project / ".designlint_cache").is_symlink() and outside.is_dir()


def test_a_committed_shard_symlink_is_not_written_through(project: Path, tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    cache_dir = project / ".designlint_cache"
    cache_dir.mkdir()
    (cache_dir / ".designlint-cache").write_text(MARKER_TEXT)  # so that it is used
    for shard in range(256):
        (cache_dir / f"{shard:02x}").symlink_to(outside, target_is_directory=True)
    assert _outcome(_cached_run(), project) == {"good.py": [RAW]}
    assert list(outside.iterdir()) == []


def test_a_committed_foreign_cache_directory_turns_the_cache_off(project: Path):
    (project / ".designlint_cache").mkdir()
    (project / ".designlint_cache" / "README").write_text("not designlint's")
    result = _cached_run()
    assert _outcome(result, project) == {"good.py": [RAW]}
    assert len(result.warnings) == 1 and "is not a designlint cache: it holds README" in result.warnings[0]
    assert sorted(p.name for p in (project / ".designlint_cache").iterdir()) == ["README"]


@pytest.mark.parametrize(
    ("variable", "home", "linted"),
    [
        ("HOME", ".", "."),  # CI that sets HOME to the workspace
        ("HOME", ".", "pkg"),  # only part of the checkout linted: its top is found by .git
        ("XDG_CACHE_HOME", ".cache", "."),
    ],
)
def test_a_secret_inside_the_checkout_is_refused(project: Path, monkeypatch, variable, home, linted):
    (project / ".git").mkdir()
    (project / "pkg").mkdir()
    (project / "pkg" / "good.py").write_bytes(CODE)
    monkeypatch.delenv("DESIGNLINT_KEY_FILE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv(variable, str(project / home))
    secret = bytes(range(32))
    planted_key = project / ".cache" / "designlint" / "key"
    planted_key.parent.mkdir(parents=True)
    planted_key.write_text(secret.hex())
    planted_key.chmod(0o600)  # what a checkout under umask 077 makes
    for name in ("good.py", "pkg/good.py"):
        key = _public_entry_key(project, name)
        entry = project / ".designlint_cache" / key[:2] / f"{key}.json"
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_bytes(_sign(secret, key, {"deps": {}, "diagnostics": []}))
    result = _cached_run([linted])
    expected = {"pkg/good.py": [RAW]} if linted == "pkg" else {"good.py": [RAW], "pkg/good.py": [RAW]}
    assert _outcome(result, project) == expected
    assert len(result.warnings) == 1 and f"key {planted_key} would be inside {project}" in result.warnings[0]
    assert planted_key.read_text() == secret.hex()


def test_a_string_annotation_that_warns_is_read_silently():
    from designlint.analysis.records import record_in

    tree = ast.parse("class Event:\n    payload: \"'\\\\d'\"\n    name: str\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        record = record_in(tree, "Event")
    assert record is not None and [name for name, _ in record.fields] == ["payload", "name"]
    assert [str(w.message) for w in caught] == []
