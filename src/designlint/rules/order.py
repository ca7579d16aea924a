"""DL7xx: the cross-cutting execution order of a tool dispatcher (design category: execution
order): authorize, validate the arguments, charge the rate limit, ask for approval, execute
under a timeout.

A dispatcher is a function that reaches two or more distinct stages, through its own calls,
the helpers of its module it calls, its decorators and its FastAPI dependencies (both before
the body). Its body is followed path by path in source order (``analysis.stages``); the
rules judge the order of the stages on each path (DL701), the required stages a path to the
execute stage skips (DL702) and whether the execute stage runs under a timeout (DL703).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from designlint.analysis.names import dotted_name, last_name
from designlint.analysis.stages import (
    TIMEOUT_CALLS,
    Path,
    Reach,
    Stages,
    TooManyPaths,
    runs_sql,
    stage_named,
    stage_paths,
)
from designlint.analysis.summaries import ModuleFunctions, Summaries
from designlint.gates.order import OrderGate, stage_names
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid
from designlint.tables.order import OrderOptions

# What calling ``late`` before ``early`` lets through, for the stages of the default order.
_WHAT_ORDER_PREVENTS = {
    ("authorize", "validate"): "validating before authorizing leaks whether the resource exists through schema errors",
    ("authorize", "rate_limit"): "charging the rate limit before authorizing spends budget on denied callers",
    ("authorize", "approve"): "asking for approval before authorizing puts denied calls in front of a reviewer",
    ("authorize", "execute"): "executing before authorizing runs the tool for callers who are then denied",
    ("validate", "rate_limit"): "charging the rate limit before validating spends budget on malformed calls",
    ("validate", "approve"): "approval is asked before validation: a reviewer approves arguments that may be invalid",
    ("validate", "execute"): "executing before validating runs the tool on unchecked arguments",
    (
        "rate_limit",
        "approve",
    ): "asking for approval before charging the rate limit queues approvals for throttled callers",
    ("rate_limit", "execute"): "executing before charging the rate limit lets the call escape the budget",
    ("approve", "execute"): "executing before approval runs the tool before anyone approved it",
}


@dataclass(frozen=True)
class _FileStages:
    """One file's answers, for the family's rules (kept in the file's memo): its functions, their
    summaries, and the stages each function reaches (by ``id``: the tree lives as long as the walk)."""

    functions: ModuleFunctions
    summaries: Summaries[Stages]
    reaches: dict[int, list[Reach]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Finding:
    node: cst.CSTNode
    message: str


class _OrderRule(OrderGate, Rule):
    """Finds the dispatchers of a file when the walk enters each function, and reports what
    ``findings`` says of them when the walk reaches the nodes reported."""

    def __init__(self, config):
        super().__init__(config)
        self.options = config.options(OrderOptions)
        self.stage_names = stage_names(self.options)
        self.ranks = {stage: index for index, stage in enumerate(self.options.stages)}

    def setup(self) -> None:
        self.pending: dict[int, list[str]] = {}  # id(node) -> messages to report on it
        # What the family's rules work out of one file, shared: they ask the same questions at the
        # same point of the walk, so the first to set up for a file answers them for all three.
        shared = self.context.memo.get(
            (_FileStages, self.options),
            lambda: _FileStages(ModuleFunctions(self.context.module), Summaries(self._summarise)),
        )
        self.module_functions, self.summaries, self.file_reaches = shared.functions, shared.summaries, shared.reaches

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if id(node) not in self.file_reaches:
            self.file_reaches[id(node)] = self._reaches(node) or []
        reaches = self.file_reaches[id(node)]
        stages = {reach.step.stage for reach in reaches}
        # What it dispatches is the execute stage: without it, two stages are only a handler that
        # checks access and input (an OAuth ``authorize`` endpoint validating its request).
        if len(stages) < 2 or self.options.execute not in stages:
            return
        for finding in self.findings(reaches):
            self.pending.setdefault(id(finding.node), []).append(finding.message)

    def visit_Call(self, node: cst.Call) -> None:
        self._report_pending(node)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        self._report_pending(node)

    def _report_pending(self, node: cst.CSTNode) -> None:
        for message in self.pending.pop(id(node), ()):
            self.report(node, message)

    def findings(self, reaches: list[Reach]) -> list[_Finding]:
        raise NotImplementedError

    def line(self, node: cst.CSTNode) -> int:
        return self.context.line_of(node)

    # -- what a function reaches ----------------------------------------------------------

    def _reaches(self, function: cst.FunctionDef) -> list[Reach] | None:
        with self.summaries.analysing(function):
            annotations = _parameter_annotations(function)
            try:
                return stage_paths(
                    function,
                    self._entry_steps(function),
                    lambda call: self._stages_of(call, function, annotations),
                    self._is_timeout,
                )
            except TooManyPaths:
                return None

    def _summarise(self, function: cst.FunctionDef) -> Stages:
        reaches = self._reaches(function) or []
        names = tuple(dict.fromkeys(reach.step.stage for reach in reaches))
        executes = [reach for reach in reaches if reach.step.stage == self.options.execute]
        dispatcher = len(names) >= 2 and self.options.execute in names  # its own findings say the rest
        return Stages(names, settled=dispatcher or (bool(executes) and all(reach.timed for reach in executes)))

    def _entry_steps(self, function: cst.FunctionDef) -> list[tuple[cst.CSTNode, Stages]]:
        """Decorators (outermost first: it runs first) and ``Depends(...)`` defaults: both run before the body."""
        steps: list[tuple[cst.CSTNode, Stages]] = []
        for decorator in function.decorators:
            expression = decorator.decorator
            stage = self._stage_named(expression.func if isinstance(expression, cst.Call) else expression)
            if stage is not None:
                steps.append((decorator, Stages((stage,))))
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            default = param.default
            if isinstance(default, cst.Call) and last_name(default.func) in ("Depends", "Security") and default.args:
                dependency = default.args[0].value
                stage = self._stage_named(dependency.func if isinstance(dependency, cst.Call) else dependency)
                if stage is not None:
                    steps.append((default, Stages((stage,))))
        return steps

    def _stage_named(self, func: cst.BaseExpression) -> str | None:
        return stage_named(self.stage_names, func, self.context.names.qualify)

    def _stages_of(self, call: cst.Call, caller: cst.FunctionDef, annotations: dict[str, str]) -> Stages | None:
        stage = self._stage_named(call.func)
        if stage == self.options.execute and runs_sql(call, self.context.names.qualify, annotations):
            return None
        if stage is not None:
            return Stages((stage,))
        helper = self.module_functions.called(call, caller, self.context.names)
        summary = self.summaries.of(helper) if helper is not None else None
        return summary if summary is not None and summary.names else None

    def _is_timeout(self, call: cst.Call) -> bool:
        return (self.context.names.qualify(call.func) or "") in TIMEOUT_CALLS

    def stage_call(self, node: cst.CSTNode) -> str:
        """How a step is shown: the callee's name (``authorize(...)``, ``@requires_permission``)."""
        expression = node.decorator if isinstance(node, cst.Decorator) else node
        if isinstance(expression, cst.Call) and last_name(expression.func) in ("Depends", "Security"):
            expression = expression.args[0].value
        func = expression.func if isinstance(expression, cst.Call) else expression
        shown = dotted_name(func) or "the call"
        return f"@{shown}" if isinstance(node, cst.Decorator) else f"{shown}()"


def _parameter_annotations(function: cst.FunctionDef) -> dict[str, str]:
    """Parameter -> the last name of its annotation (``session: AsyncSession``)."""
    params = function.params
    found = {}
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.annotation is not None:
            found[param.name.value] = last_name(param.annotation.annotation)
    return found


class StageOutOfOrder(_OrderRule):
    """On some path of a dispatcher, a stage is reached before an earlier stage of the design's
    order that the same path reaches later (``validate(args)`` then ``authorize(...)``)."""

    code = "DL701"
    name = "stage-out-of-order"
    VALID = (
        Valid(
            """
            import asyncio

            from app.auth import authorize
            from app.schemas import validate


            async def dispatch(principal, tool, args: dict):
                authorize(principal, tool)
                validate(tool.schema, args)
                async with asyncio.timeout(30):
                    return await tool.arun(args)
            """
        ),
        Valid(
            """
            from app.auth import requires_permission
            from app.schemas import validate


            @requires_permission("tools:run")
            def run(tool, args: dict, deadline: float):
                validate(tool.schema, args)
                result = tool.run(args, timeout=deadline)
                return OutputModel.model_validate(result)
            """
        ),
        Valid(
            """
            from app.limits import limiter


            def not_a_dispatcher(request, payload):
                limiter.hit(request.client)
                return Schema.model_validate(payload)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            from fastapi import Depends

            from app.auth import require_permission
            from app.limits import rate_limiter


            def _charge(user):
                rate_limiter.acquire(user.id)


            async def call(name: str, args: dict, user=Depends(require_permission("tools"))):
                _charge(user)
                tool = TOOLS[name]
                tool.validate(args)
                return await tool.arun(args, timeout=10)
            """,
            line=12,
            column=5,
            message="_charge() (stage rate_limit) runs before tool.validate() (line 14): charging the rate limit",
        ),
        Invalid(
            """
            from app.auth import authorize


            async def dispatch(principal, tool, args: dict, timeout: float):
                result = await tool.arun(args, timeout=timeout)
                authorize(principal, tool)
                return result
            """,
            line=5,
            column=20,
            message="executing before authorizing runs the tool",
        ),
        Invalid(
            """
            import asyncio

            from app.auth import authorize
            from app.schemas import validate


            async def dispatch(principal, tool, args: dict):
                validate(tool.schema, args)
                authorize(principal, tool)
                async with asyncio.timeout(30):
                    return await tool.arun(args)
            """,
            line=8,
            column=5,
            message="validate() (stage validate) runs before authorize() (line 9): validating before authorizing",
        ),
    )

    def findings(self, reaches: list[Reach]) -> list[_Finding]:
        found: dict[int, _Finding] = {}
        for reach in reaches:
            rank = self.ranks[reach.step.stage]
            for path in reach.paths:
                if reach.step.stage in path.stages or self._after_execute(path, reach.step.stage):
                    continue
                early = next((step for step in path.reached if self.ranks[step.stage] > rank), None)
                if early is None or id(early.node) in found:
                    continue
                why = _WHAT_ORDER_PREVENTS.get(
                    (reach.step.stage, early.stage), f"the design orders {reach.step.stage} before {early.stage}"
                )
                found[id(early.node)] = _Finding(
                    early.node,
                    f"{self.stage_call(early.node)} (stage {early.stage}) runs before "
                    f"{self.stage_call(reach.step.node)} (line {self.line(reach.step.node)}): {why}",
                )
        return list(found.values())

    def _after_execute(self, path: Path, stage: str) -> bool:
        """What follows the execute stage is the result's handling (validating the output,
        charging the usage), not a gate out of order; only a required stage is one there."""
        return self.options.execute in path.stages and stage not in self.options.required


class StageSkipped(_OrderRule):
    """A path of a dispatcher reaches the execute stage without a required stage (by default
    ``authorize``) that another of its paths passes: an early ``if cached: return await
    execute(...)``, an ``except`` that executes anyway. A dispatcher that never calls a
    required stage is not reported (its authorization may live elsewhere)."""

    code = "DL702"
    name = "stage-skipped"
    VALID = (
        Valid(
            """
            from app.auth import authorize


            async def dispatch(principal, tool, args: dict, cache: dict):
                authorize(principal, tool)
                if tool.name in cache:
                    return cache[tool.name]
                return await tool.arun(args, timeout=30)
            """
        ),
        Valid(
            """
            from app.auth import PermissionDenied, authorize
            from app.schemas import validate


            def dispatch(principal, tool, args: dict, session):
                try:
                    authorize(principal, tool)
                except PermissionDenied:
                    session.execute(AUDIT.insert().values(tool=tool.name))
                    raise
                validate(tool.schema, args)
                return tool.run(args, timeout=30)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            from app.auth import authorize


            async def dispatch(principal, tool, args: dict, cached: bool):
                if cached:
                    return await tool.arun(args, timeout=30)
                authorize(principal, tool)
                return await tool.arun(args, timeout=30)
            """,
            line=6,
            column=22,
            message="tool.arun() executes without authorize on the path through line 5",
        ),
        Invalid(
            """
            import asyncio

            from app.auth import PermissionDenied, check_access


            async def dispatch(principal, tool, args: dict):
                try:
                    check_access(principal, tool)
                except PermissionDenied:
                    log.warning("denied")
                async with asyncio.timeout(30):
                    return await tool.arun(args)
            """,
            line=12,
            column=22,
            message="on the path through line 9",
        ),
    )

    def findings(self, reaches: list[Reach]) -> list[_Finding]:
        called = {reach.step.stage for reach in reaches}
        required = [stage for stage in self.options.required if stage in called]
        found: dict[int, _Finding] = {}
        for reach in reaches:
            if reach.step.stage != self.options.execute or id(reach.step.node) in found:
                continue
            for path in reach.paths:
                missing = [stage for stage in required if stage not in path.stages]
                if missing and path.branch is not None:
                    found[id(reach.step.node)] = _Finding(
                        reach.step.node,
                        f"{self.stage_call(reach.step.node)} executes without {', '.join(missing)} on the path "
                        f"through line {self.line(path.branch)}, which another path of the function calls first",
                    )
                    break
        return list(found.values())


class ExecuteWithoutTimeout(_OrderRule):
    """In a dispatcher, the execute stage runs under no timeout: no ``asyncio.timeout``,
    ``asyncio.wait_for``, ``anyio``/``trio`` ``fail_after``/``move_on_after``,
    ``async_timeout.timeout``, nor a ``timeout=`` argument (to the call itself, or to the call
    its result is handed to, such as ``future.result(timeout=...)``)."""

    code = "DL703"
    name = "execute-without-timeout"
    VALID = (
        Valid(
            """
            import asyncio

            from app.auth import authorize


            async def dispatch(principal, tool, args: dict):
                authorize(principal, tool)
                return await asyncio.wait_for(tool.arun(args), timeout=30)
            """
        ),
        Valid(
            """
            import asyncio

            import anyio

            from app.auth import authorize


            async def dispatch(principal, tool, args: dict):
                authorize(principal, tool)
                task = asyncio.create_task(tool.ainvoke(args))
                with anyio.fail_after(5):
                    await tool.arun(args)
                return await asyncio.wait_for(task, 30)
            """
        ),
        Valid(
            """
            from sqlalchemy.orm import Session

            from app.auth import authorize


            def record_call(principal, tool, session: Session):
                authorize(principal, tool)
                session.execute(CALLS.insert().values(tool=tool.name))
            """
        ),
        Valid(
            """
            from app.schemas import validate


            def run(tool, args):
                validate(tool.schema, args)
                return tool.run(args)
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            from app.auth import authorize


            async def dispatch(principal, tool, args: dict):
                authorize(principal, tool)
                return await tool.arun(args)
            """,
            line=6,
            column=18,
            message="tool.arun() (stage execute) runs under no timeout",
        ),
        Invalid(
            """
            from app.auth import authorize


            def _execute(tool, args):
                return tool.run(args)


            class Dispatcher:
                @authorize
                def dispatch(self, tool, args):
                    return _execute(tool, args)
            """,
            line=11,
            column=16,
            message="_execute() (stage execute) runs under no timeout",
        ),
    )

    def findings(self, reaches: list[Reach]) -> list[_Finding]:
        # Only the design's dispatcher, which authorizes what it executes: the toolsets and
        # sessions of frameworks that pass a call on leave its timeout to the layer that runs it.
        called = {reach.step.stage for reach in reaches}
        if not all(stage in called for stage in self.options.required):
            return []
        found: dict[int, _Finding] = {}
        for reach in reaches:
            if reach.step.stage == self.options.execute and not reach.timed and id(reach.step.node) not in found:
                found[id(reach.step.node)] = _Finding(
                    reach.step.node,
                    f"{self.stage_call(reach.step.node)} (stage {reach.step.stage}) runs under no timeout: "
                    "a tool that hangs hangs the run (wrap it in asyncio.timeout or pass timeout=)",
                )
        return list(found.values())


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL701-DL703: an aliased authorize, a decorator, a helper, a limiter on self.
GATE_CASES = (
    Gate(
        "from app.auth import authorize as az\nfrom app import schemas\n\n\nasync def dispatch(user, tool, args):\n    schemas.validate(args)\n    az(user, tool)\n    return await tool.arun(args)\n",
        path="src/app/order_alias.py",
    ),
    Gate(
        "import asyncio\n\nfrom app.auth import requires_permission\n\n\ndef _run(tool, args):\n    return tool.run(args)\n\n\n@requires_permission('tools')\ndef dispatch(tool, args, cached):\n    if cached:\n        return _run(tool, args)\n    return _run(tool, args)\n",
        path="src/app/order_decorated.py",
    ),
    Gate(
        "class Dispatcher:\n    async def call(self, user, tool, args, cached):\n        if cached:\n            return await tool.ainvoke(args, timeout=5)\n        self.check_access(user, tool)\n        await self.rate_limiter.acquire(user)\n        return await tool.ainvoke(args, timeout=5)\n",
        path="src/app/order_skipped.py",
    ),
    # A receiver named like ``*tool`` with more before it, in brackets, or with a comment
    # before its method.
    Gate(
        "from app.auth import authorize as az\nfrom app import schemas\n\n\nasync def dispatch(user, my_tool, args):\n    schemas.validate(args)\n    az(user, my_tool)\n    return await ((my_tool)  # why\n        .arun(args))\n",
        path="src/app/order_receiver.py",
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    # order.required naming a stage not in order.stages
    BadConfig(
        '[order]\nstages = ["authorize", "execute"]\nrequired = ["approve"]\n',
        "{toml}:3: `order.required`: expected stages listed in order.stages, got 'approve'",
    ),
    # order.stages listing a stage twice
    BadConfig(
        '[order]\nstages = ["authorize", "validate", "authorize", "execute"]\n',
        "{toml}:2: `order.stages`: expected each stage once, got 'authorize' twice",
    ),
    # order.stages with a single stage
    BadConfig(
        '[order]\nstages = ["execute"]\nrequired = []\n',
        "{toml}:2: `order.stages`: expected at least two stages, the last of them the execute stage",
    ),
    # order.calls for a stage not in order.stages
    BadConfig(
        '[order.calls]\naudit = ["app.audit.log"]\n',
        "{toml}:2: `order.calls.audit`: expected a stage listed in order.stages, got 'audit'",
    ),
    # order.calls entry that is not a name
    BadConfig(
        '[order.calls]\nauthorize = ["app.auth:check"]\n',
        '{toml}:2: `order.calls.authorize`: expected a function name, a dotted name such as "app.auth.authorize", or a glob such as "check_*", got \'app.auth:check\'',
    ),
)
