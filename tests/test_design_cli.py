"""``designlint design show``, ``designlint design check``, and the document's findings in
``designlint check``: every output format carries the Markdown file and line; suppression in
Markdown; the results cache notices an edited document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from designlint.cache import config_fingerprint
from designlint.cli import main
from designlint.resolution import ConfigResolver

DOCUMENT = "docs/engineering-design.md"
DESIGN = """\
# Engineering design: ticket triage

## 3. Error-code contract

| Code | Trigger | HTTP |
| --- | --- | --- |
| `RATE_LIMITED` | over quota | 429 |

## 7. Egress allowlist

| Host | Purpose |
| --- | --- |
| `api.tickets.example.com` | tickets |
| `hooks.slack.com` | alerts |

## 5. Failure modes

| Operation | Timeout |
| --- | --- |
| ticket API | 30 s |
"""
TOOLS = """\
import requests


def fetch(ticket_id):
    if ticket_id is None:
        raise ToolError("RATE_LIMITED")
    return requests.get(f"https://api.tickets.example.com/t/{ticket_id}", timeout=60)
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "docs").mkdir()
    (tmp_path / DOCUMENT).write_text(DESIGN, encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app/tools.py").write_text(TOOLS, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.designlint]\n\n[tool.designlint.timeouts]\nbudget = 90\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DESIGNLINT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_design_show_prints_each_value_with_where_it_came_from(project):
    result = _run("design", "show")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"Design documents: {DOCUMENT}"
    assert f'contract = ["RATE_LIMITED"]  # {DOCUMENT}:7' in lines
    assert f'allow = ["api.tickets.example.com", "hooks.slack.com"]  # {DOCUMENT}:13, :14' in lines
    assert f"budget = 90.0  # set in pyproject.toml, which wins; the document says 30.0 at {DOCUMENT}:20" in lines, (
        lines
    )


def test_design_check_reports_only_the_document_rules(project):
    result = _run("design", "check", "--output-format", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert {d["code"] for d in found} <= {"DL011", "DL012", "DL013", "DL014", "DL015"}
    drift = [d for d in found if d["code"] == "DL014"]
    assert [(d["filename"], d["location"]["row"]) for d in drift] == [(str(project / DOCUMENT), 14)]
    assert "hooks.slack.com is allowed" in drift[0]["message"]


def test_design_check_without_a_document_says_so_and_passes(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    result = _run("design", "check")
    assert result.exit_code == 0
    assert "designlint: warning: no engineering design document found" in result.stderr


def test_check_reports_the_document_beside_the_code(project):
    result = _run("check", ".")
    assert result.exit_code == 1
    assert "app/tools.py:7:12: DL601" not in result.stdout  # 60 s is within the config's 90 s budget
    assert f"{DOCUMENT}:14:1: DL014 hooks.slack.com is allowed" in result.stdout
    # After the error-code table, where the template puts the state machine, one finding a category.
    assert f"{DOCUMENT}:7:1: DL011 no section for state machines:" in result.stdout
    assert f"{DOCUMENT}:7:1: DL011 no section for execution order:" in result.stdout
    assert f"{DOCUMENT}:14:1: DL011 no section for audit:" in result.stdout  # after egress, the nearest before it


@pytest.mark.parametrize("output_format", ["github", "sarif", "gitlab", "json-lines", "full"])
def test_every_output_format_carries_the_markdown_path_and_line(project, output_format):
    result = _run("check", ".", "--select", "DL014", "--output-format", output_format)
    assert result.exit_code == 1
    if output_format == "github":
        assert f"::error file={DOCUMENT},line=14,col=1," in result.stdout
    elif output_format == "sarif":
        [finding] = json.loads(result.stdout)["runs"][0]["results"]
        location = finding["locations"][0]["physicalLocation"]
        assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == (DOCUMENT, 14)
    elif output_format == "gitlab":
        [finding] = json.loads(result.stdout)
        assert (finding["location"]["path"], finding["location"]["lines"]["begin"]) == (DOCUMENT, 14)
    elif output_format == "json-lines":
        finding = json.loads(result.stdout.splitlines()[0])
        assert (finding["filename"], finding["location"]["row"]) == (str(project / DOCUMENT), 14)
    else:
        assert f"{DOCUMENT}:14:1: DL014" in result.stdout and "| `hooks.slack.com` | alerts |" in result.stdout


@pytest.mark.parametrize(
    ("comment", "where", "suppressed"),
    [
        ("<!-- designlint: noqa: DL014 -->", "above", True),
        ("<!-- designlint: noqa -->", "above", True),
        ("<!-- designlint: noqa: DL011 -->", "above", False),
        ("<!-- designlint: noqa: DL014 -->", "two above", False),
        ("<!-- designlint: noqa: DL014 -->", "in the row", True),
        ("<!-- designlint: noqa: DL01 -->", "in the row", True),
        ("<!-- designlint: noqa: DL015 -->", "in the row", False),
    ],
)
def test_markdown_suppression_on_the_line_or_the_line_above(project, comment, where, suppressed):
    """In a table, the comment goes in the row's last cell (a line of its own would end the table)."""
    row = "| `hooks.slack.com` | alerts |"
    if where == "in the row":
        text = DESIGN.replace(row, f"| `hooks.slack.com` | alerts {comment} |")
    else:
        between = "- `api.other.example`\n" if where == "two above" else ""
        text = DESIGN.replace(
            "| Host | Purpose |\n| --- | --- |\n| `api.tickets.example.com` | tickets |\n" + row + "\n",
            f"- `api.tickets.example.com`\n{comment}\n{between}- `hooks.slack.com`\n",
        )
    (project / DOCUMENT).write_text(text, encoding="utf-8")
    result = _run("check", ".", "--select", "DL012,DL014", "--output-format", "json")
    found = json.loads(result.stdout)
    assert not [d for d in found if d["code"] == "DL012"], found
    hosts = [d["message"].split()[0] for d in found]
    assert ("hooks.slack.com" not in hosts) == suppressed, found


def test_per_file_ignores_apply_to_the_document(project):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "[tool.designlint]\n", '[tool.designlint]\nper-file-ignores = { "docs/*.md" = ["DL01"] }\n'
        )
    )
    result = _run("check", ".", "--output-format", "json")
    assert not [d for d in json.loads(result.stdout) if d["code"].startswith("DL01")]


def test_editing_the_document_relints_with_the_cache(project):
    first = _run("check", ".", "--select", "DL201", "--output-format", "json")
    assert first.exit_code == 0
    (project / DOCUMENT).write_text(DESIGN.replace("| `api.tickets.example.com` | tickets |\n", ""), encoding="utf-8")
    second = _run("check", ".", "--select", "DL201", "--output-format", "json")
    assert [(d["code"], d["location"]["row"]) for d in json.loads(second.stdout)] == [("DL201", 7)]


def test_a_prose_edit_of_the_document_changes_the_cache_key(project):
    before = config_fingerprint(ConfigResolver(cwd=project).for_directory(project / "app"))
    (project / DOCUMENT).write_text(DESIGN + "\nThe ticket API is read-only.\n", encoding="utf-8")
    after = config_fingerprint(ConfigResolver(cwd=project).for_directory(project / "app"))
    assert before != after


def test_add_noqa_leaves_the_markdown_alone_and_says_how_to_suppress_there(project):
    result = _run("check", ".", "--select", "DL014", "--add-noqa")
    assert result.exit_code == 0
    assert (project / DOCUMENT).read_text(encoding="utf-8") == DESIGN
    assert f"{DOCUMENT}: not a Python file: suppress there with <!-- designlint: noqa: CODE -->" in result.stderr


def test_the_language_server_reports_the_design_document_and_no_other_markdown(project):
    from designlint.integrations.lsp_findings import ProjectLinters

    (project / "docs/tasks.md").write_text("# Tasks\n\n- T1 [codes](engineering-design.md#3-error-codes)\n")
    (project / "README.md").write_text("# Triage\n\n[design](docs/engineering-design.md#nowhere)\n")
    linters = ProjectLinters()
    found = [(d.code, d.start.row) for d in linters.design_findings(project / DOCUMENT)]
    assert ("DL014", 14) in found and ("DL011", 7) in found
    assert [(d.code, d.start.row) for d in linters.design_findings(project / "docs/tasks.md")] == [("DL013", 3)]
    assert linters.design_findings(project / "README.md") == []
