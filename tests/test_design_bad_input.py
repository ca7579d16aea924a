"""A design document designlint cannot fully read gets DL012 on the line, never a crash, and
the code rules still run with what was readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from designlint.runner import Options, lint_paths

DOCUMENT = "docs/engineering-design.md"
_EGRESS = "## 7. Egress allowlist\n\n| Host | Purpose |\n| --- | --- |\n| `api.tickets.example.com` | tickets |\n"
_TOOLS = 'import requests\n\n\ndef fetch():\n    return requests.get("https://api.tickets.example.com/t", timeout=5)\n'


def _lint(root: Path, document: bytes, monkeypatch) -> list[tuple[str, str, int, str]]:
    (root / "docs").mkdir(parents=True)
    (root / DOCUMENT).write_bytes(document)
    (root / "app").mkdir()
    (root / "app/tools.py").write_text(_TOOLS, encoding="utf-8")
    monkeypatch.chdir(root)
    result = lint_paths([Path(".")], Options(jobs=1))
    return [(d.path, d.code, d.start.row, d.message) for d in result.diagnostics if d.code != "DL011"]


@pytest.mark.parametrize(
    ("name", "tail", "line", "message"),
    [
        (
            "ragged row",
            "## 5. Failure modes\n\n| Operation | Timeout |\n| --- | --- |\n| model | 30 s | 3 | x |\n",
            13,
            "this row has 4 cells, the table's header 2",
        ),
        (
            "short row",
            "## 5. Failure modes\n\n| Operation | Timeout | Retries |\n| --- | --- | --- |\n| model |\n",
            13,
            "this row has 1 cells, the table's header 3",
        ),
        (
            "bad TOML",
            "## 3. Error codes\n\nNot applicable: see below.\n\n```toml designlint\n[errors\ncodes = 1\n```\n",
            14,
            "invalid TOML in the `toml designlint` block",
        ),
        (
            "unknown key in a block",
            '```toml designlint\nselect = ["DL5"]\n```\n',
            10,
            "`select` cannot be set by a design document",
        ),
        (
            "bad value in a block",
            '```toml designlint\n[timeouts]\nbudget = "soon"\n```\n',
            11,
            "`timeouts.budget`: expected",
        ),
        (
            "unresolved enum",
            '```toml designlint\n[errors]\ncodes = "app.nowhere.ErrorCode"\n```\n',
            11,
            "`errors.codes`: ",
        ),
        (
            "not a timeout",
            "## 5. Failure modes\n\n| Operation | Timeout |\n| --- | --- |\n| model | soonish |\n",
            13,
            'expected a timeout such as "30 s"',
        ),
        (
            "unreadable diagram",
            "## 2. State machine\n\n```mermaid\nstateDiagram-v2\n    Open -> Closed\n```\n",
            13,
            "cannot read this line of the state diagram",
        ),
    ],
)
def test_an_unreadable_contract_is_dl012_on_its_line_and_the_rest_is_read(
    name, tail, line, message, tmp_path, monkeypatch
):
    document = f"# Engineering design\n\n{_EGRESS}\n{tail}".encode()
    found = _lint(tmp_path, document, monkeypatch)
    unreadable = [f for f in found if f[1] == "DL012"]
    assert len(unreadable) == 1 and unreadable[0][2] == line and message in unreadable[0][3], (name, found)
    # the egress table was still read: the allowed host is not reported by DL201
    assert not [f for f in found if f[1] == "DL201"], found


def test_a_mermaid_block_that_never_closes_is_dl012_and_the_sections_before_it_are_read(tmp_path, monkeypatch):
    document = f"# Engineering design\n\n{_EGRESS}\n## 2. State machine\n\n```mermaid\nstateDiagram-v2\n    Open --> Closed\n".encode()
    found = _lint(tmp_path, document, monkeypatch)
    assert [(f[1], f[2]) for f in found if f[1] == "DL012"] == [("DL012", 11)]
    assert "never closed" in next(f[3] for f in found if f[1] == "DL012")
    assert not [f for f in found if f[1] == "DL201"]


def test_a_document_that_is_not_utf8_is_dl012_and_the_code_is_still_linted(tmp_path, monkeypatch):
    found = _lint(tmp_path, b"# Engineering design\n\n## Egress\n\n- `caf\xe9.example`\n", monkeypatch)
    assert (DOCUMENT, "DL012", 5, "the design document is not valid UTF-8") in found
    assert [f[1] for f in found if f[0] == "app/tools.py"] == ["DL201"]  # no allowlist was read


def test_a_huge_document_is_dl012_not_read(tmp_path, monkeypatch):
    found = _lint(tmp_path, b"# Engineering design\n\n" + b"x" * (2**20 + 1), monkeypatch)
    assert [(f[1], f[2]) for f in found if f[0] == DOCUMENT] == [("DL012", 1)]
    assert "too large" in found[0][3] or any("too large" in f[3] for f in found)


def test_deeply_nested_toml_in_a_block_is_dl012(tmp_path, monkeypatch):
    document = f"# Engineering design\n\n```toml designlint\nx = {'[' * 5000}{']' * 5000}\n```\n".encode()
    found = _lint(tmp_path, document, monkeypatch)
    assert [(f[1], f[2]) for f in found if f[1] == "DL012"] == [("DL012", 3)]
