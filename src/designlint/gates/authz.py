"""The gates of the authorization rules (``designlint.rules.authz``).

DL101 and DL102 report a scope check OR'ed with a role check (or a superuser flag), or reached
only past one. Both checks of a finding are read in one function, nested ones included (its
``if`` tests, the guards before them, its local variables, its later statements, its
parameters), or in the code outside every function (where no name is looked up). So a file can
hold a finding only where one outermost function, or the code outside them, holds an
expression that makes a scope check and one that makes a check of the rule's kind, as
``authz_checks.classify`` reads them: a yes/no name, a check function's name, a comparison of
a scope's or a role's identifiers (``authz_names``). That is read here off the stdlib's tree,
erring towards "could": a comparison counts by any identifier in its sides.
"""

from __future__ import annotations

import ast
import bisect
import re
from typing import TYPE_CHECKING, ClassVar, cast

from designlint.analysis.authz_names import (
    DECISION_WORDS,
    DENIAL_WORDS,
    ID_TOKENS,
    OWNER_TOKENS,
    PRINCIPAL_TOKENS,
    Check,
    Kind,
    Vocabulary,
    callee_check,
    chat_roles_only,
    flag_check,
    is_identity,
    tokens,
)
from designlint.analysis.module_facts import stdlib_last_name
from designlint.gates import AllOf, AnyOf, Gate, Spelt
from designlint.tables.authz import AuthzOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from designlint.context import FileFacts

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPARISONS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Is, ast.IsNot)
_NAMING = (
    ast.alias,
    ast.ExceptHandler,
    ast.Global,
    ast.Nonlocal,
    ast.MatchAs,
    ast.MatchStar,
    ast.MatchMapping,
    ast.MatchClass,
)
_Naming = ast.alias | ast.excepthandler | ast.stmt | ast.pattern  # what _NAMING finds: each has a line
_SCOPE = frozenset({Kind.SCOPE})
_EITHER_BYPASS = frozenset({Kind.ROLE, Kind.SUPERUSER})
_OWNERS_AND_PRINCIPALS = OWNER_TOKENS + PRINCIPAL_TOKENS


class _ChecksGate(Gate):
    """The gates of DL101 and DL102: a scope check and a check of ``kind`` in one function."""

    kind: ClassVar[Kind]

    def __init__(self, config):
        super().__init__(config)
        options = config.options(AuthzOptions)
        self.vocabulary = Vocabulary.extended(options.tenant_names, options.role_names, options.superuser_names)
        # The words of both checks somewhere in the text, in any case, as identifiers or strings
        # spell them (``getattr(user, "is_\x73uperuser")``, ``user.role == "ad" "min"``).
        scope, bypass = (
            Spelt(
                AnyOf(self.vocabulary.pattern(kind).lower(), *self.vocabulary.spaced_patterns(kind)), ignore_case=True
            )
            for kind in (Kind.SCOPE, self.kind)
        )
        self.prefilter = AllOf(scope, bypass)

    def could_fire(self, file: FileFacts) -> bool:
        if file.tree is None:
            return True
        wanted = {Kind.SCOPE, self.kind}
        return any(wanted <= kinds for kinds in _checks_by_function(file, self.vocabulary))


class AuthzOrGate(_ChecksGate):
    codes = ("DL101",)
    kind = Kind.ROLE


class SuperuserBypassGate(_ChecksGate):
    codes = ("DL102",)
    kind = Kind.SUPERUSER


class DenyWithoutReasonGate(Gate):
    """Silent unless ``authz.deny-reasons`` names the enum; then, where the text names a denial
    and the tree raises, or returns a decision given ``allowed=False``."""

    codes = ("DL103",)
    prefilter: re.Pattern[str] | AnyOf | None = AnyOf()  # no enum configured: no file to look at

    def __init__(self, config):
        super().__init__(config)
        self.enum_name = config.options(AuthzOptions).deny_reasons
        if self.enum_name is not None:
            self.prefilter = AnyOf(DENIAL_WORDS, AllOf(*DECISION_WORDS))

    def could_fire(self, file: FileFacts) -> bool:
        if self.enum_name is None:
            return False
        if file.tree is None:
            return True
        return any(node.exc is not None for node in file.nodes_of(ast.Raise)) or any(
            _returns_a_denial(node) for node in file.nodes_of(ast.Return)
        )


def _returns_a_denial(node: ast.Return) -> bool:
    value = node.value.value if isinstance(node.value, ast.Await) else node.value
    return isinstance(value, ast.Call) and any(
        keyword.arg in ("allowed", "allow") and isinstance(keyword.value, ast.Constant) and keyword.value.value is False
        for keyword in value.keywords
    )


# -- the checks each function may make -------------------------------------------------

_last_answer: tuple[ast.Module | None, Vocabulary | None, list[set[Kind]]] = (None, None, [])


def _checks_by_function(file: FileFacts, vocabulary: Vocabulary) -> list[set[Kind]]:
    """The kinds of check each outermost function may make, and (last) the code outside them;
    the last answer kept: DL101's gate and DL102's ask in turn."""
    global _last_answer
    tree, last_vocabulary, answer = _last_answer
    if tree is not file.tree or last_vocabulary != vocabulary:
        answer = _work_out(file, vocabulary)
        _last_answer = (file.tree, vocabulary, answer)
    return answer


def _work_out(file: FileFacts, vocabulary: Vocabulary) -> list[set[Kind]]:
    starts: list[int] = []
    ends: list[int] = []
    for start, end in sorted((f.lineno, f.end_lineno or f.lineno) for f in file.nodes_of(*_FUNCTIONS)):
        if not ends or start > ends[-1]:  # not nested in the function before
            starts.append(start)
            ends.append(end)
    # A function's lines hold nothing of the code outside it but its decorators, which are
    # expressions of their own (a finding in one reads only it): by line, each node's function.
    kinds: list[set[Kind]] = [set() for _ in range(len(starts) + 1)]

    def add(line: int, found: frozenset[Kind]) -> None:
        index = bisect.bisect_right(starts, line) - 1
        kinds[index if index >= 0 and line <= ends[index] else -1].update(found)

    # Names first, the most frequent nodes: each name once (they recur), mostly no flag at all.
    named = [(node.lineno, node.id) for node in file.nodes_of(ast.Name)]
    named += [(node.lineno, node.attr) for node in file.nodes_of(ast.Attribute)]
    named += [
        (node.lineno, name) for node in cast("Iterator[_Naming]", file.nodes_of(*_NAMING)) for name in _names_of(node)
    ]
    flags: dict[str, frozenset[Kind]] = {}
    for line, name in named:
        found = flags.get(name)
        if found is None:
            found = flags[name] = _check_kinds(flag_check(name, vocabulary))
        if found:
            add(line, found)
    for call in file.nodes_of(ast.Call):
        if found := _call_kinds(call, vocabulary):
            add(call.lineno, found)
    for comparison in file.nodes_of(ast.Compare):
        if found := _comparison_kinds(comparison, vocabulary):
            add(comparison.lineno, found)
    for parameter in file.nodes_of(ast.arg):  # a function taking a tenant (DL102)
        if Kind.SCOPE in vocabulary.subject_kinds(tokens(parameter.arg)):
            add(parameter.lineno, _SCOPE)
    return kinds


def _names_of(node: ast.AST) -> Iterator[str]:
    """The names LibCST's tree gives as ``Name`` nodes of an import, an ``except``, a
    ``global``, a pattern: the rules may read each as a flag."""
    if isinstance(node, ast.alias):
        yield from node.name.split(".")
        if node.asname:
            yield node.asname
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        yield from node.names
    elif isinstance(node, ast.MatchClass):
        yield from node.kwd_attrs
    elif isinstance(node, ast.MatchMapping):
        if node.rest:
            yield node.rest
    elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
        yield node.name


def _check_kinds(check: Check | None, either_bypass: bool = False) -> frozenset[Kind]:
    if check is None:
        return frozenset()
    if either_bypass and check.kind is Kind.ROLE:
        return _EITHER_BYPASS  # what the literals compared make it, unread here
    return frozenset({check.kind})


def _call_kinds(node: ast.Call, vocabulary: Vocabulary) -> frozenset[Kind]:
    func = node.func
    if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) + len(node.keywords) >= 2:
        # ``getattr(user, "is_staff", False)``: a flag named by a string
        return frozenset().union(*(_check_kinds(flag_check(text, vocabulary)) for text in _strings_given(node)))
    callee = stdlib_last_name(func)
    return _check_kinds(callee_check(callee, vocabulary, list), either_bypass=True) if callee else frozenset()


def _strings_given(call: ast.Call) -> Iterator[str]:
    for value in (*call.args, *(keyword.value for keyword in call.keywords)):
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            yield value.value


def _comparison_kinds(node: ast.Compare, vocabulary: Vocabulary) -> frozenset[Kind]:
    """A scope check compares a scope's identifiers on both sides (a tenant's, an owner's or a
    principal's, an id), or tests membership in a principal's ids; a role check names a role on
    a side, unless it is compared with a chat message's roles only (``m.role == "user"``)."""
    if len(node.ops) != 1 or not isinstance(node.ops[0], _COMPARISONS):
        return frozenset()
    sides = (node.left, node.comparators[0])
    if any(isinstance(side, ast.Constant) and (side.value is None or isinstance(side.value, bool)) for side in sides):
        return frozenset()  # ``tenant_id is None``: a presence test
    found: set[Kind] = set()
    scoped = 0  # sides naming a scope
    for side in sides:
        named = set()
        for name in _identifiers(side):
            parts = tokens(name)
            kinds = vocabulary.kinds_named(parts)
            if (
                Kind.SCOPE in kinds
                or is_identity(parts, _OWNERS_AND_PRINCIPALS)
                or (bool(parts) and parts[-1] in ID_TOKENS)
            ):
                named.add(Kind.SCOPE)
            if Kind.ROLE in kinds:
                found.add(Kind.ROLE)
        scoped += Kind.SCOPE in named
    if scoped == 2 or (isinstance(node.ops[0], (ast.In, ast.NotIn)) and _principal_ids(sides[1])):
        found.add(Kind.SCOPE)
    if Kind.ROLE in found:
        found.discard(Kind.ROLE)
        if not chat_roles_only([value for side in sides for value in _literal_values(side)]):
            found |= _EITHER_BYPASS
    return frozenset(found)


def _principal_ids(side: ast.expr) -> bool:
    """``auth_user.collection_ids``: the ids a principal is a member of (``authz_checks._principal_id_list``)."""
    if not isinstance(side, ast.Attribute) or tokens(side.attr)[-1:] not in (("ids",), ("uuids",)):
        return False
    name = stdlib_last_name(side.value)
    return bool(name) and is_identity(tokens(name), PRINCIPAL_TOKENS)


def _identifiers(side: ast.expr) -> Iterator[str]:
    """What the subject of a comparison's side may be (``authz_checks._subject``), and more: a
    name, an attribute (``org.id`` as ``org_id``), a key, a string given to a call (``getattr``'s,
    ``.get``'s), a call's name, what a call is given (``str(user.org_id)``)."""
    if isinstance(side, ast.Name):
        yield side.id
    elif isinstance(side, ast.Attribute):
        yield side.attr
        owner = stdlib_last_name(side.value)
        if owner and side.attr in ID_TOKENS:
            yield f"{owner}_{side.attr}"
    elif isinstance(side, ast.Subscript):
        key = side.slice
        for element in key.elts if isinstance(key, ast.Tuple) else (key,):
            if isinstance(element, ast.Constant) and isinstance(element.value, str):
                yield element.value
    elif isinstance(side, ast.Call):
        yield from _strings_given(side)
        yield from _identifiers(side.func)
        for value in (*side.args, *(keyword.value for keyword in side.keywords)):
            yield from _identifiers(value)


def _literal_values(side: ast.expr) -> list[str]:
    """The literals a comparison's side spells out, as ``authz_checks._literal_values`` reads
    them (a concatenation holding an f-string, which it reads as none, gives "" here: more
    values, fewer that are chat roles only)."""
    if isinstance(side, (ast.Tuple, ast.List, ast.Set)):
        return [v for e in side.elts for v in _literal_values(e.value if isinstance(e, ast.Starred) else e)]
    if isinstance(side, ast.Constant):
        value = side.value
        if isinstance(value, str):
            return [value]
        return [""] if isinstance(value, int) and not isinstance(value, bool) else []
    if isinstance(side, ast.JoinedStr):
        return [""]
    if isinstance(side, ast.Attribute) and side.attr in ("value", "name"):
        side = side.value  # ``Role.INSTANCE_ADMIN.value``
    constant = stdlib_last_name(side)
    return [constant] if constant.isupper() else []
