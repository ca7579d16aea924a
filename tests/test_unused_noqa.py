"""DL003 unused-noqa: a ``# noqa`` code that suppresses nothing (ruff's RUF100), and its fix."""

from __future__ import annotations

import pytest
from projects import check, write_tree

from designlint import Config, lint_source
from designlint.fixes import apply_edits, fix_text

RAISE = 'raise ToolError("RATE_LIMITED")'

# Sources where DL003 must stay silent.
VALID = [
    f"{RAISE}  # noqa: DL501\n",  # the code suppresses the finding
    f"{RAISE}  # noqa: DL5\n",  # so does a prefix
    "x = 1  # noqa\n",  # a blanket noqa names no code
    "x = 1  # noqa: E501, F401\n",  # other tools' codes
    "x = 1  # noqa: DL003\n",  # DL003 itself
    "x = 1  # noqa: DL0\n",  # a prefix that covers DL003
    f'"""Module."""\n# designlint: noqa: DL501\n{RAISE}\n',  # file-level, used
    f'"""Module."""\n# designlint: noqa\n{RAISE}\n',  # file-level blanket
    'x = "# noqa: DL501"\n',  # in a string: no comment
    "x = 1  # noqa: DL501, DL003\n",  # the DL003 finding is suppressed itself
]

# Sources where DL003 must fire, and what its fix makes of them.
INVALID = [
    ("x = 1  # noqa: DL501\n", "x = 1\n"),
    ("x = 1  # noqa:DL501\n", "x = 1\n"),
    ("x = 1  # noqa: DL501, E501\n", "x = 1  # noqa: E501\n"),  # another tool's code stays
    (f"{RAISE}  # noqa: DL501, DL101\n", f"{RAISE}  # noqa: DL501\n"),
    ("x = 1  # noqa: DL501 -- legacy clients\n", "x = 1  # -- legacy clients\n"),  # the reason stays a comment
    ("x = 1  # noqa: DL501  # see #12\n", "x = 1  # see #12\n"),
    ("x = 1  # type: ignore # noqa: DL501\n", "x = 1  # type: ignore\n"),
    ("x = 1  # noqa: DL999\n", "x = 1\n"),  # no such rule
    ("def f():\n    # noqa: DL501\n    return 1\n", "def f():\n    return 1\n"),  # alone on its line
    (f'"""Module."""\n# designlint: noqa: DL101\n{RAISE}  # noqa: DL501\n', f'"""Module."""\n{RAISE}  # noqa: DL501\n'),
    (
        f'"""Module."""\n# designlint: noqa: DL101, DL501\n{RAISE}\n',
        f'"""Module."""\n# designlint: noqa: DL501\n{RAISE}\n',
    ),
    ("x = 1  # noqa: DL501\r\ny = 2\r\n", "x = 1\r\ny = 2\r\n"),  # the line's newline is kept
]


def unused(source: str, config: Config | None = None):
    return [d for d in lint_source(source, "tools.py", config or Config()) if d.code == "DL003"]


@pytest.mark.parametrize("source", VALID)
def test_valid(source):
    assert unused(source) == []


@pytest.mark.parametrize(("source", "fixed"), INVALID)
def test_invalid_fires_with_a_safe_fix(source, fixed):
    (finding,) = unused(source)
    assert finding.fix is not None and finding.fix.applicability.value == "safe"
    assert apply_edits(source, list(finding.fix.edits)) == fixed
    assert unused(fixed) == []


def test_the_finding_points_at_the_directive_and_names_the_codes():
    (finding,) = unused("x = 1  # noqa: DL501, DL101, E501\n")
    assert (finding.start.row, finding.start.column, finding.end.column) == (1, 8, 34)
    assert finding.message == "unused `noqa` codes DL501, DL101: nothing on this line is reported with them"
    (unknown,) = unused("x = 1  # noqa: DL999\n")
    assert "DL999 (no such rule)" in unknown.message
    (file_level,) = unused('"""Module."""\n# designlint: noqa: DL1\nx = 1\n')
    assert file_level.message.endswith("nothing in this file is reported with it")


def test_codes_of_rules_not_enabled_for_the_file_are_left_alone():
    source = "x = 1  # noqa: DL501\n"
    assert unused(source, Config(select=("DL003",))) == []
    assert unused(source, Config(per_file_ignores=(("tools.py", ("DL5",)),))) == []
    assert unused(source, Config(ignore=("DL003",))) == []
    assert len(unused(source, Config(per_file_ignores=(("other.py", ("DL5",)),)))) == 1


def test_nothing_is_reported_where_the_findings_are_unknown():
    assert unused("x = 1  # noqa: DL501\ndef f(:\n") == []


def test_fix_removes_every_unused_code_in_one_run():
    source = f"x = 1  # noqa: DL501\n{RAISE}  # noqa: DL101, DL501\ny = 2  # noqa: DL201  # why\n"
    fixed, applied, left = fix_text(source, lambda text: lint_source(text, "tools.py", Config()))
    assert fixed == f"x = 1\n{RAISE}  # noqa: DL501\ny = 2  # why\n"
    assert applied == 3 and left == []


def test_through_the_cli_fix(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": "x = 1  # noqa: DL501\n"})
    monkeypatch.chdir(tmp_path)
    found = check("--isolated")
    assert found.exit_code == 1
    assert found.stdout == "a.py:1:8: DL003 [*] unused `noqa` code DL501: nothing on this line is reported with it\n"
    assert check("--isolated", "--fix").exit_code == 0
    assert (tmp_path / "a.py").read_text() == "x = 1\n"
