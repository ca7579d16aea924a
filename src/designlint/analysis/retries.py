"""Retry scopes and idempotency keys: where code runs again after a failure, and the keys that
let a server recognise a request it has already seen.

Rule-neutral. A retry scope is the code that runs once per attempt:

- a function decorated to be retried: ``tenacity.retry``, ``backoff.on_exception`` /
  ``on_predicate``, ``stamina.retry``, ``retrying.retry`` (with or without arguments, through
  aliases and a decorator kept in a name, ``policy = retry(...)``);
- the body of ``for attempt in Retrying(...)`` (tenacity's ``Retrying``/``AsyncRetrying``,
  stamina's ``retry_context``);
- the body of a hand-written retry loop: a ``for``/``while`` loop holding a ``try`` whose success
  leaves the loop (``return``, ``break``) and one of whose handlers goes round again.

An idempotency key is a name, keyword, dict key or header named like one (``idempotency_key``,
``Idempotency-Key``, ``idempotencyKey``, ``dedupe_key``, ``x-idempotency-key``); it is *made
fresh* when its value comes from a random or clock source (``uuid.uuid4()``, ``secrets.token_hex()``,
``random.*``, ``os.urandom``, ``time.time()``, ``datetime.now()``), directly or through names
assigned in the same scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from designlint.analysis.budget import Budget
from designlint.analysis.cancellation import BREAKS, CONTINUES, FALLS_THROUGH, RETURNS, outcomes
from designlint.analysis.names import NameResolver, last_name
from designlint.analysis.strings import static_value
from designlint.analysis.syntax import own_nodes

RETRY_DECORATORS = frozenset(
    {"tenacity.retry", "backoff.on_exception", "backoff.on_predicate", "stamina.retry", "retrying.retry"}
)
RETRY_ITERATORS = frozenset({"tenacity.Retrying", "tenacity.AsyncRetrying", "stamina.retry_context"})
# The packages both come from: a file importing none of them retries only by hand.
RETRY_PACKAGES = frozenset(name.split(".")[0] for name in (*RETRY_DECORATORS, *RETRY_ITERATORS))

# Sources of a value that differs on every call: exact names, and prefixes of families.
FRESH_SOURCES = frozenset(
    {
        "uuid.uuid1",
        "uuid.uuid4",
        "uuid.uuid7",
        "os.urandom",
        "time.time",
        "time.time_ns",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
    }
)
FRESH_PREFIXES = ("secrets.token_", "random.")
FRESH_MODULES = frozenset({"uuid", "os", "time", "datetime", "secrets", "random"})
# Spellings of a key's name with case, ``-`` and ``_`` removed: ``x-idempotency-key`` ->
# ``xidempotencykey``. A header's *name* (``IDEMPOTENCY_KEY_HEADER``) does not end so.
_KEY_NAME = re.compile(r"(?:idempoten(?:cy|t)|dedup(?:e|lication)?)(?:key|token)$")
_MAX_INDIRECTION = 4  # names assigned from names


def is_key_name(name: str) -> bool:
    return _KEY_NAME.search(re.sub(r"[^a-z0-9]", "", name.lower())) is not None


def fresh_source(qualname: str | None) -> bool:
    """Whether calling ``qualname`` gives a new value each time (a random or clock source)."""
    return qualname is not None and (qualname in FRESH_SOURCES or qualname.startswith(FRESH_PREFIXES))


@dataclass(frozen=True)
class RetryScope:
    """Code that runs once per attempt: ``body``, and how the retry is made (for messages)."""

    body: cst.CSTNode
    how: str  # "`@tenacity.retry` on `charge`", "the retry loop at line 12"


def retry_decorator(function: cst.FunctionDef, names: NameResolver) -> str | None:
    """The retry decorator on ``function`` (``tenacity.retry``), or None."""
    for decorator in function.decorators:
        expr = decorator.decorator
        qualname = names.qualify(expr.func if isinstance(expr, cst.Call) else expr)
        if qualname in RETRY_DECORATORS:
            return qualname
    return None


def retry_iterator(loop: cst.For, names: NameResolver) -> str | None:
    """``for attempt in Retrying(...)`` (or a retrying object kept in a name): its class, or None."""
    iterated = loop.iter
    qualname = names.qualify(iterated.func if isinstance(iterated, cst.Call) else iterated)
    return qualname if qualname in RETRY_ITERATORS else None


def is_retry_loop(loop: cst.For | cst.While) -> bool:
    """A loop that tries again: a ``try`` directly in its body whose success leaves the loop
    (``return`` or ``break``, in the ``try`` or its ``else``) and a handler of which goes round
    again (``continue``, or falling through to the next iteration). A loop handling each item
    of a batch in turn does not leave on success, and is no retry."""
    for statement in loop.body.body:
        if not isinstance(statement, cst.Try):
            continue
        succeeded = outcomes(statement.body.body)
        if statement.orelse is not None and FALLS_THROUGH in succeeded:
            succeeded |= outcomes(statement.orelse.body.body)
        if not succeeded & {RETURNS, BREAKS}:
            continue
        if any(outcomes(handler.body.body) & {FALLS_THROUGH, CONTINUES} for handler in statement.handlers):
            return True
    return False


@dataclass(frozen=True)
class FreshKey:
    """An idempotency key made fresh: ``where`` it is given (the value of the name, keyword or
    dict entry), ``key`` its name as written, ``source`` the call that makes it new each time."""

    where: cst.BaseExpression
    key: str
    source: cst.Call
    source_name: str


def fresh_keys(scope: cst.CSTNode, names: NameResolver, budget: Budget) -> Iterator[FreshKey]:
    """The idempotency keys under ``scope`` (not its nested functions) made fresh there, in
    source order. Names are followed only through assignments under ``scope``: a key made
    before it and passed in is not fresh here."""
    assigned: dict[str, list[cst.BaseExpression]] = {}
    sites: list[tuple[str, cst.BaseExpression]] = []
    for node in own_nodes(scope):
        budget.spend("the idempotency-key analysis")  # nested retry loops each read their body
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
            targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            for target in targets:
                if isinstance(target, cst.Name):
                    assigned.setdefault(target.value, []).append(node.value)
                key = _target_key(target, names)
                if key is not None:
                    sites.append((key, node.value))
        elif isinstance(node, cst.Arg) and node.keyword is not None and is_key_name(node.keyword.value):
            sites.append((node.keyword.value, node.value))
        elif isinstance(node, cst.DictElement):
            key = static_value(node.key, names).value
            if key is not None and is_key_name(key):
                sites.append((key, node.value))
    for key, value in sites:
        found = _fresh_call(value, assigned, names, 0)
        if found is not None:
            yield FreshKey(value, key, *found)


def _target_key(target: cst.BaseExpression, names: NameResolver) -> str | None:
    """The key an assignment target names: ``idempotency_key``, ``self.dedupe_key``,
    ``headers["Idempotency-Key"]``."""
    if isinstance(target, (cst.Name, cst.Attribute)):
        name = last_name(target)
        return name if is_key_name(name) else None
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index):
            key = static_value(index.value, names).value
            return key if key is not None and is_key_name(key) else None
    return None


def _fresh_call(
    value: cst.BaseExpression, assigned: dict[str, list[cst.BaseExpression]], names: NameResolver, depth: int
) -> tuple[cst.Call, str] | None:
    """The fresh source ``value`` spells out: followed through what keeps a value's freshness
    (names assigned in the scope, f-strings, ``str()``, ``.hex``, ``[:8]``, ``+``, hashing), not
    through what turns it into something stable (``now // interval``, a cron's fire time at
    ``now``, any other function)."""
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Call):
            qualname = names.qualify(node.func)
            if fresh_source(qualname):
                return node, qualname or ""
            if _keeps_freshness(node, qualname):
                pending.extend(arg.value for arg in node.args)
                if isinstance(node.func, cst.Attribute):
                    pending.append(node.func.value)
        elif isinstance(node, cst.Name):
            if depth < _MAX_INDIRECTION:
                for earlier in assigned.get(node.value, ()):
                    if earlier is not value:
                        found = _fresh_call(earlier, assigned, names, depth + 1)
                        if found is not None:
                            return found
        elif isinstance(node, cst.FormattedString):
            pending.extend(part.expression for part in node.parts if isinstance(part, cst.FormattedStringExpression))
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _FRESH_OPERATORS):
            pending.extend((node.left, node.right))
        elif isinstance(node, (cst.Attribute, cst.Subscript)):
            pending.append(node.value)
        elif isinstance(node, cst.ConcatenatedString):
            pending.extend((node.left, node.right))
    return None


# Operators whose result changes whenever an operand does (``//`` buckets a clock into stable windows).
_FRESH_OPERATORS = (cst.Add, cst.Modulo, cst.Multiply)
# Calls whose result is as fresh as their arguments or receiver: conversions, formatting, hashing.
_KEEPING_FUNCTIONS = frozenset({"str", "repr", "int", "format", "bytes", "hex"})
_KEEPING_METHODS = frozenset(
    {"hex", "hexdigest", "digest", "isoformat", "timestamp", "strftime", "format", "encode", "decode", "join"}
    | {"replace", "lower", "upper"}
)


def _keeps_freshness(call: cst.Call, qualname: str | None) -> bool:
    if isinstance(call.func, cst.Name):
        return call.func.value in _KEEPING_FUNCTIONS
    if qualname is not None and qualname.startswith("hashlib."):
        return True
    return isinstance(call.func, cst.Attribute) and call.func.attr.value in _KEEPING_METHODS
