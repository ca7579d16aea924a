"""What an audit event holds, read statically: which calls emit audit events (functions named
like ``emit_audit``, log calls on an ``audit`` logger) and the fields of the event they emit,
from keyword arguments, dict literals, ``extra={...}``, a dict built in the function, a record
(dataclass, pydantic model) constructed there, and what structlog binds beforehand
(``bind_contextvars``, ``logger.bind``). Rule-neutral: a rule decides which fields it needs.

Field names compare without case, ``_`` or ``-``: ``trace_id`` is ``traceId``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import libcst as cst

from designlint.analysis.names import NameResolver, dotted_name, last_name
from designlint.analysis.records import RECORD_CLASSES, RecordInfo, record_in
from designlint.analysis.stage_names import TOOL_CALLS
from designlint.analysis.stages import calls_stage
from designlint.analysis.strings import literal_string
from designlint.analysis.syntax import own_nodes
from designlint.project import LookupFailed, Project

# The design's audit event: who did what, in which trace, run and tool call, with what outcome.
# Zero-config emitters: functions and methods named like these (a leading ``_`` too).
EMITTER_NAME = re.compile(r"_?(?:audit|emit_audit\w*|audit_log\w*|log_audit_event)")
LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg"}
    | {"adebug", "ainfo", "awarning", "aerror", "aexception", "acritical", "alog"}  # structlog's async ones
)
# Keywords of a stdlib log call that are no field of the record.
_LOG_CALL_KEYWORDS = frozenset({"exc_info", "stack_info", "stacklevel", "extra"})
_LOGGER_FACTORIES = frozenset({"logging.getLogger", "structlog.get_logger", "structlog.getLogger"})
_RUNTIME_AUDIT_HOOKS = frozenset({"sys.audit"})  # PEP 578 events: a name and arguments, no audit record
_CONTEXT_BINDERS = frozenset({"bind_contextvars", "bind_threadlocal"})
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_NESTING = 4  # how deep nested dicts and records are read
# What says an event is a tool call's: a field naming the run or the call, or one named ``tool*``;
# the word "tool" in its text (``"tool.executed"``, ``action="execute_tool"``).
_TOOL_CALL_FIELDS = frozenset({"runid", "callid", "toolcallid"})
_TOOL_WORD = re.compile(r"(?<![A-Za-z])[Tt]ools?(?![a-z])")
# Calls that read an event without adding to it; any other call handed the event may fill it.
_MODULE = cst.Module([])  # renders a string node's code
_EVENT_READERS = frozenset({"json.dumps", "str", "repr", "len", "print", "dict", "list", "copy.copy", "copy.deepcopy"})


def field_key(name: str) -> str:
    """``trace_id``, ``traceId`` and ``trace-id`` are one field: ``traceid``."""
    return name.replace("_", "").replace("-", "").lower()


@dataclass(frozen=True)
class EventFields:
    """The fields an event is seen to hold, by ``field_key``, each with its own fields when its
    value is a dict or record read too (else None: not known). ``open``: it may hold fields not
    seen (``**details``, a dict handed to a helper, a base class from elsewhere)."""

    keys: Mapping[str, EventFields | None]
    open: bool = False

    def merged(self, other: EventFields | None) -> EventFields:
        """These fields and ``other``'s (None: unknown ones, so the result is open)."""
        if other is None:
            return EventFields(self.keys, True)
        return EventFields({**self.keys, **other.keys}, self.open or other.open)

    def missing(self, required: Iterable[str]) -> list[str]:
        """The required fields (``result.code``: the ``code`` of the ``result``) the event is
        seen not to hold; a field under one whose value is not known is not judged."""
        return [path for path in required if self._lacks(path.split("."))]

    def _lacks(self, parts: list[str]) -> bool:
        fields: EventFields | None = self
        for index, part in enumerate(parts):
            assert fields is not None
            key = field_key(part)
            if key not in fields.keys:
                return not fields.open
            fields = fields.keys[key]
            if fields is None:
                return False  # the value is not known, nor what it holds
            if index == len(parts) - 1:
                return False
        return False


def is_emitter_name(func: cst.BaseExpression, names: NameResolver) -> bool:
    """Named like an audit emitter, and not CPython's runtime audit hook (``sys.audit``)."""
    return EMITTER_NAME.fullmatch(last_name(func)) is not None and names.qualify(func) not in _RUNTIME_AUDIT_HOOKS


def audit_logger_call(call: cst.Call, names: NameResolver) -> bool:
    """A log call (``info``, ``warning``, structlog's ``ainfo``...) on a logger named ``audit*``
    (``audit_logger``, ``self._audit_log``, ``AUDIT``), one bound from it, or one made by
    ``logging.getLogger("audit...")``."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in LOG_METHODS:
        return False
    return _named_audit(_unbound(func.value), names)


def _unbound(logger: cst.BaseExpression) -> cst.BaseExpression:
    """``audit_log`` for ``audit_log.bind(run_id=...)``."""
    while isinstance(logger, cst.Call) and isinstance(logger.func, cst.Attribute) and logger.func.attr.value == "bind":
        logger = logger.func.value
    return logger


def _named_audit(logger: cst.BaseExpression, names: NameResolver, depth: int = 0) -> bool:
    dotted = dotted_name(logger)
    if dotted is None:
        return False
    words = _WORD.findall(dotted.rpartition(".")[2])
    if words and words[0].lower() == "audit":
        return True
    binding = names.binding_of(logger) if depth < _NESTING else None
    made = binding.node if binding is not None else None
    if isinstance(made, cst.Call) and isinstance(made.func, cst.Attribute) and made.func.attr.value == "bind":
        return _named_audit(_unbound(made), names, depth + 1)
    if isinstance(made, cst.Call) and (names.qualify(made.func) or "") in _LOGGER_FACTORIES and made.args:
        channel = literal_string(made.args[0].value)
        return channel is not None and channel.lower().startswith("audit")
    return False


class EventReader:
    """Reads the event of an emitter call inside ``function`` (None: at module level). Record
    classes are read from this module's stdlib tree (``module_tree``; None when the running
    Python cannot parse it) or, imported, from the project."""

    def __init__(
        self,
        names: NameResolver,
        project: Project | None,
        module_tree: ast.Module | None,
        function: cst.FunctionDef | None,
    ):
        self.names = names
        self.project = project
        self.module_tree = module_tree
        self.function = function
        self._emitting: cst.Call | None = None  # the call whose event is being read

    def emitted(self, call: cst.Call, *, log_call: bool) -> EventFields:
        """The fields ``call`` emits, with what structlog bound before it. A log call's
        positional arguments are its message and format values (a ``json.dumps({...})`` or a
        variable message may carry the event); an emitter function's are the event (a literal
        is its name) or fill parameters not known."""
        self._emitting = call
        event = self.bound(call) if log_call else self._contextvars()
        for index, argument in enumerate(call.args):
            value = argument.value
            if argument.star == "**":
                event = event.merged(self.of_value(value))
            elif argument.star:
                event = event.merged(None)
            elif argument.keyword is not None:
                keyword = argument.keyword.value
                if log_call and keyword == "extra":
                    event = event.merged(self.of_value(value))
                elif not (log_call and keyword in _LOG_CALL_KEYWORDS):
                    event = event.merged(EventFields({field_key(keyword): self.of_value(value)}))
            elif isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
                continue  # an event name or a message: text, no field
            elif log_call and index > 0:
                continue  # a format value of the message
            else:
                event = event.merged(self.of_value(value))
        return event

    def about_tool_call(self, call: cst.Call, event: EventFields) -> bool:
        """Whether the event ``call`` emits is a tool call's: it holds a run or call id or a
        ``tool*`` field, its text names a tool, or its function runs a tool or is named for one
        (``def run_tool``, a ``tool`` parameter). An audit of a login or a directory sync is not."""
        if any(key in _TOOL_CALL_FIELDS or key.startswith("tool") for key in event.keys):
            return True
        texts = (
            a.value
            for a in call.args
            if isinstance(a.value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))
        )
        if any(_TOOL_WORD.search(_MODULE.code_for_node(text)) for text in texts):
            return True
        if self.function is None:
            return False
        qualify = self.names.qualify
        params = self.function.params
        named = [
            self.function.name.value,
            *(p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)),
        ]
        return any(_TOOL_WORD.search(name) for name in named) or any(
            isinstance(node, cst.Call) and calls_stage(TOOL_CALLS, node.func, qualify)
            for node in own_nodes(self.function.body)
        )

    def bound(self, call: cst.Call) -> EventFields:
        """What ``bind_contextvars`` in the function and ``.bind(...)`` on the logger add."""
        event = self._contextvars()
        assert isinstance(call.func, cst.Attribute)
        logger: cst.BaseExpression | None = call.func.value
        for _ in range(_NESTING):
            if isinstance(logger, cst.Name):
                binding = self.names.binding_of(logger)
                logger = binding.node if binding is not None and isinstance(binding.node, cst.Call) else None
            if not (isinstance(logger, cst.Call) and isinstance(logger.func, cst.Attribute)):
                break
            if logger.func.attr.value == "bind":
                event = event.merged(self._keywords(logger))
            logger = logger.func.value
        return event

    def _contextvars(self) -> EventFields:
        event = EventFields({})
        for node in own_nodes(self.function.body) if self.function is not None else ():
            if isinstance(node, cst.Call) and last_name(node.func) in _CONTEXT_BINDERS:
                event = event.merged(self._keywords(node))
        return event

    def _keywords(self, call: cst.Call, record: EventFields | None = None) -> EventFields:
        """The fields a call's keywords give (on top of ``record``'s, a record or dict being
        built: its positional arguments fill those; without one they are not known)."""
        event = record or EventFields({})
        for argument in call.args:
            if argument.keyword is not None:
                known = record.keys.get(field_key(argument.keyword.value)) if record is not None else None
                event = event.merged(
                    EventFields({field_key(argument.keyword.value): self.of_value(argument.value) or known})
                )
            elif argument.star == "**":
                event = event.merged(self.of_value(argument.value))
            elif argument.star or record is None:
                event = event.merged(None)
        return event

    def of_value(self, node: cst.BaseExpression, depth: int = 0) -> EventFields | None:
        """The fields of an event value: a dict literal, ``dict(...)``, a record built by its
        class, ``json.dumps`` of one, or a local holding one (with the keys the function adds to
        it); None when it is none of these."""
        if depth > _NESTING:
            return None
        if isinstance(node, cst.Dict):
            return self._dict(node, depth)
        if isinstance(node, cst.Call):
            callee = self.names.qualify(node.func) or dotted_name(node.func) or ""
            if callee in ("dict", "json.dumps") and not (callee == "dict" and self.names.lookup("dict")):
                first = node.args[0] if node.args and not node.args[0].keyword and not node.args[0].star else None
                base = self.of_value(first.value, depth + 1) if first is not None else EventFields({})
                return self._keywords(node, base) if base is not None and callee == "dict" else base
            record = self._record(node)
            return self._keywords(node, _fields_of(record)) if record is not None else None
        if isinstance(node, cst.Name):
            return self._local(node, depth)
        return None

    def _dict(self, node: cst.Dict, depth: int) -> EventFields:
        event = EventFields({})
        for element in node.elements:
            if not isinstance(element, cst.DictElement):  # ``**other``
                event = event.merged(self.of_value(element.value, depth + 1))
                continue
            key = literal_string(element.key)
            if key is None:
                event = event.merged(None)
            else:
                event = event.merged(EventFields({field_key(key): self.of_value(element.value, depth + 1)}))
        return event

    def _record(self, call: cst.Call) -> RecordInfo | None:
        binding = self.names.binding_of(call.func) if isinstance(call.func, cst.Name) else None
        if binding is not None and isinstance(binding.node, cst.ClassDef) and binding.qualname:
            tree = self.module_tree
            return record_in(tree, binding.node.name.value) if tree is not None else None
        head = dotted_name(call.func)
        head_binding = self.names.lookup(head.split(".")[0]) if head else None
        qualname = self.names.qualify(call.func) if head_binding is not None and head_binding.kind == "import" else None
        if self.project is None or not qualname or "." not in qualname:
            return None
        try:
            return self.project.fact(RECORD_CLASSES, qualname)
        except LookupFailed:
            return None

    def _local(self, name: cst.Name, depth: int) -> EventFields | None:
        """A local built in this function: its value, and the keys added to it after."""
        binding = self.names.binding_of(name)
        if self.function is None or binding is None or not isinstance(binding.node, cst.BaseExpression):
            return None
        event = self.of_value(binding.node, depth + 1)
        if event is None:
            return None
        for node in own_nodes(self.function.body):
            event = self._added(node, name.value, event, depth)
        return event

    def _added(self, node: cst.CSTNode, local: str, event: EventFields, depth: int) -> EventFields:
        """``event["k"] = v``, ``event.k = v``, ``event.update(...)``, ``event |= {...}``; an
        ``event`` handed to another call may get anything."""
        if isinstance(node, cst.Assign):
            for target in node.targets:
                key = _added_key(target.target, local)
                if key is not None:
                    event = event.merged(EventFields({field_key(key): self.of_value(node.value, depth + 1)}))
        elif isinstance(node, cst.AugAssign) and _is_name(node.target, local):
            event = event.merged(self.of_value(node.value, depth + 1))
        elif isinstance(node, cst.Call) and node is not self._emitting:
            func = node.func
            if isinstance(func, cst.Attribute) and _is_name(func.value, local):
                if func.attr.value in ("update", "setdefault"):
                    first = node.args[0] if node.args and node.args[0].keyword is None else None
                    if func.attr.value == "setdefault":
                        key = literal_string(first.value) if first is not None else None
                        return event.merged(EventFields({field_key(key): None}) if key is not None else None)
                    added = self.of_value(first.value, depth + 1) if first is not None else EventFields({})
                    return event.merged(self._keywords(node, added) if added is not None else None)
            elif any(_is_name(a.value, local) for a in node.args if a.keyword is None) and not self._reads(func):
                return event.merged(None)
        return event

    def _reads(self, func: cst.BaseExpression) -> bool:
        """An emitter, a log call or a reader such as ``json.dumps``: handed the event, it adds nothing."""
        callee = self.names.qualify(func) or dotted_name(func) or ""
        return is_emitter_name(func, self.names) or last_name(func) in LOG_METHODS or callee in _EVENT_READERS


def _fields_of(record: RecordInfo) -> EventFields:
    return EventFields(
        {field_key(name): _fields_of(nested) if nested is not None else None for name, nested in record.fields},
        record.open,
    )


def _added_key(target: cst.BaseExpression, local: str) -> str | None:
    if isinstance(target, cst.Subscript) and _is_name(target.value, local) and len(target.slice) == 1:
        index = target.slice[0].slice
        return literal_string(index.value) if isinstance(index, cst.Index) else None
    if isinstance(target, cst.Attribute) and _is_name(target.value, local):
        return target.attr.value
    return None


def _is_name(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name
