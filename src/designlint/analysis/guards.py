"""Whether a value passed a guard before a use: the value is a guard call's result, or the
guard was called on the same variable earlier on every path to the use.

"Every path" is judged on the syntax tree, cheaply and conservatively: a guard counts when
it is called in a statement that runs before the use in the same function (an earlier
statement of an enclosing block, or the test of an enclosing ``if``/``while``), and the
variable is not assigned again in between. A guard inside a branch that may be skipped
(one arm of an ``if``, a loop body, a ``try`` whose handler goes on) does not count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import libcst as cst

from designlint.analysis.budget import BASE_STEPS, Budget
from designlint.analysis.names import NameResolver, dotted_name
from designlint.analysis.syntax import child_nodes

GuardTest = Callable[[cst.Call], bool]

_FUNCTIONS = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


class StatementEffects:
    """What each statement does to a target (assigns it, guarded or not; guards it; nothing),
    worked out once per statement and target for one guard test on one file: 400 requests in
    one function re-read every statement before each of them (quadratic, 93 s)."""

    def __init__(self, is_guard: GuardTest, budget: Budget | None = None):
        self.is_guard = is_guard
        self.budget = budget or Budget(BASE_STEPS)
        self._effects: dict[tuple[cst.CSTNode, str], bool | None] = {}

    def of(self, statement: cst.CSTNode, target: str) -> bool | None:
        """True: ``target`` is guarded after ``statement``; False: assigned unguarded; None: untouched."""
        key = (statement, target)
        if key in self._effects:
            return self._effects[key]
        self.budget.spend("the guard analysis")
        if _assigns_in(statement, target):
            effect: bool | None = _is_guarding_assignment(statement, target, self.is_guard)
        else:
            effect = True if _definitely_guards(statement, target, self.is_guard) else None
        self._effects[key] = effect
        return effect


def passed_guard(
    node: cst.CSTNode,
    use: cst.CSTNode,
    ancestors: Sequence[cst.CSTNode],
    names: NameResolver,
    is_guard: GuardTest,
    effects: StatementEffects | None = None,
) -> bool:
    """Whether ``node`` (a value at ``use``, whose enclosing nodes are ``ancestors``) passed a
    guard. ``effects`` (for ``is_guard``) keeps what statements do across calls."""
    node = _unwrap(node)
    if isinstance(node, cst.Call) and is_guard(node):
        return True
    binding = names.binding_of(node)
    if binding is not None and binding.node is not None:
        bound = _unwrap(binding.node)
        if isinstance(bound, cst.Call) and is_guard(bound):
            return True
    target = dotted_name(node)
    return target is not None and guarded_before(target, use, ancestors, effects or StatementEffects(is_guard))


def guarded_before(target: str, use: cst.CSTNode, ancestors: Sequence[cst.CSTNode], effects: StatementEffects) -> bool:
    """Whether a guard is called on ``target`` (``url``, ``self.url``) on every path to ``use``;
    in a nested function that does not bind it, a guard before the ``def`` in the enclosing one
    counts (the closure sees the value that passed)."""
    start = max((i for i, a in enumerate(ancestors) if isinstance(a, _FUNCTIONS)), default=0)
    if _guarded_in(target, [*ancestors[start:], use], effects):
        return True
    nested = ancestors[start] if ancestors else None
    return (
        isinstance(nested, (cst.FunctionDef, cst.Lambda))
        and not _binds(nested, target)
        and guarded_before(target, nested, ancestors[:start], effects)
    )


def _binds(function: cst.FunctionDef | cst.Lambda, target: str) -> bool:
    """Whether ``target``'s name is a parameter of ``function`` or assigned in its body."""
    root = target.partition(".")[0]
    params = function.params
    named = (*params.posonly_params, *params.params, *params.kwonly_params, params.star_arg, params.star_kwarg)
    return any(isinstance(p, cst.Param) and p.name.value == root for p in named) or _assigns_in(function.body, target)


def _guarded_in(target: str, path: list[cst.CSTNode], effects: StatementEffects) -> bool:
    """Whether a guard is called on ``target`` on every path down ``path`` (from a function to the use)."""
    is_guard = effects.is_guard
    guarded = False
    for container, child in pairwise(path):
        if isinstance(container, (cst.If, cst.While)) and child is not container.test:
            guarded = guarded or _calls_guard(container.test, target, is_guard)
        elif isinstance(container, cst.For) and child is container.body and _assigns(container.target, target):
            guarded = False
        for statement in _statements_before(container, child):
            effect = effects.of(statement, target)
            if effect is not None:
                guarded = effect
    return guarded


def _statements_before(container: cst.CSTNode, child: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(container, (cst.Module, cst.IndentedBlock, cst.SimpleStatementLine, cst.SimpleStatementSuite)):
        body = list(container.body)
        return body[: body.index(child)] if child in body else []
    return []


def _definitely_guards(statement: cst.CSTNode, target: str, is_guard: GuardTest) -> bool:
    """The statement calls a guard on ``target`` whenever it runs to completion."""
    if isinstance(statement, cst.SimpleStatementLine):
        return any(_definitely_guards(small, target, is_guard) for small in statement.body)
    if isinstance(statement, cst.BaseSmallStatement):
        return _calls_guard(statement, target, is_guard)
    if isinstance(statement, (cst.If, cst.While)):
        if _calls_guard(statement.test, target, is_guard):
            return True
        if isinstance(statement, cst.If) and statement.orelse is not None:
            other = statement.orelse if isinstance(statement.orelse, cst.If) else statement.orelse.body
            return _block_guards(statement.body, target, is_guard) and (
                _definitely_guards(other, target, is_guard)
                if isinstance(other, cst.If)
                else _block_guards(other, target, is_guard)
            )
        return False
    if isinstance(statement, cst.With):
        return any(_calls_guard(item.item, target, is_guard) for item in statement.items) or _block_guards(
            statement.body, target, is_guard
        )
    if isinstance(statement, cst.Try):
        if statement.finalbody is not None and _block_guards(statement.finalbody.body, target, is_guard):
            return True
        return _block_guards(statement.body, target, is_guard) and all(
            _exits(handler.body) for handler in statement.handlers
        )
    return False


def _block_guards(block: cst.BaseSuite, target: str, is_guard: GuardTest) -> bool:
    return any(
        _definitely_guards(statement, target, is_guard) or _exits_statement(statement) for statement in block.body
    )


def _exits(block: cst.BaseSuite) -> bool:
    return bool(block.body) and _exits_statement(block.body[-1])


def _exits_statement(statement: cst.CSTNode) -> bool:
    """A statement after which the block does not go on (``raise``, ``return``, ``continue``, ``break``)."""
    smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else (statement,)
    return any(isinstance(small, (cst.Raise, cst.Return, cst.Continue, cst.Break)) for small in smalls)


def _calls_guard(node: cst.CSTNode, target: str, is_guard: GuardTest) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, _FUNCTIONS):
            continue
        if (
            isinstance(current, cst.Call)
            and is_guard(current)
            and any(dotted_name(arg.value) == target for arg in current.args)
        ):
            return True
        stack.extend(child_nodes(current))
    return False


def _assigns(expr: cst.CSTNode, target: str) -> bool:
    if isinstance(expr, (cst.Tuple, cst.List)):
        return any(_assigns(element.value, target) for element in expr.elements)
    return dotted_name(expr) == target


def _assigns_in(statement: cst.CSTNode, target: str) -> bool:
    """Whether the statement (anywhere inside it, outside nested functions) assigns ``target``."""
    stack = [statement]
    while stack:
        current = stack.pop()
        if isinstance(current, _FUNCTIONS):
            continue
        if isinstance(current, cst.AssignTarget) and _assigns(current.target, target):
            return True
        if isinstance(current, (cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor)) and _assigns(
            current.target, target
        ):
            return True
        if isinstance(current, (cst.AsName,)) and _assigns(current.name, target):
            return True
        if isinstance(current, cst.NamedExpr) and _assigns(current.target, target):
            return True
        stack.extend(child_nodes(current))
    return False


def _is_guarding_assignment(statement: cst.CSTNode, target: str, is_guard: GuardTest) -> bool:
    """``url = require_allowed(url)``: the new value is the guard's result."""
    smalls = statement.body if isinstance(statement, cst.SimpleStatementLine) else ()
    for small in smalls:
        if isinstance(small, (cst.Assign, cst.AnnAssign)) and small.value is not None:
            value = _unwrap(small.value)
            if isinstance(value, cst.Call) and is_guard(value):
                return True
    return False


def _unwrap(node: cst.CSTNode) -> cst.CSTNode:
    return node.expression if isinstance(node, cst.Await) else node
