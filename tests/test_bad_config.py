"""Hostile configuration and flags: exit 2 with one line naming the file, the key and the
problem (the basic config errors are tested with the foundation)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import write_tree

from designlint.cli import main

HOST = 'expected a host name ("api.example.com") or a wildcard ("*.example.com"), got '
CONFIGS = {
    "not UTF-8": (b'select = ["DL"]\n# caf\xe9\n', "{toml}:2: the config file is not valid UTF-8"),
    "per-file-ignores glob with a reversed range": (
        b'[per-file-ignores]\n"[z-a].py" = ["DL501"]\n',
        "{toml}:2: `per-file-ignores.[z-a].py`: invalid glob '[z-a].py': bad character range z-a at position 1",
    ),
    "per-file-ignores glob with an unclosed bracket": (
        b'[per-file-ignores]\n"[abc" = ["DL501"]\n',
        "{toml}:2: `per-file-ignores.[abc`: unclosed '[' in glob '[abc'",
    ),
    "egress allow entry that is a URL": (
        b'[egress]\nallow = ["https://x"]\n',
        "{toml}:2: `egress.allow`: " + HOST + "'https://x'",
    ),
    "egress allow entry that is a bare wildcard": (
        b'[egress]\nallow = ["*."]\n',
        "{toml}:2: `egress.allow`: " + HOST + "'*.'",
    ),
    "egress allow entry that is empty": (b'[egress]\nallow = [""]\n', "{toml}:2: `egress.allow`: " + HOST + "''"),
    "telemetry metric with a unit that is not UCUM": (
        b'[telemetry.metrics]\n"app.tool.duration" = { unit = "seconds" }\n',
        "{toml}:2: `telemetry.metrics.app.tool.duration.unit`: "
        """expected a UCUM unit such as "s", "By" or "{{request}}", got 'seconds'""",
    ),
    "telemetry metric declared as a string": (
        b'[telemetry.metrics]\n"app.tool.duration" = "s"\n',
        "{toml}:2: `telemetry.metrics.app.tool.duration`: expected a table, got a string 's'",
    ),
    "telemetry metric with an unknown key": (
        b'[telemetry.metrics]\n"app.tool.duration" = { units = "s" }\n',
        "{toml}:2: `telemetry.metrics.app.tool.duration.units`: unknown option (expected one of: unit, labels)",
    ),
    "telemetry metric labels that are not a list": (
        b'[telemetry.metrics]\n"app.tool.duration" = { labels = "tool" }\n',
        "{toml}:2: `telemetry.metrics.app.tool.duration.labels`: expected a list of strings, got a string 'tool'",
    ),
    "telemetry metric name with a space": (
        b'[telemetry.metrics]\n"app tool" = { unit = "s" }\n',
        """{toml}:2: `telemetry.metrics.app tool`: expected a metric name such as "app.tool.duration", got 'app tool'""",
    ),
    "telemetry spans that are not a list": (
        b'[telemetry]\nspans = "dispatch"\n',
        "{toml}:2: `telemetry.spans`: expected a list of strings, got a string 'dispatch'",
    ),
    "telemetry required attributes that are not a list": (
        b'[telemetry]\nrequired-attributes = { dispatch = "app.run.id" }\n',
        "{toml}:2: `telemetry.required-attributes.dispatch`: expected a list of strings, got a string 'app.run.id'",
    ),
    "errors.codes in a module that does not exist": (
        b'[errors]\ncodes = "nope.errors.ErrorCode"\n',
        "{toml}:2: `errors.codes`: module 'nope.errors' not found under the project root (looked for nope/errors.py, also under src/)",
    ),
    "errors.codes naming a class that is not an enum": (
        b'[errors]\ncodes = "app.errors.Plain"\n',
        "{toml}:2: `errors.codes`: app.errors.Plain is not an enum (its bases are: Exception)",
    ),
    "errors.codes naming a class that does not exist": (
        b'[errors]\ncodes = "app.errors.Missing"\n',
        "{toml}:2: `errors.codes`: class 'Missing' not found in module 'app.errors'",
    ),
    "errors.codes in a module that does not parse": (
        b'[errors]\ncodes = "app.broken.ErrorCode"\n',
        "{toml}:2: `errors.codes`: module 'app.broken' cannot be parsed: invalid syntax (line 1)",
    ),
    "errors.codes in a module nested beyond Python's limits": (
        b'[errors]\ncodes = "app.deep.ErrorCode"\n',
        "{toml}:2: `errors.codes`: module 'app.deep' cannot be parsed: too many nested parentheses (line 2)",
    ),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    files = {
        "a.py": 'raise ToolError("RATE_LIMITED")\n',
        "app/errors.py": "import os\nos.system('touch EXECUTED')\n\n\nclass Plain(Exception):\n    A = 'A'\n",
        "app/broken.py": "class ErrorCode(Enum:\n",
        "app/deep.py": "class ErrorCode(Enum):\n    A = " + "(" * 1000 + "1" + ")" * 1000 + "\n",
    }
    write_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["check", *args])


@pytest.mark.parametrize("name", list(CONFIGS))
def test_bad_config_exits_2_with_one_clear_line(project: Path, name: str):
    content, message = CONFIGS[name]
    toml = project / "designlint.toml"
    toml.write_bytes(content)
    result = run(".")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "designlint: error: " + message.format(toml=toml) + "\n"
    assert not (project / "EXECUTED").exists()


def test_bad_errors_codes_in_pyproject_names_the_full_key(project: Path):
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.designlint.errors]\ncodes = "app.errors.Plain"\n')
    result = run(".")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"designlint: error: {pyproject}:2: `tool.designlint.errors.codes`: app.errors.Plain is not an enum (its bases are: Exception)\n"
    )


def test_a_config_that_is_not_a_regular_file_is_refused_not_read(project: Path):
    result = run("--config", "/dev/zero", ".")  # reading it would never end
    assert result.exit_code == 2
    assert result.stderr == "designlint: error: /dev/zero: the config file is not a regular file\n"


CONFLICTS = {
    ("--fix", "--diff"): "--fix and --diff cannot be used together (--diff shows what --fix would write)",
    (
        "--isolated",
        "--config",
        "designlint.toml",
    ): "--isolated and --config cannot be used together (--isolated ignores every configuration file)",
    ("--diff", "--statistics"): "--diff and --statistics cannot be used together (--diff prints a diff, not findings)",
}


@pytest.mark.parametrize("flags", list(CONFLICTS), ids=[" ".join(f) for f in CONFLICTS])
def test_conflicting_flags(project: Path, flags):
    (project / "designlint.toml").write_text('select = ["DL"]\n')
    before = (project / "a.py").read_bytes()
    result = run(*flags, ".")
    assert result.exit_code == 2
    assert result.stderr == f"designlint: error: {CONFLICTS[flags]}\n"
    assert (project / "a.py").read_bytes() == before


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ("--per-file-ignores", "[z-a]:DL501"),
            "Invalid value for '--per-file-ignores': invalid glob '[z-a]': bad character range z-a at position 1",
        ),
        (("--exclude", "[abc"), "Invalid value for '--exclude': unclosed '[' in glob '[abc'"),
        (
            ("--select", "DL9999"),
            "Invalid value for '--select': unknown rule code or prefix 'DL9999' (run `designlint rules` for the list)",
        ),
    ],
)
def test_bad_flag_values(project: Path, flags, message):
    result = run("--isolated", *flags, ".")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"
    assert "Traceback" not in result.stderr
