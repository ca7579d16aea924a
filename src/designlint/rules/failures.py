"""DL6xx: failure modes (design category: failure modes: timeouts, idempotency, cancellation,
per-run caps).

DL601: every outbound call (HTTP, an LLM SDK) and every deadline must be bounded, and by no
more than ``[tool.designlint.timeouts] budget``. Each client's real default is known (the
catalogue in ``analysis.clients``), so a session or client made with a timeout, or an httpx
client's 5 s default, is not reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from designlint.analysis.cancellation import (
    BREAKS,
    CONTINUES,
    FALLS_THROUGH,
    RAISES,
    RETURNS,
    awaited_names,
    cancelled_names,
    catches_cancellation,
    outcomes,
)
from designlint.analysis.clients import (
    CHAT_MODEL_CLASSES,
    HTTP_CALLS,
    HTTP_CLIENTS,
    LITELLM_DEFAULT,
    MODEL_CLIENTS,
    MODEL_FUNCTIONS,
    Argument,
    HttpCall,
    ModelClient,
    canonical,
)
from designlint.analysis.names import dotted_name, last_name
from designlint.analysis.syntax import descendants
from designlint.analysis.timeouts import DEADLINES, FOREVER, wait_of
from designlint.diagnostics import Applicability
from designlint.fixes import NodeFix, Replace
from designlint.gates.failures import CallWithoutTimeoutGate, CancellationSwallowedGate
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid

_FIX_SECONDS = 30  # the fix's timeout when no budget is configured
# The last part of every model call's path: only calls ending so are followed to their client.
_MODEL_METHODS = frozenset(call.path.rpartition(".")[2] for client in MODEL_CLIENTS.values() for call in client.calls)
_OPTIONS_METHODS = frozenset(name for client in MODEL_CLIENTS.values() for name in client.options_methods)
_CHAT_MODEL_TIMEOUT = (Argument(keyword="timeout"), Argument(keyword="request_timeout"))  # LangChain, litellm


@dataclass(frozen=True)
class _Given:
    """The timeout a call passes: ``expr`` (None: it passes none), or ``hidden`` behind
    ``*args``/``**kwargs`` or a value the key path cannot be read through."""

    expr: cst.BaseExpression | None
    hidden: bool = False


@dataclass
class _Construction:
    """A client made without a bounded timeout, reported at the end of the file unless every
    call seen through it gives a timeout of its own."""

    node: cst.Call
    message: str
    calls_with_timeout: int = 0
    calls_without: int = 0


def _given(call: cst.Call, argument: Argument, key: str | None = None) -> _Given:
    value = argument.of(call)
    if value is None:
        return _Given(None, hidden=any(arg.star for arg in call.args))
    for part in key.split(".") if key else ():
        value = _entry(value, part)
        if value is None:
            return _Given(None, hidden=True)
        if value is _MISSING:
            return _Given(None)
    return _Given(value)


_MISSING = cst.Name("None")  # a marker: the key is absent from a literal that lists all its keys


def _entry(value: cst.BaseExpression, key: str) -> cst.BaseExpression | None:
    """``value[key]`` for a dict literal, or the keyword ``key`` of a call (``HttpOptions(timeout=...)``):
    ``_MISSING`` when that literal does not hold it, None when it cannot be read."""
    if isinstance(value, cst.Dict):
        for element in value.elements:
            if not isinstance(element, cst.DictElement):
                return None  # ``**defaults`` may hold it
            if isinstance(element.key, cst.SimpleString) and element.key.evaluated_value == key:
                return element.value
        return _MISSING
    if isinstance(value, cst.Call):
        for arg in value.args:
            if arg.star:
                return None
            if arg.keyword is not None and arg.keyword.value == key:
                return arg.value
        return _MISSING
    return None


def _seconds(wait: float) -> str:
    return f"{wait:g} s"


class CallWithoutTimeout(CallWithoutTimeoutGate, Rule):
    """An outbound call that can wait longer than the design allows: an HTTP call or session,
    an LLM SDK client, or a deadline (``asyncio.wait_for``, ``asyncio.timeout``,
    ``anyio.fail_after``) that waits forever, or longer than ``[tool.designlint.timeouts]
    budget``. Reported on the call when the call alone decides, on the client's construction
    when the client's timeout applies (unless every call through it gives its own)."""

    code = "DL601"
    name = "call-without-timeout"
    VALID = (
        Valid(
            """
            import requests


            def forecast(city: str) -> dict:
                response = requests.get("https://api.weather.example/v1", params={"q": city}, timeout=10)
                return response.json()
            """
        ),
        # httpx's default is a 5 s timeout; a session made with a timeout bounds its calls.
        Valid(
            """
            import aiohttp
            import httpx


            async def fetch(url):
                async with httpx.AsyncClient() as client:
                    return (await client.get(url)).text


            async def status(url):
                timeout = aiohttp.ClientTimeout(total=20)
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    async with session.get(url) as response:
                        return await response.json()
            """
        ),
        # Passed through: the caller decides.
        Valid(
            """
            import requests as rq


            def get(url, **kwargs):
                return rq.get(url, **kwargs)
            """
        ),
        # Without a budget the SDK's 600 s default is a timeout; with one, a client made with a
        # timeout, or whose calls each give one, is bounded.
        Valid(
            """
            from openai import OpenAI

            client = OpenAI()
            """
        ),
        Valid(
            """
            from anthropic import AsyncAnthropic
            from openai import OpenAI

            TIMEOUT = 20.0


            class Agent:
                def __init__(self):
                    self.llm = OpenAI(timeout=TIMEOUT)
                    self.claude = AsyncAnthropic()

                def ask(self, messages):
                    return self.llm.chat.completions.create(model="gpt-4o", messages=messages)

                async def ask_claude(self, messages):
                    return await self.claude.with_options(timeout=15).messages.create(
                        model="claude-sonnet-4-5", max_tokens=512, messages=messages
                    )
            """,
            config="[timeouts]\nbudget = 30",
        ),
        Valid(
            """
            import asyncio


            async def bounded(step):
                return await asyncio.wait_for(step(), timeout=30)
            """
        ),
        # A streaming session: each read is bounded though the total is not.
        Valid(
            """
            import aiohttp


            def stream_session():
                return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_read=60))
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import requests


            def forecast(city: str) -> dict:
                response = requests.get("https://api.weather.example/v1", params={"q": city})
                return response.json()
            """,
            line=5,
            column=16,
            message="requests.get without a timeout can wait forever",
            expected_fix="""
            import requests


            def forecast(city: str) -> dict:
                response = requests.get("https://api.weather.example/v1", params={"q": city}, timeout=30)
                return response.json()
            """,
            unsafe_fix=True,
        ),
        # A session's calls: requests.Session takes no timeout of its own.
        Invalid(
            """
            import requests


            class Client:
                def __init__(self):
                    self.session = requests.Session()

                def post(self, url, body):
                    return self.session.post(url, json=body)
            """,
            line=9,
            column=16,
            message="requests.Session.post without a timeout can wait forever",
            expected_fix="""
            import requests


            class Client:
                def __init__(self):
                    self.session = requests.Session()

                def post(self, url, body):
                    return self.session.post(url, json=body, timeout=30)
            """,
            unsafe_fix=True,
        ),
        Invalid(
            """
            from urllib.request import urlopen as fetch


            def download(url):
                with fetch(url) as response:
                    return response.read()
            """,
            config="[timeouts]\nbudget = 12.5",
            line=5,
            column=10,
            message="urllib.request.urlopen without a timeout can wait forever",
            expected_fix="""
            from urllib.request import urlopen as fetch


            def download(url):
                with fetch(url, timeout=12.5) as response:
                    return response.read()
            """,
            unsafe_fix=True,
        ),
        # A literal longer than the budget names both numbers.
        Invalid(
            """
            import requests

            SLOW = 120


            def export(url):
                return requests.post(url, timeout=(5, SLOW))
            """,
            config="[timeouts]\nbudget = 30",
            line=7,
            column=12,
            message="requests.post can wait 120 s, longer than the 30 s budget",
        ),
        # Reported once, where the client is made: its calls take the client's timeout.
        Invalid(
            """
            import httpx


            async def crawl(urls):
                async with httpx.AsyncClient(timeout=None) as client:
                    for url in urls:
                        yield (await client.get(url)).text
                    yield (await client.post(urls[0])).text
            """,
            line=5,
            column=16,
            message="httpx.AsyncClient made with timeout `None` can wait forever",
        ),
        Invalid(
            """
            import aiohttp


            async def fetch(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.text()
            """,
            config="[timeouts]\nbudget = 60",
            line=5,
            column=16,
            message="aiohttp.ClientSession made without a timeout waits up to 300 s (its default), longer than the 60 s budget",
        ),
        Invalid(
            """
            import aiohttp


            def make_session():
                return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
            """,
            line=5,
            column=12,
            message="aiohttp.ClientSession made with timeout `aiohttp.ClientTimeout(total=None)` can wait forever",
        ),
        # An SDK client: its 600 s default against the budget, unless every call gives a timeout.
        Invalid(
            """
            from openai import AsyncOpenAI


            class Planner:
                def __init__(self, api_key):
                    self.client = AsyncOpenAI(api_key=api_key)

                async def plan(self, messages):
                    return await self.client.chat.completions.create(model="gpt-4o", messages=messages, timeout=20)

                async def summarise(self, messages):
                    return await self.client.chat.completions.create(model="gpt-4o-mini", messages=messages)
            """,
            config="[timeouts]\nbudget = 30",
            line=6,
            column=23,
            message="openai.AsyncOpenAI made without a timeout waits up to 600 s (its default), longer than the 30 s budget",
        ),
        Invalid(
            """
            import anthropic

            claude = anthropic.Anthropic(timeout=None, max_retries=2)
            """,
            line=3,
            column=10,
            message="anthropic.Anthropic made with timeout `None` can wait forever",
        ),
        Invalid(
            """
            from openai import OpenAI

            client = OpenAI(timeout=10)


            def ask(messages):
                return client.chat.completions.create(model="gpt-4o", messages=messages, timeout=None)
            """,
            line=7,
            column=12,
            message="openai.OpenAI.chat.completions.create with timeout `None` can wait forever",
        ),
        Invalid(
            """
            import asyncio


            async def run_tool(tool, args):
                return await asyncio.wait_for(tool(**args), None)
            """,
            line=5,
            column=18,
            message="asyncio.wait_for with timeout `None` can wait forever",
        ),
        Invalid(
            """
            import anyio


            async def run_step(step):
                with anyio.fail_after(900):
                    await step()
            """,
            config="[timeouts]\nbudget = 300",
            line=5,
            column=10,
            message="anyio.fail_after can wait 900 s, longer than the 300 s budget",
        ),
        Invalid(
            """
            import http.client


            def probe(host):
                connection = http.client.HTTPSConnection(host)
                connection.request("GET", "/health")
                return connection.getresponse().status
            """,
            line=5,
            column=18,
            message="http.client.HTTPSConnection without a timeout can wait forever",
        ),
    )

    def setup(self) -> None:
        self.constructions: dict[int, _Construction] = {}

    def visit_Call(self, node: cst.Call) -> None:
        qualname = canonical(self.context.names.qualify(node.func) or "")
        if (call := HTTP_CALLS.get(qualname)) is not None:
            self._http_call(node, qualname, call)
        elif (client := HTTP_CLIENTS.get(qualname)) is not None:
            if client.timeout is not None:
                self._construction(node, qualname, _given(node, client.timeout), client.default_timeout)
        elif (model_client := MODEL_CLIENTS.get(qualname)) is not None:
            if model_client.timeout is not None and not self._has_own_http_client(node):
                given = _given(node, model_client.timeout, model_client.timeout_key)
                self._construction(node, qualname, given, model_client.default_timeout, model_client.timeout_unit)
        elif qualname in CHAT_MODEL_CLASSES:
            # timeout=None is their default: the SDK's own applies.
            self._sdk_default_call(node, qualname, CHAT_MODEL_CLASSES[qualname])
        elif qualname in MODEL_FUNCTIONS:
            self._sdk_default_call(node, qualname, LITELLM_DEFAULT)
        elif (deadline := DEADLINES.get(qualname)) is not None:
            given = _given(node, deadline.timeout)
            if given.expr is not None:
                self._check(node, qualname, given, None)
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in _MODEL_METHODS:
            self._model_call(node)

    def leave_Module(self, node: cst.Module) -> None:
        for construction in self.constructions.values():
            if construction.calls_without or not construction.calls_with_timeout:
                self.report(construction.node, construction.message)

    # -- the three places a timeout is decided -------------------------------------------

    def _http_call(self, node: cst.Call, api: str, call: HttpCall) -> None:
        if call.timeout is None:
            return  # it takes none: the request it sends was given one where it was made
        given = _given(node, call.timeout)
        if given.hidden:
            return
        client = HTTP_CLIENTS.get(call.client) if call.client else None
        if client is not None and client.timeout is not None:
            # A client's method: without a timeout of its own, the client's applies.
            construction = self._construction_of(node.func.value if isinstance(node.func, cst.Attribute) else None)
            if given.expr is None:
                if construction is not None:
                    construction.calls_without += 1
                return
            if construction is not None:
                construction.calls_with_timeout += 1
        message = self._problem(api, given, call.default_timeout, 1.0, made=False)
        if message is None:
            return
        fix = None
        if given.expr is None and self._fixable(api):
            seconds = self.budget if self.budget is not None else _FIX_SECONDS
            added = cst.Arg(
                value=cst.parse_expression(f"{seconds:g}"),
                keyword=cst.Name("timeout"),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
            )
            fix = NodeFix(
                f"Add timeout={seconds:g}",
                (Replace(node, node.with_changes(args=(*node.args, added))),),
                Applicability.UNSAFE,
            )
        self.report(node, message, fix=fix)

    def _construction(self, node: cst.Call, api: str, given: _Given, default: float | None, unit: float = 1.0) -> None:
        if given.hidden:
            return
        message = self._problem(api, given, default, unit, made=True)
        if message:
            self.constructions[id(node)] = _Construction(node, message)

    def _model_call(self, node: cst.Call) -> None:
        """A model call through a client (``self.client.with_options(timeout=5).chat.completions.create``)."""
        path: list[str] = []
        options: list[cst.Call] = []
        expr: cst.BaseExpression = node.func
        found = None
        while found is None:
            if isinstance(expr, cst.Attribute):
                if not options:
                    path.append(expr.attr.value)
                expr = expr.value
            elif (
                isinstance(expr, cst.Call)
                and isinstance(expr.func, cst.Attribute)
                and expr.func.attr.value in _OPTIONS_METHODS
            ):
                options.append(expr)
                expr = expr.func.value
            else:
                return
            found = self._model_client_of(expr)
        api, client, construction = found
        model_call = next((c for c in client.calls if c.path == ".".join(reversed(path))), None)
        if model_call is None:
            return
        given = _given(node, model_call.timeout, model_call.timeout_key) if model_call.timeout else _Given(None)
        for copy in options:
            if given.expr is None and not given.hidden and client.timeout is not None:
                given = _given(copy, client.timeout, client.timeout_key)
        if given.hidden:
            return
        if given.expr is None:
            if construction is not None:
                construction.calls_without += 1
            return
        if construction is not None:
            construction.calls_with_timeout += 1
        self._check(node, f"{api}.{model_call.path}", given, None, model_call.timeout_unit)

    # -- helpers ----------------------------------------------------------------------

    def _sdk_default_call(self, node: cst.Call, api: str, default: float | None) -> None:
        given = next((g for a in _CHAT_MODEL_TIMEOUT if (g := _given(node, a)).expr is not None or g.hidden), None)
        if given is None:
            given = _Given(None)
        elif given.expr is not None and wait_of(given.expr, self.context.names) == FOREVER:
            given = _Given(None)  # None stands for the SDK's default
        self._check(node, api, given, default)

    def _check(self, node: cst.Call, api: str, given: _Given, default: float | None, unit: float = 1.0) -> str | None:
        if given.hidden:
            return None
        message = self._problem(api, given, default, unit, made=False)
        if message:
            self.report(node, message)
        return message

    def _problem(self, api: str, given: _Given, default: float | None, unit: float, *, made: bool) -> str | None:
        """What is wrong with a call's (or a construction's) timeout, or None."""
        names = self.context.names
        how = "made " if made else ""
        wait: float | None
        if given.expr is None:
            wait = FOREVER if default is None else default
            what = f"{api} {how}without a timeout"
        else:
            wait = wait_of(given.expr, names, unit)
            if wait is None:
                return None
            shown = self.context.module.code_for_node(given.expr).strip()
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            what = f"{api} {how}with timeout `{shown}`"
        if wait == FOREVER:
            return f"{what} can wait forever: give it a timeout"
        if self.budget is None or wait <= self.budget:
            return None
        if given.expr is None:
            return (
                f"{what} waits up to {_seconds(wait)} (its default), longer than the {_seconds(self.budget)} "
                "budget of [tool.designlint.timeouts]: give it a timeout"
            )
        return f"{api} can wait {_seconds(wait)}, longer than the {_seconds(self.budget)} budget of [tool.designlint.timeouts]"

    def _construction_of(self, receiver: cst.BaseExpression | None) -> _Construction | None:
        if isinstance(receiver, cst.Call):
            return self.constructions.get(id(receiver))
        binding = self.context.names.binding_of(receiver) if receiver is not None else None
        if binding is None or binding.kind != "instance" or binding.node is None:
            return None
        return self.constructions.get(id(binding.node))

    def _model_client_of(self, expr: cst.BaseExpression) -> tuple[str, ModelClient, _Construction | None] | None:
        """The SDK client ``expr`` is (made right there, or bound to a name or ``self`` member)."""
        names = self.context.names
        if isinstance(expr, cst.Call):
            qualname = canonical(names.qualify(expr.func) or "")
            client = MODEL_CLIENTS.get(qualname)
            return (qualname, client, self.constructions.get(id(expr))) if client else None
        binding = names.binding_of(expr)
        if binding is None or binding.kind != "instance":
            return None
        qualname = canonical(binding.qualname)
        client = MODEL_CLIENTS.get(qualname)
        if client is None:
            return None
        return qualname, client, self.constructions.get(id(binding.node)) if binding.node is not None else None

    @staticmethod
    def _has_own_http_client(node: cst.Call) -> bool:
        """``OpenAI(http_client=httpx.Client(timeout=...))``: the HTTP client's timeout applies."""
        return any(arg.keyword is not None and arg.keyword.value == "http_client" for arg in node.args)

    @staticmethod
    def _fixable(api: str) -> bool:
        return api.startswith("requests.") or api == "urllib.request.urlopen"


_TASK_NAME = re.compile(r"tasks?$", re.IGNORECASE)  # the last part of a name holding tasks: ``self._task``
_LOGGING_CALLS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print", "str", "repr", "format"}
)
_LOGGER_NAME = re.compile(r"log", re.IGNORECASE)
_CANCEL_WORD = re.compile(r"cancel", re.IGNORECASE)
_HOW = {RETURNS: "a `return`", BREAKS: "a `break`", CONTINUES: "a `continue`", FALLS_THROUGH: "its end"}
# A handler that asks whether its task is being cancelled (3.11+) decides deliberately.
# What tells whether an exception is propagating (in a ``finally``).
_PENDING_EXCEPTION = frozenset({"sys.exc_info", "sys.exception"})
_CANCELLATION_QUERIES = frozenset({"cancelling", "uncancel", "cancelled"})


def _can_be_cancelled(body: cst.CSTNode) -> bool:
    """Cancellation is delivered at an ``await`` (or ``async for``/``async with``): a block with
    none cannot receive it."""
    return any(
        isinstance(node, cst.Await) or (isinstance(node, (cst.For, cst.With)) and node.asynchronous is not None)
        for node in descendants(body)
    )


def _decides_on_cancellation(body: cst.CSTNode) -> bool:
    """A raise guarded by a test about cancellation (``if not in_cancelled_scope(): raise``,
    ``if not self.suppress_cancelled_error: raise``): the author decided when it propagates."""
    return any(
        isinstance(node, cst.If)
        and RAISES in outcomes(node.body.body)
        and any(isinstance(name, cst.Name) and _CANCEL_WORD.search(name.value) for name in descendants(node.test))
        for node in descendants(body)
    )


class CancellationSwallowed(CancellationSwallowedGate, Rule):
    """Inside ``async def``, a handler that catches cancellation (``asyncio.CancelledError``,
    ``BaseException``, a bare ``except:``, ``except*``, anyio's and trio's classes, or
    ``contextlib.suppress`` of them around an await) and can finish without raising: through a
    ``return``, ``break``, ``continue`` or its end, on any path. Not reported: a handler that
    asks ``current_task().cancelling()``, and awaiting a task this function cancelled itself
    (``task.cancel()`` then ``await task``), whose own cancellation is the one expected."""

    code = "DL603"
    name = "cancellation-swallowed"
    VALID = (
        Valid(
            """
            import asyncio
            import logging

            log = logging.getLogger(__name__)


            async def call_tool(tool, args):
                try:
                    return await tool(**args)
                except asyncio.CancelledError:
                    log.info("tool %s cancelled", tool.__name__)
                    raise
            """
        ),
        # Exception does not catch cancellation (3.8+); a sync function has none to catch.
        Valid(
            """
            async def fetch(client, url):
                try:
                    return await client.get(url)
                except Exception:
                    return None


            def close(resource):
                try:
                    resource.close()
                except BaseException:
                    pass
            """
        ),
        # Cancelling a task of one's own and waiting for it to finish.
        Valid(
            """
            import asyncio
            import contextlib


            async def stop(self):
                self._heartbeat.cancel()
                try:
                    await self._heartbeat
                except asyncio.CancelledError:
                    pass
                for task in self._workers:
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.gather(*self._workers)
            """
        ),
        Valid(
            """
            from asyncio import CancelledError, current_task


            async def step(run):
                try:
                    await run()
                except CancelledError:
                    if current_task().cancelling():
                        raise
                    return "timed out"
            """
        ),
        # Finishing owned work under shield, then letting the cancellation through; a decision
        # made on the cancellation caught; waiting for a stopped worker task.
        Valid(
            """
            import asyncio
            import contextlib


            async def drain(task):
                cancelled = False
                while not task.done():
                    try:
                        await asyncio.shield(task)
                    except asyncio.CancelledError:
                        cancelled = True
                if cancelled:
                    raise asyncio.CancelledError
                return task.result()


            async def run_job(job, stop_requested):
                try:
                    await job.run()
                except asyncio.CancelledError as exc:
                    if exc.args != ("user-cancelled",) and not await stop_requested(job.id):
                        raise


            async def finish(future):
                cancelled = False
                while not future.done():
                    try:
                        await asyncio.shield(future)
                    except asyncio.CancelledError:
                        cancelled = True
                return cancelled


            async def append(lock, flush):
                try:
                    await lock.acquire()
                except asyncio.CancelledError:
                    while not flush.done():
                        with contextlib.suppress(asyncio.CancelledError):
                            await asyncio.shield(flush)
                    raise


            async def deliver(handler, message, future):
                try:
                    future.set_result(await handler(message))
                except BaseException as error:
                    future.set_exception(error)
                    return


            def retryable(session, error):
                return session.is_retryable(error)


            async def classify(session, error):
                try:
                    flag = retryable(session, error)
                except BaseException:
                    flag = None
                return flag


            class Worker:
                async def stop(self):
                    self._stop.set()
                    with contextlib.suppress(asyncio.CancelledError):
                        await self._worker_task
            """
        ),
        Valid(
            """
            import trio


            async def handle(stream):
                try:
                    await stream.receive_some()
                except trio.Cancelled as cancelled:
                    raise RuntimeError("stream closed") from cancelled
            """
        ),
        # In a ``finally``: raised unless another exception is propagating, which the
        # ``finally`` then re-raises (closing a stream while its consumer is cancelled).
        Valid(
            """
            import sys


            async def relay(source):
                try:
                    async for chunk in source:
                        yield chunk
                finally:
                    active = sys.exc_info()[1]
                    try:
                        await source.aclose()
                    except BaseException:
                        if active is None:
                            raise
            """
        ),
    )
    INVALID = (
        # The same guard outside a ``finally``: nothing is propagating to re-raise.
        Invalid(
            """
            import sys


            async def close(source):
                pending = sys.exc_info()[1]
                try:
                    await source.aclose()
                except BaseException:
                    if pending is None:
                        raise
            """,
            line=8,
            column=5,
            message="`except BaseException` in async `close` can finish without re-raising",
        ),
        Invalid(
            """
            import asyncio


            async def worker(queue):
                while True:
                    try:
                        job = await queue.get()
                        await job.run()
                    except asyncio.CancelledError:
                        break
            """,
            line=9,
            column=9,
            message="`except asyncio.CancelledError` in async `worker` can finish without re-raising the cancellation (through a `break`)",
        ),
        Invalid(
            """
            async def dispatch(tool, args, log):
                try:
                    return await tool(**args)
                except:
                    log.exception("tool failed")
                    return {"error": "tool failed"}
            """,
            line=4,
            column=5,
            message="bare `except:` in async `dispatch` can finish without re-raising the cancellation (through a `return`)",
        ),
        # Logging the exception does not hand it on.
        Invalid(
            """
            import logging

            logger = logging.getLogger(__name__)


            async def publish(handlers, message):
                for handler in handlers:
                    try:
                        await handler.on_publish(message)
                    except BaseException as error:
                        logger.error(f"intervention handler failed: {error}", exc_info=True)
                        return
            """,
            line=10,
            column=9,
            message="`except BaseException` in async `publish` can finish without re-raising the cancellation (through a `return`)",
        ),
        # Re-raised on one path only.
        Invalid(
            """
            import asyncio


            class Session:
                async def close(self, graceful):
                    try:
                        await self._transport.drain()
                    except BaseException:
                        if not graceful:
                            raise
            """,
            line=8,
            column=9,
            message="`except BaseException` in async `close` can finish without re-raising the cancellation (through its end)",
        ),
        Invalid(
            """
            from asyncio import CancelledError, TaskGroup


            async def run_all(calls):
                try:
                    async with TaskGroup() as group:
                        for call in calls:
                            group.create_task(call())
                except* CancelledError:
                    pass
            """,
            line=9,
            column=5,
            message="`except* asyncio.CancelledError` in async `run_all`",
        ),
        Invalid(
            """
            import anyio


            async def poll(device):
                try:
                    await device.read()
                except anyio.get_cancelled_exc_class():
                    return None
            """,
            line=7,
            column=5,
            message="`except anyio.get_cancelled_exc_class()` in async `poll`",
        ),
        Invalid(
            """
            import asyncio
            from contextlib import suppress


            async def stream_tokens(response, sink):
                with suppress(asyncio.CancelledError):
                    async for token in response:
                        await sink.send(token)
            """,
            line=6,
            column=10,
            message="`suppress(asyncio.CancelledError)` in async `stream_tokens` swallows the cancellation of the awaits inside it",
        ),
    )

    def visit_Try(self, node: cst.Try) -> None:
        self._check_handlers(node, node.handlers, "except")

    def visit_TryStar(self, node: cst.TryStar) -> None:
        self._check_handlers(node, node.handlers, "except*")

    def visit_With(self, node: cst.With) -> None:
        function = self._async_function()
        if function is None:
            return
        names = self.context.names
        for item in node.items:
            call = item.item
            if not isinstance(call, cst.Call) or names.qualify(call.func) != "contextlib.suppress":
                continue
            caught = next((c for arg in call.args if (c := catches_cancellation(arg.value, names))), None)
            if caught is None or not any(True for _ in awaited_names(node.body)):
                continue
            if self._awaits_only_tasks(node.body, function) or self._inside_reraising_handler():
                continue
            self.report(
                call,
                f"`suppress({caught})` in async `{function.name.value}` swallows the cancellation of the awaits "
                "inside it: catch it with `except` and re-raise, or suppress only the exceptions meant",
            )

    def _check_handlers(self, node: cst.Try | cst.TryStar, handlers, keyword: str) -> None:
        function = self._async_function()
        if function is None:
            return
        names = self.context.names
        for handler in handlers:
            caught = catches_cancellation(handler.type, names) if handler.type is not None else "bare"
            if caught is None:
                continue
            ways = outcomes(handler.body.body)
            if ways <= {RAISES} or self._asks_about_cancellation(handler):
                continue
            if not _can_be_cancelled(node.body) or self._hands_on_what_it_caught(handler, RAISES in ways):
                continue
            if self._awaits_only_tasks(node.body, function) or self._raises_later(handler, function):
                continue
            if self._inside_reraising_handler() or self._raises_unless_propagating(handler, function):
                continue
            ways -= {RAISES}
            how = next(_HOW[way] for way in (RETURNS, BREAKS, CONTINUES, FALLS_THROUGH) if way in ways)
            clause = "bare `except:`" if caught == "bare" else f"`{keyword} {caught}`"
            self.report(
                handler,
                f"{clause} in async `{function.name.value}` can finish without re-raising the cancellation "
                f"(through {how}): re-raise it (`raise`) on every path",
            )

    def _async_function(self) -> cst.FunctionDef | None:
        for ancestor in reversed(self.context.ancestors):
            if isinstance(ancestor, cst.FunctionDef):
                return ancestor if ancestor.asynchronous is not None else None
            if isinstance(ancestor, cst.Lambda):
                return None
        return None

    @staticmethod
    def _asks_about_cancellation(handler: cst.CSTNode) -> bool:
        return any(
            isinstance(node, cst.Attribute) and node.attr.value in _CANCELLATION_QUERIES
            for node in descendants(handler)
        )

    @staticmethod
    def _awaits_only_tasks(body: cst.CSTNode, function: cst.FunctionDef) -> bool:
        """Waiting for tasks to finish (``task.cancel(); await task``, ``await self._worker_task``):
        the cancellation caught is theirs, the stop idiom."""
        awaited = list(awaited_names(body))
        if not awaited or None in awaited:
            return False
        cancelled = cancelled_names(function)
        return all(name in cancelled or _TASK_NAME.search(name) for name in awaited if name is not None)

    @staticmethod
    def _hands_on_what_it_caught(handler: cst.ExceptHandler | cst.ExceptStarHandler, raises: bool) -> bool:
        """The exception caught is passed on (``future.set_exception(exc)``, ``error = exc``,
        ``return exc``), or decided on before raising on some path (``if not ours(exc): raise``);
        only logging it is no hand-over."""
        caught = handler.name.name.value if handler.name and isinstance(handler.name.name, cst.Name) else None
        if raises and _decides_on_cancellation(handler.body):
            return True
        if caught is None:
            return False

        def mentions(node: cst.CSTNode | None) -> bool:
            return node is not None and any(isinstance(n, cst.Name) and n.value == caught for n in descendants(node))

        if raises:
            return caught is not None and mentions(handler.body)
        for node in descendants(handler.body):
            if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Yield)):
                if mentions(node.value):
                    return True
            elif isinstance(node, cst.Call) and last_name(node.func) not in _LOGGING_CALLS:
                receiver = dotted_name(node.func.value) if isinstance(node.func, cst.Attribute) else None
                if not _LOGGER_NAME.search(receiver or "") and any(mentions(a.value) for a in node.args):
                    return True
        return False

    @staticmethod
    def _raises_later(handler: cst.ExceptHandler | cst.ExceptStarHandler, function: cst.FunctionDef) -> bool:
        """``cancelled = True`` in the handler, and ``if cancelled: raise`` later (finishing work
        under ``asyncio.shield`` before letting the cancellation through)."""
        flags = {
            target.target.value
            for node in descendants(handler.body)
            if isinstance(node, cst.Assign)
            for target in node.targets
            if isinstance(target.target, cst.Name)
        }
        if not flags:
            return False
        for node in descendants(function):
            if isinstance(node, cst.If) and RAISES in outcomes(node.body.body):
                tested = node.test
            elif isinstance(node, cst.Return) and node.value is not None:
                tested = node.value  # the caller is told: ``return cancelled``
            else:
                continue
            if any(isinstance(name, cst.Name) and name.value in flags for name in descendants(tested)):
                return True
        return False

    def _raises_unless_propagating(self, handler: cst.CSTNode, function: cst.FunctionDef) -> bool:
        """In a ``finally``, a raise guarded by whether another exception is propagating
        (``active = sys.exc_info()[1]`` ... ``if active is None: raise``): on the other path the
        ``finally`` ends and re-raises the pending exception, so something propagates either way."""
        if not any(isinstance(ancestor, cst.Finally) for ancestor in self.context.ancestors):
            return False
        names = self.context.names

        def reads_pending(node: cst.CSTNode) -> bool:
            return any(
                isinstance(call, cst.Call) and names.qualify(call.func) in _PENDING_EXCEPTION
                for call in descendants(node)
            )

        pending = {
            target.target.value
            for node in descendants(function)
            if isinstance(node, cst.Assign) and reads_pending(node.value)
            for target in node.targets
            if isinstance(target.target, cst.Name)
        }
        return any(
            isinstance(node, cst.If)
            and RAISES in outcomes(node.body.body)
            and (
                reads_pending(node.test)
                or any(isinstance(name, cst.Name) and name.value in pending for name in descendants(node.test))
            )
            for node in descendants(handler)
        )

    def _inside_reraising_handler(self) -> bool:
        """Within a handler of cancellation that re-raises on every path (joining a shielded
        flush before letting the cancellation through)."""
        names = self.context.names
        return any(
            isinstance(ancestor, (cst.ExceptHandler, cst.ExceptStarHandler))
            and (ancestor.type is None or catches_cancellation(ancestor.type, names))
            and outcomes(ancestor.body.body) == {RAISES}
            for ancestor in self.context.ancestors
        )


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL601 through aliases, sessions kept on self, a client's construction, a deadline.
GATE_CASES = (
    Gate(
        "from requests import post as send\n\n\ndef notify(hook):\n    return send(hook, json={})\n",
        path="src/app/timeout_alias.py",
    ),
    Gate(
        "import requests\n\n\nclass Api:\n    def __init__(self):\n        self.http = requests.session()\n\n    def get(self, url):\n        return self.http.get(url)\n",
        path="src/app/timeout_session.py",
    ),
    Gate("import httpx as h\n\nCLIENT = h.Client(timeout=None)\n", path="src/app/timeout_client.py"),
    Gate(
        "from asyncio import wait_for\n\n\nasync def run(step):\n    return await wait_for(step(), timeout=None)\n",
        path="src/app/timeout_deadline.py",
    ),
    Gate("from anthropic import Anthropic\n\nclaude = Anthropic(timeout=None)\n", path="src/app/timeout_sdk.py"),
    # DL603: an aliased cancellation class, a one-line handler, except*.
    Gate(
        "from asyncio import CancelledError as Stop\n\n\nasync def run(step):\n    try:\n        await step()\n    except Stop: return None\n",
        path="src/app/cancel_alias.py",
    ),
    Gate(
        "async def run(step):\n    try:\n        await step()\n    except:\n        pass\n",
        path="src/app/cancel_bare.py",
    ),
    Gate(
        "import anyio as a\n\n\nasync def run(step):\n    try:\n        await step()\n    except a.get_cancelled_exc_class():\n        pass\n",
        path="src/app/cancel_anyio.py",
    ),
    # A backslash joining lines inside ``async def`` and before a bare ``except``'s colon.
    Gate(
        "async \\\ndef run(step):\n    try:\n        await step()\n    except \\\n:\n        pass\n",
        path="src/app/cancel_joined.py",
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    # timeouts.budget of 0
    BadConfig("[timeouts]\nbudget = 0\n", "{toml}:2: `timeouts.budget`: expected a number > 0, got 0"),
    # timeouts.budget below 0
    BadConfig("[timeouts]\n\nbudget = -5.0\n", "{toml}:3: `timeouts.budget`: expected a number > 0, got -5.0"),
    # timeouts.budget as a string
    BadConfig('[timeouts]\nbudget = "30s"\n', "{toml}:2: `timeouts.budget`: expected a number > 0, got a string '30s'"),
    # an unknown timeouts option
    BadConfig("[timeouts]\ntotal = 30\n", "{toml}:2: `timeouts.total`: unknown option (expected one of: budget)"),
)
