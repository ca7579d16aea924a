"""The Python API: ``lint_source`` (no I/O) and ``lint_paths`` (files, config, fixes)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from projects import ERRORS_PY, LEGACY_PY, TOOLS_PY, configured_project

from designlint import Config, ConfigError, Diagnostic, Linter, Options, Position, Project, lint_paths, lint_source
from designlint.analysis.enums import ENUM_CLASSES
from designlint.diagnostics import Applicability
from designlint.rules.errors import ErrorsOptions

CONFIG = Config(tables=(ErrorsOptions(codes="app.errors.ErrorCode"),))
PROJECT = Project.from_sources({"app.errors": ERRORS_PY})


def test_lint_source_does_no_io(tmp_path, monkeypatch):
    lint_source(TOOLS_PY, "warm-up.py", CONFIG, PROJECT)  # lazy imports happen here, not below
    monkeypatch.chdir(tmp_path)  # an empty directory: nothing to read even by accident

    def no_io(*args, **kwargs):
        raise AssertionError(f"lint_source did I/O: {args}")

    for name in ("read_bytes", "read_text", "open", "exists", "is_file", "stat"):
        monkeypatch.setattr(Path, name, no_io)
    monkeypatch.setattr("builtins.open", no_io)
    monkeypatch.setattr("io.open", no_io)
    diagnostics = lint_source(TOOLS_PY, "no/such/dir/tools.py", CONFIG, PROJECT)
    monkeypatch.undo()
    assert [(d.path, d.code, d.start, d.end, d.message) for d in diagnostics] == [
        (
            "no/such/dir/tools.py",
            "DL501",
            Position(10, 25),
            Position(10, 39),
            'raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED',
        )
    ]
    assert all(isinstance(d, Diagnostic) for d in diagnostics)
    assert diagnostics[0].fix.applicability is Applicability.SAFE
    assert list(tmp_path.iterdir()) == []


def test_lint_source_accepts_bytes_and_text_alike():
    assert lint_source(LEGACY_PY.encode("utf-8"), "legacy.py", CONFIG, PROJECT) == lint_source(
        LEGACY_PY, "legacy.py", CONFIG, PROJECT
    )


def test_lint_source_without_a_project_still_reports_by_shape():
    (first, second) = lint_source(LEGACY_PY, "legacy.py", CONFIG)
    assert first.message.startswith('raw error code "UPSTREAM_TIMEOUT"') and second.start.row == 7


def test_lint_source_sorts_by_row_and_column():
    source = 'raise ToolError("B_CODE")\nraise ToolError("A_CODE")\n'
    assert [d.start.row for d in lint_source(source, "x.py", Config())] == [1, 2]


def test_lint_paths_reads_config_per_directory(tmp_path, monkeypatch):
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = lint_paths([Path(".")], Options(jobs=1))
    assert [(Path(d.path).as_posix(), d.start.row) for d in result.diagnostics] == [
        ("app/legacy.py", 6),
        ("app/legacy.py", 7),
        ("app/tools.py", 10),
    ]


def test_lint_paths_raises_config_error(tmp_path, monkeypatch):
    configured_project(tmp_path, {"designlint.toml": "select = [\n"})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as raised:
        lint_paths(["."])
    assert raised.value.path == str(tmp_path / "designlint.toml")
    assert str(raised.value).startswith(f"{tmp_path / 'designlint.toml'}: invalid TOML: ")


def test_the_error_enum_module_is_read_quietly(tmp_path, monkeypatch):
    """Its invalid escape sequence is for Python to warn about when it runs, not for designlint."""
    (tmp_path / "pyproject.toml").write_text('[tool.designlint.errors]\ncodes = "app.errors.ErrorCode"\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "errors.py").write_text(
        'from enum import Enum\nPATTERN = "\\d+"\n\n\nclass ErrorCode(str, Enum):\n    RATE_LIMITED = "RATE_LIMITED"\n'
    )
    (tmp_path / "app" / "tools.py").write_text('raise ToolError("RATE_LIMITED")\n')
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = lint_paths(["app/tools.py"], Options(jobs=1))
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("DL501", 'raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED')
    ]


def test_the_error_enum_module_may_start_with_a_bom(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "errors.py").write_bytes(b"\xef\xbb\xbf" + ERRORS_PY.encode())
    info = Project.from_root(tmp_path).fact(ENUM_CLASSES, "app.errors.ErrorCode")
    assert "RATE_LIMITED" in [name for name, _ in info.members]


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "worker-processes"])
def test_lint_paths_keeps_nothing_between_calls(tmp_path, monkeypatch, jobs):
    """A second run in the same process reads the error enum as it is now, not as the first
    run found it (in this process, or in workers forked from it)."""
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("designlint.runner.SMALL_RUN_BYTES", 0)  # let jobs=2 start worker processes

    def messages() -> list[str]:
        return [d.message for d in lint_paths(["app/tools.py"], Options(jobs=jobs)).diagnostics]

    assert lint_paths(["app/tools.py"], Options(jobs=1)).diagnostics[0].message == (
        'raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED'
    )
    errors = tmp_path / "app" / "errors.py"
    errors.write_text(errors.read_text().replace('RATE_LIMITED = "RATE_LIMITED"', 'TOO_MANY_CALLS = "RATE_LIMITED"'))
    assert messages() == ['raw error code "RATE_LIMITED": use ErrorCode.TOO_MANY_CALLS']


def test_lint_paths_builds_the_rules_once_per_configuration(tmp_path, monkeypatch):
    configured_project(tmp_path, {"other/designlint.toml": "select = []\n", "other/x.py": "x = 1\n"})
    monkeypatch.chdir(tmp_path)
    built = []
    original = Linter.__init__

    def counting(self, config=None, *args, **kwargs):
        built.append(config.path)
        original(self, config, *args, **kwargs)

    monkeypatch.setattr(Linter, "__init__", counting)
    result = lint_paths(["."], Options(jobs=1))
    assert len(result.outcomes) == 5  # the four modules of app/, and other/x.py
    assert sorted(built) == [tmp_path / "other" / "designlint.toml", tmp_path / "pyproject.toml"]


def test_the_package_exports_its_api_on_first_use():
    """``import designlint`` stays light (the CLI imports it on every start): its names are
    looked up in their modules when first used, each the object its module defines."""
    import designlint
    import designlint.engine
    import designlint.runner

    assert sorted(designlint.__all__) == sorted([*designlint._API, "__version__"])
    assert designlint.lint_source is designlint.engine.lint_source
    assert designlint.Options is designlint.runner.Options
    with pytest.raises(AttributeError, match="has no attribute 'lint'"):
        designlint.lint  # noqa: B018
