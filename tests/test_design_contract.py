"""The design document is the contract: for every row of the format that fills an option, a
project whose only contract is the document gets exactly the findings the same project gets
with the contract written in ``[tool.designlint]``; a key set there wins over the document."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from designlint.design.contract import read_contract
from designlint.resolution import ConfigResolver, read_design
from designlint.rules import REGISTRY
from designlint.runner import Options, lint_paths

DOCUMENT = "docs/engineering-design.md"
DOCUMENT_CODES = ("DL011", "DL012", "DL013", "DL014", "DL015")

_TOOLS = """
import requests


def fetch_ticket(ticket_id):
    return requests.get(f"https://api.tickets.example.com/t/{ticket_id}", timeout=300)


def fetch_weather():
    return requests.get("https://weather.example.org/today", timeout=5)


def charge(principal, tool):
    raise ToolError("RATE_LIMTED", tool=tool)


def login(token):
    raise AuthError("INVALID_TOKEN")
"""
_ENUM = """
from enum import Enum


class ErrorCode(str, Enum):
    RATE_LIMITED = "RATE_LIMITED"
"""

# name -> (the document's section, the same contract as [tool.designlint] keys, the code)
ROWS = {
    "error-code table": (
        """
        ## 3. Error-code contract

        | Code | Trigger | HTTP | Rate limit |
        | --- | --- | --- | --- |
        | `RATE_LIMITED` | over quota | 429 | 10/min |
        | `INVALID_TOKEN` | the token expired | 401 | - |
        """,
        '[tool.designlint.errors]\ncontract = ["RATE_LIMITED", "INVALID_TOKEN"]\n',
        {"app/tools.py": _TOOLS},
    ),
    "toml designlint block": (
        """
        ## §3 Error codes

        The codes are the members of the enum:

        ```toml designlint
        [errors]
        codes = "app.errors.ErrorCode"
        ```
        """,
        '[tool.designlint.errors]\ncodes = "app.errors.ErrorCode"\n',
        {"app/tools.py": _TOOLS, "app/errors.py": _ENUM},
    ),
    "egress host table": (
        """
        ## 7. Egress allowlist

        | Host | Purpose | Owner |
        | --- | --- | --- |
        | `api.tickets.example.com` | the ticket API | @support |
        """,
        '[tool.designlint.egress]\nallow = ["api.tickets.example.com"]\n',
        {"app/tools.py": _TOOLS},
    ),
    "egress host list": (
        """
        ## 7. Network egress

        Outbound HTTP goes to:

        - `api.tickets.example.com` (tickets)
        - `weather.example.org`
        """,
        '[tool.designlint.egress]\nallow = ["api.tickets.example.com", "weather.example.org"]\n',
        {"app/tools.py": _TOOLS},
    ),
    "adapter table": (
        """
        ## 10. Adapter pattern

        | Framework | Adapter | Notes |
        | --- | --- | --- |
        | `acme_llm` | `app.adapters.*` | the in-house SDK |
        """,
        '[tool.designlint.adapters]\nextend-frameworks = ["acme_llm"]\nmodules = ["app.adapters.*"]\n',
        {
            "app/__init__.py": "",
            "app/adapters/__init__.py": "",
            "app/adapters/acme.py": "import acme_llm\n",
            "app/tools.py": "import acme_llm\n\n\ndef run():\n    return acme_llm.complete('x')\n",
        },
    ),
    "trust sanitizer table": (
        """
        ## 6. Trust labels and prompt-injection mitigation

        | Source | Sanitizer | Stage |
        | --- | --- | --- |
        | observations | `fence` | before the prompt |
        """,
        '[tool.designlint.trust]\nsanitizers = ["fence"]\n',
        {
            "app/agent.py": (
                'def fence(text):\n    return f"<data>{text}</data>"\n\n\n'
                "def ask(client, observation):\n"
                '    return client.responses.create(model="m", instructions="Use: " + fence(observation), input="go")\n'
            )
        },
    ),
    "failure-mode timeouts": (
        """
        ## 5. Failure modes and timeouts

        | Operation | Timeout | Retries | Idempotency key |
        | --- | --- | --- | --- |
        | ticket API | 10 s | 3 | - |
        | model completion | 2 min | 1 | derived from `run_id` |
        """,
        "[tool.designlint.timeouts]\nbudget = 120\n",
        {"app/tools.py": _TOOLS},
    ),
    "execution-order list": (
        """
        ## 3. Execution order (cross-cutting concerns)

        1. `authorize` — `app.security.gatekeep`
        2. `rate_limit` — `app.limits.spend`
        3. `execute` — the tool runs
        """,
        '[tool.designlint.order]\nstages = ["authorize", "rate_limit", "execute"]\n\n'
        '[tool.designlint.order.calls]\nauthorize = ["app.security.gatekeep"]\nrate_limit = ["app.limits.spend"]\n',
        {
            "app/dispatch.py": (
                "from app.limits import spend\nfrom app.security import gatekeep\n\n\n"
                "def dispatch(principal, tool, arguments):\n    result = tool.run(**arguments)\n"
                "    gatekeep(principal, tool)\n    spend(principal)\n    return result\n"
            )
        },
    ),
    "observability tables": (
        """
        ## 8. Observability

        | Span | Required attributes | Emitted by |
        | --- | --- | --- |
        | `dispatch` | `app.run.id` | the dispatcher |

        | Metric | Unit | Labels |
        | --- | --- | --- |
        | `app.tool.duration` | s | `tool` |
        """,
        '[tool.designlint.telemetry]\nspans = ["dispatch"]\nrequired-attributes = { "dispatch" = ["app.run.id"] }\n\n'
        '[tool.designlint.telemetry.metrics]\n"app.tool.duration" = { unit = "s", labels = ["tool"] }\n',
        {
            "app/trace.py": (
                "from opentelemetry import metrics, trace\n\ntracer = trace.get_tracer(__name__)\n"
                'meter = metrics.get_meter("app")\nduration = meter.create_histogram("app.tool.duration", unit="ms")\n\n\n'
                '@tracer.start_as_current_span("dispatch")\ndef dispatch(request):\n'
                '    with tracer.start_as_current_span("lookup"):\n        return request\n'
            )
        },
    ),
    "authorization words": (
        """
        ## 4. Authorization invariants

        Every call is checked for tenant AND role.

        - Tenant scope: `realm`
        - Roles: `entitled`
        - Superuser flags: `god_mode`
        """,
        '[tool.designlint.authz]\ntenant-names = ["realm"]\nrole-names = ["entitled"]\nsuperuser-names = ["god_mode"]\n',
        {
            "app/access.py": (
                "def can_view(user, ledger):\n    return ledger.realm_key == user.realm_key or user.is_entitled\n\n\n"
                "def ok(u, d):\n    if u.has_god_mode:\n        return True\n    return d.tenant_id == u.tenant_id\n"
            )
        },
    ),
}


def _project(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


def _code_findings(root: Path, monkeypatch) -> list[tuple]:
    monkeypatch.chdir(root)
    result = lint_paths([Path(".")], Options(jobs=1))
    return sorted(
        (d.path, d.code, d.start.row, d.start.column, d.message)
        for d in result.diagnostics
        if d.code not in DOCUMENT_CODES
    )


def _document(section: str) -> str:
    return f"# Engineering design: ticket triage\n\n{textwrap.dedent(section).strip()}\n"


@pytest.mark.parametrize("row", list(ROWS))
def test_the_document_alone_gives_the_findings_of_the_same_contract_in_config(row, tmp_path, monkeypatch):
    section, config, code = ROWS[row]
    from_document = _project(tmp_path / "document", {**code, DOCUMENT: _document(section)})
    from_config = _project(tmp_path / "config", {**code, "pyproject.toml": config})
    zero_config = _project(tmp_path / "none", code)
    expected = _code_findings(from_config, monkeypatch)
    assert expected != _code_findings(zero_config, monkeypatch), f"{row}: the contract changes nothing to compare"
    assert _code_findings(from_document, monkeypatch) == expected


def test_a_key_in_config_wins_over_the_document_key_by_key(tmp_path, monkeypatch):
    section = """
        ## 7. Egress allowlist

        - `weather.example.org`

        ## 5. Failure modes

        | Operation | Timeout |
        | --- | --- |
        | ticket API | 10 min |
        """
    root = _project(
        tmp_path,
        {
            "app/tools.py": _TOOLS,
            DOCUMENT: _document(section),
            "pyproject.toml": '[tool.designlint.egress]\nallow = ["api.tickets.example.com"]\n',
        },
    )
    config = ConfigResolver(cwd=root).for_directory(root)
    egress = next(t for t in config.tables if type(t).__name__ == "EgressOptions")
    timeouts = next(t for t in config.tables if type(t).__name__ == "TimeoutsOptions")
    assert egress.allow == ("api.tickets.example.com",)  # the config's, not the document's
    assert timeouts.budget == 600.0  # the config sets none: the document's
    codes = {(d.code, d.start.row) for d in lint_paths([root / "app"], Options(jobs=1)).diagnostics}
    assert ("DL201", 10) in codes  # weather.example.org: not on the config's list
    assert ("DL201", 6) not in codes


def test_each_value_keeps_the_line_it_came_from(tmp_path):
    text = _document(
        """
        ## 3. Error-code contract

        | Code | Trigger |
        | --- | --- |
        | `RATE_LIMITED` | over quota |
        | `UPSTREAM_TIMEOUT` | a tool outlived its deadline |
        """
    )
    root = _project(tmp_path, {DOCUMENT: text})
    contract = read_design(ConfigResolver(cwd=root).for_directory(root))
    setting = contract.setting("errors.contract")
    assert setting is not None and setting.value == ["RATE_LIMITED", "UPSTREAM_TIMEOUT"]
    assert [str(where) for where in setting.sources] == [f"{DOCUMENT}:7", f"{DOCUMENT}:8"]


def test_documents_are_merged_and_a_single_value_given_twice_differently_is_unreadable(tmp_path):
    first = _document(
        "## 7. Egress\n\n- `api.a.example`\n\n## 5. Timeouts\n\n| Operation | Timeout |\n| --- | --- |\n| a | 30 s |\n"
    )
    second = _document(
        "## 7. Egress\n\n- `api.b.example`\n\n## 5. Timeouts\n\n| Operation | Timeout |\n| --- | --- |\n| b | 1 min |\n"
    )
    root = _project(tmp_path, {"specs/001-a/engineering-design.md": first, "specs/002-b/engineering-design.md": second})
    paths = [root / "specs/001-a/engineering-design.md", root / "specs/002-b/engineering-design.md"]
    contract = read_contract(paths, root, REGISTRY.option_tables)
    assert contract.setting("egress.allow").value == ["api.a.example", "api.b.example"]
    assert contract.setting("timeouts.budget").value == 30.0  # the first is kept
    [problem] = contract.problems
    assert (problem.path, problem.line) == ("specs/002-b/engineering-design.md", 11)
    assert "the documents disagree" in problem.message


def test_diagrams_order_and_audit_are_read_with_their_lines(tmp_path):
    text = _document(
        """
        ## 2. State machine: ticket lifecycle

        ```mermaid
        stateDiagram-v2
            [*] --> Open
            %% triage comes first
            Open --> Triaged : classify
            state Triaged {
                Queued --> Assigned
            }
            note right of Open : new tickets
            Triaged --> [*]
        ```

        ## 3. Execution order

        1. `authenticate` — `app.auth.verify_token`
        2. `authorize` — `app.authz.check_tenant`, `app.authz.check_role`
        3. dispatch the tool

        ## 9. Audit

        | Field | Required |
        | --- | --- |
        | `actor` | yes |
        | `reason` | no |
        """
    )
    root = _project(tmp_path, {DOCUMENT: text})
    contract = read_contract([root / DOCUMENT], root, REGISTRY.option_tables)
    assert not contract.problems
    data = [(d.kind, d.name, d.details, d.where.line) for d in contract.data]
    assert ("state-machines.1", "[*] --> Open", (), 7) in data
    assert ("state-machines.1", "Open --> Triaged", ("classify",), 9) in data
    assert ("state-machines.1", "Queued --> Assigned", (), 11) in data
    stages, calls = contract.setting("order.stages"), contract.setting("order.calls")
    assert stages.value == ["authenticate", "authorize", "dispatch"]
    assert [where.line for where in stages.sources] == [19, 20, 21]
    assert calls.value == {
        "authenticate": ["app.auth.verify_token"],
        "authorize": ["app.authz.check_tenant", "app.authz.check_role"],
    }
    assert ("audit.fields", "actor", ("required",), 27) in data
    assert ("audit.fields", "reason", (), 28) in data


def test_a_section_that_does_not_apply_fills_nothing(tmp_path):
    text = _document(
        "## 7. Egress\n\nNot applicable: the service makes no outbound call (`api.old.example` was removed).\n"
    )
    root = _project(tmp_path, {DOCUMENT: text})
    contract = read_contract([root / DOCUMENT], root, REGISTRY.option_tables)
    assert contract.setting("egress.allow") is None and not contract.problems


def test_an_order_that_leaves_out_a_required_stage_is_unreadable_and_the_defaults_stay(tmp_path, monkeypatch):
    text = _document("## 3. Execution order\n\n1. `authenticate` — `app.auth.verify`\n2. `execute`\n")
    root = _project(tmp_path, {DOCUMENT: text, "app/dispatch.py": "def dispatch(tool):\n    return tool.run()\n"})
    monkeypatch.chdir(root)
    found = [(d.code, d.start.row, d.message) for d in lint_paths([Path(".")], Options(jobs=1)).diagnostics]
    assert ("DL012", 5, "`order.required`: expected stages listed in order.stages, got 'authorize'") in found
    config = ConfigResolver(cwd=root).for_directory(root)
    assert not [t for t in config.tables if type(t).__name__ == "OrderOptions"]  # the defaults


def test_a_configured_required_stage_the_document_lacks_leaves_the_documents_order_out(tmp_path):
    text = _document("## 3. Execution order\n\n1. `authorize` — `app.security.gatekeep`\n2. `execute`\n")
    root = _project(tmp_path, {DOCUMENT: text, "pyproject.toml": '[tool.designlint.order]\nrequired = ["approve"]\n'})
    contract = read_design(ConfigResolver(cwd=root).for_directory(root))
    assert contract.setting("order.stages") is None
    assert [(p.line, p.message) for p in contract.problems] == [
        (5, "`order.required`: expected stages listed in order.stages, got 'approve'")
    ]
