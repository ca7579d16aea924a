"""DL9xx: observability and audit (design category: observability and audit).

Span and metric names are part of the interface: dashboards, alerts and forensics read them.
DL901 keeps span names low-cardinality (and, configured, declared); DL902 holds metric names
and units to OpenTelemetry's naming rules (and, configured, to the declared table).
"""

from __future__ import annotations

import libcst as cst

from designlint.analysis.constants import imported_string
from designlint.analysis.names import dotted_name
from designlint.analysis.strings import literal_string, static_value
from designlint.analysis.telemetry import (
    METRIC_CREATORS,
    PROMETHEUS_METRICS,
    SPAN_STARTERS,
    declared_name_pattern,
    genai_required,
    high_cardinality_word,
    interpolated,
    is_meter,
    is_tracer,
    keyword_argument,
    metric_name_problems,
    name_argument,
    name_template,
)
from designlint.analysis.units import is_ucum
from designlint.gates.telemetry import TelemetryGate
from designlint.rules.base import Rule
from designlint.rules.cases import BadConfig, Gate, Invalid, Valid
from designlint.tables.telemetry import TelemetryOptions


class _TelemetryRule(TelemetryGate, Rule):
    def __init__(self, config):
        super().__init__(config)
        self.options = config.options(TelemetryOptions)


_SPANS = """
[telemetry]
spans = ["execute_tool {tool}", "dispatch", "chat {model}"]
"""


class SpanName(_TelemetryRule):
    """A span started by an OpenTelemetry tracer (``start_as_current_span``/``start_span``, in a
    call, a ``with`` or a decorator) whose name interpolates a high-cardinality value: an id, a
    URL or path, a user, a timestamp, a token, free text. With ``telemetry.spans`` configured,
    also a name that matches no declared span."""

    code = "DL901"
    name = "span-name"
    VALID = (
        Valid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            async def execute(tool, arguments: dict, call_id: str):
                with tracer.start_as_current_span(f"execute_tool {tool.name}") as span:
                    span.set_attribute("gen_ai.tool.call.id", call_id)
                    return await tool.run(**arguments)
            """
        ),
        Valid(
            """
            from opentelemetry import trace as otel_trace

            _tracer = otel_trace.get_tracer("dispatcher")


            @_tracer.start_as_current_span("dispatch")
            def dispatch(request):
                return request.user_id
            """,
            config=_SPANS,
        ),
        Valid(
            """
            class Planner:
                def __init__(self, cache):
                    self.cache = cache

                def lookup(self, user_id):
                    return self.cache.start_span(f"lookup {user_id}")
            """
        ),
        Valid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            def chat(model: str, messages):
                with tracer.start_as_current_span(f"chat {model}", kind=trace.SpanKind.CLIENT):
                    return messages
            """,
            config=_SPANS,
        ),
    )
    INVALID = (
        Invalid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            def get_user(user_id: str):
                with tracer.start_as_current_span(f"get_user/{user_id}"):
                    return user_id
            """,
            line=7,
            column=39,
            end_column=60,
            message="span name interpolates 'user_id', a high-cardinality value",
        ),
        Invalid(
            """
            import uuid

            from opentelemetry import trace


            class Runner:
                def __init__(self):
                    self._tracer = trace.get_tracer("runner")

                def run(self, step):
                    span = self._tracer.start_span("run " + str(uuid.uuid4()))
                    return span
            """,
            line=11,
            column=40,
            message="'str(uuid.uuid4())'",
        ),
        Invalid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            def fetch(request):
                with tracer.start_as_current_span("fetch %s" % request.url.path):
                    return request
            """,
            line=7,
            column=39,
            message="'request.url.path'",
        ),
        Invalid(
            """
            from opentelemetry import trace


            async def handle(tracer: trace.Tracer, session, conversation_id: str):
                span_name = f"conversation {conversation_id}"
                async with session:
                    with tracer.start_as_current_span(span_name) as span:
                        span.set_attribute("conversation.id", conversation_id)
            """,
            line=7,
            column=43,
            message="'conversation_id'",
        ),
        Invalid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            def route(tool):
                with tracer.start_as_current_span(f"route_tool {tool.name}"):
                    return tool
            """,
            config=_SPANS,
            line=7,
            column=39,
            message="span name 'route_tool {...}' matches no declared span (telemetry.spans)",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        if not isinstance(node.func, cst.Attribute) or node.func.attr.value not in SPAN_STARTERS:
            return
        if not is_tracer(node.func.value, self.context.names):
            return
        name = name_argument(node)
        if name is None:
            return
        for value in interpolated(self._built_from(name)):
            word = high_cardinality_word(value)
            if word is not None:
                shown = cst.Module([]).code_for_node(value)
                self.report(
                    name,
                    f"span name interpolates '{shown}', a high-cardinality value: span names are a small fixed "
                    "set (OpenTelemetry's bad example: 'get_user/314159'); put the value in an attribute",
                )
                return
        if self.options.spans is not None:
            self._check_declared(name)

    def _built_from(self, name: cst.BaseExpression) -> cst.BaseExpression:
        """The expression a local holding the name was assigned (``span_name = f"..."``), else the name itself."""
        binding = self.context.names.binding_of(name) if isinstance(name, cst.Name) else None
        if binding is not None and binding.kind == "value" and isinstance(binding.node, cst.BaseExpression):
            return binding.node
        return name

    def _check_declared(self, name: cst.BaseExpression) -> None:
        template = name_template(self._built_from(name))
        if template is None:
            known = static_value(name, self.context.names).value
            template = name_template(cst.SimpleString(repr(known))) if known is not None else None
        if template is None or template.text == template.HOLE:
            return  # nothing known of it
        text = template.text
        if not any(declared_name_pattern(declared).fullmatch(text) for declared in self.options.spans or ()):
            self.report(name, f"span name {template.shown!r} matches no declared span (telemetry.spans)")


_METRICS = """
[telemetry.metrics]
"app.tool.duration" = { unit = "s", labels = ["tool", "outcome"] }
"app.tool.calls" = { unit = "{call}" }
"""


class MetricName(_TelemetryRule):
    """An OpenTelemetry instrument (``meter.create_counter/create_histogram/...``) whose name
    breaks the naming rules (upper case, ``_total``, a unit in the name, no namespace) or whose
    unit is not UCUM; with ``telemetry.metrics`` configured, a name not in the table, a unit
    other than the declared one, or a measurement recorded with an attribute key outside the
    declared labels. Prometheus client instruments get only the declared-name check."""

    code = "DL902"
    name = "metric-name"
    VALID = (
        Valid(
            """
            from opentelemetry import metrics

            meter = metrics.get_meter("app.dispatcher")
            tool_duration = meter.create_histogram("app.tool.duration", unit="s")
            tool_calls = meter.create_counter(name="app.tool.calls", unit="{call}")


            def record(tool: str, outcome: str, seconds: float):
                tool_duration.record(seconds, {"tool": tool, "outcome": outcome})
                tool_calls.add(1)
            """,
            config=_METRICS,
        ),
        Valid(
            """
            def tune(self, parameter, registry):
                parameter.create_counter("Retries_Total")
                registry.create_histogram(self.name)
            """
        ),
        Valid(
            """
            from prometheus_client import Counter

            REQUESTS = Counter("http_requests_total", "Requests served")
            """
        ),
        Valid(
            """
            from opentelemetry import metrics

            meter = metrics.get_meter(__name__)
            tokens = meter.create_histogram("gen_ai.client.token.usage", unit="{token}")
            upload = meter.create_histogram("app.upload.size", unit="KiBy")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            from opentelemetry import metrics

            meter = metrics.get_meter(__name__)
            requests_total = meter.create_counter("app.requests_total", unit="1")
            """,
            line=4,
            column=39,
            message="metric name 'app.requests_total' breaks the naming rules: '_total'",
        ),
        Invalid(
            """
            from opentelemetry import metrics

            PREFIX = "app.tool"
            DURATION = f"{PREFIX}.duration_seconds"
            meter = metrics.get_meter(__name__)
            duration = meter.create_histogram(name=DURATION, unit="s")
            """,
            line=6,
            column=40,
            message="the unit in the name ('seconds'",
        ),
        Invalid(
            """
            from opentelemetry import metrics


            class Telemetry:
                def __init__(self):
                    self._meter = metrics.get_meter("app")
                    self.latency = self._meter.create_histogram("app.tool.latency", unit="seconds")
            """,
            line=7,
            column=78,
            message="unit 'seconds' is not a UCUM unit",
        ),
        Invalid(
            """
            from opentelemetry import metrics

            meter = metrics.get_meter(__name__)
            tool_duration = meter.create_histogram("app.tool.duration", unit="ms")
            """,
            config=_METRICS,
            line=4,
            column=66,
            message="unit 'ms' is not the declared 's'",
        ),
        Invalid(
            """
            from opentelemetry import metrics

            from .constants import REQUESTS_TOTAL

            meter = metrics.get_meter(__name__)
            requests_total = meter.create_counter(name=REQUESTS_TOTAL, description="API requests", unit="1")
            """,
            path="app/telemetry/metrics.py",
            files={
                "app/telemetry/constants.py": """
                    prefix = "app.server"
                    REQUESTS_TOTAL = f"{prefix}.requests_total"
                """
            },
            line=6,
            column=44,
            message="metric name 'app.server.requests_total' breaks the naming rules: '_total'",
        ),
        Invalid(
            """
            from prometheus_client import Histogram

            LATENCY = Histogram("tool_latency_seconds", "Tool latency")
            """,
            config=_METRICS,
            line=3,
            column=21,
            message="metric 'tool_latency_seconds' is not declared (telemetry.metrics)",
        ),
        Invalid(
            """
            from opentelemetry import metrics

            meter = metrics.get_meter(__name__)
            tool_duration = meter.create_histogram("app.tool.duration", unit="s")


            def record(tool: str, user_id: str, seconds: float):
                tool_duration.record(seconds, attributes={"tool": tool, "user": user_id})
            """,
            config=_METRICS,
            line=8,
            column=61,
            message="attribute 'user' is not a declared label of 'app.tool.duration' (tool, outcome)",
        ),
    )

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in METRIC_CREATORS:
            if is_meter(func.value, self.context.names):
                self._check_instrument(node, opentelemetry=True)
        elif isinstance(func, cst.Attribute) and func.attr.value in ("add", "record", "set"):
            self._check_labels(node)
        elif (self.context.names.qualify(func) or "") in PROMETHEUS_METRICS:
            self._check_instrument(node, opentelemetry=False)

    def _metric_name(self, argument: cst.BaseExpression | None) -> str | None:
        """The name, when known: built from literals and this module's constants, or a constant of another module."""
        if argument is None:
            return None
        known = static_value(argument, self.context.names).value
        return known if known is not None else imported_string(argument, self.context.names, self.context.project)

    def _check_instrument(self, call: cst.Call, *, opentelemetry: bool) -> None:
        argument = name_argument(call)
        name = self._metric_name(argument)
        if argument is None or name is None:
            return
        declared = dict(self.options.metrics) if self.options.metrics is not None else None
        if declared is not None and name not in declared:
            self.report(argument, f"metric {name!r} is not declared (telemetry.metrics)")
            return
        if not opentelemetry:
            return
        problems = metric_name_problems(name)
        if problems:
            self.report(argument, f"metric name {name!r} breaks the naming rules: {'; '.join(problems)}")
            return
        unit_argument = keyword_argument(call, "unit")
        unit = literal_string(unit_argument) if unit_argument is not None else None
        if unit_argument is None or unit is None:
            return
        declared_unit = declared[name].unit if declared is not None else None
        if not is_ucum(unit):
            self.report(
                unit_argument, f"unit {unit!r} is not a UCUM unit (durations are 's', sizes 'By', counts '{{request}}')"
            )
        elif declared_unit is not None and unit != declared_unit:
            self.report(unit_argument, f"unit {unit!r} is not the declared {declared_unit!r} of {name!r}")

    def _check_labels(self, call: cst.Call) -> None:
        """``histogram.record(v, {"tool": ...})`` on an instrument this module created under a declared name."""
        if self.options.metrics is None or not isinstance(call.func, cst.Attribute):
            return
        binding = self.context.names.binding_of(call.func.value)
        made = binding.node if binding is not None else None
        if not isinstance(made, cst.Call) or not isinstance(made.func, cst.Attribute):
            return
        if made.func.attr.value not in METRIC_CREATORS or not is_meter(made.func.value, self.context.names):
            return
        name = self._metric_name(name_argument(made))
        labels = dict(self.options.metrics).get(name or "")
        if labels is None or labels.labels is None:
            return
        attributes = keyword_argument(call, "attributes")
        if attributes is None and len(call.args) > 1 and call.args[1].keyword is None:
            attributes = call.args[1].value
        if not isinstance(attributes, cst.Dict):
            return
        for element in attributes.elements:
            if not isinstance(element, cst.DictElement):
                continue  # a ``**spread``: its keys are not known
            key = literal_string(element.key)
            if key is not None and key not in labels.labels:
                self.report(
                    element.key,
                    f"attribute {key!r} is not a declared label of {name!r} ({', '.join(labels.labels)})",
                )
                return


_REQUIRED = """
[telemetry]
spans = ["execute_tool {tool}", "dispatch"]
required-attributes = { "dispatch" = ["app.run.id"] }
"""


class SpanMissingAttribute(_TelemetryRule):
    """A span started in a ``with`` whose name is a GenAI span (``execute_tool ...``, ``chat ...``,
    ``invoke_agent ...``) or a span declared in ``telemetry.required-attributes``, that never sets
    an attribute it requires: neither in ``attributes={...}`` at start nor with
    ``span.set_attribute(s)`` (on the ``as`` name or ``trace.get_current_span()``) in its block.
    A span handed to a helper, or given keys that are not literals, is not judged."""

    code = "DL903"
    name = "span-missing-attribute"
    VALID = (
        Valid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            async def execute(tool, arguments: dict):
                with tracer.start_as_current_span(
                    f"execute_tool {tool.name}", attributes={"gen_ai.operation.name": "execute_tool"}
                ) as span:
                    span.set_attribute("gen_ai.tool.name", tool.name)
                    return await tool.run(**arguments)
            """
        ),
        Valid(
            """
            from opentelemetry import trace
            from opentelemetry.semconv._incubating.attributes import gen_ai_attributes as GenAI

            tracer = trace.get_tracer(__name__)


            def execute(tool):
                with tracer.start_as_current_span(f"execute_tool {tool.name}") as span:
                    span.set_attributes({GenAI.GEN_AI_OPERATION_NAME: "execute_tool", GenAI.GEN_AI_TOOL_NAME: tool.name})
            """
        ),
        Valid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            def _describe(span, tool):
                span.set_attribute("gen_ai.tool.name", tool.name)


            def execute(tool):
                with tracer.start_as_current_span(f"execute_tool {tool.name}") as span:
                    _describe(span, tool)
            """
        ),
        Valid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            def dispatch(run_id):
                with tracer.start_as_current_span("dispatch"):
                    trace.get_current_span().set_attribute("app.run.id", run_id)
            """,
            config=_REQUIRED,
        ),
    )
    INVALID = (
        Invalid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            async def execute(tool, arguments: dict, call_id: str):
                with tracer.start_as_current_span(f"execute_tool {tool.name}") as span:
                    span.set_attribute("gen_ai.tool.call.id", call_id)
                    return await tool.run(**arguments)
            """,
            line=7,
            column=39,
            message="span 'execute_tool {...}' never sets gen_ai.operation.name, gen_ai.tool.name",
        ),
        Invalid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            def ask(client, model):
                with tracer.start_as_current_span(f"chat {model}", attributes={"gen_ai.operation.name": "chat"}):
                    return client.complete(model)
            """,
            line=7,
            column=39,
            message="never sets gen_ai.provider.name",
        ),
        Invalid(
            """
            from opentelemetry import trace

            tracer = trace.get_tracer(__name__)


            def dispatch(run_id):
                with tracer.start_as_current_span("dispatch") as span:
                    span.set_attribute("app.tenant", "t")
            """,
            config=_REQUIRED,
            line=7,
            column=39,
            message="never sets app.run.id",
        ),
    )

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            call = item.item
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            if call.func.attr.value not in SPAN_STARTERS or not is_tracer(call.func.value, self.context.names):
                continue
            name = name_argument(call)
            template = name_template(name) if name is not None else None
            if name is None or template is None:
                continue
            required = [*genai_required(template), *self._declared_required(template.text)]
            if not required:
                continue
            alias = item.asname.name.value if item.asname and isinstance(item.asname.name, cst.Name) else None
            keys = _literal_keys(keyword_argument(call, "attributes"))
            collector = _SetAttributes(alias)
            node.body.visit(collector)
            if keys is None or collector.unknown:
                continue  # keys that are not literals, or the span handed to a helper: not judged
            missing = [key for key in dict.fromkeys(required) if key not in keys | collector.keys]
            if missing:
                self.report(name, f"span {template.shown!r} never sets {', '.join(missing)}")

    def _declared_required(self, text: str) -> tuple[str, ...]:
        return tuple(
            key
            for declared, keys in self.options.required_attributes
            if declared_name_pattern(declared).fullmatch(text)
            for key in keys
        )


def _literal_keys(attributes: cst.BaseExpression | None) -> set[str] | None:
    """The keys of an ``attributes={...}`` literal (none given: empty); None when any is not a literal."""
    if attributes is None:
        return set()
    if not isinstance(attributes, cst.Dict):
        return None
    keys = set()
    for element in attributes.elements:
        key = literal_string(element.key) if isinstance(element, cst.DictElement) else None
        if key is None:
            return None
        keys.add(key)
    return keys


class _SetAttributes(cst.CSTVisitor):
    """The attribute keys a block sets on the span (``alias`` or the current span); ``unknown``
    when a key is not a literal or the span is passed to a call."""

    def __init__(self, alias: str | None):
        self.alias = alias
        self.keys: set[str] = set()
        self.unknown = False

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        setter = func.attr.value if isinstance(func, cst.Attribute) else ""
        if (
            isinstance(func, cst.Attribute)
            and setter in ("set_attribute", "set_attributes")
            and self._is_span(func.value)
        ):
            first = node.args[0].value if node.args else None
            if setter == "set_attributes":
                found = _literal_keys(first) if first is not None else None
            else:
                key = literal_string(first) if first is not None else None
                found = {key} if key is not None else None
            if found is None:
                self.unknown = True
            else:
                self.keys |= found
            return
        if self.alias is not None and any(
            isinstance(argument.value, cst.Name) and argument.value.value == self.alias for argument in node.args
        ):
            self.unknown = True

    def _is_span(self, receiver: cst.BaseExpression) -> bool:
        if isinstance(receiver, cst.Name):
            return receiver.value == self.alias
        return isinstance(receiver, cst.Call) and (dotted_name(receiver.func) or "").endswith("get_current_span")


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL901/DL902: tracers and meters through aliases, self, decorators, a local name, a module constant.
GATE_CASES = (
    Gate(
        "from opentelemetry import trace as t\n\n\n@t.get_tracer('x').start_as_current_span(f'get {user_id}')\ndef f():\n    pass\n",
        path="src/app/span_alias.py",
    ),
    Gate(
        "import opentelemetry.trace as ot\n\n\nasync def run(tool):\n    async with x, ot.get_tracer('t').start_as_current_span(f'execute_tool {tool.name}', attributes={}) as s:\n        pass\n",
        path="src/app/span_attributes.py",
    ),
    Gate(
        "class A:\n    def run(self, req):\n        name = 'fetch ' + req.url\n        return self._tracer.start_span(name)\n",
        path="src/app/span_self.py",
    ),
    Gate(
        "from opentelemetry.metrics import get_meter\nNAME = 'Requests_Total'\nget_meter('a').create_counter(NAME)\n",
        path="src/app/metric_constant.py",
    ),
)


# Configurations of this family's options that must be refused (tests/test_bad_config.py).
CONFIG_ERRORS = (
    BadConfig(
        '[telemetry]\nspans = "execute_tool"\n',
        "{toml}:2: `telemetry.spans`: expected a list of strings, got a string 'execute_tool'",
    ),
    BadConfig(
        "[telemetry.metrics.requests]\nunit = 5\n",
        '{toml}:2: `telemetry.metrics.requests.unit`: expected a UCUM unit such as "s", "By" or "{{request}}", got an integer 5',
    ),
)
