"""OpenTelemetry knowledge the observability rules share: which calls start spans and create
metrics, the naming conventions of metric names and units, and which interpolated values make a
span name high-cardinality. Read from the OpenTelemetry specification's naming guidelines and
the Semantic Conventions v1.41.0 (metric naming; the GenAI spans and metrics); rule-neutral."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from designlint.analysis.names import NameResolver, dotted_name
from designlint.analysis.strings import literal_string

SPAN_STARTERS = frozenset({"start_as_current_span", "start_span"})
METRIC_CREATORS = frozenset(
    {
        "create_counter",
        "create_up_down_counter",
        "create_histogram",
        "create_gauge",
        "create_observable_counter",
        "create_observable_up_down_counter",
        "create_observable_gauge",
    }
)
# Prometheus' own instruments: their names follow Prometheus conventions (``_total``, units in
# the name), so only a declared metric table applies to them.
PROMETHEUS_METRICS = frozenset(
    f"prometheus_client.{kind}" for kind in ("Counter", "Gauge", "Histogram", "Summary", "Info", "Enum")
)

# The last word of an interpolated value that names one thing of many: an id, an address, a
# user, a moment, free text. ``{tool.name}``, ``{model}``, ``{operation}`` are the conventions.
HIGH_CARDINALITY_WORDS = frozenset(
    {
        "id", "ids", "uuid", "guid", "url", "uri", "urls", "path", "email", "user", "username",
        "timestamp", "ts", "time", "now", "datetime", "date", "uuid4", "uuid1", "token", "session",
        "ip", "query", "prompt", "filename",
    }
)  # fmt: skip
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")

_UNIT_SUFFIX = re.compile(r"[._](seconds|secs|ms|millis|milliseconds|us|microseconds|ns|nanoseconds|bytes)\Z")


def is_tracer(receiver: cst.CSTNode, names: NameResolver) -> bool:
    """An OpenTelemetry tracer: made by ``trace.get_tracer`` (through imports and aliases, kept
    or called in place) or a name, attribute or parameter called ``tracer``."""
    return _from_opentelemetry(receiver, names) or _named(receiver, "tracer")


def is_meter(receiver: cst.CSTNode, names: NameResolver) -> bool:
    return _from_opentelemetry(receiver, names) or _named(receiver, "meter")


def _from_opentelemetry(receiver: cst.CSTNode, names: NameResolver) -> bool:
    made = receiver.func if isinstance(receiver, cst.Call) else receiver
    return (names.qualify(made) or "").startswith("opentelemetry.")


def _named(receiver: cst.CSTNode, word: str) -> bool:
    """``tracer``, ``self._tracer``, ``otelTracer``: a word of the last name is ``word`` (not ``parameter``)."""
    dotted = dotted_name(receiver)
    return dotted is not None and word in (part.lower() for part in _WORD.findall(dotted.rpartition(".")[2]))


def name_argument(call: cst.Call) -> cst.BaseExpression | None:
    """A span's or instrument's name: the first positional argument or ``name=``."""
    for argument in call.args:
        if argument.keyword is None and argument.star == "":
            return argument.value
        if argument.keyword is not None and argument.keyword.value == "name":
            return argument.value
    return None


def keyword_argument(call: cst.Call, keyword: str) -> cst.BaseExpression | None:
    for argument in call.args:
        if argument.keyword is not None and argument.keyword.value == keyword:
            return argument.value
    return None


def interpolated(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """The values interpolated into a string: f-string parts, ``+`` operands that are not
    literals, ``%`` and ``.format`` arguments."""
    if isinstance(node, cst.FormattedString):
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                yield part.expression
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        if isinstance(node.operator, cst.Add):
            for side in (node.left, node.right):
                if literal_string(side) is None:
                    yield from interpolated(side) if _is_string_expression(side) else (side,)
        elif literal_string(node.left) is not None:
            right = node.right
            yield from (e.value for e in right.elements) if isinstance(right, cst.Tuple) else (right,)
    elif (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
        and literal_string(node.func.value) is not None
    ):
        yield from (argument.value for argument in node.args)


def _is_string_expression(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.FormattedString, cst.BinaryOperation))


def high_cardinality_word(value: cst.BaseExpression) -> str | None:
    """The word that makes an interpolated value high-cardinality (``user_id`` -> "id",
    ``request.url.path`` -> "path", ``uuid.uuid4()`` -> "uuid4"), else None."""
    while True:
        if isinstance(value, cst.Call):
            if isinstance(value.func, cst.Name) and value.func.value in ("str", "repr") and value.args:
                value = value.args[0].value
                continue
            value = value.func
            continue
        if isinstance(value, cst.Subscript):
            key = value.slice[0].slice if len(value.slice) == 1 else None
            text = literal_string(key.value) if isinstance(key, cst.Index) else None
            return _last_word(text) if text is not None else None
        if isinstance(value, cst.Attribute):
            return _last_word(value.attr.value)
        if isinstance(value, cst.Name):
            return _last_word(value.value)
        return None


def _last_word(identifier: str) -> str | None:
    words = _WORD.findall(identifier)
    word = words[-1].lower() if words else ""
    return word if word in HIGH_CARDINALITY_WORDS else None


@dataclass(frozen=True)
class NameTemplate:
    """A name as far as it is known statically: literal text with holes for the parts that are
    not (``f"execute_tool {tool.name}"`` -> ``"execute_tool \\x00"``)."""

    text: str

    HOLE = "\x00"

    @property
    def dynamic(self) -> bool:
        return self.HOLE in self.text

    @property
    def shown(self) -> str:
        return self.text.replace(self.HOLE, "{...}")


def name_template(node: cst.BaseExpression) -> NameTemplate | None:
    """The template of a string literal or f-string; None for anything else."""
    literal = literal_string(node)
    if literal is not None:
        return NameTemplate(literal)
    if isinstance(node, cst.FormattedString):
        text = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text += part.value
            else:
                text += NameTemplate.HOLE
        return NameTemplate(text)
    return None


def declared_name_pattern(declared: str) -> re.Pattern[str]:
    """A declared span name (``execute_tool {tool}``): each ``{...}`` part stands for any value."""
    pattern = ""
    for index, part in enumerate(re.split(r"\{[^{}]*\}", declared)):
        pattern += (".+" if index else "") + re.escape(part)
    return re.compile(pattern, re.DOTALL)


def metric_name_problems(name: str) -> list[str]:
    """What breaks OpenTelemetry's metric naming guidelines in ``name``."""
    problems = []
    if name != name.lower():
        problems.append("upper case (names are lowercase)")
    if name.lower().endswith("_total") or name.lower().endswith(".total"):
        problems.append("'_total' (the instrument kind says it is a counter)")
    unit = _UNIT_SUFFIX.search(name.lower())
    if unit:
        problems.append(f"the unit in the name ('{unit.group(1)}': give it as unit=)")
    if "." not in name:
        problems.append("no namespace (dot-separated, such as 'app.tool.duration')")
    return problems


# The attributes the GenAI semantic conventions (v1.41.0) require on their spans, by the
# operation that starts the span name.
GENAI_REQUIRED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "execute_tool": ("gen_ai.operation.name", "gen_ai.tool.name"),
    "chat": ("gen_ai.operation.name", "gen_ai.provider.name"),
    "invoke_agent": ("gen_ai.operation.name", "gen_ai.provider.name"),
}


def genai_required(template: NameTemplate) -> tuple[str, ...]:
    """The attributes the GenAI conventions require on a span of this name (``execute_tool {...}``)."""
    operation, space, _ = template.text.partition(" ")
    return GENAI_REQUIRED_ATTRIBUTES.get(operation, ()) if space else ()
