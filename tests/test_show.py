"""``--show-settings PATH`` and ``--show-files``: what a run would use, printed, nothing linted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from projects import check, configured_project, write_tree

from designlint.rules import REGISTRY

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    configured_project(
        tmp_path,
        {
            "tests/designlint.toml": 'select = ["DL5"]\nper-file-ignores = { "test_x.py" = ["DL501"] }\n',
            "tests/test_x.py": 'raise ToolError("RATE_LIMITED")\n',
            "tests/test_y.py": "",
            "migrations/0001.py": "",
            "notes.txt": "",
        },
    )
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.designlint.egress]\nallow = ["api.example.com"]\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def settings(result) -> dict:
    """The printed settings, read back as the TOML they are written as."""
    body = result.stdout.split("\n", 2)[2]
    return tomllib.loads(body)


def test_show_settings_names_the_config_file_and_every_effective_key(project):
    result = check("--show-settings", "app/tools.py")
    assert result.exit_code == 0 and result.stderr == ""
    first, second = result.stdout.splitlines()[:2]
    assert first == "Settings for: app/tools.py"
    assert second == f"Configuration file: {project / 'pyproject.toml'}"
    shown = settings(result)
    assert shown["root"] == str(project)
    assert shown["select"] == ["DL"] and shown["per-file-ignores"] == {}
    assert shown["errors"] == {"codes": "app.errors.ErrorCode"}
    assert shown["egress"] == {"allow": ["api.example.com"], "guards": []}
    assert "baseline" not in shown and "# baseline: not set (the default)" in result.stdout
    assert result.stdout.rstrip().endswith(
        "# Rules that run on app/tools.py: " + ", ".join(sorted(REGISTRY.codes))  # select = ["DL"]: every rule
    )
    assert not list(Path(".").rglob(".designlint_cache"))  # nothing was linted


def test_show_settings_of_a_nested_config_with_flags_applied(project):
    result = check("--show-settings", "tests/test_x.py", "--extend-select", "DL4")
    assert result.stdout.splitlines()[1] == f"Configuration file: {project / 'tests/designlint.toml'}"
    shown = settings(result)
    assert shown["select"] == ["DL5"] and shown["extend-select"] == ["DL4"]
    assert shown["per-file-ignores"] == {"test_x.py": ["DL501"]}
    assert shown["errors"] == {}  # this config sets none: the default
    assert result.stdout.rstrip().endswith("# Rules that run on test_x.py: DL401")


def test_show_settings_without_a_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = check("--show-settings", "a.py")
    assert result.stdout.splitlines()[1] == "Configuration file: none (the defaults)"
    assert settings(result)["select"] == ["DL"]


def test_show_files_lists_what_would_be_linted_honouring_excludes(project):
    result = check("--show-files", "--extend-exclude", "migrations")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "app/__init__.py",
        "app/errors.py",
        "app/legacy.py",
        "app/tools.py",
        "tests/test_x.py",
        "tests/test_y.py",
    ]
    assert check("--show-files", "app/tools.py", "tests").stdout.splitlines() == [
        "app/tools.py",
        "tests/test_x.py",
        "tests/test_y.py",
    ]


def test_a_config_error_exits_2_naming_it(project):
    write_tree(project, {"tests/designlint.toml": 'select = "DL5"\n'})
    for flags in (("--show-settings", "tests/test_x.py"), ("--show-files",)):
        result = check(*flags)
        assert result.exit_code == 2
        assert result.stderr.startswith(f"designlint: error: {project / 'tests/designlint.toml'}:1: `select`")
