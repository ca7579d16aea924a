"""The single walk of a file's tree for all its rules: each rule's hooks called in source order,
the name analysis kept in step, the ancestors of the node being visited kept for the rules.

The hot path of a lint. As with LibCST's visitors, a ``visit_*`` that returns ``False`` spares
that rule the node's children (the other rules still see them) and its ``leave_*`` for the node
is still called. A rule that raises gets a DL002 and is not called again on that file.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from designlint.analysis.budget import Budget, GaveUp
from designlint.analysis.syntax import children_kept, syntax_fields
from designlint.hooks import SKIPPED_TYPES, hooks_of
from designlint.results import parse_error, rule_label

if TYPE_CHECKING:
    from designlint.context import FileContext
    from designlint.results import FileResult
    from designlint.rules.base import Rule

# The nodes the name analysis is told about: scopes it enters and leaves, statements that bind.
SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
BINDINGS = (cst.Assign, cst.AnnAssign, cst.WithItem, cst.Import, cst.ImportFrom, cst.For)


@dataclass(frozen=True)
class _NodeKind:
    """What the walk needs to know about a node type, worked out once per type: every
    ``isinstance`` against LibCST's classes goes through ``ABCMeta``, which is slow."""

    name: str
    fields: tuple[str, ...]  # the fields that can hold child nodes
    walked: bool  # a node the walk visits (not white space, comments, punctuation)
    scope: bool
    binding: bool


_KINDS: dict[type, _NodeKind] = {}


def _kind(cls: type) -> _NodeKind:
    kind = _KINDS.get(cls)
    if kind is None:
        is_node = issubclass(cls, cst.CSTNode)
        fields = syntax_fields(cls) if is_node else ()
        kind = _KINDS[cls] = _NodeKind(
            cls.__name__,
            fields,
            is_node and cls not in SKIPPED_TYPES,
            issubclass(cls, SCOPES),
            issubclass(cls, BINDINGS),
        )
    return kind


class _Wanted(dict):
    """For one walk, whether a node of a type is walked: one look-up a child. A node that
    never has children (a name, a string, an operator) is left out unless a rule hooks its
    type: it is nearly half the tree, and nothing else looks at it during the walk."""

    def __init__(self, hooked: Container[str]):
        super().__init__()
        self.hooked = hooked

    def __missing__(self, cls: type) -> bool:
        kind = _kind(cls)
        wanted = self[cls] = kind.walked and (bool(kind.fields) or kind.name in self.hooked)
        return wanted


class _Dispatch(dict):
    """For one walk, what a node of a type asks of it: (the rules' visit hooks, their leave
    hooks, whether it is a scope, whether it binds names), worked out once per type."""

    def __init__(self, visits: dict[str, list], leaves: dict[str, list]):
        super().__init__()
        self.visits, self.leaves = visits, leaves

    def __missing__(self, cls: type) -> tuple[list | None, list | None, bool, bool]:
        kind = _kind(cls)
        entry = self[cls] = (self.visits.get(kind.name), self.leaves.get(kind.name), kind.scope, kind.binding)
        return entry


def _children(node: cst.CSTNode, wanted: _Wanted) -> list[cst.CSTNode]:
    """The walked nodes directly under ``node``, in source order (``syntax_fields``)."""
    return children_kept(node, (_KINDS.get(type(node)) or _kind(type(node))).fields, wanted)


def walk(module: cst.Module, rules: list[Rule], context: FileContext, result: FileResult) -> None:
    """Set each rule up for the file (``setup``) and walk ``module`` once for all of them.
    A bug in a rule or in the name analysis is a DL002 in ``result``; the walk goes on."""
    visits: dict[str, list[tuple[Rule, Callable]]] = {}
    leaves: dict[str, list[tuple[Rule, Callable]]] = {}
    failed: set[Rule] = set()
    # The rules not called at this point of the walk: the failed ones, and those whose visit of
    # an enclosing node returned False. One set, so that a callback costs one look-up.
    silenced: set[Rule] = set()
    for rule in rules:
        rule.context = context
        rule.analysis_budget = Budget.for_text(context.text)
        try:
            rule.setup()
        except RecursionError:
            raise
        except GaveUp as exc:
            failed.add(rule)
            _gave_up(rule, exc, context, [], result)
            continue
        except Exception as exc:
            failed.add(rule)
            result.internal_error(rule_label(rule.code, rule.name), exc)
            continue
        for hook, node_type in hooks_of(type(rule)):
            (visits if hook == "visit" else leaves).setdefault(node_type, []).append(
                (rule, getattr(rule, f"{hook}_{node_type}"))
            )

    analysis_failed = False

    def track_names(hook: Callable, node: cst.CSTNode) -> None:
        """A bug in the name analysis: DL002 once for the file, whose walk goes on (the
        binding is lost; ``enter_scope`` has entered the scope even when it fails)."""
        nonlocal analysis_failed
        try:
            hook(node)
        except RecursionError:
            raise
        except Exception as exc:
            if not analysis_failed:
                analysis_failed = True
                result.internal_error("the name analysis (designlint.analysis.names)", exc)

    def call(callbacks: list[tuple[Rule, Callable]], node: cst.CSTNode) -> list[Rule] | None:
        """Call each rule's hook; returns the rules whose hook returned False, if any."""
        pruning: list[Rule] | None = None
        for rule, callback in callbacks:
            if rule in silenced:
                continue
            try:
                if callback(node) is False:
                    pruning = [*(pruning or ()), rule]
            except (RecursionError, GaveUp) as exc:  # the input's depth or shape: this rule stops, the others go on
                failed.add(rule)
                silenced.add(rule)
                why = exc if isinstance(exc, GaveUp) else GaveUp("the code is nested too deeply for it")
                _gave_up(rule, why, context, [*context.ancestors, node], result)
            except Exception as exc:  # a bug in a rule must not stop the other rules
                failed.add(rule)
                silenced.add(rule)
                result.internal_error(rule_label(rule.code, rule.name), exc)
        return pruning

    names = context.names
    ancestors = context.ancestors
    wanted = _Wanted(visits.keys() | leaves.keys())
    dispatch = _Dispatch(visits, leaves)
    # An explicit stack, not recursion: deeply nested code must not overflow ours. A node is
    # pushed as itself to be visited, and as a tuple to be left: (node,), or (node, rules) when
    # those rules' visit pruned it, to be called again from its leave on.
    stack: list = [module]
    while stack:
        entry = stack.pop()
        if type(entry) is tuple:
            node = entry[0]
            _, leave_hooks, scope, _ = dispatch[type(node)]
            ancestors.pop()
            if len(entry) == 2:
                silenced.difference_update(rule for rule in entry[1] if rule not in failed)
        else:
            node = entry
            visit_hooks, leave_hooks, scope, binding = dispatch[type(node)]
            if binding:
                track_names(names.record, node)
            pruning = call(visit_hooks, node) if visit_hooks else None
            if scope:
                track_names(names.enter_scope, node)
            children = _children(node, wanted)
            if children:
                ancestors.append(node)
                if pruning:
                    silenced.update(pruning)
                    stack.append((node, pruning))
                else:
                    stack.append((node,))
                children.reverse()
                stack.extend(children)
                continue
            # A leaf is left at once, with no stack entry of its own: nothing can look at
            # the ancestors between its visit and its leave.
        if scope:
            names.leave_scope()
        if leave_hooks:
            call(leave_hooks, node)


def _gave_up(rule: Rule, exc: GaveUp, context: FileContext, chain: list[cst.CSTNode], result: FileResult) -> None:
    """An analysis of the rule gave up on this file: DL001 at the statement it was looking at
    (placed by the stdlib's lines: the statement may be too deep for LibCST to generate)."""
    row = context.positions.statement_line(chain)
    label = rule_label(rule.code, rule.name)
    message = f"cannot analyse: {label} stopped on this file at the statement at line {row}: {exc}"
    result.diagnostics.append(parse_error(result.path, message, row))
