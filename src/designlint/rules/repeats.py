"""DL6xx, continued: failure modes of code that runs again (design category: failure modes:
idempotency keys, per-run caps). Beside ``failures``, which holds DL601 and DL603.

DL602: an idempotency key made fresh inside the scope that retries the request, so each retry
carries a new key and the server cannot deduplicate (``analysis.retries``).
DL604: an agent loop (a model call or a tool dispatch in a loop that may go round without end)
with no bound of its own (``analysis.agent_loops``).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

import libcst as cst

from designlint.analysis.agent_loops import AgentCalls, bound_of, may_be_agent_call, may_loop_forever
from designlint.analysis.module_facts import stdlib_last_name
from designlint.analysis.packages import MODEL_PACKAGES
from designlint.analysis.retries import (
    FRESH_MODULES,
    RetryScope,
    fresh_keys,
    is_retry_loop,
    retry_decorator,
    retry_iterator,
)
from designlint.gates.repeats import AgentLoopGate, IdempotencyKeyGate
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid
from designlint.tables.repeats import IdempotencyOptions, LimitsOptions

if TYPE_CHECKING:
    from designlint.context import FileFacts


class IdempotencyKeyPerAttempt(IdempotencyKeyGate, Rule):
    """An idempotency key made fresh (``uuid.uuid4()``, ``secrets.token_hex()``, ``random.*``,
    ``os.urandom``, ``time.time()``, ``datetime.now()``) inside the scope that retries the request
    it is sent with: a function decorated with ``tenacity.retry``, ``backoff.on_exception``,
    ``stamina.retry`` or ``retrying.retry``, a ``for attempt in Retrying(...)`` block, or a
    hand-written retry loop. Each retry then carries a new key and the server cannot tell it
    from a new request. With ``[tool.designlint.idempotency] derive-from``, a key from a random
    or clock source is reported anywhere."""

    code = "DL602"
    name = "idempotency-key-per-attempt"
    VALID = (
        # The key is made once, before the retried function, and passed in.
        Valid(
            """
            import uuid

            import requests
            from tenacity import retry, stop_after_attempt, wait_exponential


            @retry(stop=stop_after_attempt(3), wait=wait_exponential())
            def post_charge(payload: dict, idempotency_key: str) -> dict:
                headers = {"Idempotency-Key": idempotency_key}
                response = requests.post(
                    "https://api.payments.example/v1/charges", json=payload, headers=headers, timeout=10
                )
                response.raise_for_status()
                return response.json()


            def create_charge(customer_id: str, amount: int) -> dict:
                return post_charge({"customer": customer_id, "amount": amount}, idempotency_key=str(uuid.uuid4()))
            """
        ),
        # Made before the loop; derived from stable inputs (an f-string, a hash, uuid5).
        Valid(
            """
            import hashlib
            import time
            import uuid

            import httpx
            import stamina


            def refund(client: httpx.Client, charge_id: str, attempts: int = 3) -> httpx.Response:
                idempotency_key = uuid.uuid4().hex
                for attempt in range(attempts):
                    try:
                        return client.post("/refunds", json={"charge": charge_id}, headers={"Idempotency-Key": idempotency_key})
                    except httpx.TransportError:
                        time.sleep(2**attempt)
                raise RuntimeError("refund failed")


            @stamina.retry(on=httpx.HTTPError, attempts=3)
            def record_tool_call(client: httpx.Client, run_id: str, call_id: str, result: dict) -> None:
                key = hashlib.sha256(f"{run_id}:{call_id}".encode()).hexdigest()
                client.post("/tool-results", json=result, headers={"Idempotency-Key": key})


            @stamina.retry(on=httpx.HTTPError, attempts=3)
            def record_step(client: httpx.Client, run_id: str, step: int) -> None:
                client.post("/steps", json={"step": step}, headers={"Idempotency-Key": f"{run_id}:{step}"})
                client.post("/audit", json={"dedupe_key": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run_id}/{step}"))})
            """
        ),
        # A batch loop sends each item once (it does not leave on success): one key per item is right.
        # A request id is no idempotency key.
        Valid(
            """
            import logging
            import uuid

            import requests

            log = logging.getLogger(__name__)


            def send_all(events: list[dict]) -> None:
                for event in events:
                    key = str(uuid.uuid4())
                    try:
                        requests.post("https://hooks.example/events", json=event, headers={"Idempotency-Key": key}, timeout=5)
                    except requests.RequestException:
                        log.warning("event %s not delivered", event["id"])


            def fetch(url: str) -> bytes:
                while True:
                    try:
                        return requests.get(url, headers={"X-Request-ID": str(uuid.uuid4())}, timeout=5).content
                    except requests.ConnectionError:
                        continue
            """
        ),
        # With derive-from: keys from the inputs, and the clock made stable (a time bucket, the
        # scheduled tick a cron expression gives) are not made fresh.
        Valid(
            """
            from datetime import datetime, timezone

            from app.schedules import latest_fire_time, tick_dedupe_key


            def start_run(client, run_id: str, call_id: str):
                return client.post("/runs", headers={"Idempotency-Key": f"{run_id}:{call_id}"})


            async def poll(emit, trigger_id, interval_s: float):
                bucket = int(datetime.now(timezone.utc).timestamp() // interval_s)
                return await emit(trigger_id=trigger_id, dedupe_key=f"poll:{bucket}")


            async def fire(ledger, trigger_id, cron: str):
                scheduled_at = latest_fire_time(cron, at=datetime.now(timezone.utc))
                return await ledger.append_event(trigger_id=trigger_id, dedupe_key=tick_dedupe_key(scheduled_at))
            """,
            config='[idempotency]\nderive-from = ["run_id", "call_id"]',
        ),
    )
    INVALID = (
        Invalid(
            """
            import uuid

            import requests
            from tenacity import retry, stop_after_attempt, wait_exponential


            @retry(stop=stop_after_attempt(3), wait=wait_exponential())
            def create_charge(customer_id: str, amount: int) -> dict:
                headers = {"Idempotency-Key": str(uuid.uuid4())}
                response = requests.post(
                    "https://api.payments.example/v1/charges",
                    json={"customer": customer_id, "amount": amount},
                    headers=headers,
                    timeout=10,
                )
                response.raise_for_status()
                return response.json()
            """,
            line=9,
            column=35,
            message="idempotency key `Idempotency-Key` is made fresh by `uuid.uuid4()` inside `@tenacity.retry` on `create_charge`",
        ),
        Invalid(
            """
            import secrets

            import backoff
            import httpx


            @backoff.on_exception(backoff.expo, httpx.TransportError, max_tries=5)
            async def send_transfer(client: httpx.AsyncClient, payload: dict) -> httpx.Response:
                return await client.post("/transfers", json=payload, headers={"x-idempotency-key": secrets.token_hex(16)})
            """,
            line=9,
            column=88,
            message="`x-idempotency-key` is made fresh by `secrets.token_hex()` inside `@backoff.on_exception` on `send_transfer`",
        ),
        # A hand-written retry loop; the key's name and the keyword it is passed by are one key.
        Invalid(
            """
            import time
            from uuid import uuid4

            import stripe


            def refund(charge_id: str, attempts: int = 3):
                for attempt in range(attempts):
                    idempotency_key = uuid4().hex
                    try:
                        return stripe.Refund.create(charge=charge_id, idempotency_key=idempotency_key)
                    except stripe.error.APIConnectionError:
                        time.sleep(2**attempt)
                raise RuntimeError("refund failed")
            """,
            line=9,
            column=27,
            message="made fresh by `uuid.uuid4()` inside the retry loop at line 8",
        ),
        Invalid(
            """
            import time

            from tenacity import AsyncRetrying, stop_after_attempt


            async def submit(session, url: str, run_id: str, payload: dict) -> dict:
                async for attempt in AsyncRetrying(stop=stop_after_attempt(3)):
                    with attempt:
                        async with session.post(url, json=payload, headers={"Idempotency-Key": f"{run_id}-{time.time()}"}) as response:
                            return await response.json()
            """,
            line=9,
            column=84,
            message="made fresh by `time.time()` inside the `tenacity.AsyncRetrying` block",
        ),
        Invalid(
            """
            import uuid

            import httpx
            import stamina as st


            @st.retry(on=httpx.HTTPError, attempts=3)
            def create_order(client: httpx.Client, cart: dict) -> dict:
                body = {"cart": cart, "idempotencyKey": str(uuid.uuid1())}
                return client.post("/orders", json=body).json()
            """,
            line=9,
            column=45,
            message="`idempotencyKey` is made fresh by `uuid.uuid1()` inside `@stamina.retry` on `create_order`",
        ),
        # A header set on a dict, under a decorator kept in a name.
        Invalid(
            """
            import uuid

            import requests
            from retrying import retry

            with_retries = retry(stop_max_attempt_number=3, wait_fixed=500)


            class Ledger:
                @with_retries
                def post_entry(self, entry: dict) -> None:
                    headers = {"Content-Type": "application/json"}
                    headers["Idempotency-Key"] = str(uuid.uuid4())
                    requests.post(self.url, json=entry, headers=headers, timeout=5)
            """,
            line=13,
            column=38,
            message="inside `@retrying.retry` on `post_entry`",
        ),
        # A while loop that retries; the key's header name kept in a constant; the clock.
        Invalid(
            """
            import time
            from datetime import datetime

            DEDUPE_HEADER = "X-Dedupe-Key"


            def publish(queue, job) -> None:
                while True:
                    stamp = datetime.now().isoformat()
                    try:
                        queue.publish(job.payload, headers={DEDUPE_HEADER: f"{job.id}-{stamp}"})
                        break
                    except ConnectionError:
                        time.sleep(1)
            """,
            line=11,
            column=64,
            message="`X-Dedupe-Key` is made fresh by `datetime.datetime.now()` inside the retry loop at line 8",
        ),
        # With derive-from, a random key is reported outside a retry too.
        Invalid(
            """
            import uuid


            def start_run(client, run_id: str, call_id: str):
                return client.post("/runs", headers={"Idempotency-Key": str(uuid.uuid4())})
            """,
            config='[idempotency]\nderive-from = ["run_id", "call_id"]',
            line=5,
            column=61,
            message="is made from `uuid.uuid4()`: a replayed call gets a new key; derive it from `run_id`, `call_id`",
        ),
    )

    def __init__(self, config):
        super().__init__(config)
        self.derive_from = config.options(IdempotencyOptions).derive_from

    def could_fire(self, file: FileFacts) -> bool:
        return file.imports is None or bool({module.split(".")[0] for module in file.imports} & FRESH_MODULES)

    def setup(self) -> None:
        self.reported: set[int] = set()  # the source calls reported: a key is reported once

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        decorator = retry_decorator(node, self.context.names)
        if decorator is not None:
            self._check(RetryScope(node.body, f"`@{decorator}` on `{node.name.value}`"))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.derive_from:
            self._check_anywhere(node.body)

    def leave_Module(self, node: cst.Module) -> None:
        if self.derive_from:
            self._check_anywhere(node)

    def visit_For(self, node: cst.For) -> None:
        iterator = retry_iterator(node, self.context.names)
        if iterator is not None:
            self._check(RetryScope(node.body, f"the `{iterator}` block"))
        elif is_retry_loop(node):
            self._check(RetryScope(node.body, f"the retry loop at line {self.context.line_of(node)}"))

    def visit_While(self, node: cst.While) -> None:
        if is_retry_loop(node):
            self._check(RetryScope(node.body, f"the retry loop at line {self.context.line_of(node)}"))

    def _check(self, scope: RetryScope) -> None:
        for key in fresh_keys(scope.body, self.context.names, self.analysis_budget):
            if id(key.source) in self.reported:
                continue
            self.reported.add(id(key.source))
            self.report(
                key.where,
                f"idempotency key `{key.key}` is made fresh by `{key.source_name}()` inside {scope.how}: each "
                "attempt sends a new key and the server cannot deduplicate the retries; make the key once, before "
                f"retrying, {self._derived()}",
            )

    def _check_anywhere(self, scope: cst.CSTNode) -> None:
        for key in fresh_keys(scope, self.context.names, self.analysis_budget):
            if id(key.source) in self.reported:
                continue
            self.reported.add(id(key.source))
            self.report(
                key.where,
                f"idempotency key `{key.key}` is made from `{key.source_name}()`: a replayed call gets a new key; "
                + self._derived(),
            )

    def _derived(self) -> str:
        if not self.derive_from:
            return "or derive it from stable inputs (the run's and the call's ids)"
        inputs = ", ".join(f"`{name}`" for name in self.derive_from)
        return f"derive it from {inputs} ([tool.designlint.idempotency] derive-from)"


class UnboundedAgentLoop(AgentLoopGate, Rule):
    """A loop that calls a model or dispatches a tool call (itself or through a function of the
    module) and has no bound of its own, so its exits depend only on the model's output
    (``if not response.tool_calls: break``). Bounded: ``for _ in range(max_steps)``, a counter
    compared against a limit, a deadline, a token, usage or cost budget check, an enclosing
    ``asyncio.timeout``, or a call to a function of ``[tool.designlint.limits] checks``. A loop
    that waits for outside input each time round (``input()``, ``await queue.get()``) is driven
    by its users and is not reported."""

    code = "DL604"
    name = "unbounded-agent-loop"
    VALID = (
        Valid(
            """
            import json

            from openai import OpenAI

            client = OpenAI()


            def run_agent(messages: list, tools: list, handlers: dict, max_steps: int = 10) -> str:
                for _ in range(max_steps):
                    response = client.chat.completions.create(model="gpt-4o", messages=messages, tools=tools)
                    message = response.choices[0].message
                    if not message.tool_calls:
                        return message.content
                    messages.append(message)
                    for call in message.tool_calls:
                        result = handlers[call.function.name](**json.loads(call.function.arguments))
                        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
                raise RuntimeError(f"no answer after {max_steps} steps")
            """
        ),
        # A counter compared in an exit branch; a deadline; a token budget; the agent's own step count.
        Valid(
            """
            import time

            from anthropic import AsyncAnthropic

            MAX_TURNS = 25


            class Agent:
                def __init__(self):
                    self.client = AsyncAnthropic()

                async def run(self, messages, tools):
                    turns = 0
                    while True:
                        response = await self.client.messages.create(
                            model="claude-sonnet-4-5", max_tokens=1024, messages=messages, tools=tools
                        )
                        turns += 1
                        if response.stop_reason != "tool_use":
                            return response
                        if turns >= MAX_TURNS:
                            raise RuntimeError("too many turns")
                        messages.extend(await self.execute_tool_calls(response))

                async def run_until(self, messages, seconds: float = 120.0):
                    deadline = time.monotonic() + seconds
                    while time.monotonic() < deadline:
                        response = await self.client.messages.create(model="claude-haiku-4-5", max_tokens=512, messages=messages)
                        if response.stop_reason == "end_turn":
                            return response

                async def run_on_budget(self, messages, token_budget: int):
                    spent = 0
                    while True:
                        response = await self.client.messages.create(model="claude-haiku-4-5", max_tokens=512, messages=messages)
                        spent += response.usage.input_tokens + response.usage.output_tokens
                        if response.stop_reason == "end_turn" or spent > token_budget:
                            return response

                async def execute_tool_calls(self, response):
                    return []


            class StepAgent:
                def __init__(self, llm, max_steps):
                    self.llm, self.max_steps, self.step_number = llm, max_steps, 1

                def run(self, task):
                    final_answer = None
                    while final_answer is None and self.step_number <= self.max_steps:
                        final_answer = self.llm.invoke(task)
                        self.step_number += 1
                    return final_answer
            """
        ),
        # An enclosing deadline; a configured budget function.
        Valid(
            """
            import asyncio

            from app.metering import meter
            from litellm import acompletion


            async def solve(messages):
                async with asyncio.timeout(300):
                    while True:
                        response = await acompletion(model="gpt-4o-mini", messages=messages)
                        if response.choices[0].finish_reason == "stop":
                            return response


            async def solve_metered(run_id, messages):
                while True:
                    response = await acompletion(model="gpt-4o-mini", messages=messages)
                    meter(run_id, response.usage)
                    if response.choices[0].finish_reason == "stop":
                        return response
            """,
            config='[limits]\nchecks = ["app.metering.meter"]',
        ),
        # Loops driven by their users, one model call per message: a chat prompt, a work queue.
        Valid(
            """
            from langchain_openai import ChatOpenAI

            llm = ChatOpenAI(model="gpt-4o-mini")


            def chat() -> None:
                history = []
                while True:
                    question = input("> ")
                    if question in ("exit", "quit"):
                        break
                    history.append(("user", question))
                    history.append(("assistant", llm.invoke(history).content))


            async def serve(queue, results) -> None:
                while True:
                    job = await queue.get()
                    results[job.id] = await llm.ainvoke(job.prompt)
                    queue.task_done()


            async def stream_tokens(response) -> str:
                text = ""
                while True:
                    chunk = await response.read_chunk()
                    if not chunk:
                        return text
                    text += chunk
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import json

            from openai import OpenAI

            client = OpenAI()


            def run_agent(messages: list, tools: list, handlers: dict) -> str:
                while True:
                    response = client.chat.completions.create(model="gpt-4o", messages=messages, tools=tools)
                    message = response.choices[0].message
                    if not message.tool_calls:
                        return message.content
                    messages.append(message)
                    for call in message.tool_calls:
                        result = handlers[call.function.name](**json.loads(call.function.arguments))
                        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
            """,
            line=9,
            column=5,
            message="`while` loop calls the model (`client.chat.completions.create`) at line 10 and has no bound of its own",
        ),
        # Async, the exit on the model's stop reason; a counter kept only for logging is no bound.
        Invalid(
            """
            import logging

            import anthropic

            log = logging.getLogger(__name__)


            async def converse(claude: anthropic.AsyncAnthropic, messages, tools, run_tool):
                turns = 0
                response = await claude.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=messages, tools=tools)
                while response.stop_reason == "tool_use":
                    turns += 1
                    log.info("turn %d", turns)
                    for block in response.content:
                        if block.type == "tool_use":
                            messages.append({"role": "user", "content": [await run_tool(block)]})
                    response = await claude.messages.create(model="claude-sonnet-4-5", max_tokens=1024, messages=messages, tools=tools)
                return response
            """,
            line=11,
            column=5,
            message="`while` loop calls the model (`claude.messages.create`) at line 17",
        ),
        # litellm under an alias.
        Invalid(
            """
            from litellm import completion as llm_complete


            def plan(goal: str) -> list[str]:
                steps: list[str] = []
                done = False
                while not done:
                    reply = llm_complete(model="gpt-4o-mini", messages=[{"role": "user", "content": f"{goal}: {steps}"}])
                    text = reply.choices[0].message.content
                    done = text.strip() == "DONE"
                    steps.append(text)
                return steps
            """,
            line=7,
            column=5,
            message="`while` loop calls the model (`llm_complete`)",
        ),
        # The model is called by a method of the class, the tool calls dispatched by another.
        Invalid(
            """
            from anthropic import Anthropic


            class Assistant:
                def __init__(self, tools):
                    self.client = Anthropic()
                    self.tools = tools

                def _step(self, messages):
                    return self.client.messages.create(model="claude-sonnet-4-5", max_tokens=2048, messages=messages)

                def run(self, messages):
                    while True:
                        reply = self._step(messages)
                        if reply.stop_reason == "end_turn":
                            return reply
                        messages.append(self.dispatch_tool_calls(reply))

                def dispatch_tool_calls(self, reply):
                    return {"role": "user", "content": []}
            """,
            line=13,
            column=9,
            message="`while` loop calls `self._step`, which calls the model (`self.client.messages.create`) at line 14",
        ),
        # A tool dispatched each time round an endless count.
        Invalid(
            """
            import itertools


            async def drive(planner, session):
                for step in itertools.count():
                    action = await planner.next_action()
                    if action.name == "finish":
                        return action.arguments
                    await session.call_tool(action.name, action.arguments)
            """,
            line=5,
            column=5,
            message="`for` loop dispatches tool calls (`session.call_tool`) at line 9",
        ),
        # The budget function is configured only elsewhere: without it, nothing bounds the loop.
        Invalid(
            """
            from app.metering import meter
            from litellm import acompletion


            async def solve_metered(run_id, messages):
                while True:
                    response = await acompletion(model="gpt-4o-mini", messages=messages)
                    meter(run_id, response.usage)
                    if response.choices[0].finish_reason == "stop":
                        return response
            """,
            line=6,
            column=5,
            message="`while` loop calls the model (`acompletion`) at line 7",
        ),
    )

    def __init__(self, config):
        super().__init__(config)
        self.checks = config.options(LimitsOptions).checks

    def could_fire(self, file: FileFacts) -> bool:
        if file.tree is None or file.imports is None:
            return True
        # An SDK's function may be imported under any name (``from litellm import completion as ask``).
        if not any(file.nodes_of(ast.While, ast.For, ast.AsyncFor)):
            return False
        return bool({module.split(".")[0] for module in file.imports} & MODEL_PACKAGES) or any(
            may_be_agent_call(stdlib_last_name(node.func)) for node in file.nodes_of(ast.Call)
        )

    def setup(self) -> None:
        self.agent_calls = AgentCalls(self.context.module, self.context.names, self.analysis_budget)

    def visit_While(self, node: cst.While) -> None:
        self._check(node)

    def visit_For(self, node: cst.For) -> None:
        self._check(node)

    def _check(self, loop: cst.For | cst.While) -> None:
        names = self.context.names
        if not may_loop_forever(loop, names):
            return
        ancestors = self.context.ancestors
        scope = next((a for a in reversed(ancestors) if isinstance(a, cst.FunctionDef)), None)
        agent = self.agent_calls.in_loop(loop, scope)
        if agent is None or bound_of(loop, ancestors, names, self.checks, self.analysis_budget):
            return
        keyword = "while" if isinstance(loop, cst.While) else "for"
        self.report(
            loop,
            f"`{keyword}` loop {agent.does} at line {self.context.line_of(agent.call)} and has no bound of its own: "
            "it stops only when the model's output says so; cap it with a step counter, a deadline or a budget "
            "check ([tool.designlint.limits] checks)",
        )


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL602: a header named by an upper-case constant, the uuid under an alias, tenacity under another.
GATE_CASES = (
    Gate(
        "from uuid import uuid4 as new_id\nimport tenacity as t\n\nIDEMPOTENCY_HEADER = 'Idempotency-Key'\n\n\n@t.retry\ndef send(http, body):\n    return http.post('/x', json=body, headers={IDEMPOTENCY_HEADER: str(new_id())})\n",
        path="src/app/idempotency_constant.py",
    ),
    Gate(
        "import time\n\n\ndef send(http, body):\n    for attempt in range(3):\n        body['idempotencyKey'] = time.time()\n        try:\n            return http.post('/x', json=body)\n        except OSError:\n            pass\n",
        path="src/app/idempotency_camel.py",
    ),
    # The key in a case of its own, and spelt apart in its string's text.
    Gate(
        "import uuid\nimport tenacity\n\n\n@tenacity.retry\ndef send(http, body):\n    return http.post('/x', json=body, headers={'IdEmPoTeNcY-Key': str(uuid.uuid4())})\n",
        path="src/app/idempotency_case.py",
    ),
    Gate(
        "import time\n\n\ndef send(http, body):\n    for attempt in range(3):\n        body['idem' 'potency_key'] = time.time()\n        try:\n            return http.post('/x', json=body)\n        except OSError:\n            pass\n",
        path="src/app/idempotency_apart.py",
    ),
    # DL604: litellm under an alias no call name gives away, an endless count, a one-line loop.
    Gate(
        "from litellm import completion as ask\n\n\ndef go(m):\n    while True:\n        r = ask(model='x', messages=m)\n        if r.done: return r\n",
        path="src/app/loop_alias.py",
    ),
    Gate(
        "from itertools import count\n\n\ndef go(llm, m):\n    for _ in count():\n        if llm.invoke(m).done: break\n",
        path="src/app/loop_count.py",
    ),
    # The endless count under an alias, or its call spelt apart.
    Gate(
        "from itertools import count as c\n\n\ndef go(llm, m):\n    for _ in c():\n        if llm.invoke(m).done: break\n",
        path="src/app/loop_count_alias.py",
    ),
    Gate(
        "import itertools\n\n\ndef go(llm, m):\n    for _ in (itertools.count  # no end\n              ()):\n        if llm.invoke(m).done: break\n",
        path="src/app/loop_count_commented.py",
    ),
    Gate(
        "class A:\n    def step(self):\n        return self.llm.invoke('x')\n\n    def run(self):\n        while not self.step().done: pass\n",
        path="src/app/loop_helper.py",
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    # idempotency.derive-from as a string
    BadConfig(
        '[idempotency]\nderive-from = "run_id"\n',
        "{toml}:2: `idempotency.derive-from`: expected a list of strings, got a string 'run_id'",
    ),
    # idempotency.derive-from entry that is no identifier
    BadConfig(
        '[idempotency]\n\nderive-from = ["run_id", "call-id"]\n',
        "{toml}:3: `idempotency.derive-from`: expected an identifier-like word, got 'call-id'",
    ),
    # limits.checks entry that is no dotted name
    BadConfig(
        '[limits]\nchecks = ["app.budget:charge"]\n',
        "{toml}:2: `limits.checks`: expected a function name or a dotted name such as \"app.net.require_allowed\", got 'app.budget:charge'",
    ),
    # an unknown limits option
    BadConfig("[limits]\nmax-steps = 10\n", "{toml}:2: `limits.max-steps`: unknown option (expected one of: checks)"),
)
