"""The gates that spare work (each rule's text ``prefilter`` and its ``could_fire`` on the
stdlib's tree) never hide a finding: with them switched off, every file gives the same
findings. Checked on every fixture project, every rule's VALID/INVALID cases, and code written
the ways the gates must see through."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from projects import FIXTURES
from rule_cases import RULE_CASES, case_config, case_project

from designlint.config import Config
from designlint.engine import Linter
from designlint.project import Project
from designlint.resolution import ConfigResolver
from designlint.rules import REGISTRY
from designlint.rules.cases import Valid
from designlint.rules.design import DocumentRule

PROJECTS = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
# The rules on Python code: the document rules (DL011-DL015) read Markdown and have no gates.
CODE_RULES = [rule for rule in REGISTRY.rules if not issubclass(rule, DocumentRule)]
CODE_RULE_CASES = [case for case in RULE_CASES if case.values[0] in CODE_RULES]


def _findings(linter: Linter, path: Path | str, source: str | bytes) -> list[tuple]:
    return sorted((d.code, d.start.row, d.start.column, d.message) for d in linter.lint(source, str(path)).diagnostics)


def _ungated(linter: Linter) -> Linter:
    open_linter = Linter(linter.config, project=linter.project)
    for rule in open_linter.rules:
        rule.prefilter = None
        rule.could_fire = lambda file: True
    return open_linter


@pytest.mark.parametrize("isolated", [False, True], ids=["configured", "isolated"])
@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_fixture_findings_do_not_depend_on_the_gates(project: Path, isolated: bool, monkeypatch):
    monkeypatch.chdir(project)
    resolver = ConfigResolver(isolated=isolated)
    files = sorted(project.rglob("*.py"))
    compared = 0
    for path in files:
        config = resolver.for_path(path)
        gated = Linter(config, project=Project.from_root(config.root))
        source = path.read_bytes()
        expected = _findings(_ungated(gated), path, source)
        assert _findings(gated, path, source) == expected, path
        compared += bool(expected)
    assert compared, "no fixture file had a finding: the comparison could not fail"


@pytest.mark.parametrize(("rule", "case"), CODE_RULE_CASES)
def test_rule_case_findings_do_not_depend_on_the_gates(rule, case):
    gated = Linter(case_config(rule, case), project=case_project(rule, case))
    assert _findings(gated, case.path, case.code) == _findings(_ungated(gated), case.path, case.code)


ADAPTER_ROOT = "src/app"
# Code written the ways the gates must see through, by rule family (the registry's): each
# case not in SILENT makes one of its family's rules fire, and between them every rule fires.
CASES: dict[str, dict[str, str]] = {
    "adapters": {
        # DL301: imports in every kind of block, aliases, dynamic imports, ``from pkg import module``;
        # DL302 in an adapter module.
        "try_import.py": "try:\n    import openai\nexcept ImportError:\n    openai = None\n",
        "one_line_try.py": "try: import openai\nexcept ImportError: pass\n",
        "semicolon.py": "import os; import anthropic as claude\n",
        "type_checking.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from langchain_core.messages import AIMessage\n",
        "in_method.py": "class Agent:\n    async def run(self):\n        with open('x') as f:\n            from openai import AsyncOpenAI\n        return AsyncOpenAI\n",
        "in_match.py": "def pick(kind):\n    match kind:\n        case 'a':\n            import anthropic\n            return anthropic\n",
        "in_loop.py": "for name in ('x',):\n    while True:\n        import litellm\n        break\nelse:\n    import groq\n",
        "dynamic.py": "import importlib\nllm = importlib.import_module('openai')\nalso = __import__('cohere')\n",
        "from_package.py": "from google import genai\n",
        "mention_only.py": "# we used to call openai here\nNAME = 'openai'\n",
        "relative.py": "from .openai import client\n",
        "newer_syntax.py": "type Alias = int\nimport openai\n",
        "adapters/llm.py": "from openai import OpenAI\nfrom openai.types.chat import ChatCompletion\n\n\ndef ask(prompt: str) -> ChatCompletion:\n    return OpenAI().chat.completions.create(model='m', messages=[])\n",
    },
    "telemetry": {
        # DL901/DL902: tracers and meters through aliases, self, decorators, a local name, a module constant.
        "span_alias.py": "from opentelemetry import trace as t\n\n\n@t.get_tracer('x').start_as_current_span(f'get {user_id}')\ndef f():\n    pass\n",
        "span_attributes.py": "import opentelemetry.trace as ot\n\n\nasync def run(tool):\n    async with x, ot.get_tracer('t').start_as_current_span(f'execute_tool {tool.name}', attributes={}) as s:\n        pass\n",
        "span_self.py": "class A:\n    def run(self, req):\n        name = 'fetch ' + req.url\n        return self._tracer.start_span(name)\n",
        "metric_constant.py": "from opentelemetry.metrics import get_meter\nNAME = 'Requests_Total'\nget_meter('a').create_counter(NAME)\n",
    },
    "audit": {
        # DL904: audit loggers by name, by channel and through an alias; an emitter method.
        "audit_alias.py": "import structlog as sl\nAUDIT = sl.get_logger('x')\n\n\ndef f(run):\n    AUDIT.info('done', runId=run.id)\n",
        "audit_channel.py": "import logging\nlog = logging.getLogger('Audit.tools')\n\n\ndef f(tool):\n    log.warning('x', extra={'traceId': 1})\n",
        "audit_method.py": "class S:\n    def run(self, call):\n        self._emit_audit(trace_id=call.trace_id, call_id=call.id)\n",
    },
    "authz": {
        # DL101/DL102: the words of checks in any case and spelling; DL103 (linted with
        # CONFIGURED["authz"]): a denial spelt as a bare class, one in an aliased HTTPException.
        "deny_bare.py": "def check(user):\n    if not user.active:\n        raise PermissionError\n",
        "deny_alias.py": "from fastapi import HTTPException as E\n\n\ndef check(user):\n    if not user.active:\n        raise E(403, 'inactive')\n",
        "authz_camel.py": "def can_edit(user, doc):\n    return user.tenantId == doc.tenantId or user.hasRole('editor')\n",
        "authz_superuser_first.py": "def can_read(user, doc):\n    if user.isSuperUser:\n        return True\n    return doc.org_id == user.org_id and 'reader' in user.roles\n",
        "authz_upper.py": "def allowed(USER, DOC):\n    return USER.IS_STAFF or DOC.TENANT_ID == USER.TENANT_ID\n",
    },
    "egress": {
        # DL201/DL202 through aliases, helpers, forward references, an HTTP client's own package.
        "egress.py": "import httpx as h\n\n\nasync def fetch():\n    async with h.AsyncClient() as c:\n        return await c.get(f'https://api.weather-data.io/v1/{1}')\n",
        "egress_helper.py": "from urllib import request as rq\n\n\ndef pull(host):\n    return rq.urlopen('https://' + host + '/feed')\n",
        "egress_forward_ref.py": "from __future__ import annotations\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import aiohttp\n\n\nasync def go(session: 'aiohttp.ClientSession'):\n    return await session.get('https://api.weather-data.io/v1')\n",
        "egress_http_package.py": "import os, http as h\n\n\ndef probe():\n    return h.client.HTTPConnection('evil.example.com')\n",
        "../pkg/__init__.py": "from .requests import get\n\n\ndef ping():\n    return get('https://status.example.org/')\n",
        "../requests/api.py": "def get(url, **kwargs):\n    return request('get', url, **kwargs)\n\n\ndef ping():\n    return get('https://status.example.org/')\n",
    },
    "errors": {
        # DL501: the spellings of a code its prefilter must see.
        "errors.py": "class ToolError(Exception):\n    pass\n\n\ndef f(err):\n    if err.code == 'RATE_LIMITED':\n        raise ToolError('E42')\n    raise ToolError(code='upstream-timeout')\n",
        "errors_commented.py": 'def deny(errors):\n    raise errors.Denied(  # why\n        # the code\n        ("NO_ACCESS"),\n    )\n',
        "errors_quotes.py": 'class QuotaFailure(Exception):\n    pass\n\n\nx = QuotaFailure("""QUOTA_EXCEEDED""")\n',
        "errors_keys.py": 'def shape(payload, err):\n    if payload.get("error_code") == "RATE_LIMITED":\n        return {"error": "x", "code": "UPSTREAM_DOWN"}\n    return err.error_code in (\'TIMED_OUT\', \'BAD_INPUT\')\n',
        "errors_spacing.py": 'class AppError(Exception):\n    pass\n\n\nraise AppError ("RATE_LIMITED")\n',
        "errors_wrapped.py": "def deny(Denied, err):\n    if err.\\\n            code == 'NO_ACCESS':\n        raise (Denied(\"NO_ACCESS\"))\n",
        "errors_escape.py": 'class AppError(Exception):\n    pass\n\n\nx = AppError("RATE\\x5fLIMITED")\n',
        "errors_concat.py": 'class AppError(Exception):\n    pass\n\n\nx = AppError("" "RATE_LIMITED")\n',
        "errors_keyword.py": 'class Reply:\n    pass\n\n\nr = Reply(\n    code = "RATE_LIMITED",\n)\n',
    },
    "failures": {
        # DL601 through aliases, sessions kept on self, a client's construction, a deadline.
        "timeout_alias.py": "from requests import post as send\n\n\ndef notify(hook):\n    return send(hook, json={})\n",
        "timeout_session.py": "import requests\n\n\nclass Api:\n    def __init__(self):\n        self.http = requests.session()\n\n    def get(self, url):\n        return self.http.get(url)\n",
        "timeout_client.py": "import httpx as h\n\nCLIENT = h.Client(timeout=None)\n",
        "timeout_deadline.py": "from asyncio import wait_for\n\n\nasync def run(step):\n    return await wait_for(step(), timeout=None)\n",
        "timeout_sdk.py": "from anthropic import Anthropic\n\nclaude = Anthropic(timeout=None)\n",
        # DL603: an aliased cancellation class, a one-line handler, except*.
        "cancel_alias.py": "from asyncio import CancelledError as Stop\n\n\nasync def run(step):\n    try:\n        await step()\n    except Stop: return None\n",
        "cancel_bare.py": "async def run(step):\n    try:\n        await step()\n    except:\n        pass\n",
        "cancel_anyio.py": "import anyio as a\n\n\nasync def run(step):\n    try:\n        await step()\n    except a.get_cancelled_exc_class():\n        pass\n",
    },
    "repeats": {
        # DL602: a header named by an upper-case constant, the uuid under an alias, tenacity under another.
        "idempotency_constant.py": "from uuid import uuid4 as new_id\nimport tenacity as t\n\nIDEMPOTENCY_HEADER = 'Idempotency-Key'\n\n\n@t.retry\ndef send(http, body):\n    return http.post('/x', json=body, headers={IDEMPOTENCY_HEADER: str(new_id())})\n",
        "idempotency_camel.py": "import time\n\n\ndef send(http, body):\n    for attempt in range(3):\n        body['idempotencyKey'] = time.time()\n        try:\n            return http.post('/x', json=body)\n        except OSError:\n            pass\n",
        # DL604: litellm under an alias no call name gives away, an endless count, a one-line loop.
        "loop_alias.py": "from litellm import completion as ask\n\n\ndef go(m):\n    while True:\n        r = ask(model='x', messages=m)\n        if r.done: return r\n",
        "loop_count.py": "from itertools import count\n\n\ndef go(llm, m):\n    for _ in count():\n        if llm.invoke(m).done: break\n",
        "loop_helper.py": "class A:\n    def step(self):\n        return self.llm.invoke('x')\n\n    def run(self):\n        while not self.step().done: pass\n",
    },
    "trust": {
        # DL401: prompt and template hints, retrieval, HTTP bodies.
        "trust_template.py": "QA_TEMPLATE = 'Answer from this context: {context}'\n\n\ndef answer(retriever, complete, q):\n    docs = retriever.invoke(q)\n    return complete(QA_TEMPLATE.format(context=docs))\n",
        "trust_system_prompt.py": "import requests\n\n\ndef build(url):\n    SYSTEM_PROMPT = 'You are helpful. ' + requests.get(url).text\n    return SYSTEM_PROMPT\n",
        "trust_relevant.py": "def answer(store, llm, q):\n    docs = store.get_relevant_documents(q)\n    return llm.invoke(prompt=str(docs))\n",
        "trust.py": "import requests\n\n\ndef answer(llm, url):\n    page = requests.get(url).text\n    return llm.invoke([{'role': 'system', 'content': 'Summarise: ' + page}])\n",
    },
    "order": {
        # DL701-DL703: an aliased authorize, a decorator, a helper, a limiter on self.
        "order_alias.py": "from app.auth import authorize as az\nfrom app import schemas\n\n\nasync def dispatch(user, tool, args):\n    schemas.validate(args)\n    az(user, tool)\n    return await tool.arun(args)\n",
        "order_decorated.py": "import asyncio\n\nfrom app.auth import requires_permission\n\n\ndef _run(tool, args):\n    return tool.run(args)\n\n\n@requires_permission('tools')\ndef dispatch(tool, args, cached):\n    if cached:\n        return _run(tool, args)\n    return _run(tool, args)\n",
        "order_skipped.py": "class Dispatcher:\n    async def call(self, user, tool, args, cached):\n        if cached:\n            return await tool.ainvoke(args, timeout=5)\n        self.check_access(user, tool)\n        await self.rate_limiter.acquire(user)\n        return await tool.ainvoke(args, timeout=5)\n",
    },
    "states": {
        # DL801-DL804 (linted with CONFIGURED["states"]): an aliased enum, a module import, a library's alias.
        "states_alias.py": "from app.approvals.states import ApprovalState as AS\n\n\ndef f(r):\n    if r.status == AS.EXPIRED:\n        r.status = AS.APPROVED\n",
        "states_module.py": "from app.approvals import states\n\n\nasync def f(r):\n    return r.state in ('pending', 'aproved') or r.state == states.ApprovalState.EXPIRED\n",
        "states_unmentioned.py": "import app.approvals.states as s\n\nARCHIVED = s.ApprovalState.ARCHIVED\n",
        "states_machine.py": "import transitions as t\n\nm = t.Machine(states=['pending', 'approved'], initial='pending', transitions=[['go', 'pending', 'approved'], ['back', 'approved', 'pending']])\n",
        "states_class_in_function.py": "def build():\n    from statemachine import State, StateMachine as SM\n\n    class Flow(SM):\n        pending = State(initial=True)\n        approved = State()\n        go = pending.to(approved)\n\n    return Flow\n",
    },
    "noqa": {
        # DL003: an unused code in a line's and in a file's directive.
        "noqa_line.py": "def fetch(err):\n    return err.retry  # noqa: DL501\n",
        "noqa_file.py": '"""Tools."""\n# designlint: noqa: DL201\nVALUE = 1\n',
    },
}
# Families that fire only when configured: their cases are linted with this config and these modules.
CONFIGURED = {
    "authz": Valid(
        "",
        config='[authz]\ndeny-reasons = "app.authz.DenyReason"\n',
        files={"app/authz.py": "import enum\n\n\nclass DenyReason(str, enum.Enum):\n    INACTIVE = 'inactive'\n"},
    ),
    "states": Valid(
        "",
        config=(
            '[[state-machines]]\nname = "approval"\nstates = "app.approvals.states.ApprovalState"\n'
            'transitions = ["[*] -> PENDING", "PENDING -> APPROVED", "PENDING -> REJECTED"]\n'
            'owners = ["app.approvals.service.*"]\n'
        ),
        files={
            "app/approvals/states.py": "import enum\n\n\nclass ApprovalState(str, enum.Enum):\n"
            "    PENDING = 'pending'\n    APPROVED = 'approved'\n    REJECTED = 'rejected'\n"
            "    EXPIRED = 'expired'\n    ARCHIVED = 'archived'\n"
        },
    ),
}
SILENT = {"mention_only.py", "relative.py", "../pkg/__init__.py"}  # the gates must not be fooled by these either
CASE_NAMES = sorted((family, name) for family, cases in CASES.items() for name in cases)


def _family_linter(family: str, root: Path) -> Linter:
    configured = CONFIGURED.get(family)
    if configured is None:
        return Linter(Config(root=root), project=Project.from_root(root))
    rule = next(f for f in REGISTRY.families if f.name == family).rules[0]
    config = dataclasses.replace(case_config(rule, configured), root=root)
    return Linter(config, project=case_project(rule, configured))


@pytest.mark.parametrize(("family", "name"), CASE_NAMES, ids=[name for _, name in CASE_NAMES])
def test_gates_see_through_the_ways_code_is_written(family: str, name: str, tmp_path: Path):
    gated = _family_linter(family, tmp_path)
    path = tmp_path / ADAPTER_ROOT / name
    assert _findings(gated, path, CASES[family][name]) == _findings(_ungated(gated), path, CASES[family][name])


def test_the_cases_exercise_the_gates(tmp_path: Path):
    """The comparison above means something only if the cases hold findings of every rule, each
    case one of its own family's."""
    families = {
        family.name: {rule.code for rule in family.rules}
        for family in REGISTRY.families
        if any(rule in CODE_RULES for rule in family.rules)
    }
    assert set(CASES) == set(families), "every family needs cases"
    fired: set[str] = set()
    for family, name in CASE_NAMES:
        gated = _family_linter(family, tmp_path)
        codes = {code for code, *_ in _findings(gated, tmp_path / ADAPTER_ROOT / name, CASES[family][name])}
        fired |= codes
        if name in SILENT:
            assert codes == set(), name
        else:
            assert codes & families[family], f"{name} fires none of {sorted(families[family])}"
    assert fired >= {rule.code for rule in CODE_RULES}
