"""Authorization checks in boolean expressions: which operand is a tenant-scope check, which a
role/permission check, which a superuser flag, and which of them grant access on their own.

An expression is read as the *allow* condition it stands for: ``if cond: raise Forbidden``
allows exactly when ``not cond`` holds, so ``if tenant_mismatch and not role_ok: deny``
allows on ``not tenant_mismatch or role_ok`` -- an OR -- while
``if not tenant_ok or not role_ok: deny`` allows on ``tenant_ok and role_ok``. Negations are
pushed inward (De Morgan), ``any([...])``/``all([...])`` of literal lists are ORs/ANDs, and
boolean variables assigned earlier in the same function stand for their values.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

import libcst as cst

from designlint.analysis.authz_names import (
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
    role_or_superuser,
    tokens,
)
from designlint.analysis.names import dotted_name
from designlint.analysis.strings import literal_string
from designlint.analysis.syntax import EXPRESSION_TYPES, child_nodes

# -- single checks ------------------------------------------------------------------------

_VALUE_CONVERTERS = frozenset({"str", "int", "UUID", "uuid.UUID"})


def classify(expr: cst.BaseExpression, vocabulary: Vocabulary) -> Check | None:
    """What authorization check ``expr`` is, if it is one."""
    if isinstance(expr, cst.Await):  # ``await grants.can_read(...)``
        return classify(expr.expression, vocabulary)
    if isinstance(expr, cst.Comparison):
        return _classify_comparison(expr, vocabulary)
    if isinstance(expr, cst.Call):
        comprehension = _any_comprehension(expr)
        if comprehension is not None:
            return classify(comprehension.elt, vocabulary)
        if dotted_name(expr.func) == "getattr" and len(expr.args) >= 2:  # ``getattr(user, "is_staff", False)``
            return flag_check(literal_string(expr.args[1].value) or "", vocabulary)
        callee = _last_identifier(expr.func)
        if not callee:
            return None
        return callee_check(callee, vocabulary, lambda: [v for arg in expr.args for v in _literal_values(arg.value)])
    if isinstance(expr, (cst.Name, cst.Attribute)):
        return flag_check(_last_identifier(expr) or "", vocabulary)
    return None


def _any_comprehension(expr: cst.Call) -> cst.GeneratorExp | cst.ListComp | None:
    """``any(r in user.roles for r in required)``: a check over many values is still that check."""
    if isinstance(expr.func, cst.Name) and expr.func.value in ("any", "all") and len(expr.args) == 1:
        value = expr.args[0].value
        if isinstance(value, (cst.GeneratorExp, cst.ListComp)):
            return value
    return None


def _classify_comparison(expr: cst.Comparison, vocabulary: Vocabulary) -> Check | None:
    if len(expr.comparisons) != 1:
        return None
    target = expr.comparisons[0]
    operator = target.operator
    identity = isinstance(operator, (cst.Is, cst.IsNot))
    if isinstance(operator, (cst.Equal, cst.In, cst.Is)):
        positive = True
    elif isinstance(operator, (cst.NotEqual, cst.NotIn, cst.IsNot)):
        positive = False
    else:
        return None
    sides = (expr.left, target.comparator)
    if any(_is_constant(side) for side in sides):
        return None  # ``tenant_id is None``: a presence test
    names = [_subject(side) for side in sides]
    kinds = [vocabulary.subject_kinds(tokens(name)) if name else set() for name in names]
    literals = [_literal_values(side) for side in sides]
    # A tenant check compares one tenant identifier with another (``doc.org_id == user.org_id``),
    # by value: ``type(ws) is Workspace`` and ``self.project in names()`` are not.
    if all(Kind.SCOPE in k for k in kinds) and not identity:
        return Check(Kind.SCOPE, positive)
    if all(names) and _is_ownership(sides, [tokens(name) for name in names if name]):
        return Check(Kind.SCOPE, positive)
    if isinstance(operator, (cst.In, cst.NotIn)) and _principal_id_list(target.comparator) and not kinds[1]:
        return Check(Kind.SCOPE, positive)
    if any(Kind.ROLE in k for k in kinds):
        values = [v for group in literals for v in group]
        if chat_roles_only(values):
            return None
        return Check(role_or_superuser(values, vocabulary), positive)
    return None


def _is_ownership(sides: tuple[cst.BaseExpression, ...], names: list[tuple[str, ...]]) -> bool:
    """``doc.owner_id == user.id``, ``note.created_by != principal.id``, ``flow.user_id != user_id``:
    the resource's owner against the principal, both by identity. ``user.id != user_id`` asks
    whether the target account is the caller's own: user administration, not ownership."""
    owners = [_owner_reference(side, name) for side, name in zip(sides, names)]
    everyone = OWNER_TOKENS + PRINCIPAL_TOKENS
    # Against an owner named as such, any id is the principal's (``f.owner_id == u.id``).
    named_owner = any(is_identity(name, OWNER_TOKENS) for name in names)
    if not all(is_identity(name, everyone) or (named_owner and name[-1] in ID_TOKENS) for name in names):
        return False
    return any(owners)


def _principal_id_list(expr: cst.BaseExpression) -> bool:
    """The ids a principal is a member of: ``auth_user.collection_ids``, ``caller.team_ids``."""
    if not isinstance(expr, cst.Attribute) or tokens(expr.attr.value)[-1:] not in (("ids",), ("uuids",)):
        return False
    holder = _last_identifier(expr.value)
    return holder is not None and is_identity(tokens(holder), PRINCIPAL_TOKENS)


def _owner_reference(expr: cst.BaseExpression, name: tuple[str, ...]) -> bool:
    """An owner named as such (``owner_id``, ``created_by``), or a principal's id read off a
    resource (``note.user_id``, ``chunk["user_id"]``; not ``user.id`` or a bare ``user_id``)."""
    if is_identity(name, OWNER_TOKENS):
        return True
    while isinstance(expr, cst.Call) and dotted_name(expr.func) in _VALUE_CONVERTERS and expr.args:
        expr = expr.args[0].value
    holder: cst.BaseExpression
    if (isinstance(expr, cst.Attribute) and expr.attr.value not in ID_TOKENS) or isinstance(expr, cst.Subscript):
        holder = expr.value
    elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):  # ``chunk.get("user_id")``
        holder = expr.func.value
    else:
        return False
    holder_name = _last_identifier(holder)
    return holder_name is None or not is_identity(tokens(holder_name), PRINCIPAL_TOKENS)


def _subject(expr: cst.BaseExpression) -> str | None:
    """The identifier a comparison side is about: ``doc.tenant_id`` -> ``tenant_id``, ``org.id`` -> ``org_id``,
    ``claims["org_id"]`` / ``claims.get("org_id")`` -> ``org_id``, ``str(user.org_id)`` -> ``org_id``."""
    if isinstance(expr, cst.Call):
        func = dotted_name(expr.func) or ""
        args = [a.value for a in expr.args]
        if func in _VALUE_CONVERTERS and len(args) == 1:
            return _subject(args[0])
        if func == "getattr" and len(args) >= 2:
            return literal_string(args[1])
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "get" and args:
            return literal_string(args[0])
        return _last_identifier(expr.func)
    if isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
        return literal_string(expr.slice[0].slice.value)
    if isinstance(expr, cst.Attribute) and expr.attr.value in ID_TOKENS:
        owner = _last_identifier(expr.value)  # ``workspace.id`` is the workspace's id
        if owner is not None:
            return f"{owner}_{expr.attr.value}"
    return _last_identifier(expr)


def _last_identifier(expr: cst.BaseExpression) -> str | None:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    return None


def _is_constant(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value in ("None", "True", "False")


def _literal_values(expr: cst.BaseExpression) -> list[str]:
    """String literals (or constant names) an expression spells out."""
    if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
        return [v for e in expr.elements for v in _literal_values(e.value)]
    value = literal_string(expr)
    if value is not None:
        return [value]
    if isinstance(expr, cst.Attribute) and expr.attr.value in ("value", "name"):
        expr = expr.value  # ``Role.INSTANCE_ADMIN.value``
    constant = _last_identifier(expr)
    if constant is not None and constant.isupper():  # ``Role.ADMIN``, ``NO_WORKSPACE``
        return [constant]
    if isinstance(expr, (cst.Integer, cst.FormattedString)):
        return [""]
    return []


# -- the allow condition as a formula ---------------------------------------------------


@dataclass(frozen=True)
class Leaf:
    node: cst.BaseExpression  # the operand as written, with any ``not``
    grants: frozenset[Kind]  # the checks this operand passes when it grants access
    text: cst.BaseExpression  # the operand without its ``not``s
    allows_if_true: bool  # whether ``text`` holds on the side that grants access
    # A boolean variable whose value, read negated, is a junction that was not analysed
    # as such where it was assigned (``blocked = tenant_mismatch and not role_ok; if blocked: deny``).
    expansion: Formula | None = None


@dataclass(frozen=True)
class Junction:
    is_or: bool
    parts: tuple[Formula, ...]
    node: cst.BaseExpression  # where it is written
    text: cst.BaseExpression
    allows_if_true: bool

    @property
    def grants(self) -> frozenset[Kind]:
        return frozenset().union(*(p.grants for p in self.parts))


Formula = Leaf | Junction
Lookup = Callable[[str], "cst.BaseExpression | None"]


@dataclass(frozen=True)
class Violation:
    """An OR in the allow condition where ``bypass`` grants access without ``tenant``."""

    kind: Kind  # ROLE or SUPERUSER: what ``bypass`` checks instead of the tenant
    anchor: cst.CSTNode  # where to report
    tenant: Formula
    bypass: Formula


def allow_formula(expr: cst.BaseExpression, allows_when_true: bool, vocabulary: Vocabulary, lookup: Lookup) -> Formula:
    """``expr`` as the condition under which access is granted.

    ``allows_when_true`` is False for the test of an ``if`` whose body denies. ``lookup``
    gives the value a local boolean variable was assigned in the same function.
    """
    return _build(expr, allows_when_true, vocabulary, lookup, frozenset(), {})


# A variable's value is built once per polarity and expansion path, however often it is named
# (``v2 = v1 or v1 or ...`` four levels deep: 30**4 builds without it).
_Built = dict[tuple[cst.CSTNode, bool, frozenset[str]], "Formula"]


def _build(
    expr, polarity: bool, vocabulary: Vocabulary, lookup: Lookup, expanding: frozenset[str], built: _Built, written=None
) -> Formula:
    if written is None:
        key = (expr, polarity, expanding)
        if key not in built:
            built[key] = _build(expr, polarity, vocabulary, lookup, expanding, built, expr)
        return built[key]
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
        return _build(expr.expression, not polarity, vocabulary, lookup, expanding, built, written)
    operands = _junction_operands(expr)
    if operands is not None:
        is_or, items = operands
        is_or = is_or == polarity  # De Morgan: a negated AND is an OR of negations
        parts: list[Formula] = []
        for item in items:
            part = _build(item, polarity, vocabulary, lookup, expanding, built)
            if isinstance(part, Junction) and part.is_or == is_or:
                parts.extend(part.parts)
            else:
                parts.append(part)
        return Junction(is_or, tuple(parts), written, expr, polarity)
    if isinstance(expr, cst.Name) and expr.value not in expanding and len(expanding) < 4:
        value = lookup(expr.value)
        if value is not None:
            inner = _build(value, polarity, vocabulary, lookup, expanding | {expr.value}, built)
            flipped = isinstance(inner, Junction) and not polarity
            return Leaf(written, inner.grants, expr, polarity, inner if flipped else None)
    check = classify(expr, vocabulary)
    grants = frozenset({check.kind}) if check is not None and check.positive == polarity else frozenset()
    return Leaf(written, grants, expr, polarity)


def _junction_operands(expr: cst.BaseExpression) -> tuple[bool, list[cst.BaseExpression]] | None:
    """(is_or, operands) of ``a or b``, ``a and b``, ``any([a, b])``, ``all((a, b))``."""
    if isinstance(expr, cst.BooleanOperation):
        return isinstance(expr.operator, cst.Or), [expr.left, expr.right]
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Name)
        and expr.func.value in ("any", "all")
        and len(expr.args) == 1
        and isinstance(expr.args[0].value, (cst.List, cst.Tuple, cst.Set))
    ):
        elements = expr.args[0].value.elements
        if all(isinstance(e, cst.Element) for e in elements):
            return expr.func.value == "any", [e.value for e in elements]
    return None


def violations(
    formula: Formula, anchor: cst.CSTNode | None = None, seen: set[tuple[int, int]] | None = None
) -> Iterator[Violation]:
    """Every OR in ``formula`` with an operand that passes a tenant check and another that
    passes a role check or superuser flag without one. A formula shared by several places (a
    variable named often) is looked at once per anchor: again, it would yield the same."""
    seen = set() if seen is None else seen
    visit = (id(formula), id(anchor))
    if visit in seen:
        return
    seen.add(visit)
    if isinstance(formula, Leaf):
        if formula.expansion is not None:
            yield from violations(formula.expansion, anchor or formula.node, seen)
        return
    if formula.is_or:
        tenant = next((p for p in formula.parts if Kind.SCOPE in p.grants), None)
        bypasses = [p for p in formula.parts if Kind.SCOPE not in p.grants and p.grants & {Kind.ROLE, Kind.SUPERUSER}]
        if tenant is not None and bypasses:
            bypass = next((p for p in bypasses if Kind.SUPERUSER in p.grants), bypasses[0])
            kind = Kind.SUPERUSER if Kind.SUPERUSER in bypass.grants else Kind.ROLE
            yield Violation(kind, anchor or formula.node, tenant, bypass)
            return
    for part in formula.parts:
        yield from violations(part, anchor, seen)


def disjuncts(formula: Formula) -> tuple[Formula, ...]:
    return formula.parts if isinstance(formula, Junction) and formula.is_or else (formula,)


# -- decisions ----------------------------------------------------------------------------

_DENY_WORDS = frozenset(
    {"deny", "denied", "forbid", "forbidden", "reject", "rejected", "unauthorized", "unauthorised", "abort"}
)
_ALLOW_WORDS = frozenset({"allow", "allowed", "grant", "granted", "permit", "permitted"})
_DENY_STATUS = frozenset({"401", "403"})


class Decision(enum.Enum):
    ALLOW = "allow"
    ALLOW_BY_RETURNING = "return"  # a bare ``return``: an allow where the deny path raises
    DENY = "deny"


def decision(body: cst.BaseSuite) -> Decision | None:
    """What an ``if`` body decides: raise or return a denial, return a grant, or neither."""
    statements = (
        body.body
        if isinstance(body, cst.SimpleStatementSuite)
        else [small for line in body.body if isinstance(line, cst.SimpleStatementLine) for small in line.body]
    )
    for statement in statements:
        if isinstance(statement, cst.Raise):
            return Decision.DENY
        if isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call) and _denies(statement.value):
            return Decision.DENY
    last = statements[-1] if statements else None
    if not isinstance(last, cst.Return):
        return Decision.DENY if _denies_nested(body) else None
    value = last.value
    if value is None:
        return Decision.ALLOW_BY_RETURNING
    if isinstance(value, cst.Await):
        value = value.expression
    if isinstance(value, cst.Name) and value.value in ("True", "False"):
        return Decision.ALLOW if value.value == "True" else Decision.DENY
    if _denies(value):
        return Decision.DENY
    if _allows(value):
        return Decision.ALLOW
    return None


_NESTED_SCOPE_TYPES = frozenset({cst.FunctionDef, cst.ClassDef})
_VALIDATOR_PREFIXES = frozenset({"require", "ensure", "check", "verify", "validate", "assert", "raise", "enforce"})


def _denies_nested(body: cst.BaseSuite) -> bool:
    """A body that raises in a nested block, or calls a validator (``ensure_team_access(...)``),
    which raises to deny: ``if not is_admin and team_id != caller.team_id: <nested raise>``."""
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        kind = type(node)  # exact types: this searches every nested block of every ``if``
        if kind is cst.Raise:
            return True
        if kind is cst.Expr:
            value = cast(cst.Expr, node).value
            call = value.expression if type(value) is cst.Await else value
            if type(call) is cst.Call and (_denies(call) or is_validator(call)):
                return True
        if kind not in _NESTED_SCOPE_TYPES:  # statements only: none is inside an expression
            stack.extend(child for child in child_nodes(node) if type(child) not in EXPRESSION_TYPES)
    return False


def is_validator(call: cst.Call) -> bool:
    """``ensure_...(...)``, ``require_...(...)``, ``check_...(...)``: a call that raises to deny."""
    callee = _last_identifier(call.func)
    parts = tokens(callee) if callee else ()
    return bool(parts) and parts[0] in _VALIDATOR_PREFIXES


def exits_without_denying(body: cst.BaseSuite) -> bool:
    """The body ends the function with a ``return`` that is not a denial (``return True``,
    ``return document``, a bare ``return``): what follows runs only when the ``if`` test fails."""
    last: cst.CSTNode | None = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    return isinstance(last, cst.Return) and decision(body) is not Decision.DENY


def _word_set(expr: cst.BaseExpression) -> set[str]:
    name = dotted_name(expr.func if isinstance(expr, cst.Call) else expr)
    return set(tokens(name.rsplit(".", 1)[-1])) if name else set()


def _denies(expr: cst.BaseExpression) -> bool:
    if _word_set(expr) & _DENY_WORDS:
        return True
    if isinstance(expr, cst.Call):
        return any(isinstance(a.value, cst.Integer) and a.value.value in _DENY_STATUS for a in expr.args)
    return False


def _allows(expr: cst.BaseExpression) -> bool:
    if _word_set(expr) & _ALLOW_WORDS:
        return True
    if isinstance(expr, cst.Call):
        # ``return await call_next(request)``, ``return func(*args, **kwargs)``: the wrapped handler runs.
        if dotted_name(expr.func) == "call_next" or any(a.star for a in expr.args):
            return True
        return any(
            a.keyword is not None
            and a.keyword.value in _ALLOW_WORDS
            and isinstance(a.value, cst.Name)
            and a.value.value == "True"
            for a in expr.args
        )
    return False


def guards(ancestors: Sequence[cst.CSTNode], statement: cst.CSTNode) -> Iterator[tuple[cst.BaseExpression, bool]]:
    """The tests that decide whether ``statement`` runs, within its function, innermost first,
    each with the value it has there: an enclosing ``if``'s test is true in its body and false
    in its ``else``; an earlier ``if`` whose body returns without denying has a false test."""
    child = statement
    for parent in reversed(ancestors):
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            return
        if isinstance(parent, cst.If) and child is parent.body:
            yield parent.test, True
        elif isinstance(parent, cst.If) and child is parent.orelse:
            yield parent.test, False
        elif isinstance(parent, (cst.IndentedBlock, cst.Module)):
            earlier = parent.body[: next(i for i, line in enumerate(parent.body) if line is child)]
            for line in reversed(earlier):
                if isinstance(line, cst.If) and line.orelse is None and exits_without_denying(line.body):
                    yield line.test, False
        child = parent
