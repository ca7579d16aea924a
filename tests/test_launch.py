"""The entry point's own answers (``designlint.launch``): ``--version``, ``rules`` and ``rule``
answered from the rule pages without click must print exactly what ``designlint.cli`` prints,
and anything it does not read exactly as click would must reach click."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from designlint import launch, pages
from designlint.catalogue import catalogue_dir, load_catalogue
from designlint.cli import main as cli_main

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CODES = sorted(load_catalogue())
ANSWERED = [
    ["--version"],
    ["rules"],
    ["rules", "--output-format", "json"],
    ["rules", "--output-format=text"],
    *(["rule", code] for code in CODES),
    *(["rule", "--output-format", "json", code.lower()] for code in CODES),
]


def cli_output(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_main, args, prog_name="designlint")
    return result.exit_code, result.stdout, result.stderr


def launch_output(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit:
        launch.main(args)
    out, err = capsys.readouterr()
    return exit.value.code or 0, out, err


@pytest.mark.parametrize("args", ANSWERED, ids=" ".join)
def test_an_answered_command_prints_what_the_cli_prints(args, capsys, monkeypatch):
    monkeypatch.setattr("designlint.cli.main", None)  # answered here: reaching click fails
    assert launch._answer(args) is not None
    assert launch_output(args, capsys) == cli_output(args)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["rules", "--help"],
        ["rule", "DL999"],
        ["rule", "../README"],
        ["rule"],
        ["rule", "DL101", "DL201"],
        ["rules", "extra"],
        ["rules", "--output-format", "yaml"],
        ["rules", "--output-format"],
        ["rule", "DL101", "--output-format", "json", "--output-format", "text"],
        ["--version", "rules"],
        [],
    ],
    ids=lambda args: " ".join(args) or "no arguments",
)
def test_anything_else_goes_to_the_cli(args, capsys, monkeypatch):
    calls = []
    monkeypatch.setattr("designlint.cli.main", lambda argv, prog_name: calls.append((argv, prog_name)))
    launch.main(args)
    assert calls == [(args, "designlint")]
    assert capsys.readouterr() == ("", "")


@pytest.mark.parametrize("code", CODES)
def test_the_simple_reader_reads_every_page_as_tomllib_does(code):
    split = pages.split_page((catalogue_dir() / f"{code}.md").read_text(encoding="utf-8"))
    assert split is not None
    assert pages.simple_front_matter(split[0]) == tomllib.loads(split[0])


@pytest.mark.parametrize(
    "toml",
    [
        'name = "a \\"quoted\\" word"',  # an escape
        'name = "x" # a comment',
        "name = 'literal'",
        'name = "x"\nname = "y"',  # a duplicate key, which TOML refuses
        'options = ["a", "b",]',
        'options = ["a, b"]',
        'name = """multi"""',
        'name = "tab\there"',
        "",
        'na me = "x"',
    ],
)
def test_the_simple_reader_declines_what_it_does_not_read_exactly(toml):
    assert pages.simple_front_matter(toml) is None


def test_a_page_the_simple_reader_declines_is_shown_by_the_cli(tmp_path, monkeypatch, capsys):
    page = tmp_path / "DL101.md"
    original = (catalogue_dir() / "DL101.md").read_text(encoding="utf-8")
    page.write_text(original.replace('name = "authz-or"', 'name = "authz\\u002dor"'), encoding="utf-8")
    monkeypatch.setattr(pages, "catalogue_dir", lambda: str(tmp_path))
    assert launch._answer(["rule", "DL101"]) is None
    exit_code, out, _ = launch_output(["rule", "DL101"], capsys)
    assert exit_code == 0 and out.startswith("# DL101 authz-or\n")


def test_the_entry_points_are_the_launcher():
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"]["designlint"] == "designlint.launch:main"
