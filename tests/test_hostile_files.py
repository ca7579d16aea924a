"""Hostile files, each with its exact outcome: designlint reports, it never crashes or hangs.

Every source case ends with a line DL501 fires on, so "lints" is visible as that finding.
"""

from __future__ import annotations

import errno
import os
import warnings
from pathlib import Path

import pytest

from designlint import runner
from designlint.engine import lint_source
from designlint.runner import Options, lint_paths

CODE = b'raise ToolError("RATE_LIMITED")\n'
DL501 = 'raw error code "RATE_LIMITED": use a member of the error-code enum (name it in [tool.designlint.errors] codes)'


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
    "unknown \\N{...} escape and an invalid escape": (
        b'raise ToolError("\\N{NO SUCH NAME}")\nraise ToolError("\\d")\n' + CODE,
        lints(3),
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
    "chain of 10,000 `and` holding the finding": (
        b'x = ToolError("RATE_LIMITED") and ' + b"a and " * 10000 + b"b\n",
        parse_error(1, 1, "cannot analyse: the code is nested too deeply"),
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


def test_directory_that_cannot_be_listed_is_reported(project: Path, monkeypatch):
    locked = project / "locked"
    locked.mkdir()
    (locked / "hidden.py").write_bytes(CODE)
    locked.chmod(0)
    if os.access(locked, os.R_OK):
        # Root lists anything: simulate the denial where discovery lists and opens.
        real_walk, real_open = os.walk, os.open

        def walk(top, onerror=None, **kwargs):
            for directory, dirnames, filenames in real_walk(top, onerror=onerror, **kwargs):
                if "locked" in dirnames:
                    dirnames.remove("locked")
                    onerror(PermissionError(errno.EACCES, "Permission denied", os.path.join(directory, "locked")))
                yield directory, dirnames, filenames

        def deny(path, flags, *args, **kwargs):
            if Path(path).name == "locked":
                raise PermissionError(errno.EACCES, "Permission denied", path)
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(runner.os, "walk", walk)
        monkeypatch.setattr(runner.os, "open", deny)
    try:
        outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    finally:
        locked.chmod(0o755)
    assert outcome == {"good.py": [RAW], "locked": [("DL001", "cannot read the file: Permission denied")]}


def test_huge_file_is_not_read(project: Path):
    """A 10 GB (sparse) file: reported from its size, never read into memory."""
    with open(project / "huge.py", "wb") as handle:
        handle.truncate(10 * 2**30)
    outcome = _outcome(lint_paths(["."], Options(isolated=True, jobs=1)), project)
    assert outcome == {
        "good.py": [RAW],
        "huge.py": [("DL001", "the file is too large to lint (10240.0 MB; the limit is 5 MB)")],
    }
