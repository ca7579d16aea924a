"""The design document is the contract: for every row of the format that fills an option, a
project whose only contract is the document gets exactly the findings the same project gets
with the contract written in ``[tool.designlint]``; a key set there wins over the document."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from designlint.design.contract import read_contract
from designlint.design.show import describe_contract
from designlint.resolution import ConfigResolver, design_documents, read_design
from designlint.rules import REGISTRY
from designlint.runner import Options, lint_paths
from designlint.tables.states import StateMachinesOptions

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
_STATES = """
from enum import Enum


class ApprovalState(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    ARCHIVED = "archived"
"""
_AUDITED = """
import structlog as sl
from fastapi import APIRouter

router = APIRouter()
audit = sl.get_logger("audit.tools")


@router.post("/tools/{name}")
async def call_tool(name: str, request, user):
    log = audit.bind(trace_id=request.state.trace_id)
    result = await request.app.dispatcher.run(name, user)
    await log.ainfo("tool.called", principal=user.id, result=dict(code=result.code))
    return result
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
    "state diagram bound to an enum": (
        """
        ## 2. State machine: approval lifecycle

        ```mermaid
        stateDiagram-v2
            direction LR
            [*] --> PENDING
            %% a decision is final
            PENDING --> APPROVED : approve
            PENDING --> REJECTED : reject
            note right of PENDING
                waits for a reviewer
            end note
            state Decided {
                APPROVED --> ARCHIVED : archive
            }
            PENDING --> EXPIRED
        ```

        ```toml designlint
        [[state-machines]]
        name = "approval"
        states = "app.approvals.states.ApprovalState"
        field = "status"
        ```
        """,
        '[[tool.designlint.state-machines]]\nname = "approval"\nstates = "app.approvals.states.ApprovalState"\n'
        'field = "status"\ntransitions = ["[*] -> PENDING", "PENDING -> APPROVED", "PENDING -> REJECTED",'
        ' "APPROVED -> ARCHIVED", "PENDING -> EXPIRED"]\n',
        {
            "app/approvals/states.py": _STATES,
            "app/approvals/jobs.py": (
                "from app.approvals.states import ApprovalState\nfrom app.models import Approval\n\n\n"
                "def reopen_expired():\n"
                "    Approval.objects.filter(status=ApprovalState.EXPIRED).update(status=ApprovalState.PENDING)\n\n\n"
                "def archive(approval):\n    if approval.status == ApprovalState.APPROVED:\n"
                "        approval.status = ApprovalState.ARCHIVED\n"
            ),
        },
    ),
    "audit field table": (
        """
        ## 9. Audit

        | Field | Required | Meaning |
        | --- | --- | --- |
        | `principal` | yes | who called |
        | `callId` | yes | the tool call |
        | `reason` | no | free text |
        """,
        '[tool.designlint.audit]\nrequired = ["principal", "callId"]\n',
        {"app/api.py": _AUDITED},
    ),
    "audit field list": (
        """
        ## 9. Audit schema

        Every audit event carries:

        - `principal` and `callId`
        - `result.code`
        """,
        '[tool.designlint.audit]\nrequired = ["principal", "callId", "result.code"]\n',
        {"app/api.py": _AUDITED},
    ),
    "failure-mode idempotency key": (
        """
        ## 5. Failure modes

        | Operation | Timeout | Idempotency key |
        | --- | --- | --- |
        | start a run | none | derived from `run_id`, `call_id` |
        | read a ticket | none | - |
        """,
        '[tool.designlint.idempotency]\nderive-from = ["run_id", "call_id"]\n',
        {
            "app/runs.py": (
                "import uuid\n\n\ndef start_run(client, run_id: str, call_id: str):\n"
                '    return client.post("/runs", headers={"Idempotency-Key": str(uuid.uuid4())})\n'
            )
        },
    ),
    "authorization deny reasons": (
        """
        ## 4. Authorization

        - Deny reasons: `app.authz.DenyReason`
        """,
        '[tool.designlint.authz]\ndeny-reasons = "app.authz.DenyReason"\n',
        {
            "app/authz.py": (
                "from enum import Enum\n\n\nclass DenyReason(str, Enum):\n"
                '    TENANT_MISMATCH = "tenant_mismatch"\n    ROLE_MISSING = "role_missing"\n'
            ),
            "app/auth.py": "def require_scope(token, scope):\n    if scope not in token.scopes:\n        raise PermissionError\n",
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
    # No [[state-machines]] entry binds the diagram: it is shown, and fills no option.
    data = [(d.kind, d.name, d.details, d.where.line) for d in contract.data]
    assert data == [
        ("state-machines.1", "[*] -> Open", ("unbound",), 7),
        ("state-machines.1", "Open -> Triaged", ("unbound",), 9),
        ("state-machines.1", "Queued -> Assigned", ("unbound",), 11),
        ("state-machines.1", "Triaged -> [*]", ("unbound",), 14),
    ]
    assert contract.setting("state-machines.machines") is None
    stages, calls = contract.setting("order.stages"), contract.setting("order.calls")
    assert stages.value == ["authenticate", "authorize", "dispatch"]
    assert [where.line for where in stages.sources] == [19, 20, 21]
    assert calls.value == {
        "authenticate": ["app.auth.verify_token"],
        "authorize": ["app.authz.check_tenant", "app.authz.check_role"],
    }
    audit = contract.setting("audit.required")
    assert audit.value == ["actor"]  # `reason` is not required
    assert [where.line for where in audit.sources] == [27]


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


_DIAGRAMS = """
## 2. Lifecycles

```mermaid
stateDiagram-v2
    [*] --> PENDING
    PENDING --> APPROVED
```

```mermaid
stateDiagram-v2
    [*] --> PENDING
    PENDING --> REOPENED
```

```toml designlint
[[state-machines]]
diagram = 2
states = "app.approvals.states.ApprovalState"
{extra}
```
"""


def _machine_project(tmp_path: Path, extra: str = "", config: str = "") -> Path:
    files = {"app/approvals/states.py": _STATES, DOCUMENT: _document(_DIAGRAMS.replace("{extra}", extra))}
    return _project(tmp_path, {**files, **({"pyproject.toml": config} if config else {})})


def test_a_state_the_bound_enum_lacks_is_unreadable_and_the_machine_left_out(tmp_path):
    root = _machine_project(tmp_path)
    contract = read_design(ConfigResolver(cwd=root).for_directory(root))
    assert contract.setting("state-machines.machines") is None
    [problem] = contract.problems
    assert (problem.path, problem.line) == (DOCUMENT, 11)  # the bound diagram's fence
    assert "REOPENED" in problem.message


def test_a_binding_takes_the_diagram_it_names_and_the_enum_name(tmp_path):
    root = _machine_project(tmp_path, extra='field = "status"')
    (root / DOCUMENT).write_text((root / DOCUMENT).read_text().replace("REOPENED", "APPROVED"))
    config = ConfigResolver(cwd=root).for_directory(root)
    [machine] = config.options(StateMachinesOptions).machines
    assert (machine.name, machine.field) == ("ApprovalState", "status")
    assert machine.pairs == (("[*]", "PENDING"), ("PENDING", "APPROVED"))
    shown = describe_contract(config, read_design(config), design_documents(config), root)
    assert f"# {DOCUMENT}:11" in shown and "ApprovalState" in shown


@pytest.mark.parametrize("extra", ["diagram = 3", 'diagram = "two"'])
def test_a_binding_to_no_diagram_is_unreadable_on_its_line(tmp_path, extra):
    root = _machine_project(tmp_path, extra=extra)
    (root / DOCUMENT).write_text((root / DOCUMENT).read_text().replace("diagram = 2\n", ""))
    contract = read_design(ConfigResolver(cwd=root).for_directory(root))
    [problem] = contract.problems
    assert problem.line == 18 and "stateDiagram-v2 blocks" in problem.message


def test_machines_in_the_config_win_over_the_documents(tmp_path):
    config = (
        '[[tool.designlint.state-machines]]\nname = "configured"\n'
        'states = "app.approvals.states.ApprovalState"\ntransitions = ["[*] -> PENDING"]\n'
    )
    root = _machine_project(tmp_path, config=config)
    [machine] = ConfigResolver(cwd=root).for_directory(root).options(StateMachinesOptions).machines
    assert machine.name == "configured"
