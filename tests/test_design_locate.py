"""Where the design document is: the ``design`` key, the usual places, a spec-kit feature."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from designlint.cli import main
from designlint.design.locate import locate_documents
from designlint.resolution import ConfigResolver, design_documents

DESIGN = "# Engineering design\n\n## Egress\n\n- `api.example.com`\n"


def _write(root: Path, *paths: str, text: str = DESIGN) -> None:
    for path in paths:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def test_the_first_usual_place_that_holds_one(tmp_path):
    _write(tmp_path, "docs/engineering-design.md", "design/engineering-design.md")
    assert locate_documents(tmp_path, None, {}) == (tmp_path / "docs/engineering-design.md",)
    _write(tmp_path, "engineering-design.md")
    assert locate_documents(tmp_path, None, {}) == (tmp_path / "engineering-design.md",)


def test_no_document_and_no_spec_kit_is_none(tmp_path):
    _write(tmp_path, "specs/001-a/engineering-design.md")  # not a spec-kit project: no .specify/
    assert locate_documents(tmp_path, None, {}) == ()


def test_spec_kit_active_feature_from_the_environment_then_feature_json(tmp_path):
    (tmp_path / ".specify").mkdir()
    _write(tmp_path, "specs/001-login/engineering-design.md", "specs/002-billing/engineering-design.md")
    (tmp_path / ".specify/feature.json").write_text(json.dumps({"feature_directory": "specs/001-login"}))
    env = {"SPECIFY_FEATURE_DIRECTORY": "specs/002-billing"}
    assert locate_documents(tmp_path, None, env) == (tmp_path / "specs/002-billing/engineering-design.md",)
    assert locate_documents(tmp_path, None, {}) == (tmp_path / "specs/001-login/engineering-design.md",)


def test_spec_kit_without_an_active_feature_merges_every_feature(tmp_path):
    (tmp_path / ".specify").mkdir()
    _write(tmp_path, "specs/002-billing/engineering-design.md", "specs/001-login/engineering-design.md")
    (tmp_path / "specs/003-draft").mkdir()  # a feature with no design yet
    assert locate_documents(tmp_path, None, {}) == (
        tmp_path / "specs/001-login/engineering-design.md",
        tmp_path / "specs/002-billing/engineering-design.md",
    )


@pytest.mark.parametrize("named", ["../outside", "/etc", "specs/none"])
def test_a_feature_directory_outside_the_root_or_missing_is_no_active_feature(tmp_path, named):
    project = tmp_path / "project"
    (project / ".specify").mkdir(parents=True)
    _write(project, "specs/001-login/engineering-design.md")
    _write(tmp_path, "outside/engineering-design.md")
    found = locate_documents(project, None, {"SPECIFY_FEATURE_DIRECTORY": named})
    assert found == (project / "specs/001-login/engineering-design.md",)


def test_a_broken_feature_json_is_no_active_feature(tmp_path):
    (tmp_path / ".specify").mkdir()
    (tmp_path / ".specify/feature.json").write_text("{not json")
    _write(tmp_path, "specs/001-login/engineering-design.md")
    assert locate_documents(tmp_path, None, {}) == (tmp_path / "specs/001-login/engineering-design.md",)


def test_the_design_key_names_one_or_several_documents_relative_to_the_config(tmp_path):
    _write(tmp_path, "engineering-design.md", "arch/api.md", "arch/jobs.md")
    (tmp_path / "pyproject.toml").write_text('[tool.designlint]\ndesign = ["arch/api.md", "arch/jobs.md"]\n')
    config = ConfigResolver(cwd=tmp_path).for_directory(tmp_path)
    assert design_documents(config) == (tmp_path / "arch/api.md", tmp_path / "arch/jobs.md")
    (tmp_path / "pyproject.toml").write_text("[tool.designlint]\ndesign = []\n")  # the search switched off
    assert design_documents(ConfigResolver(cwd=tmp_path).for_directory(tmp_path)) == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"docs/missing.md"', "`tool.designlint.design`: the design document 'docs/missing.md' does not exist"),
        ("3", "`tool.designlint.design`: expected the path of the design document"),
        ('[""]', "`tool.designlint.design`: expected the path of the design document"),
    ],
)
def test_a_bad_design_key_exits_2_naming_file_line_and_key(tmp_path, monkeypatch, value, message):
    (tmp_path / "pyproject.toml").write_text(f'[tool.designlint]\nselect = ["DL"]\ndesign = {value}\n')
    (tmp_path / "app.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--no-cache", "."])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"designlint: error: {tmp_path / 'pyproject.toml'}:3: {message}")
    assert "Traceback" not in result.stderr


def test_isolated_reads_no_design_document(tmp_path, monkeypatch):
    _write(tmp_path, "docs/engineering-design.md", text="# Engineering design\n\n## Egress\n\n- `a b`\n")
    (tmp_path / "app.py").write_text('import requests\nrequests.get("https://api.example.com", timeout=1)\n')
    monkeypatch.chdir(tmp_path)
    configured = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "json", "."])
    isolated = CliRunner().invoke(main, ["check", "--no-cache", "--isolated", "--output-format", "json", "."])
    assert {d["code"] for d in json.loads(configured.stdout)} >= {"DL011", "DL012"}
    assert {d["code"] for d in json.loads(isolated.stdout)} == {"DL201"}
