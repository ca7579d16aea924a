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
    "egress allow entry that is a URL": (
        b'[egress]\nallow = ["https://x"]\n',
        "{toml}:2: `egress.allow`: " + HOST + "'https://x'",
    ),
    "egress allow entry that is a bare wildcard": (
        b'[egress]\nallow = ["*."]\n',
        "{toml}:2: `egress.allow`: " + HOST + "'*.'",
    ),
    "egress allow entry that is empty": (b'[egress]\nallow = [""]\n', "{toml}:2: `egress.allow`: " + HOST + "''"),
    "timeouts.budget of 0": (
        b"[timeouts]\nbudget = 0\n",
        "{toml}:2: `timeouts.budget`: expected a number > 0, got 0",
    ),
    "timeouts.budget below 0": (
        b"[timeouts]\n\nbudget = -5.0\n",
        "{toml}:3: `timeouts.budget`: expected a number > 0, got -5.0",
    ),
    "timeouts.budget as a string": (
        b'[timeouts]\nbudget = "30s"\n',
        "{toml}:2: `timeouts.budget`: expected a number > 0, got a string '30s'",
    ),
    "an unknown timeouts option": (
        b"[timeouts]\ntotal = 30\n",
        "{toml}:2: `timeouts.total`: unknown option (expected one of: budget)",
    ),
    "idempotency.derive-from as a string": (
        b'[idempotency]\nderive-from = "run_id"\n',
        "{toml}:2: `idempotency.derive-from`: expected a list of strings, got a string 'run_id'",
    ),
    "idempotency.derive-from entry that is no identifier": (
        b'[idempotency]\n\nderive-from = ["run_id", "call-id"]\n',
        "{toml}:3: `idempotency.derive-from`: expected an identifier-like word, got 'call-id'",
    ),
    "limits.checks entry that is no dotted name": (
        b'[limits]\nchecks = ["app.budget:charge"]\n',
        "{toml}:2: `limits.checks`: expected a function name or a dotted name such as \"app.net.require_allowed\", got 'app.budget:charge'",
    ),
    "an unknown limits option": (
        b"[limits]\nmax-steps = 10\n",
        "{toml}:2: `limits.max-steps`: unknown option (expected one of: checks)",
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
    "egress allow entry with a port past 65535": (
        b'[egress]\nallow = ["a.com:99999"]\n',
        "{toml}:2: `egress.allow`: expected a port from 1 to 65535, got 'a.com:99999'",
    ),
    "egress allow entry with port 0": (
        b'[egress]\nallow = ["*.a.com:0"]\n',
        "{toml}:2: `egress.allow`: expected a port from 1 to 65535, got '*.a.com:0'",
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
    "errors.codes in a module nested beyond Python's limits": (
        b'[errors]\ncodes = "app.deep.ErrorCode"\n',
        "{toml}:2: `errors.codes`: module 'app.deep' cannot be parsed: too many nested parentheses (line 2)",
    ),
    "order.required naming a stage not in order.stages": (
        b'[order]\nstages = ["authorize", "execute"]\nrequired = ["approve"]\n',
        "{toml}:3: `order.required`: expected stages listed in order.stages, got 'approve'",
    ),
    "order.stages listing a stage twice": (
        b'[order]\nstages = ["authorize", "validate", "authorize", "execute"]\n',
        "{toml}:2: `order.stages`: expected each stage once, got 'authorize' twice",
    ),
    "order.stages with a single stage": (
        b'[order]\nstages = ["execute"]\nrequired = []\n',
        "{toml}:2: `order.stages`: expected at least two stages, the last of them the execute stage",
    ),
    "order.calls for a stage not in order.stages": (
        b'[order.calls]\naudit = ["app.audit.log"]\n',
        "{toml}:2: `order.calls.audit`: expected a stage listed in order.stages, got 'audit'",
    ),
    "order.calls entry that is not a name": (
        b'[order.calls]\nauthorize = ["app.auth:check"]\n',
        "{toml}:2: `order.calls.authorize`: expected a function name, a dotted name such as "
        '"app.auth.authorize", or a glob such as "check_*", got \'app.auth:check\'',
    ),
    "audit.emitters entry that is not a dotted name": (
        b'[audit]\nemitters = ["app.audit:emit"]\n',
        "{toml}:2: `audit.emitters`: expected a function name or a dotted name such as "
        "\"app.net.require_allowed\", got 'app.audit:emit'",
    ),
    "audit.required entry that is no field path": (
        b'[audit]\nrequired = ["traceId", "result..code"]\n',
        '{toml}:2: `audit.required`: expected a field name or a dotted path such as "result.code", '
        "got 'result..code'",
    ),
    "audit.required as one string": (
        b'[audit]\nrequired = "traceId"\n',
        "{toml}:2: `audit.required`: expected a list of strings, got a string 'traceId'",
    ),
    "authz.deny-reasons that is no dotted name": (
        b'[authz]\ndeny-reasons = "DenyReason"\n',
        "{toml}:2: `authz.deny-reasons`: expected a dotted name such as \"app.errors.ErrorCode\", got 'DenyReason'",
    ),
    "authz.deny-reasons naming a class that is not an enum": (
        b'[authz]\n\ndeny-reasons = "app.errors.Plain"\n',
        "{toml}:3: `authz.deny-reasons`: app.errors.Plain is not an enum (its bases are: Exception)",
    ),
    "state-machines transition naming no member of the enum": (
        b'[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\n'
        b'transitions = ["[*] -> PENDING", "PENDING -> APROVED"]\n',
        "{toml}:4: `state-machines[0].transitions`: 'APROVED' is not a member of app.approvals.ApprovalState"
        " (its members: PENDING, APPROVED, EXPIRED)",
    ),
    "state-machines states enum that cannot be found": (
        b'[[state-machines]]\nname = "approval"\nstates = "app.approvals.Missing"\n',
        "{toml}:3: `state-machines[0].states`: class 'Missing' not found in module 'app.approvals'",
    ),
    "state-machines states naming a class that is not an enum": (
        b'[[state-machines]]\nname = "approval"\nstates = "app.errors.Plain"\ntransitions = ["[*] -> A"]\n',
        "{toml}:3: `state-machines[0].states`: app.errors.Plain is not an enum (its bases are: Exception)",
    ),
    "state-machines transition that is not one": (
        b'[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\n'
        b'transitions = ["PENDING => APPROVED"]\n',
        '{toml}:4: `state-machines[0].transitions`: expected a transition "SOURCE -> TARGET" between members'
        " of the states enum (\"[*] -> PENDING\" from the start), got 'PENDING => APPROVED'",
    ),
    "state-machines transition from the start to the start": (
        b'[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\n'
        b'transitions = ["[*] -> [*]"]\n',
        "{toml}:4: `state-machines[0].transitions`: expected a member on one side, got '[*] -> [*]'",
    ),
    "state-machines machine without its states": (
        b'[[state-machines]]\nname = "approval"\n',
        "{toml}:1: `state-machines[0].states`: required option missing",
    ),
    "state-machines second machine of the same name": (
        b'[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\n\n'
        b'[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\n',
        "{toml}:6: `state-machines[1].name`: expected each machine's name once, got 'approval' twice",
    ),
    "state-machines unknown option": (
        b'[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\nfields = ["status"]\n',
        "{toml}:4: `state-machines[0].fields`: unknown option (expected one of: name, states, field, transitions,"
        " owners)",
    ),
    "state-machines owner that is not a dotted name": (
        b'[[state-machines]]\nname = "approval"\nstates = "app.approvals.ApprovalState"\n'
        b'owners = ["app/approvals/service.py"]\n',
        "{toml}:4: `state-machines[0].owners`: expected a dotted function name such as"
        ' "app.approvals.service.approve" or a module glob such as "app.approvals.*", got'
        " 'app/approvals/service.py'",
    ),
    "state-machines as a table, not an array of tables": (
        b'[state-machines]\nname = "approval"\n',
        "{toml}:1: `state-machines`: expected an array of tables, got a table",
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
