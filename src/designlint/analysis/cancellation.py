"""Cancellation in async code: which exception classes carry it, and how a block of statements
can finish (raising, returning, breaking, or falling off its end).

Rule-neutral: asyncio's ``CancelledError`` (``asyncio.exceptions`` since 3.8, no longer an
``Exception``), trio's ``Cancelled``, anyio's class (asked for at run time with
``anyio.get_cancelled_exc_class()``), and ``BaseException``, which catches them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import libcst as cst

from designlint.analysis.names import NameResolver, dotted_name
from designlint.analysis.syntax import descendants

CANCELLATION_CLASSES = frozenset(
    {"asyncio.CancelledError", "asyncio.exceptions.CancelledError", "trio.Cancelled", "anyio.Cancelled"}
)
CANCELLED_CLASS_FUNCTIONS = frozenset({"anyio.get_cancelled_exc_class"})
_BUILTIN_CATCH_ALL = "BaseException"

RAISES, RETURNS, BREAKS, CONTINUES, FALLS_THROUGH = "raise", "return", "break", "continue", "falls through"


def catches_cancellation(expr: cst.BaseExpression | None, names: NameResolver) -> str | None:
    """The class an ``except`` clause's type catches cancellation by (``asyncio.CancelledError``,
    ``BaseException``, ``anyio.get_cancelled_exc_class()``; a bare ``except:`` is None), or None."""
    if isinstance(expr, cst.Tuple):
        return next((found for e in expr.elements if (found := catches_cancellation(e.value, names))), None)
    if isinstance(expr, cst.Call):
        qualname = names.qualify(expr.func)
        return f"{qualname}()" if qualname in CANCELLED_CLASS_FUNCTIONS else None
    if expr is None:
        return None
    qualname = names.qualify(expr)
    if qualname in CANCELLATION_CLASSES:
        return qualname
    if qualname is None and dotted_name(expr) == _BUILTIN_CATCH_ALL and names.lookup(_BUILTIN_CATCH_ALL) is None:
        return _BUILTIN_CATCH_ALL
    return None


def outcomes(body: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> set[str]:
    """How a block can finish: ``RAISES``, ``RETURNS``, ``BREAKS``, ``CONTINUES`` or
    ``FALLS_THROUGH`` (to the statement after it). Calls are assumed to return."""
    finished: set[str] = set()
    for statement in body:
        ways = _statement_outcomes(statement)
        finished |= ways - {FALLS_THROUGH}
        if FALLS_THROUGH not in ways:
            return finished
    return finished | {FALLS_THROUGH}


def _statement_outcomes(statement: cst.CSTNode) -> set[str]:
    if isinstance(statement, cst.SimpleStatementLine):
        return outcomes(statement.body)
    if isinstance(statement, cst.Raise):
        return {RAISES}
    if isinstance(statement, cst.Return):
        return {RETURNS}
    if isinstance(statement, cst.Break):
        return {BREAKS}
    if isinstance(statement, cst.Continue):
        return {CONTINUES}
    if isinstance(statement, cst.If):
        orelse = statement.orelse
        other = (
            {FALLS_THROUGH}
            if orelse is None
            else _statement_outcomes(orelse)
            if isinstance(orelse, cst.If)
            else outcomes(orelse.body.body)
        )
        return outcomes(statement.body.body) | other
    if isinstance(statement, (cst.For, cst.While)):
        ways = outcomes(statement.body.body)
        endless = isinstance(statement, cst.While) and dotted_name(statement.test) == "True"
        leaves = ways - {BREAKS, CONTINUES, FALLS_THROUGH}
        return leaves if endless and BREAKS not in ways else leaves | {FALLS_THROUGH}
    if isinstance(statement, (cst.Try, cst.TryStar)):
        if statement.finalbody is not None:
            final = outcomes(statement.finalbody.body.body)
            if FALLS_THROUGH not in final:
                return final
        ways = outcomes(statement.body.body)
        if statement.orelse is not None and FALLS_THROUGH in ways:
            ways = (ways - {FALLS_THROUGH}) | outcomes(statement.orelse.body.body)
        for handler in statement.handlers:
            ways |= outcomes(handler.body.body)
        return ways
    if isinstance(statement, cst.With):
        return outcomes(statement.body.body)
    if isinstance(statement, cst.Match):
        ways = {FALLS_THROUGH}
        for case in statement.cases:
            ways |= outcomes(case.body.body)
        return ways
    return {FALLS_THROUGH}


def awaited_names(body: cst.CSTNode) -> Iterator[str | None]:
    """What each ``await`` under ``body`` waits for, by dotted name: ``await task`` gives ``task``,
    ``await asyncio.gather(*tasks)`` gives ``tasks``; None for anything else awaited."""
    for node in descendants(body):
        if isinstance(node, cst.Await):
            expr = node.expression
            if isinstance(expr, cst.Call):
                args = [dotted_name(arg.value) for arg in expr.args if arg.keyword is None]
                yield from args or [None]
            else:
                yield dotted_name(expr)


def cancelled_names(function: cst.CSTNode) -> set[str]:
    """The names a function calls ``.cancel()`` on (``task.cancel()``; ``for t in tasks:
    t.cancel()`` gives both ``t`` and ``tasks``)."""
    cancelled: set[str] = set()
    for node in descendants(function):
        if isinstance(node, cst.For):
            target = dotted_name(node.target)
            iterated = dotted_name(node.iter)
            if target and iterated and target in _cancel_receivers(node.body):
                cancelled.add(iterated)
        elif isinstance(node, cst.Call):
            receiver = _cancel_receiver(node)
            if receiver:
                cancelled.add(receiver)
    return cancelled


def _cancel_receivers(body: cst.CSTNode) -> set[str]:
    return {
        receiver for node in descendants(body) if isinstance(node, cst.Call) and (receiver := _cancel_receiver(node))
    }


def _cancel_receiver(call: cst.Call) -> str | None:
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "cancel":
        return dotted_name(func.value)
    return None
