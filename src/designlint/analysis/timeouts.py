"""How long a timeout expression lets a call wait, read statically.

Rule-neutral: the timeout objects of the HTTP libraries (``httpx.Timeout``,
``aiohttp.ClientTimeout``, ``urllib3.Timeout``, a ``requests`` ``(connect, read)`` tuple), the
standard library's and anyio's deadlines (``asyncio.wait_for``, ``asyncio.timeout``,
``anyio.fail_after``) and the constants a timeout is often kept in. A wait is in seconds;
``math.inf`` stands for "waits forever"; None for a value that cannot be read statically.
Sources: httpx 0.28 (``_config.Timeout``), aiohttp 3.14 (``client.ClientTimeout``: every
field defaults to None), urllib3 2.8 (``util/timeout.Timeout``), CPython 3.12 (``asyncio.tasks``,
``asyncio.timeouts``), anyio 4 (``fail_after``, ``move_on_after``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import libcst as cst

from designlint.analysis.clients import Argument, canonical
from designlint.analysis.names import NameResolver

FOREVER = math.inf


@dataclass(frozen=True)
class TimeoutClass:
    """A class whose instances are a timeout: the arguments that bound the whole wait (any
    one of them None: that part waits forever), and whether none given means forever."""

    bounds: tuple[Argument, ...]
    empty_is_forever: bool  # made with none of its arguments: no timeout at all
    # Arguments that bound only a phase (a read, a connect): given without ``bounds``, the
    # wait is bounded in some way this analysis does not total up.
    phases: tuple[str, ...] = ()


TIMEOUT_CLASSES: dict[str, TimeoutClass] = {
    # httpx.Timeout(timeout, *, connect, read, write, pool): the first is the default of the others.
    "httpx.Timeout": TimeoutClass(
        (Argument(0, "timeout"), *(Argument(keyword=k) for k in ("connect", "read", "write", "pool"))), False
    ),
    "aiohttp.ClientTimeout": TimeoutClass(
        (Argument(0, "total"),), True, ("connect", "sock_read", "sock_connect", "ceil_threshold")
    ),
    "aiohttp.client.ClientTimeout": TimeoutClass(
        (Argument(0, "total"),), True, ("connect", "sock_read", "sock_connect", "ceil_threshold")
    ),
    # urllib3.Timeout(total=None, connect=<default>, read=<default>): its default is the socket's.
    "urllib3.Timeout": TimeoutClass((Argument(0, "total"),), True, ("connect", "read")),
    "urllib3.util.Timeout": TimeoutClass((Argument(0, "total"),), True, ("connect", "read")),
}


@dataclass(frozen=True)
class Deadline:
    """A function that bounds how long the code inside it (or the awaitable it is given) runs."""

    timeout: Argument
    required: bool  # True: a call without the argument is an error, not a wait


DEADLINES: dict[str, Deadline] = {
    "asyncio.wait_for": Deadline(Argument(1, "timeout"), required=True),
    "asyncio.timeout": Deadline(Argument(0, "delay"), required=True),
    "asyncio.tasks.wait_for": Deadline(Argument(1, "timeout"), required=True),
    "anyio.fail_after": Deadline(Argument(0, "delay"), required=True),
    "anyio.move_on_after": Deadline(Argument(0, "delay"), required=True),
}

_CONVERSIONS = frozenset({"float", "int"})
_MAX_INDIRECTION = 4  # constants naming constants


def wait_of(expr: cst.BaseExpression, names: NameResolver, unit: float = 1.0, depth: int = 0) -> float | None:
    """How long ``expr``, given as a timeout in ``unit`` seconds, lets a call wait: seconds,
    ``FOREVER``, or None when it cannot be read (a parameter, a setting, a call)."""
    if depth > _MAX_INDIRECTION:
        return None
    if isinstance(expr, cst.Name) and expr.value == "None":
        return FOREVER
    if isinstance(expr, (cst.Integer, cst.Float)):
        return float(expr.evaluated_value) * unit
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Multiply):
        left, right = wait_of(expr.left, names, 1.0, depth + 1), wait_of(expr.right, names, 1.0, depth + 1)
        if left is None or right is None or FOREVER in (left, right):
            return None
        return left * right * unit
    if isinstance(expr, cst.Tuple):  # requests: (connect, read)
        waits = [wait_of(element.value, names, unit, depth + 1) for element in expr.elements]
        if FOREVER in waits:
            return FOREVER
        return None if not waits or None in waits else max(w for w in waits if w is not None)
    if isinstance(expr, (cst.Name, cst.Attribute)):
        binding = names.binding_of(expr)
        value = binding.node if binding is not None and binding.kind == "value" else None
        if isinstance(value, cst.BaseExpression) and value is not expr:
            return wait_of(value, names, unit, depth + 1)
        return None
    if isinstance(expr, cst.Call):
        return _wait_of_call(expr, names, unit, depth)
    return None


def _wait_of_call(call: cst.Call, names: NameResolver, unit: float, depth: int) -> float | None:
    if isinstance(call.func, cst.Name) and call.func.value in _CONVERSIONS and len(call.args) == 1:
        return wait_of(call.args[0].value, names, unit, depth + 1)
    timeout_class = TIMEOUT_CLASSES.get(canonical(names.qualify(call.func) or ""))
    if timeout_class is None or any(arg.star for arg in call.args):
        return None
    given = [value for bound in timeout_class.bounds if (value := bound.of(call)) is not None]
    if not given:
        if any(arg.keyword is not None and arg.keyword.value in timeout_class.phases for arg in call.args):
            return None
        return FOREVER if timeout_class.empty_is_forever else None
    # Timeout objects are in seconds whatever unit the argument they are passed to takes.
    waits = [wait_of(value, names, 1.0, depth + 1) for value in given]
    if FOREVER in waits:
        # ``ClientTimeout(total=None, sock_read=60)``: each read is bounded, as streaming needs.
        phased = any(arg.keyword is not None and arg.keyword.value in timeout_class.phases for arg in call.args)
        return None if phased else FOREVER
    return None if None in waits else max(w for w in waits if w is not None)
