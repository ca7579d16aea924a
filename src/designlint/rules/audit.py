"""DL904: the audit event (design category: observability and audit).

Forensics reads the audit event: each must say in which trace, run and tool call, for whom,
and with what result it happened. The fields are the design's (``[tool.designlint.audit]
required``); the emitters are named like ``emit_audit`` or configured.
"""

from __future__ import annotations

import libcst as cst

from designlint.analysis.audit import EventReader, audit_logger_call, is_emitter_name
from designlint.gates.audit import AuditEventGate
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid
from designlint.tables.audit import DESIGN_AUDIT_FIELDS, AuditOptions

_EMITTERS = """
[audit]
emitters = ["app.audit.record", "record_event"]
required = ["tenant", "traceId", "outcome.code"]
"""
_EVENTS_MODULE = {
    "app/audit/events.py": """
        from dataclasses import dataclass, field


        @dataclass(frozen=True)
        class ToolResult:
            code: str
            duration_ms: float


        @dataclass(frozen=True)
        class AuditEvent:
            trace_id: str
            run_id: str
            principal: str
            result: ToolResult
            tags: list[str] = field(default_factory=list)
        """
}


class AuditEventMissingField(AuditEventGate, Rule):
    """An audit event emitted without a field the design requires (``traceId``, ``runId``,
    ``callId``, ``principal``, ``result.code``, ``result.durationMs`` unless configured). The
    emitters are functions and methods named like ``audit``, ``emit_audit*``, ``audit_log*``,
    ``log_audit_event`` and log calls on a logger named ``audit*``, or the configured
    ``audit.emitters``. The event is read from keyword arguments, a dict literal, ``extra=``, a
    dict built in the function, or a dataclass or pydantic model constructed there (its fields
    read from its class, in this module or another); what ``bind_contextvars`` and
    ``logger.bind`` bound before counts. An event holding what cannot be seen (``**details``, a
    parameter, a base class from elsewhere) is judged only on what it is seen to lack."""

    code = "DL904"
    name = "audit-event-missing-field"
    VALID = (
        Valid(
            """
            import time

            import structlog
            from structlog.contextvars import bind_contextvars

            audit_log = structlog.get_logger("audit")


            async def execute(call, principal, run):
                bind_contextvars(trace_id=call.trace_id, run_id=run.id)
                started = time.monotonic()
                result = await call.tool.run(call.arguments)
                await audit_log.ainfo(
                    "tool.executed",
                    call_id=call.id,
                    principal=principal.subject,
                    result={"code": result.code, "durationMs": (time.monotonic() - started) * 1000},
                )
            """
        ),
        Valid(
            """
            import logging

            audit_logger = logging.getLogger("app.audit")
            logger = logging.getLogger(__name__)


            def record(ctx, outcome, elapsed_ms):
                logger.info("tool %s finished", ctx.tool, extra={"tool": ctx.tool})
                audit_logger.info(
                    f"tool {ctx.tool} finished",
                    extra={
                        "traceId": ctx.trace_id,
                        "runId": ctx.run_id,
                        "callId": ctx.call_id,
                        "principal": ctx.principal,
                        "result": {"code": outcome.code, "durationMs": elapsed_ms},
                    },
                )
            """
        ),
        Valid(
            """
            from app.audit.events import AuditEvent, ToolResult


            class Dispatcher:
                def __init__(self, sink):
                    self.sink = sink

                def finish(self, request, call_id, code, elapsed_ms):
                    event = AuditEvent(
                        trace_id=request.trace_id,
                        run_id=request.run_id,
                        principal=request.user,
                        result=ToolResult(code=code, duration_ms=elapsed_ms),
                    )
                    self.sink.emit_audit_event(event, call_id=call_id)
            """,
            path="app/dispatch.py",
            files=_EVENTS_MODULE,
        ),
        Valid(
            """
            import sys


            def forward(event, outcome, ctx, **context):
                sys.audit("app.tool.forward")
                emit_audit(event)
                emit_audit(action="tool.call", trace_id=context["trace"], **context)
                emit_audit(trace_id=ctx.trace, run_id=ctx.run, call_id=ctx.call, principal=ctx.user, result=outcome)
            """
        ),
        Valid(
            """
            from app import audit


            def run(tool, ctx):
                emit_audit(action="tool.run", tool=tool.name)
                audit.record(tenant=ctx.tenant, trace_id=ctx.trace_id, outcome={"code": "OK"})
            """,
            path="app/tools.py",
            config=_EMITTERS,
        ),
        Valid(
            """
            import structlog

            audit_logger = structlog.get_logger("audit")


            def handle(call, user, result, elapsed_ms):
                log = audit_logger.bind(traceId=call.trace_id, runId=call.run_id, callId=call.id)
                log.info("tool.result", principal=user.id, result={"code": result.code, "durationMs": elapsed_ms})
            """
        ),
        Valid(
            """
            from app.audit.base import BaseAuditEvent


            class ToolAudit(BaseAuditEvent):
                tool: str


            def audited(func):
                async def wrapper(call, *args, **kwargs):
                    event = {"action": func.__name__, "callId": call.id}
                    add_request_context(event)
                    emit_audit(event)
                    emit_audit(ToolAudit(tool=call.tool))
                    return await func(call, *args, **kwargs)

                return wrapper
            """
        ),
        # Audits of what is no tool call (a login-time directory sync, an admin's action): the
        # design's run and call ids mean nothing there.
        Valid(
            """
            import logging

            audit_logger = logging.getLogger("audit.admin")


            async def reconcile_memberships(user, directory, audit):
                result = await directory.sync(user)
                audit(user_id=user.id, action="directory_membership:reconcile", obj=user.id, result=result,
                      details={"added": result.added})


            def revoke_key(session, key, admin):
                session.delete(key)
                audit_logger.info("api_key.revoked", extra={"principal": admin.id, "key": key.id})
            """
        ),
    )
    INVALID = (
        # No id names a run or a call, but the function runs a tool: the event is a tool call's.
        Invalid(
            """
            from app.tools import registry


            async def handle(session, name, arguments, user):
                tool = registry.get(name)
                async with session.begin():
                    output = await tool.arun(arguments)
                emit_audit(principal=user.id, action="execute", result={"code": output.code, "durationMs": output.ms})
                return output
            """,
            line=8,
            column=5,
            message="audit event misses traceId, runId, callId",
        ),
        Invalid(
            """
            async def execute(call, principal):
                result = await call.tool.run(call.arguments)
                emit_audit(
                    trace_id=call.trace_id,
                    run_id=call.run_id,
                    principal=principal,
                    result={"code": result.code},
                )
                return result
            """,
            line=3,
            column=5,
            end_column=15,
            message="audit event misses callId, result.durationMs",
        ),
        Invalid(
            """
            import logging

            audit_logger = logging.getLogger("audit")


            def record(ctx, outcome, elapsed_ms):
                audit_logger.info(
                    f"tool {ctx.tool} finished",
                    extra={
                        "runId": ctx.run_id,
                        "callId": ctx.call_id,
                        "principal": ctx.principal,
                        "result": {"code": outcome.code, "durationMs": elapsed_ms},
                    },
                )
            """,
            line=7,
            column=5,
            message="audit event misses traceId",
        ),
        Invalid(
            """
            import time


            class ToolRunner:
                def __init__(self, audit):
                    self._audit = audit

                async def run(self, session, call, user):
                    started = time.monotonic()
                    async with session:
                        output = await call.tool.run(session, call.arguments)
                    event = {"traceId": call.trace_id, "runId": call.run_id, "callId": call.id}
                    event["principal"] = user.id
                    event["result"] = {"code": output.code}
                    self._audit.log_audit_event(event)
                    return output
            """,
            line=15,
            column=9,
            message="audit event misses result.durationMs",
        ),
        Invalid(
            """
            from app.audit.events import AuditEvent, ToolResult


            def finish(request, code, elapsed_ms):
                audit_log(
                    AuditEvent(
                        trace_id=request.trace_id,
                        run_id=request.run_id,
                        principal=request.user,
                        result=ToolResult(code=code, duration_ms=elapsed_ms),
                    )
                )
            """,
            path="app/dispatch.py",
            files=_EVENTS_MODULE,
            line=5,
            column=5,
            message="audit event misses callId",
        ),
        Invalid(
            """
            from pydantic import BaseModel


            class AuditRecord(BaseModel):
                trace_id: str
                run_id: str
                call_id: str
                principal: str
                code: str


            def denied(request, tool):
                audit(AuditRecord(trace_id=request.trace_id, run_id=request.run_id, call_id=tool.call_id,
                                  principal=request.user, code="FORBIDDEN"))
            """,
            line=13,
            column=5,
            message="audit event misses result.code, result.durationMs",
        ),
        Invalid(
            """
            from app.audit import record as audit_record


            def run(tool, ctx):
                audit_record(trace_id=ctx.trace_id, outcome={"code": "OK"})
            """,
            path="app/tools.py",
            config=_EMITTERS,
            line=5,
            column=5,
            message="audit event misses tenant",
        ),
        Invalid(
            """
            import structlog as sl
            from fastapi import APIRouter

            router = APIRouter()
            audit = sl.get_logger("audit.tools")


            @router.post("/tools/{name}")
            async def call_tool(name: str, request, user):
                log = audit.bind(trace_id=request.state.trace_id, run_id=request.state.run_id)
                result = await request.app.dispatcher.run(name, user)
                await log.ainfo("tool.called", principal=user.id, callId=result.call_id, result=dict(code=result.code))
                return result
            """,
            line=12,
            column=11,
            message="audit event misses result.durationMs",
        ),
    )

    def __init__(self, config):
        super().__init__(config)
        options = config.options(AuditOptions)
        self.emitters, self.required = options.emitters, options.required

    def visit_Call(self, node: cst.Call) -> None:
        names = self.context.names
        if self.emitters is not None:
            log_call, emits = False, names.function_matches(node.func, self.emitters)
        else:
            log_call = audit_logger_call(node, names)
            emits = log_call or is_emitter_name(node.func, names)
        if not emits:
            return
        function = next((a for a in reversed(self.context.ancestors) if isinstance(a, cst.FunctionDef)), None)
        reader = EventReader(names, self.context.project, self.context.tree, function)
        event = reader.emitted(node, log_call=log_call)
        if set(self.required) == set(DESIGN_AUDIT_FIELDS) and not reader.about_tool_call(node, event):
            return  # the design's fields are a tool call's event's: a login's audit has no run or call
        missing = event.missing(self.required)
        if missing:
            self.report(
                node.func,
                f"audit event misses {', '.join(missing)}: forensics needs every field the design requires "
                "(audit.required)",
            )


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL904: audit loggers by name, by channel and through an alias; an emitter method.
GATE_CASES = (
    Gate(
        "import structlog as sl\nAUDIT = sl.get_logger('x')\n\n\ndef f(run):\n    AUDIT.info('done', runId=run.id)\n",
        path="src/app/audit_alias.py",
    ),
    Gate(
        "import logging\nlog = logging.getLogger('Audit.tools')\n\n\ndef f(tool):\n    log.warning('x', extra={'traceId': 1})\n",
        path="src/app/audit_channel.py",
    ),
    # The channel's name spelt apart in its string's text.
    Gate(
        "import logging\nlog = logging.getLogger('\\x41udit.' 'tools')\n\n\ndef f(tool):\n    log.warning('x', extra={'traceId': 1})\n",
        path="src/app/audit_channel_apart.py",
    ),
    Gate(
        "class S:\n    def run(self, call):\n        self._emit_audit(trace_id=call.trace_id, call_id=call.id)\n",
        path="src/app/audit_method.py",
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    # audit.emitters entry that is not a dotted name
    BadConfig(
        '[audit]\nemitters = ["app.audit:emit"]\n',
        "{toml}:2: `audit.emitters`: expected a function name or a dotted name such as \"app.net.require_allowed\", got 'app.audit:emit'",
    ),
    # audit.required entry that is no field path
    BadConfig(
        '[audit]\nrequired = ["traceId", "result..code"]\n',
        "{toml}:2: `audit.required`: expected a field name or a dotted path such as \"result.code\", got 'result..code'",
    ),
    # audit.required as one string
    BadConfig(
        '[audit]\nrequired = "traceId"\n',
        "{toml}:2: `audit.required`: expected a list of strings, got a string 'traceId'",
    ),
)
