"""``designlint.check_args`` reads a ``check`` command line as click reads it: for each line
it does not decline, the parameters are those click passes to the command (and the cache
directory's source, named in its errors); what click refuses, it declines. The entry point
then runs the command without click: its output and exit status are the CLI's."""

from __future__ import annotations

import os

import click
import pytest
from click.core import ParameterSource
from click.testing import CliRunner
from projects import TOOLS_PY, write_tree

from designlint import launch
from designlint.check_args import CACHE_DIR_VARIABLE, read_check_args
from designlint.cli import check as check_command
from designlint.cli import main as cli_main

LINES = [
    [],
    ["a.py"],
    ["a.py", "dir", "missing.py"],
    ["-"],
    ["", "a.py"],
    ["--", "-x", "--fix", "a.py"],
    ["a.py", "--fix", "dir", "-q"],
    ["--isolated", "--exit-zero", "--cache-dir", "cache", "a.py"],
    ["--cache-dir=cache", "a.py"],
    ["--cache-dir", "dir"],
    ["--cache-dir", "a.py"],
    ["--cache-dir"],
    ["--cache-dir", "--fix"],
    ["--cache-dir="],
    ["--output-format", "json"],
    ["--output-format=sarif", "--output-format", "full"],
    ["--output-format", "xml"],
    ["--output-format", "JSON"],
    ["-o", "out.txt"],
    ["-o", "dir"],
    ["--output-file=out.txt"],
    ["-oout.txt"],
    ["-o=out.txt"],
    ["-j", "2"],
    ["--jobs=3", "-j", "1"],
    ["-j", "0"],
    ["-j", "+2"],
    ["-j", " 2"],
    ["-j", "2_0"],
    ["-j", "x"],
    ["-j2"],
    ["-j", "9" * 5000],  # int() refuses over 4,300 digits; click says "not a valid integer"
    ["--jobs=" + "9" * 19],
    ["-q", "-v", "-w"],
    ["--quiet", "--verbose", "--watch"],
    ["-qv"],
    ["--fix=1"],
    ["--fix", "--diff", "--unsafe-fixes", "--fix-only", "--statistics", "--no-cache", "--force-exclude"],
    ["--baseline-prune", "--add-noqa", "--show-files"],
    ["--respect-gitignore"],
    ["--respect-gitignore", "--no-respect-gitignore"],
    ["--no-respect-gitignore", "--respect-gitignore"],
    ["--select", "DL5", "--select", "DL501,DL502", "--ignore=ALL"],
    ["--extend-select", " DL1 , ,DL2"],
    ["--select", ""],
    ["--select", "DL999"],
    ["--select", "dl5"],
    ["--exclude", "tests/*", "--extend-exclude", "a,b/**"],
    ["--exclude", ""],
    ["--exclude", "a[b"],
    ["--per-file-ignores", "tests/*:DL501,DL2", "--per-file-ignores=a.py:ALL"],
    ["--per-file-ignores", "a.py:"],
    ["--per-file-ignores", "nocolon"],
    ["--per-file-ignores", ":DL5"],
    ["--per-file-ignores", "a.py:DL999"],
    ["--config", "pyproject.toml"],
    ["--config", "missing.toml"],
    ["--config", "dir"],
    ["--isolated", "--config", "pyproject.toml"],
    ["--baseline", "baseline.json", "--write-baseline", "new.json"],
    ["--baseline", "dir"],
    ["--write-baseline", "dir"],
    ["--show-settings", "a.py"],
    ["--show-settings", "dir"],
    ["--stdin-filename", "x.py", "-"],
    ["--stdin-filename=", "-"],
    ["--help"],
    ["-h"],
    ["--unknown"],
    ["--fix", "--", "--select"],
]


@pytest.fixture
def files(tmp_path, monkeypatch):
    write_tree(tmp_path, {"a.py": "x = 1\n", "pyproject.toml": "[tool.designlint]\n", "dir/b.py": ""})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CACHE_DIR_VARIABLE, raising=False)
    return tmp_path


def click_reading(args: list[str]) -> dict | None:
    """The parameters click passes to ``check`` for ``args``, or None when it refuses them."""
    try:
        context = check_command.make_context("check", list(args))
    except (click.ClickException, click.exceptions.Exit):
        return None
    source = context.get_parameter_source("cache_dir")
    named_by = {ParameterSource.COMMANDLINE: "--cache-dir", ParameterSource.ENVIRONMENT: CACHE_DIR_VARIABLE}
    return {**context.params, "cache_dir_named_by": named_by.get(source) if source is not None else None}


@pytest.mark.parametrize("args", LINES, ids=lambda args: " ".join(args)[:60] or "(none)")
def test_what_is_read_is_what_click_reads(files, args):
    fast = read_check_args(args, os.environ)
    if fast is not None:
        assert fast == click_reading(args)


@pytest.mark.parametrize("value", ["envcache", "", "a.py", "dir"])
def test_the_cache_directory_from_the_environment_is_read_as_click_reads_it(files, monkeypatch, value):
    monkeypatch.setenv(CACHE_DIR_VARIABLE, value)
    for args in (["a.py"], ["--cache-dir", "flag", "a.py"]):
        fast = read_check_args(args, os.environ)
        if fast is not None:
            assert fast == click_reading(args)


def test_a_refused_line_is_declined(files):
    """Every line click refuses (this list has many) is left to click, whose error is shown."""
    refused = [args for args in LINES if click_reading(args) is None]
    assert len(refused) > 20
    assert [args for args in refused if read_check_args(args, os.environ) is not None] == []


def test_the_usual_lines_are_read_without_click(files):
    usual = [
        ["a.py", "dir"],
        ["--isolated", "--exit-zero", "--cache-dir", "cache", "a.py"],
        ["--output-format", "json", "-j", "2", "-q", "a.py"],
        ["--select", "DL5", "--extend-exclude", "tests/*", "--force-exclude", "a.py"],
        ["--stdin-filename", "x.py", "-"],
    ]
    assert [args for args in usual if read_check_args(args, os.environ) is None] == []


@pytest.mark.parametrize(
    "args",
    [
        ["app"],
        ["--output-format", "json", "app/tools.py"],
        ["--statistics", "--exit-zero", "app"],
        ["--fix", "--diff", "app"],  # refused once read: the command's own usage error
        ["--watch", "-"],
        ["--show-files", "app"],
        ["--cache-dir", "app/tools.py", "app"],  # click's refusal
        ["--select", "DL501", "--no-cache", "app"],
        ["--no-cache", "--diff", "app"],
    ],
    ids=" ".join,
)
def test_the_entry_point_runs_check_as_the_cli_does(tmp_path, monkeypatch, capfd, args):
    write_tree(tmp_path, {"pyproject.toml": "[tool.designlint]\n", "app/__init__.py": "", "app/tools.py": TOOLS_PY})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    assert (read_check_args(args, os.environ) is None) == ("--cache-dir" in args)  # which way it goes
    expected = CliRunner().invoke(cli_main, ["check", *args])
    with pytest.raises(SystemExit) as exit_info:
        launch.main(["check", *args])
    out, err = capfd.readouterr()
    assert (exit_info.value.code, out + err) == (expected.exit_code, expected.output)


def test_shell_completion_is_click_s_whatever_the_command_line(files, monkeypatch, capfd):
    """click answers its completion variable before it reads any argument: so does the entry point."""
    monkeypatch.setenv("_DESIGNLINT_COMPLETE", "bash_source")
    with pytest.raises(SystemExit):
        launch.main(["check", "a.py"])
    assert "_designlint_completion" in capfd.readouterr().out
