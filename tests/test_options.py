"""Option tables declared by a family, parsed by config.py without knowing it: the shapes the
coming families need (a float budget, lists of dotted names, a table of stage -> names, an
array of tables, a table of metric -> {unit, labels}), their errors (file, line, full key,
expectation; exit 2 from the CLI), and what ``Config`` makes of them. The family is a
throwaway one, declared here as a rule module would declare it."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import ERRORS_PY, write_tree

from designlint.analysis.enums import ENUM_CLASSES
from designlint.cache import config_fingerprint
from designlint.cli import main
from designlint.config import Config, ConfigError, load_config, top_level_keys
from designlint.options import (
    DOTTED_NAME,
    QUALIFIED_NAME,
    WORD,
    ArrayOfTables,
    Choice,
    ListOf,
    Number,
    Record,
    TableOf,
    Text,
    option,
    option_keys,
    options_table,
)
from designlint.rules import REGISTRY, Registry
from designlint.rules.base import Rule
from designlint.rules.egress import EgressOptions


@options_table("sample-deadlines")
@dataclass(frozen=True)
class TimeoutsOptions:
    budget: float = option(Number(gt=0), default=30.0)
    retries: int = option(Number(ge=0, le=10, integer=True), default=3)
    clients: tuple[str, ...] = option(ListOf(DOTTED_NAME), default=())
    # The enums of the codes a timeout may be reported with: names into the project.
    codes: tuple[str, ...] = option(ListOf(QUALIFIED_NAME, resolves=ENUM_CLASSES), default=())


@options_table("sample-order")
@dataclass(frozen=True)
class OrderOptions:
    calls: tuple[tuple[str, tuple[str, ...]], ...] = option(TableOf(ListOf(DOTTED_NAME)), default=())


@dataclass(frozen=True)
class Metric:
    unit: str = option(Choice(("count", "seconds", "bytes")))
    labels: tuple[str, ...] = option(ListOf(WORD), default=())


@options_table("sample-telemetry")
@dataclass(frozen=True)
class SampleTelemetryOptions:
    metrics: tuple[tuple[str, Metric], ...] = option(TableOf(Record(Metric)), default=())


@dataclass(frozen=True, kw_only=True)
class StateMachine:
    name: str = option(Text(WORD))
    states: str = option(Text(QUALIFIED_NAME, resolves=ENUM_CLASSES))  # the enum of its states
    field: str = option(Text(WORD), default="state")
    transitions: tuple[tuple[str, tuple[str, ...]], ...] = option(TableOf(ListOf(WORD)), default=())
    owners: tuple[str, ...] = option(ListOf(DOTTED_NAME), default=())


@options_table("sample-machines", whole="machines")
@dataclass(frozen=True)
class StateMachinesOptions:
    machines: tuple[StateMachine, ...] = option(ArrayOfTables(StateMachine), default=())


class SlowCall(Rule):
    """Reads its family's options as a real rule does, and says what it read."""

    code = "DL990"
    name = "slow-call"

    def __init__(self, config):
        super().__init__(config)
        self.budget = config.options(TimeoutsOptions).budget

    def visit_Module(self, node) -> None:
        self.report(node, f"budget {self.budget}")


# The throwaway order table stands in for the real family's (rules/order.py), which it replaces here.
THROWAWAY = Registry(
    (
        *(family for family in REGISTRY.families if family.name != "order"),
        *Registry.of_modules([sys.modules[__name__]]).families,
    )
)

GOOD = """\
[tool.designlint.sample-deadlines]
budget = 12.5
clients = ["app.http.post", "fetch"]
codes = ["app.errors.ErrorCode"]

[tool.designlint.sample-order.calls]
authorize = ["app.authz.check"]
execute = ["app.tools.run", "run"]

[tool.designlint.sample-telemetry.metrics]
tool_calls = { unit = "count", labels = ["tool", "tenant"] }
latency = { unit = "seconds" }

[[tool.designlint.sample-machines]]
name = "order"
states = "app.errors.ErrorCode"
transitions = { draft = ["submitted"], submitted = ["approved", "rejected"] }
owners = ["app.orders.advance"]

[[tool.designlint.sample-machines]]
name = "ticket"
states = "app.errors.ErrorCode"
field = "status"
"""


def _load(tmp_path: Path, text: str) -> Config:
    (tmp_path / "pyproject.toml").write_text(text)
    return load_config(tmp_path / "pyproject.toml", THROWAWAY)


def test_every_shape_parses_to_a_frozen_value(tmp_path):
    config = _load(tmp_path, GOOD)
    assert config.options(TimeoutsOptions) == TimeoutsOptions(
        12.5, 3, ("app.http.post", "fetch"), ("app.errors.ErrorCode",)
    )
    assert config.options(OrderOptions).calls == (
        ("authorize", ("app.authz.check",)),
        ("execute", ("app.tools.run", "run")),
    )
    assert config.options(SampleTelemetryOptions).metrics == (
        ("tool_calls", Metric("count", ("tool", "tenant"))),
        ("latency", Metric("seconds")),
    )
    assert config.options(StateMachinesOptions).machines == (
        StateMachine(
            name="order",
            states="app.errors.ErrorCode",
            transitions=(("draft", ("submitted",)), ("submitted", ("approved", "rejected"))),
            owners=("app.orders.advance",),
        ),
        StateMachine(name="ticket", states="app.errors.ErrorCode", field="status"),
    )
    hash(config)  # the pool and the cache key on it


def test_an_absent_table_reads_as_its_defaults(tmp_path):
    config = _load(tmp_path, "[tool.designlint]\n")
    assert config.options(TimeoutsOptions) == TimeoutsOptions(budget=30.0, retries=3, clients=())
    assert config.options(StateMachinesOptions).machines == ()
    assert config.tables == ()


def test_an_integer_budget_reads_as_a_float(tmp_path):
    budget = _load(tmp_path, "[tool.designlint.sample-deadlines]\nbudget = 12\n").options(TimeoutsOptions).budget
    assert budget == 12.0 and type(budget) is float


BAD = {
    "a budget of zero": (
        "[tool.designlint.sample-deadlines]\nbudget = 0\n",
        ":2: `tool.designlint.sample-deadlines.budget`: expected a number > 0, got 0",
    ),
    "a budget of zero as a dotted key": (
        "[tool.designlint]\nselect = []\nsample-deadlines.budget = 0\n",
        ":3: `tool.designlint.sample-deadlines.budget`: expected a number > 0, got 0",
    ),
    "a budget that is a string": (
        '[tool.designlint.sample-deadlines]\nbudget = "30s"\n',
        ":2: `tool.designlint.sample-deadlines.budget`: expected a number > 0, got a string '30s'",
    ),
    "a budget that is a boolean": (
        "[tool.designlint.sample-deadlines]\nbudget = true\n",
        ":2: `tool.designlint.sample-deadlines.budget`: expected a number > 0, got a boolean True",
    ),
    "an infinite budget": (
        "[tool.designlint.sample-deadlines]\nbudget = inf\n",
        ":2: `tool.designlint.sample-deadlines.budget`: expected a number > 0, got inf",
    ),
    "retries out of range": (
        "[tool.designlint.sample-deadlines]\n\nretries = 11\n",
        ":3: `tool.designlint.sample-deadlines.retries`: expected an integer >= 0 and <= 10, got 11",
    ),
    "fractional retries": (
        "[tool.designlint.sample-deadlines]\nretries = 1.5\n",
        ":2: `tool.designlint.sample-deadlines.retries`: expected an integer >= 0 and <= 10, got a number 1.5",
    ),
    "a client that is not a dotted name": (
        '[tool.designlint.sample-deadlines]\nclients = ["app.http.post()"]\n',
        ":2: `tool.designlint.sample-deadlines.clients`: expected a function name or a dotted name such as "
        "\"app.net.require_allowed\", got 'app.http.post()'",
    ),
    "a stage that is a string, not a list": (
        '[tool.designlint.sample-order.calls]\nauthorize = ["a.b"]\nexecute = "app.run"\n',
        ":3: `tool.designlint.sample-order.calls.execute`: expected a list of strings, got a string 'app.run'",
    ),
    "a stage name that is not a word": (
        '[tool.designlint.sample-order.calls]\n"two words" = ["a.b"]\n',
        ":2: `tool.designlint.sample-order.calls.two words`: expected an identifier-like word, got 'two words'",
    ),
    "calls that are a list": (
        '[tool.designlint.sample-order]\ncalls = ["a.b"]\n',
        ":2: `tool.designlint.sample-order.calls`: expected a table, got a list",
    ),
    "a metric unit not among the choices": (
        '[tool.designlint.sample-telemetry.metrics]\nok = { unit = "count" }\nlatency = { unit = "ms" }\n',
        ":3: `tool.designlint.sample-telemetry.metrics.latency.unit`: expected one of 'count', 'seconds', 'bytes', got 'ms'",
    ),
    "a metric without its unit": (
        '[tool.designlint.sample-telemetry.metrics.latency]\nlabels = ["tool"]\n',
        ":1: `tool.designlint.sample-telemetry.metrics.latency.unit`: required option missing",
    ),
    "an unknown key in a metric": (
        '[tool.designlint.sample-telemetry.metrics.latency]\nunit = "seconds"\nlabel = ["tool"]\n',
        ":3: `tool.designlint.sample-telemetry.metrics.latency.label`: unknown option (expected one of: unit, labels)",
    ),
    "a second state machine without a name": (
        '[[tool.designlint.sample-machines]]\nname = "order"\nstates = "a.B"\n\n'
        '[[tool.designlint.sample-machines]]\nstates = "a.B"\n',
        ":5: `tool.designlint.sample-machines[1].name`: required option missing",
    ),
    "a transition to a state that is not a word, in the second machine": (
        '[[tool.designlint.sample-machines]]\nname = "a"\nstates = "a.B"\ntransitions = { x = ["y"] }\n\n'
        '[[tool.designlint.sample-machines]]\nname = "b"\nstates = "a.B"\n\n'
        '[tool.designlint.sample-machines.transitions]\ndraft = ["sub mitted"]\n',
        ":11: `tool.designlint.sample-machines[1].transitions.draft`: expected an identifier-like word, got 'sub mitted'",
    ),
    "state machines as a table": (
        '[tool.designlint.sample-machines]\nname = "order"\n',
        ":1: `tool.designlint.sample-machines`: expected an array of tables, got a table",
    ),
    "an unknown table": (
        "[tool.designlint.timeout]\nbudget = 1\n",
        ":1: `tool.designlint.timeout`: unknown key (expected one of: " + ", ".join(top_level_keys(THROWAWAY)) + ")",
    ),
}


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_value_names_the_file_line_full_key_and_expectation(tmp_path, name):
    text, message = BAD[name]
    with pytest.raises(ConfigError) as raised:
        _load(tmp_path, text)
    assert str(raised.value) == f"{tmp_path / 'pyproject.toml'}{message}"


@pytest.fixture
def throwaway_family(tmp_path, monkeypatch):
    """The CLI with the throwaway family registered, as a new rule module would be."""
    write_tree(tmp_path, {"app/errors.py": ERRORS_PY, "app/tools.py": "x = 1\n"})
    monkeypatch.chdir(tmp_path)
    families = {family.name: {rule.code: rule for rule in family.rules} for family in THROWAWAY.families}
    monkeypatch.setattr("designlint.engine.family_names", lambda: tuple(families))
    monkeypatch.setattr("designlint.engine.family_rules", families.__getitem__)
    monkeypatch.setattr("designlint.rules.SCHEMA", THROWAWAY)  # what the config and the flags may name
    return tmp_path


def test_a_new_family_is_configured_and_read_with_no_config_py_edit(throwaway_family):
    (throwaway_family / "pyproject.toml").write_text(GOOD)
    result = CliRunner().invoke(main, ["check", "--no-cache", "-j", "1", "--select", "DL99", "app/tools.py"])
    assert result.stdout == "app/tools.py:1:1: DL990 budget 12.5\n"


def test_a_name_into_the_project_is_checked_by_its_provider_in_any_array_element(throwaway_family):
    pyproject = throwaway_family / "pyproject.toml"
    pyproject.write_text(
        GOOD.replace(
            'name = "ticket"\nstates = "app.errors.ErrorCode"', 'name = "ticket"\nstates = "app.errors.Status"'
        )
    )
    result = CliRunner().invoke(main, ["check", "--no-cache", "app/tools.py"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"designlint: error: {pyproject}:22: `tool.designlint.sample-machines[1].states`: "
        "class 'Status' not found in module 'app.errors'\n"
    )


def test_each_name_of_a_list_into_the_project_is_checked(throwaway_family):
    pyproject = throwaway_family / "pyproject.toml"
    pyproject.write_text(
        '[tool.designlint.sample-deadlines]\ncodes = [\n  "app.errors.ErrorCode",\n  "app.errors.Timeout",\n]\n'
    )
    result = CliRunner().invoke(main, ["check", "--no-cache", "app/tools.py"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"designlint: error: {pyproject}:2: `tool.designlint.sample-deadlines.codes`: "
        "class 'Timeout' not found in module 'app.errors'\n"
    )


def test_a_bad_value_of_a_new_family_exits_2_from_the_cli(throwaway_family):
    (throwaway_family / "pyproject.toml").write_text("[tool.designlint.sample-deadlines]\nbudget = -1.0\n")
    result = CliRunner().invoke(main, ["check", "app/tools.py"])
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        f"designlint: error: {throwaway_family / 'pyproject.toml'}:2: `tool.designlint.sample-deadlines.budget`: "
        "expected a number > 0, got -1.0\n"
    )


def test_config_is_canonical_hashable_and_its_repr_holds_every_option():
    allow = EgressOptions(allow=("api.example.com",))
    timeouts = TimeoutsOptions(budget=5.0)
    config = Config(root=Path("/p"), tables=(timeouts, allow))
    # One form whatever the order given, and a table at its defaults is no table.
    assert config == Config(root=Path("/p"), tables=(allow, timeouts, OrderOptions()))
    assert hash(config) == hash(Config(root=Path("/p"), tables=(allow, timeouts)))
    assert repr(config) == repr(Config(root=Path("/p"), tables=(allow, timeouts)))
    assert "'api.example.com'" in repr(config) and "budget=5.0" in repr(config)
    # The cache keys on the repr: a changed option is another entry.
    other = Config(root=Path("/p"), tables=(allow, TimeoutsOptions(budget=6.0)))
    assert config_fingerprint(config) != config_fingerprint(other)
    assert Config(tables=(EgressOptions(),)) == Config(root=Config().root)


def test_two_instances_of_one_table_are_refused():
    with pytest.raises(ValueError, match=r"two \[egress\] option tables"):
        Config(tables=(EgressOptions(allow=("a.example",)), EgressOptions(guards=("g",))))


def test_option_keys_name_what_the_docs_list():
    assert option_keys(TimeoutsOptions) == (
        "sample-deadlines.budget",
        "sample-deadlines.retries",
        "sample-deadlines.clients",
        "sample-deadlines.codes",
    )
    assert option_keys(StateMachinesOptions) == ("sample-machines",)


def test_declarations_that_cannot_work_fail_when_the_module_is_imported():
    with pytest.raises(TypeError, match="declare it with option"):

        @options_table("plain")
        @dataclass(frozen=True)
        class Plain:
            limit: int = 3

    with pytest.raises(TypeError, match="needs a default"):

        @options_table("required")
        @dataclass(frozen=True)
        class Required:
            name: str = option(Text(WORD))

    with pytest.raises(TypeError, match="frozen dataclass"):

        @options_table("mutable")
        @dataclass
        class Mutable:
            name: str = option(Text(WORD), default="x")

    with pytest.raises(ValueError, match="lower-case words"):
        options_table("Timeouts")
