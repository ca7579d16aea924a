"""``designlint init``: the engineering design written from what the code holds, and the
configuration told where it is, without losing a byte of what it said."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import FIXTURES, write_tree

from designlint.cli import main
from designlint.config import ConfigError, load_config
from designlint.design.bootstrap import render_design
from designlint.design.inventory import take_inventory
from designlint.rules import REGISTRY

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DOCUMENT = Path("docs/engineering-design.md")

TOOLS_PY = """\
import httpx
import openai
from app.errors import fail


async def search(query: str) -> dict:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get("https://api.search.example.com/v1", params={"q": query})
    return response.json()


def forecast(city):
    return httpx.get(f"https://{city}.weather.example.net/today", timeout=5)


def ask(client: openai.OpenAI, page: str):
    if not page:
        raise ToolError("EMPTY_PAGE")
    return {"error": {"code": "RATE_LIMITED"}}


class ToolError(Exception):
    pass
"""
ADAPTER_PY = """\
from anthropic import Anthropic


def tag_untrusted(text: str) -> str:
    return f"<untrusted>{text}</untrusted>"


def make() -> Anthropic:
    return Anthropic(timeout=30)
"""
TELEMETRY_PY = """\
from opentelemetry import metrics, trace

tracer = trace.get_tracer(__name__)
meter = metrics.get_meter(__name__)
calls = meter.create_counter("tool_calls_total", unit="1")


def dispatch(tool):
    with tracer.start_as_current_span("tool.dispatch"):
        calls.add(1)
"""
DYNAMIC_SPAN_PY = """\
from opentelemetry import trace

tracer = trace.get_tracer(__name__)


def run(tool):
    with tracer.start_as_current_span(f"execute_tool {tool.name}"):
        pass
"""
PYPROJECT = """\
[project]
name = "acme-agent"  # the distribution

[tool.ruff]
line-length = 100
"""


def project(root: Path, extra: dict[str, str] | None = None) -> Path:
    return write_tree(
        root,
        {
            "pyproject.toml": PYPROJECT,
            "app/__init__.py": "",
            "app/errors.py": "def fail(code):\n    raise RuntimeError(code)\n",
            "app/tools.py": TOOLS_PY,
            "app/adapters/__init__.py": "",
            "app/adapters/claude.py": ADAPTER_PY,
            "app/telemetry.py": TELEMETRY_PY,
            **(extra or {}),
        },
    )


def design_key_known(config_file: Path) -> bool:
    try:
        load_config(config_file, REGISTRY)
    except ConfigError:
        return False
    return True


def init(*args: str):
    result = CliRunner().invoke(main, ["init", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result


def rows(document: str, heading: str) -> list[str]:
    """The body rows of the first table under ``heading``."""
    section = document.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    table = section[section.index("\n|") + 1 :].split("\n\n", 1)[0]
    return table.splitlines()[2:]


def test_init_writes_the_inventory_into_the_design_and_names_it_in_pyproject(tmp_path):
    root = project(tmp_path)
    result = init(str(root))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Wrote" in result.stderr and "2 hosts, 2 adapter modules, 2 error codes, 1 sanitizer" in result.stderr
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    assert document.startswith("# Engineering design: acme-agent\n")
    assert rows(document, "7. Egress allowlist") == [
        "| `*.weather.example.net` | `app/tools.py:13` |",
        "| `api.search.example.com` | `app/tools.py:8` |",
    ]
    # The adapters package as a glob; a module importing a framework elsewhere, as it is.
    assert rows(document, "10. Adapter pattern") == [
        "| `anthropic` | `app.adapters.*` |",
        "| `openai` | `app.tools` |",
    ]
    assert rows(document, "1. Error-code contract") == [
        "| `EMPTY_PAGE` | TODO (used at `app/tools.py:18`) |  |",
        "| `RATE_LIMITED` | TODO (used at `app/tools.py:19`) |  |",
    ]
    assert rows(document, "6. Trust labels and prompt-injection mitigation") == [
        "| `app.adapters.claude.tag_untrusted` |  |"
    ]
    # The names as the telemetry rules read them, a dynamic part as a declared span writes it.
    assert rows(document, "8. Observability") == ["| `tool.dispatch` |  |"]
    assert "| Metric | Unit | Labels |\n| --- | --- | --- |\n| `tool_calls_total` |  |  |\n" in document
    # The prose-only sections are TODO rows, for `designlint design check` to report.
    assert rows(document, "13. Risk register") == ["| TODO: what could go wrong | | | |"]
    assert rows(document, "11. Alternatives considered") == ["| TODO: a design considered and not chosen | |"]
    assert "{{" not in document
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert pyproject == PYPROJECT + '\n[tool.designlint]\ndesign = "docs/engineering-design.md"\n'


def test_init_never_overwrites_the_document(tmp_path):
    root = project(tmp_path)
    (root / "docs").mkdir()
    (root / DOCUMENT).write_text("# Our design\n", encoding="utf-8")
    result = init(str(root))
    assert result.exit_code == 2
    assert result.stderr == (
        f"designlint: error: {root / DOCUMENT} exists: --force replaces it, --dry-run prints the new one\n"
    )
    assert (root / DOCUMENT).read_text(encoding="utf-8") == "# Our design\n"
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == PYPROJECT

    assert init(str(root), "--force").exit_code == 0
    assert "api.search.example.com" in (root / DOCUMENT).read_text(encoding="utf-8")


def test_dry_run_prints_the_document_and_writes_nothing(tmp_path):
    root = project(tmp_path)
    result = init(str(root), "--dry-run")
    assert result.exit_code == 0
    assert (
        result.stdout.startswith("# Engineering design: acme-agent\n") and "`api.search.example.com`" in result.stdout
    )
    assert not (root / "docs").exists()
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == PYPROJECT


def test_output_and_no_config_write_only_the_document_where_asked(tmp_path):
    root = project(tmp_path)
    target = root / "specs" / "001-search" / "engineering-design.md"
    result = init(str(root), "--output", str(target), "--no-config")
    assert result.exit_code == 0, result.stderr
    assert "`api.search.example.com`" in target.read_text(encoding="utf-8")
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == PYPROJECT


def test_a_design_tool_table_keeps_its_comments_and_gets_the_key_first(tmp_path):
    pyproject = (
        '[project]\nname = "x"\n\n[tool.designlint]  # ours\nselect = ["DL"]  # all of them\n\n'
        '[tool.designlint.errors]\ncodes = "app.errors.ErrorCode"\n'
    )
    root = write_tree(
        tmp_path,
        {
            "pyproject.toml": pyproject,
            "app/errors.py": "from enum import Enum\n\n\nclass ErrorCode(str, Enum):\n    TIMEOUT = 'TIMEOUT'\n",
        },
    )
    assert init(str(root)).exit_code == 0
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == pyproject.replace(
        "[tool.designlint]  # ours\n", '[tool.designlint]  # ours\ndesign = "docs/engineering-design.md"\n'
    )
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    # The enum's members are the contract, bound in the document as in the config.
    assert rows(document, "1. Error-code contract") == ["| `TIMEOUT` | TODO |  |"]
    assert '```toml designlint\n[errors]\ncodes = "app.errors.ErrorCode"\n```' in document


def test_designlint_toml_gets_the_key_before_its_first_table_and_keeps_crlf(tmp_path):
    config = '# house rules\r\nselect = ["DL"]\r\n\r\n[egress]\r\nallow = ["api.search.example.com"]\r\n'
    root = project(tmp_path, {"designlint.toml": config})
    assert init(str(root)).exit_code == 0
    edited = (root / "designlint.toml").read_bytes().decode("utf-8")
    assert edited == config.replace("\r\n\r\n[egress]", '\r\n\r\ndesign = "docs/engineering-design.md"\r\n[egress]')
    assert tomllib.loads(edited)["design"] == "docs/engineering-design.md"


def test_no_configuration_creates_designlint_toml(tmp_path):
    root = write_tree(tmp_path, {"tools.py": 'import requests\n\nrequests.get("https://api.example.org", timeout=3)\n'})
    result = init(str(root))
    assert result.exit_code == 0, result.stderr
    assert (root / "designlint.toml").read_text(encoding="utf-8") == 'design = "docs/engineering-design.md"\n'
    assert f"Created {root / 'designlint.toml'}" in result.stderr
    assert "| `api.example.org` | `tools.py:3` |" in (root / DOCUMENT).read_text(encoding="utf-8")


def test_a_document_outside_the_config_directory_is_named_relative_to_it(tmp_path):
    root = project(tmp_path)
    result = init(str(root), "--output", str(root / "design" / "eng.md"))
    assert result.exit_code == 0
    assert tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["designlint"] == {
        "design": "design/eng.md"
    }


def test_a_design_already_configured_is_left_alone(tmp_path):
    pyproject = '[tool.designlint]\ndesign = "ARCHITECTURE.md"\n'
    root = project(tmp_path, {"pyproject.toml": pyproject, "ARCHITECTURE.md": "# Design\n"})
    if not design_key_known(root / "pyproject.toml"):
        pytest.skip("the configuration does not know `design` yet (the design reader's branch adds it)")
    result = init(str(root))
    assert result.exit_code == 0
    assert "already sets design = 'ARCHITECTURE.md'; left as it is" in result.stderr
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == pyproject


def test_a_config_the_key_cannot_be_added_to_safely_is_left_as_it_was(tmp_path):
    # Dotted keys define the table: a [tool.designlint] header after them would be invalid TOML.
    pyproject = '[project]\nname = "x"\n\n[tool]\ndesignlint.extend-exclude = ["migrations"]\n'
    root = project(tmp_path, {"pyproject.toml": pyproject})
    result = init(str(root))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] + "\n" == (
        f'designlint: error: {root / "pyproject.toml"}: cannot add `design = "docs/engineering-design.md"` safely:'
        " add it by hand (the document was written)\n"
    )
    assert (root / "pyproject.toml").read_text(encoding="utf-8") == pyproject
    assert (root / DOCUMENT).exists()


def test_a_broken_configuration_exits_2_naming_file_line_and_key(tmp_path):
    root = project(tmp_path, {"designlint.toml": 'select = ["DL"]\n\n[egress]\nallow = "api.example.com"\n'})
    result = init(str(root))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"designlint: error: {root / 'designlint.toml'}:4: `egress.allow`: ")
    assert not (root / "docs").exists()


def test_existing_contracts_decide_what_is_inventory_and_what_is_a_violation(tmp_path):
    # Hosts off the allowlist and framework imports outside the adapter globs are violations,
    # for `designlint check` to report: the document does not adopt them.
    config = '[egress]\nallow = ["api.search.example.com"]\n\n[adapters]\nmodules = ["app.adapters.*"]\n'
    root = project(tmp_path, {"designlint.toml": config})
    inventory = take_inventory(root)
    assert [found.name for found in inventory.hosts] == ["api.search.example.com"]
    assert [(module.module_glob, module.frameworks) for module in inventory.adapters] == [
        ("app.adapters.*", ("anthropic",))
    ]


def test_suppressed_findings_and_excluded_files_decide_the_inventory_as_check_would(tmp_path):
    root = project(
        tmp_path,
        {
            "designlint.toml": 'extend-exclude = ["scripts"]\n',
            "app/ping.py": 'import requests\n\nrequests.get("https://status.example.com", timeout=1)  # noqa: DL201\n',
            "scripts/seed.py": 'import requests\n\nrequests.get("https://seed.example.com", timeout=1)\n',
        },
    )
    hosts = [found.name for found in take_inventory(root).hosts]
    assert "status.example.com" in hosts, "a suppressed finding is still a host the code contacts"
    assert "seed.example.com" not in hosts, "an excluded file is not linted, nor inventoried"


def test_file_names_cannot_break_a_table_or_a_line(tmp_path):
    root = write_tree(
        tmp_path, {"a|b\nc.py": 'import requests\n\nrequests.get("https://api.example.org", timeout=3)\n'}
    )
    document = render_design(take_inventory(root), "x|y")
    assert "# Engineering design: x\\|y\n" in document
    assert "| `api.example.org` | `a\\|b\\nc.py:3` |" in document


def test_unparsable_files_are_named_and_the_rest_inventoried(tmp_path):
    root = project(tmp_path, {"app/broken.py": "def (:\n"})
    result = init(str(root))
    assert result.exit_code == 0
    assert "designlint: warning: app/broken.py: not inventoried: it cannot be parsed" in result.stderr
    assert "`api.search.example.com`" in (root / DOCUMENT).read_text(encoding="utf-8")


@pytest.mark.parametrize("fixture", sorted(path.name for path in FIXTURES.iterdir() if path.is_dir()))
def test_init_on_each_fixture_project(tmp_path, fixture):
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, root)
    result = init(str(root))
    assert result.exit_code == 0, result.stderr
    document = (root / DOCUMENT).read_text(encoding="utf-8")
    assert document.count("\n## ") == 14 and "{{" not in document


def test_the_dispatcher_fixture_inventory(tmp_path):
    root = tmp_path / "dispatcher"
    shutil.copytree(FIXTURES / "dispatcher", root)
    inventory = take_inventory(root)
    # hooks.slack.example.com is contacted too, but is off the configured allowlist: a violation.
    assert [found.name for found in inventory.hosts] == ["*.search.toolhub.example", "api.github.com"]
    assert inventory.error_enum == "toolhub.errors.ErrorCode"
    assert [found.name for found in inventory.error_codes][:2] == ["UNAUTHORIZED", "FORBIDDEN"]
    assert inventory.sanitizers == ("toolhub.prompting.tag_untrusted",)
    assert [str(sink.place) for sink in inventory.prompt_sinks] == [
        "src/toolhub/prompting.py:21",
        "src/toolhub/prompting.py:25",
        "src/toolhub/prompting.py:45",
    ]


def test_a_dynamic_span_name_is_written_as_a_declared_span_writes_it(tmp_path):
    root = project(tmp_path, {"app/runner.py": DYNAMIC_SPAN_PY})
    document = render_design(take_inventory(root), "x")
    assert rows(document, "8. Observability") == ["| `execute_tool {...}` |  |", "| `tool.dispatch` |  |"]


def test_declared_spans_and_metrics_are_the_inventory_and_undeclared_ones_violations(tmp_path):
    config = '[telemetry]\nspans = ["tool.dispatch"]\n\n[telemetry.metrics]\n"tool.calls" = { unit = "{call}" }\n'
    root = project(tmp_path, {"designlint.toml": config})
    inventory = take_inventory(root)
    assert [found.name for found in inventory.spans] == ["tool.dispatch"]
    assert [(found.name, found.count) for found in inventory.metrics] == [("tool.calls", 0)]
    document = render_design(inventory, "x")
    assert "| `tool.calls` | `{call}` |  |" in document


def test_the_execution_order_in_force_is_written_as_the_ordered_list(tmp_path):
    default = render_design(take_inventory(project(tmp_path / "default")), "x")
    assert "\n1. `authorize`\n2. `validate`\n3. `rate_limit`\n4. `approve`\n5. `execute`\n" in default
    config = '[order]\nstages = ["authorize", "execute"]\ncalls = { authorize = ["app.auth.check", "verify_*"] }\n'
    configured = render_design(take_inventory(project(tmp_path / "configured", {"designlint.toml": config})), "x")
    assert "\n1. `authorize` — `app.auth.check`, `verify_*`\n2. `execute`\n\n" in configured


def test_configured_authorization_words_are_written_as_labelled_items(tmp_path):
    root = tmp_path / "authz"
    shutil.copytree(FIXTURES / "authz", root)
    document = render_design(take_inventory(root), "x")
    section = document.split("## 4. Authorization invariants\n", 1)[1].split("\n## ", 1)[0]
    assert section.endswith("-->\n- Tenant scope: `realm`\n- Roles: `entitlement`\n- Superuser flags: `root_access`\n")
    # Nothing configured: the built-in words apply, and the section is left to write.
    assert "\n- Tenant scope" not in render_design(take_inventory(project(tmp_path / "plain")), "x")


def test_a_project_with_no_code_yet_gets_the_template_to_fill(tmp_path):
    # A spec-kit feature planned before any code: every table is there, empty, to be filled.
    result = init(str(tmp_path))
    assert result.exit_code == 0
    assert f"designlint: warning: no Python files found in {tmp_path}: the tables are empty" in result.stderr
    document = (tmp_path / DOCUMENT).read_text(encoding="utf-8")
    assert rows(document, "7. Egress allowlist") == [] and rows(document, "10. Adapter pattern") == []
    assert "<!-- designlint init found no host the code names" in document


def lint(*args: str):
    result = CliRunner().invoke(main, [*args, "--output-format", "json", "--exit-zero"])
    assert result.exit_code == 0, result.stderr
    return [(f["code"], Path(f["filename"]).name, f["location"]["row"]) for f in json.loads(result.stdout)]


def test_right_after_init_design_check_reports_what_is_left_to_write_and_check_the_violations(tmp_path, monkeypatch):
    if "design" not in main.commands:
        pytest.skip("`designlint design check` is not on this branch (the design reader's branch adds it)")
    root = project(tmp_path)
    monkeypatch.chdir(root)
    before = lint("check", "--no-cache", ".")
    assert init(".").exit_code == 0
    document = (root / DOCUMENT).read_text(encoding="utf-8").splitlines()
    headings = [(number, line[3:]) for number, line in enumerate(document, 1) if line.startswith("## ")]

    def section(row: int) -> str:
        return [heading for number, heading in headings if number <= row][-1]

    design = lint("design", "check")
    assert {code for code, _, _ in design} <= {"DL011", "DL012", "DL015"}
    # What init filled is readable and agrees with the code; only what it left to write is reported.
    assert {section(row) for _, _, row in design} <= {
        "2. State machines",
        "4. Authorization invariants",
        "5. Failure modes and timeouts",
        "9. Audit",
        "11. Alternatives considered",
        "12. Rollout",
        "13. Risk register",
        "14. Anti-patterns",
    }
    after = [finding for finding in lint("check", "--no-cache", ".") if finding[1] != DOCUMENT.name]
    # The inventory is no longer reported: no host off an allowlist, no framework import outside
    # an adapter; app.tools is an adapter now, which DL302 holds to its boundary. The rest stands.
    assert {code for code, _, _ in before} >= {"DL201", "DL301", "DL501"}
    expected = [f for f in before if f[0] not in ("DL201", "DL301")] + [("DL302", "tools.py", 16)]
    assert sorted(after) == sorted(expected)


def test_init_never_executes_the_code_it_inventories(tmp_path):
    # tests/data/booby_trapped writes an IMPORTED-* file beside any of its modules that is executed.
    root = tmp_path / "booby_trapped"
    shutil.copytree(Path(__file__).parent / "data" / "booby_trapped", root)
    assert init(str(root), "--no-config").exit_code == 0
    assert (root / DOCUMENT).exists()
    assert sorted(root.rglob("IMPORTED-*")) == []


def test_an_inventoried_dynamic_span_is_not_drift(tmp_path, monkeypatch):
    if "design" not in main.commands:
        pytest.skip("`designlint design check` is not on this branch (the design reader's branch adds it)")
    root = project(tmp_path, {"app/runner.py": DYNAMIC_SPAN_PY})
    monkeypatch.chdir(root)
    assert init(".").exit_code == 0
    assert "DL014" not in {code for code, _, _ in lint("design", "check")}


def test_in_a_spec_kit_project_init_says_that_design_hides_the_features_documents(tmp_path):
    root = project(tmp_path, {".specify/feature.json": '{"feature_directory": "specs/001-search"}'})
    warning = "designlint: warning: a spec-kit project: with `design` set, the features'"
    assert warning in init(str(root), "--force").stderr
    target = str(root / "specs" / "001-search" / "engineering-design.md")
    assert warning not in init(str(root), "--output", target, "--no-config").stderr
