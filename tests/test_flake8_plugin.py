"""The flake8 plugin, driven through the real ``flake8`` command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from expectations import expected_findings
from projects import FIXTURES

FLAKE8_LINE = re.compile(r"^(?P<path>.+?):(?P<row>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d+) (?P<message>.*)$")


def flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # --isolated: no flake8 config file of the machine or the fixture changes what runs.
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def findings(output: str) -> list[tuple[str, int, int, str, str]]:
    rows = []
    for line in output.splitlines():
        match = FLAKE8_LINE.match(line)
        assert match, f"not a flake8 finding: {line!r}"
        rows.append(
            (
                Path(match["path"]).as_posix().removeprefix("./"),
                int(match["row"]),
                int(match["col"]),
                match["code"],
                match["message"],
            )
        )
    return rows


def designlint_json(cwd: Path, *paths: str) -> list[tuple[str, int, int, str, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "designlint", "check", "--output-format", "json", *paths],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    return [
        (
            Path(d["filename"]).relative_to(cwd).as_posix(),
            d["location"]["row"],
            d["location"]["column"],
            d["code"],
            d["message"],
        )
        for d in json.loads(result.stdout)
    ]


@pytest.mark.parametrize("project", ["dispatcher", "zero_config"])
def test_findings_match_the_fixture_annotations_and_the_cli(project):
    root = FIXTURES / project
    result = flake8(root, "--select", "DL", ".")
    assert result.returncode == 1, result.stdout + result.stderr
    reported = findings(result.stdout)
    assert Counter((path, row, code) for path, row, _, code, _ in reported) == expected_findings(root, "configured")
    # Same rows, columns (flake8 prints our 1-based columns unchanged) and messages as `designlint check`.
    assert sorted(reported) == sorted(designlint_json(root, "."))


def test_the_projects_configuration_is_read_as_the_cli_reads_it():
    reported = findings(flake8(FIXTURES / "dispatcher", "--select", "DL", "src").stdout)
    # errors.codes from fixtures/dispatcher/pyproject.toml: the enum's member is named.
    assert (
        "src/toolhub/dispatcher.py",
        26,
        25,
        "DL501",
        'raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED',
    ) in reported


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.designlint]\nper-file-ignores = { "legacy/*" = ["DL501"] }\n', encoding="utf-8"
    )
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text('raise RuntimeError("RATE_LIMITED")\n', encoding="utf-8")
    (tmp_path / "tools.py").write_text(
        textwrap.dedent(
            """\
            class ToolError(Exception):
                pass


            def run(call):
                if call.over_limit:
                    raise ToolError("RATE_LIMITED")
                if call.denied:
                    raise ToolError("FORBIDDEN")  # noqa: DL501
                if call.late:
                    raise ToolError("UPSTREAM_TIMEOUT")  # noqa: E501
                if call.gone:
                    raise ToolError("NOT_FOUND")  # noqa
                if call.bad:
                    raise ToolError("BAD_ARGS")  # NOQA:DL5
                return {"résumé": "héllo", "error": {"code": "TOOL_FAILED", "message": "é"}}
            """
        ),
        encoding="utf-8",
    )
    return tmp_path


def test_flake8_noqa_is_honoured(project):
    result = flake8(project, "--select", "DL", "tools.py")
    assert [(row, col, code) for _, row, col, code, _ in findings(result.stdout)] == [
        (7, 25, "DL501"),
        (11, 25, "DL501"),  # a noqa for another code does not hide it
        # Columns count characters: three "é" come before the literal (in bytes it would be 53).
        (16, 50, "DL501"),
    ]


def test_disable_noqa_shows_every_finding(project):
    result = flake8(project, "--select", "DL", "--disable-noqa", "tools.py")
    assert [row for _, row, _, _, _ in findings(result.stdout)] == [7, 9, 11, 13, 15, 16]


def test_extend_select_adds_designlint_to_the_default_checks(project):
    result = flake8(project, "--extend-select", "DL", "--max-line-length", "200", ".")
    reported = findings(result.stdout)
    assert [(path, row) for path, row, _, code, _ in reported if code.startswith("DL")] == [
        ("tools.py", 7),
        ("tools.py", 11),
        ("tools.py", 16),
    ]
    # per-file-ignores from pyproject.toml silenced legacy/old.py.
    assert not [r for r in reported if r[0].startswith("legacy/")]


def test_selecting_other_codes_leaves_designlint_out(project):
    result = flake8(project, "--select", "E,W,F", "--max-line-length", "200", "tools.py")
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("paths", [["tools.py"], ["."], []])
def test_a_broken_configuration_is_one_clear_line(project, paths):
    (project / "pyproject.toml").write_text('[tool.designlint]\nselect = ["XX1"]\n', encoding="utf-8")
    result = flake8(project, "--select", "DL", *paths)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"designlint: error: {project / 'pyproject.toml'}:2: `tool.designlint.select`:"
        " unknown rule code or prefix 'XX1' (run `designlint rules` for the list)\n"
    )


def test_a_broken_configuration_deeper_down_is_a_line_on_the_file_it_applies_to(project):
    (project / "sub").mkdir()
    (project / "sub" / "designlint.toml").write_text('select = ["XX1"]\n', encoding="utf-8")
    (project / "sub" / "x.py").write_text("x = 1\n", encoding="utf-8")
    named = flake8(project, "--select", "DL", "sub/x.py", "tools.py")  # found before checking: stops at once
    assert named.returncode == 2
    assert "sub/designlint.toml:1: `select`: unknown rule code or prefix 'XX1'" in named.stderr
    found = flake8(project, "--select", "DL", ".")  # found while checking sub/x.py
    assert found.returncode == 1
    assert found.stdout.splitlines()[0] == (
        f'./sub/x.py: "designlint[DL]" failed during execution due to designlint\'s configuration:'
        f" {project / 'sub' / 'designlint.toml'}:1: `select`: unknown rule code or prefix 'XX1'"
        " (run `designlint rules` for the list)"
    )
    assert "Traceback" not in named.stdout + named.stderr + found.stdout + found.stderr


def test_a_message_quoting_hostile_code_stays_one_printable_line(tmp_path):
    (tmp_path / "fetch.py").write_text(
        'import requests\n\n\ndef fetch(lookup):\n    requests.get(lookup("""\n::error title=pwned::fake\x1b]0;t\x07"""), timeout=5)\n',
        encoding="utf-8",
    )
    result = flake8(tmp_path, "--select", "DL", "fetch.py")
    assert result.returncode == 1
    ((path, row, col, code, message),) = findings(result.stdout)
    assert (path, row, col, code) == ("fetch.py", 5, 18, "DL202")
    assert '`lookup("""\\n::error title=pwned::fake\\x1b...`' in message
    assert "\x1b" not in result.stdout
