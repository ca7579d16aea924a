"""Hostile configuration and flags: exit 2 with one line naming the file, the key and the
problem (the basic config errors are tested with the foundation)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import write_tree

from designlint import project as project_module
from designlint.cli import main
from designlint.config import top_level_keys
from designlint.rules import REGISTRY
from designlint.rules.cases import BadConfig

TOP_KEYS = ", ".join(top_level_keys(REGISTRY))
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
    "a bad key after 80,000 blank lines": (
        b"\n" * 80_000 + b"bogus = 1\n",
        "{toml}:80001: `bogus`: unknown key (expected one of: " + TOP_KEYS + ")",
    ),
    "a bad value after 80,000 blank lines and a table": (
        b"\n" * 80_000 + b'[egress]\nallow = ["https://x"]\n',
        "{toml}:80002: `egress.allow`: " + HOST + "'https://x'",
    ),
    "select nested 5,000 deep": (
        b"select = " + b"[" * 5_000 + b"]" * 5_000 + b"\n",
        "{toml}:1: `select`: invalid TOML: arrays or inline tables nested too deeply",
    ),
    "inline tables nested 1,000 deep, after a comment and strings with brackets": (
        b"# it's [[[\n[egress]\nguards = ['[[[', \"]\\\"[\"]\nallow = [\n  " + b"{a = [" * 500 + b"]}" * 500 + b"]\n",
        "{toml}:5: `allow`: invalid TOML: arrays or inline tables nested too deeply",
    ),
    "a config file over 1 MB": (
        b'select = ["DL"]\n' + b"# padding\n" * 110_000,
        "{toml}: the config file is too large (1.0 MB; the limit is 1 MB)",
    ),
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    files = {
        "a.py": 'raise ToolError("RATE_LIMITED")\n',
        "app/errors.py": "import os\nos.system('touch EXECUTED')\n\n\nclass Plain(Exception):\n    A = 'A'\n",
        "app/broken.py": "class ErrorCode(Enum:\n",
        "app/deep.py": "class ErrorCode(Enum):\n    A = " + "(" * 1000 + "1" + ")" * 1000 + "\n",
        "app/approvals.py": (
            "import enum\n\n\nclass ApprovalState(enum.Enum):\n"
            "    PENDING = 'pending'\n    APPROVED = 'approved'\n    EXPIRED = 'expired'\n"
        ),
    }
    write_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, ["check", *args])


def _exits_2_with(project: Path, content: bytes, message: str) -> None:
    toml = project / "designlint.toml"
    toml.write_bytes(content)
    result = run(".")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "designlint: error: " + message.format(toml=toml) + "\n"
    assert not (project / "EXECUTED").exists()


@pytest.mark.parametrize("name", list(CONFIGS))
def test_bad_config_exits_2_with_one_clear_line(project: Path, name: str):
    _exits_2_with(project, *CONFIGS[name])


# Each family's own: the ``CONFIG_ERRORS`` of its module, in a project of the modules they name.
FAMILY_CONFIGS = [
    pytest.param(case, id=f"{family.name}-{index}")
    for family in REGISTRY.families
    for index, case in enumerate(family.config_errors)
]


@pytest.mark.parametrize("case", FAMILY_CONFIGS)
def test_a_familys_bad_config_exits_2_with_one_clear_line(tmp_path: Path, monkeypatch, case: BadConfig):
    write_tree(tmp_path, {"a.py": "x = 1\n", **case.files})
    monkeypatch.chdir(tmp_path)
    _exits_2_with(tmp_path, case.config.encode(), case.message)


def test_every_family_with_options_declares_config_errors():
    missing = [family.name for family in REGISTRY.families if family.option_tables and not family.config_errors]
    assert not missing, f"families with options and no CONFIG_ERRORS: {missing}"


def test_bad_errors_codes_in_pyproject_names_the_full_key(project: Path):
    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.designlint.errors]\ncodes = "app.errors.Plain"\n')
    result = run(".")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"designlint: error: {pyproject}:2: `tool.designlint.errors.codes`: app.errors.Plain is not an enum (its bases are: Exception)\n"
    )


def test_bad_state_machine_transition_in_pyproject_names_the_full_key(project: Path):
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        '[tool.designlint]\nselect = ["DL8"]\n\n[[tool.designlint.state-machines]]\nname = "approval"\n'
        'states = "app.approvals.ApprovalState"\ntransitions = ["[*] -> PENDING", "PENDING -> DONE"]\n'
    )
    result = run(".")
    assert result.exit_code == 2
    assert result.stderr == (
        f"designlint: error: {pyproject}:7: `tool.designlint.state-machines[0].transitions`: 'DONE' is not a member"
        " of app.approvals.ApprovalState (its members: PENDING, APPROVED, EXPIRED)\n"
    )


def test_an_oversized_pyproject_is_reported_not_read_or_passed_over(project: Path):
    """A sparse 3 GB pyproject.toml: whether it holds a [tool.designlint] table is not worked
    out by reading it all, and it is not skipped in silence either."""
    pyproject = project / "pyproject.toml"
    with open(pyproject, "wb") as handle:
        handle.truncate(3 * 2**30)
    result = run(".")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"designlint: error: {pyproject}: the config file is too large (3072.0 MB; the limit is 1 MB)\n"
    )


def test_an_oversized_errors_module_is_reported_not_read(project: Path, monkeypatch):
    monkeypatch.setattr(project_module, "MAX_SOURCE_SIZE", 4096)  # as a 3 GB file would be to 5 MB
    (project / "app" / "huge.py").write_text("class ErrorCode(Enum):\n" + "    A = 'A'\n" * 1000)
    toml = project / "designlint.toml"
    toml.write_text('[errors]\ncodes = "app.huge.ErrorCode"\n')
    result = run(".")
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"designlint: error: {toml}:2: `errors.codes`: module 'app.huge' is too large to read (11.7 kB; the limit is 4.0 kB)\n"
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
    assert result.stderr == f"designlint: error: {message} (see 'designlint check --help')\n"
    assert "Traceback" not in result.stderr


def test_a_config_file_another_user_owns_is_used_with_a_warning(project: Path, monkeypatch):
    """A designlint.toml up the tree that someone else owns (/tmp/designlint.toml above a
    checkout in /tmp) decides what is checked: that is said, as git's safe.directory does."""
    toml = project / "designlint.toml"
    toml.write_text('ignore = ["DL501"]\n')
    (project / "app" / "designlint.toml").write_text("")  # the user's own: no warning for it
    (project / "app" / "tools.py").write_text('raise ToolError("RATE_LIMITED")\n')
    if os.geteuid() == 0:
        os.chown(toml, 4321, -1)
        owner = 4321
    else:  # the file is the user's: the user becomes someone else
        owner = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: owner + 1)
    result = run("a.py", "app/tools.py")
    assert result.exit_code == 1  # app/tools.py, under the user's own config
    assert result.stderr.splitlines()[0] == (
        f"designlint: warning: using {toml}, which another user (uid {owner}) owns: whoever can write it decides what is checked"
    )
    assert "a.py" not in result.stdout.replace("tools.py", "")


def test_a_config_file_the_user_or_root_owns_is_used_silently(project: Path):
    (project / "designlint.toml").write_text('ignore = ["DL501"]\n')
    result = run("a.py")
    assert (result.exit_code, result.stderr) == (0, "All checks passed!\n")
