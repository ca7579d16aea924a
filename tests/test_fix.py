"""``--fix``, ``--unsafe-fixes`` and ``--diff`` on throw-away projects: whole files written,
encoding, BOM, newline style and mode kept, the result parses, a second run changes nothing."""

from __future__ import annotations

import ast
import codecs
import os
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import PositionProvider
from projects import LEGACY_PY, TOOLS_FIXED, check, configured_project

from designlint.fixes import AddImport, NodeFix, apply_edits, text_fix
from designlint.runner import FixMode, Options, lint_paths

HIDDEN_FIXES = "2 hidden fixes can be enabled with --unsafe-fixes.\n"

LEGACY_FIXED = "from app.errors import ErrorCode\n\n\n" + LEGACY_PY.replace(
    '"UPSTREAM_TIMEOUT"', "ErrorCode.UPSTREAM_TIMEOUT"
).replace('"RATE_LIMITED"', "ErrorCode.RATE_LIMITED")

# A safe fix after non-ASCII text on the same line: columns are characters, not bytes.
ENCODED_SOURCE = """\
from app.errors import ErrorCode


class ToolError(Exception):
    pass


def charge():
    raise ToolError(message="quota dépassé", code="RATE_LIMITED")
"""
ENCODED_FIXED = ENCODED_SOURCE.replace('code="RATE_LIMITED"', "code=ErrorCode.RATE_LIMITED")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_fix_applies_safe_fixes_and_writes_the_whole_file(project):
    result = check("--fix")
    assert result.exit_code == 1, "the unsafe findings remain"
    assert result.stderr == f"Found 2 problems in 1 file (1 fixed).\n{HIDDEN_FIXES}"
    assert result.stdout.splitlines() == [
        'app/legacy.py:6:20: DL501 raw error code "UPSTREAM_TIMEOUT": use ErrorCode.UPSTREAM_TIMEOUT',
        'app/legacy.py:7:25: DL501 raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED',
    ]
    assert (project / "app" / "tools.py").read_text(encoding="utf-8") == TOOLS_FIXED
    assert (project / "app" / "legacy.py").read_text(encoding="utf-8") == LEGACY_PY
    ast.parse(TOOLS_FIXED)
    assert not [p for p in project.rglob("*designlint-tmp*")], "no temporary file is left behind"


@pytest.mark.parametrize(
    ("flags", "second_summary"),
    [
        (("--fix",), f"Found 2 problems in 1 file.\n{HIDDEN_FIXES}"),
        (("--fix", "--unsafe-fixes"), "All checks passed!\n"),
    ],
)
def test_a_second_fix_changes_nothing(project, flags, second_summary):
    original = snapshot(project)
    check(*flags)
    before = snapshot(project)
    assert before != original
    again = check(*flags)
    assert again.stderr == second_summary
    assert snapshot(project) == before


def test_unsafe_fixes_add_the_import(project):
    result = check("--fix", "--unsafe-fixes")
    assert (result.exit_code, result.stderr) == (0, "All checks passed! (3 fixed)\n")
    fixed = (project / "app" / "legacy.py").read_text(encoding="utf-8")
    assert fixed == LEGACY_FIXED
    ast.parse(fixed)


def test_unsafe_fixes_alone_do_not_write_but_count_the_unsafe_fixes(project):
    before = snapshot(project)
    result = check("--unsafe-fixes")
    assert result.exit_code == 1
    assert result.stderr == "Found 3 problems in 2 files.\n[*] 3 fixable with --fix --unsafe-fixes.\n"
    assert snapshot(project) == before


def test_hidden_unsafe_fixes_are_counted(project):
    assert check("app/legacy.py").stderr == (
        "Found 2 problems in 1 file.\nNo fixes available (2 hidden fixes can be enabled with --unsafe-fixes).\n"
    )
    assert check("app/tools.py").stderr == "Found 1 problem in 1 file.\n[*] 1 fixable with --fix.\n"


@pytest.mark.parametrize(
    ("name", "encode", "expected"),
    [
        (
            "latin1.py",
            lambda s: ("# -*- coding: latin-1 -*-\n" + s).encode("latin-1"),
            lambda s: ("# -*- coding: latin-1 -*-\n" + s).encode("latin-1"),
        ),
        ("bom.py", lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), lambda s: codecs.BOM_UTF8 + s.encode("utf-8")),
        (
            "crlf.py",
            lambda s: s.replace("\n", "\r\n").encode("utf-8"),
            lambda s: s.replace("\n", "\r\n").encode("utf-8"),
        ),
        (
            "bom_crlf.py",
            lambda s: codecs.BOM_UTF8 + s.replace("\n", "\r\n").encode("utf-8"),
            lambda s: codecs.BOM_UTF8 + s.replace("\n", "\r\n").encode("utf-8"),
        ),
    ],
)
def test_fix_keeps_encoding_bom_and_newlines(project, name, encode, expected):
    path = project / "app" / name
    path.write_bytes(encode(ENCODED_SOURCE))
    result = check("--fix", f"app/{name}")
    assert result.exit_code == 0, result.stdout
    assert result.stderr == "All checks passed! (1 fixed)\n"
    assert path.read_bytes() == expected(ENCODED_FIXED)
    ast.parse(path.read_bytes())  # the bytes parse, coding line and BOM included


def test_unsafe_fix_in_a_crlf_file_adds_a_crlf_line(project):
    path = project / "app" / "legacy.py"
    path.write_bytes(LEGACY_PY.replace("\n", "\r\n").encode())
    assert check("--fix", "--unsafe-fixes").exit_code == 0
    assert path.read_bytes() == LEGACY_FIXED.replace("\n", "\r\n").encode()


def test_fix_keeps_the_file_mode(project):
    path = project / "app" / "tools.py"
    os.chmod(path, 0o754)
    check("--fix")
    assert path.read_text(encoding="utf-8") == TOOLS_FIXED
    assert os.stat(path).st_mode & 0o7777 == 0o754


def test_diff_prints_the_changes_and_writes_nothing(project):
    before = snapshot(project)
    result = check("--diff")
    assert result.exit_code == 1
    assert result.stdout == (
        "--- a/app/tools.py\n"
        "+++ b/app/tools.py\n"
        "@@ -7,5 +7,5 @@\n"
        " \n"
        " def charge(principal, tool):\n"
        "     if principal.calls > tool.limit:\n"
        '-        raise ToolError("RATE_LIMITED")\n'
        "+        raise ToolError(ErrorCode.RATE_LIMITED)\n"
        "     return ErrorCode.UPSTREAM_TIMEOUT\n"
    )
    assert result.stderr == (
        f"--fix would fix 1 problem; 2 problems in 1 file would remain. Nothing was written.\n{HIDDEN_FIXES}"
    )
    assert snapshot(project) == before


def test_diff_with_unsafe_fixes(project):
    before = snapshot(project)
    result = check("--diff", "--unsafe-fixes")
    assert result.exit_code == 1
    assert "+from app.errors import ErrorCode\n" in result.stdout and "--- a/app/tools.py" in result.stdout
    assert result.stderr == "--fix would fix 3 problems; no problems would remain. Nothing was written.\n"
    assert snapshot(project) == before


def test_diff_without_changes_exits_0(project):
    result = check("--diff", "app/legacy.py")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "--fix would fix 0 problems; 2 problems in 1 file would remain. Nothing was written.\n"
        "2 hidden fixes can be enabled with --unsafe-fixes.\n"
    )
    assert (
        check("--diff", "app/errors.py").stderr
        == "--fix would fix 0 problems; no problems would remain. Nothing was written.\n"
    )


def test_fix_through_the_api(project):
    before = snapshot(project)
    diff = lint_paths(["."], Options(jobs=1, fix_mode=FixMode.DIFF))
    assert snapshot(project) == before
    assert [o.path for o in diff.outcomes if o.diff] == ["app/tools.py"]
    fixed = lint_paths(["."], Options(jobs=1, fix_mode=FixMode.FIX, unsafe_fixes=True))
    assert sum(o.fixed for o in fixed.outcomes) == 3 and fixed.diagnostics == []
    assert (project / "app" / "legacy.py").read_text(encoding="utf-8") == LEGACY_FIXED


# -- --fix leaves an unsafe DL501 fix to --unsafe-fixes (which fixes are safe: the rule's cases) --

STR_ENUM = """\
from enum import Enum


class ErrorCode(str, Enum):
    RATE_LIMITED = "RATE_LIMITED"
    TOOL_NOT_FOUND = "tool_not_found"
    TIMEOUT = "TIMEOUT"
    UPSTREAM_TIMEOUT = "TIMEOUT"  # an alias by value: the same member as TIMEOUT
    LEGACY_TIMEOUT = TIMEOUT  # an alias by name
"""
NAME_NOT_VALUE = """\
from app.errors import ErrorCode


def missing(err):
    return err.code == "TOOL_NOT_FOUND"
"""


def test_fix_leaves_a_literal_that_names_a_member_with_another_value(tmp_path, monkeypatch):
    configured_project(tmp_path, {"app/errors.py": STR_ENUM, "app/tools.py": NAME_NOT_VALUE})
    monkeypatch.chdir(tmp_path)
    assert check("--fix", "app/tools.py").stderr == (
        "Found 1 problem in 1 file.\n1 hidden fix can be enabled with --unsafe-fixes.\n"
    )
    assert (tmp_path / "app" / "tools.py").read_text(encoding="utf-8") == NAME_NOT_VALUE
    result = check("--fix", "--unsafe-fixes", "app/tools.py")
    assert result.stderr == "All checks passed! (1 fixed)\n"
    fixed = NAME_NOT_VALUE.replace('"TOOL_NOT_FOUND"', "ErrorCode.TOOL_NOT_FOUND")
    assert (tmp_path / "app" / "tools.py").read_text(encoding="utf-8") == fixed


def test_an_added_import_under_a_guard_is_inserted_not_joined_to_an_import():
    """Only a plain ``from X import Y`` can join an import already there; a compound statement
    (an import under ``if TYPE_CHECKING:``) goes in as a statement of its own."""
    module = cst.parse_module('"""Tools."""\nfrom app.errors import ToolError\n\nraise ToolError()\n')
    wrapper = cst.MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    guarded = "if TYPE_CHECKING: from app.errors import ErrorCode"
    fix = text_fix(NodeFix("import ErrorCode", (AddImport(guarded),)), module, positions.__getitem__)
    assert apply_edits(module.code, list(fix.edits)) == (
        f'"""Tools."""\n{guarded}\nfrom app.errors import ToolError\n\nraise ToolError()\n'
    )
