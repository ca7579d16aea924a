"""``# noqa`` with flake8's spelling, and file-level ``# designlint: noqa``."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from projects import write_tree

from designlint import Config, lint_source
from designlint.cli import main

RAISE = 'raise ToolError("RATE_LIMITED")'


def rows(source: str) -> list[tuple[int, str]]:
    """What is left unsuppressed (the noqa codes that suppress nothing are DL003's: tests/test_unused_noqa.py)."""
    return [(d.start.row, d.code) for d in lint_source(source, "tools.py", Config(ignore=("DL003",)))]


def one_line(comment: str) -> str:
    return f"{RAISE}  {comment}\n" if comment else f"{RAISE}\n"


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa",
        "#noqa",
        "# NOQA",
        "# NoQA",
        "# noqa: DL501",
        "# noqa:DL501",
        "# NOQA:DL501",
        "# noqa: DL5",  # a prefix
        "# noqa: DL",
        "# noqa: DL101, DL501",
        "# noqa: DL101,DL501",
        "# noqa: DL101 DL501",  # white space separates codes too
        "# noqa: dl501",  # codes are not case-sensitive
        "# noqa: DL501 -- legacy clients, removed in 2.0",  # text after the codes
        "# type: ignore # noqa: DL501",  # after another comment
        "# noqa:",  # a colon with no codes is a blanket noqa
        "# noqa:  DL101",  # flake8: two spaces after the colon make it a blanket noqa
        "# noqa - DL101",  # not the codes form: blanket
    ],
)
def test_noqa_forms_that_suppress(comment):
    assert rows(one_line("")) == [(1, "DL501")], "the unsuppressed line must fire"
    assert rows(one_line(comment)) == []


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: DL101",  # another code
        "# noqa: DL502",
        "# noqa: DL5011",  # longer than the code: not a prefix of it
        "# noqa:DL101,DL102",
        "# no qa",
        "# designlint: noqa",  # the file-level form after code is no line noqa either
    ],
)
def test_noqa_forms_that_do_not_suppress(comment):
    assert rows(one_line(comment)) == [(1, "DL501")]


def test_noqa_applies_to_the_reported_line_only():
    source = 'x = 1  # noqa\nraise ToolError("RATE_LIMITED")\nraise ToolError("UPSTREAM_TIMEOUT")  # noqa: DL501\n'
    assert rows(source) == [(2, "DL501")]


def test_noqa_in_a_multiline_call_goes_on_the_literals_line():
    source = 'raise ToolError(\n    "RATE_LIMITED",  # noqa: DL501\n    "UPSTREAM_TIMEOUT",\n)\n'
    assert rows(source) == []
    assert rows(source.replace("  # noqa: DL501", "")) == [(2, "DL501")]


def test_noqa_inside_a_string_is_no_comment():
    assert rows('raise ToolError("RATE_LIMITED", "# noqa")\n') == [(1, "DL501")]


@pytest.mark.parametrize(
    "marker", ["# designlint: noqa", "# designlint:noqa", "#designlint: NOQA", "    # designlint: noqa"]
)
def test_file_level_noqa_suppresses_the_whole_file(marker):
    source = f'raise ToolError("RATE_LIMITED")\n\nif True:\n{marker}\n    raise ToolError("UPSTREAM_TIMEOUT")\n'
    assert rows(source) == []


@pytest.mark.parametrize(
    ("marker", "silent"),
    [
        ("# designlint: noqa: DL501", True),
        ("# designlint: noqa: DL5", True),
        ("# designlint: noqa:DL101", False),
        ("# designlint: noqa: DL101, DL501", True),
    ],
)
def test_file_level_noqa_with_codes(marker, silent):
    source = f'"""Module."""\n{marker}\nraise ToolError("RATE_LIMITED")\nraise ToolError("UPSTREAM_TIMEOUT")\n'
    assert rows(source) == ([] if silent else [(3, "DL501"), (4, "DL501")])


def test_file_level_noqa_does_not_hide_parse_errors():
    assert rows("# designlint: noqa\ndef f(:\n") == [(2, "DL001")]


def test_noqa_through_the_cli(tmp_path, monkeypatch):
    write_tree(
        tmp_path,
        {
            "a.py": 'raise ToolError("RATE_LIMITED")  # noqa: DL501\nraise ToolError("UPSTREAM_TIMEOUT")  # noqa: DL101\n',
            "b.py": '# designlint: noqa\nraise ToolError("RATE_LIMITED")\n',
        },
    )
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "-j", "1"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        'a.py:2:17: DL501 raw error code "UPSTREAM_TIMEOUT": use a member of the error-code enum (name it in [tool.designlint.errors] codes)',
        "a.py:2:38: DL003 [*] unused `noqa` code DL101: nothing on this line is reported with it",
    ]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_noqa_is_read_whatever_the_newlines(newline):
    source = f"x = 1{newline}{RAISE}  # noqa: DL501{newline}{RAISE}{newline}"
    assert rows(source) == [(3, "DL501")]
