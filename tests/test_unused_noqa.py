"""DL003 unused-noqa beyond its VALID/INVALID cases (rules/noqa.py): the finding's range and
message, the configuration it depends on, the fix loop and the CLI."""

from __future__ import annotations

from projects import check, write_tree

from designlint import Config, lint_source
from designlint.fixes import fix_text

RAISE = 'raise ToolError("RATE_LIMITED")'


def unused(source: str, config: Config | None = None):
    return [d for d in lint_source(source, "tools.py", config or Config()) if d.code == "DL003"]


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
