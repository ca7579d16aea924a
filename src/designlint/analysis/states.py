"""State machines held in code: which states an expression stands for, where the field that
holds a state is written, what a path already knows of that field when it writes it, and the
machines a ``transitions`` or python-statemachine declaration builds. All read from LibCST
trees; nothing here knows the configuration (a ``Machine`` is handed in)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import cast

import libcst as cst

from designlint.analysis.enums import EnumInfo
from designlint.analysis.names import dotted_name, last_name
from designlint.analysis.strings import literal_string
from designlint.analysis.syntax import child_nodes
from designlint.analysis.transitions import START, Transition

Qualify = Callable[[cst.CSTNode], "str | None"]

# Calls that write a row's columns, found by their method name: SQLAlchemy's
# ``update(...).values(...)``, Django's and the ORMs' ``.update(...)``.
_WRITE_METHODS = frozenset({"values", "update"})
# Calls in such a chain that say which rows (and so which prior state) it writes.
_FILTER_METHODS = frozenset({"where", "filter", "filter_by"})
_QUERY_METHODS = _FILTER_METHODS | frozenset({"query", "objects", "select", "exclude", "get_queryset"})
_REPLACE = frozenset({"dataclasses.replace", "copy.replace"})


@dataclass(frozen=True)
class Machine:
    """A declared machine: its states (an enum read from the project), the attributes that hold
    the state, and its legal transitions, ``(source, target)`` with ``START`` for ``[*]``."""

    name: str
    enum: EnumInfo
    fields: tuple[str, ...]
    transitions: frozenset[Transition]

    @cached_property
    def members(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.enum.members)

    @cached_property
    def mentioned(self) -> frozenset[str]:
        """The members some declared transition starts or ends at."""
        return frozenset(state for transition in self.transitions for state in transition) - {START}

    def member_valued(self, literal: str) -> str | None:
        """The member whose value the literal is (``"approved"`` -> APPROVED), else None."""
        return next((name for name, value in self.enum.members if value == literal), None)

    def closest_member(self, literal: str) -> str | None:
        """The member a literal that is no member's value most likely means: its name
        (``"APPROVED"``) or its value in another case (``"Approved"``); None when not one."""
        folded = literal.casefold()
        found = {
            name
            for name, value in self.enum.members
            if name.casefold() == folded or (isinstance(value, str) and value.casefold() == folded)
        }
        return found.pop() if len(found) == 1 else None

    def member_spelt(self, spelling: str) -> str | None:
        """The member code spells as a state: by value, by name, or either in another case
        (python-statemachine's ``pending`` for PENDING)."""
        if spelling in self.members:
            return spelling
        return self.member_valued(spelling) or self.closest_member(spelling)


@dataclass(frozen=True)
class State:
    """What an expression says of a machine's state: a member (``ApprovalState.APPROVED``, or
    ``"approved"`` when that is a member's value), or a string literal that is none."""

    member: str | None
    literal: str | None  # the string written, when it is one


def state_of(node: cst.CSTNode, machine: Machine, qualify: Qualify, module_name: str | None) -> State | None:
    """The state ``node`` stands for in ``machine``; None when it is no member and no string."""
    literal = literal_string(node)
    if literal is not None:
        return State(machine.member_valued(literal), literal)
    if isinstance(node, cst.Attribute) and node.attr.value in ("value", "name"):
        node = node.value  # ``ApprovalState.APPROVED.value`` is the member's spelling as a string
    member = enum_member(node, machine.enum, qualify, module_name)
    return State(member, None) if member is not None else None


def enum_member(node: cst.CSTNode, enum: EnumInfo, qualify: Qualify, module_name: str | None) -> str | None:
    """The member of ``enum`` a ``Name.Attribute`` chain names, through imports and aliases (in
    the enum's own module, its class name too)."""
    if not isinstance(node, cst.Attribute):
        return None
    member = node.attr.value
    qualname = qualify(node)
    enum_module = enum.qualname.rpartition(".")[0]
    if qualname is None and module_name == enum_module and dotted_name(node.value) == enum.class_name:
        qualname = f"{enum.qualname}.{member}"
    if qualname != f"{enum.qualname}.{member}":
        return None
    return member if any(name == member for name, _ in enum.members) else None


def field_of(node: cst.CSTNode, fields: tuple[str, ...]) -> tuple[str, str] | None:
    """``req.status`` -> ``("req", "status")`` when ``status`` is one of the fields and the
    object a plain name or attribute chain (what a path can follow)."""
    if isinstance(node, cst.Attribute) and node.attr.value in fields:
        owner = dotted_name(node.value)
        if owner is not None:
            return owner, node.attr.value
    return None


def column_of(node: cst.CSTNode, fields: tuple[str, ...]) -> str | None:
    """The field a column or attribute expression names (``Request.status``, ``req.status``)."""
    return node.attr.value if isinstance(node, cst.Attribute) and node.attr.value in fields else None


def owners_holding_members(scope: cst.CSTNode, machine: Machine, qualify: Qualify, module_name: str | None) -> set[str]:
    """The objects whose field ``scope`` (not its nested functions) compares with, matches
    against or assigns a member of the machine's enum (``req.status == ApprovalState.PENDING``):
    their field surely holds the machine's state, where a ``container.status`` may be another's."""

    def is_member(node: cst.CSTNode) -> bool:
        elements = [e.value for e in node.elements] if isinstance(node, (cst.Tuple, cst.List, cst.Set)) else [node]
        return any(enum_member(element, machine.enum, qualify, module_name) is not None for element in elements)

    held: set[str] = set()
    stack = child_nodes(scope)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in (cst.FunctionDef, cst.ClassDef, cst.Lambda):
            continue
        if kind is cst.Comparison:
            comparison = cast(cst.Comparison, node)
            operands = [comparison.left, *(target.comparator for target in comparison.comparisons)]
            if any(is_member(operand) for operand in operands):
                held |= {found[0] for operand in operands if (found := field_of(operand, machine.fields))}
        elif kind is cst.Assign or kind is cst.AnnAssign:
            assignment = cast("cst.Assign | cst.AnnAssign", node)
            held |= {w.owner for w in assignment_writes(assignment, machine.fields) if w.owner and is_member(w.value)}
        elif kind is cst.Match:
            match = cast(cst.Match, node)
            found = field_of(match.subject, machine.fields)
            patterns = [case.pattern for case in match.cases]
            if found and any(isinstance(p, cst.MatchValue) and is_member(p.value) for p in patterns):
                held.add(found[0])
        stack.extend(child_nodes(node))
    return held


# -- writes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """A state written to the field: the value's node, the object written (its dotted name, or
    None for rows an ORM call writes) and, for a chained ORM write, what its filter says the
    rows' state is (None: nothing)."""

    value: cst.BaseExpression
    spelt: cst.CSTNode  # where the field is named: the assignment's target, the keyword, the dict key
    owner: str | None
    field: str
    filtered: frozenset[str] | None = None
    filter_node: cst.CSTNode | None = None


def assignment_writes(node: cst.Assign | cst.AnnAssign, fields: tuple[str, ...]) -> Iterator[Write]:
    """``req.status = value`` (also in a chain of targets)."""
    if node.value is None:
        return
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
    for target in targets:
        written = field_of(target, fields)
        if written is not None:
            yield Write(node.value, target, written[0], written[1])


def call_writes(node: cst.Call, machine: Machine, qualify: Qualify, module_name: str | None) -> Iterator[Write]:
    """The field written by a call: ``dataclasses.replace(req, status=...)``, a query's
    ``.values(status=...)``/``.update(status=...)``/``.update({"status": ...})``."""
    fields = machine.fields
    callee = qualify(node.func) or dotted_name(node.func) or ""
    if callee in _REPLACE or (callee == "replace" and node.args and node.args[0].keyword is None):
        owner = dotted_name(node.args[0].value) if node.args else None
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in fields:
                yield Write(arg.value, arg.keyword, owner, arg.keyword.value)
        return
    if not (isinstance(node.func, cst.Attribute) and node.func.attr.value in _WRITE_METHODS):
        return
    receiver = node.func.value
    if not _is_query(receiver):
        return  # ``payload.update(status=...)``: a dict, not a query
    filtered, filter_node = _filtered_states(list(_chain(receiver)), machine, qualify, module_name)
    for field, spelt, value in _written_values(node, fields):
        yield Write(value, spelt, None, field, filtered.get(field), filter_node)


def _is_query(receiver: cst.BaseExpression) -> bool:
    """Rows, not a dict: ``Request.objects``, ``session.query(...).filter(...)``, or
    SQLAlchemy's ``update(Request)`` (a call of the bare name)."""
    if isinstance(receiver, cst.Attribute) and receiver.attr.value in _QUERY_METHODS:
        return True
    return any(
        _called(link) in _QUERY_METHODS or (isinstance(link.func, cst.Name) and link.func.value == "update")
        for link in _chain(receiver)
    )


def _called(call: cst.Call) -> str:
    """The name a call calls, also when it is a method of another call's result."""
    func = call.func
    return func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""


def _written_values(node: cst.Call, fields: tuple[str, ...]) -> Iterator[tuple[str, cst.CSTNode, cst.BaseExpression]]:
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in fields:
            yield arg.keyword.value, arg.keyword, arg.value
        elif arg.keyword is None and arg.star == "" and isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if isinstance(element, cst.DictElement):
                    key = literal_string(element.key)
                    if key is None:
                        key = column_of(element.key, fields)
                    if key in fields:
                        yield key, element.key, element.value


def _chain(node: cst.BaseExpression) -> Iterator[cst.Call]:
    """The calls a method chain is built of, from the outermost in: ``update(R).where(...)``."""
    while True:
        if isinstance(node, cst.Call):
            yield node
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        else:
            return


def _filtered_states(
    chain: list[cst.Call], machine: Machine, qualify: Qualify, module_name: str | None
) -> tuple[dict[str, frozenset[str]], cst.CSTNode | None]:
    """What the filters of a query chain hold each field to: ``.where(Request.status == P)``,
    ``.filter(status__in=[...])``, ``.filter_by(status=P)``."""
    known: dict[str, frozenset[str]] = {}
    where: cst.CSTNode | None = None
    for link in chain:
        if _called(link) not in _FILTER_METHODS:
            continue
        for arg in link.args:
            found: dict[str, frozenset[str]] = {}
            if arg.keyword is not None:
                field, _, lookup = arg.keyword.value.partition("__")
                if field in machine.fields and lookup in ("", "in", "exact"):
                    states = _states_in(arg.value, machine, qualify, module_name, many=lookup == "in")
                    if states:
                        found[field] = states
            else:
                for (_, field), (holds, _) in Facts(machine, qualify, module_name, columns=True).of(arg.value).items():
                    found[field] = holds
            for field, states in found.items():
                known[field] = known.get(field, states) & states
                where = where or arg
    return known, where


def _states_in(
    node: cst.BaseExpression, machine: Machine, qualify: Qualify, module_name: str | None, *, many: bool
) -> frozenset[str] | None:
    """The members a value (or, with ``many``, a literal tuple, list or set of them) names;
    None when any of them is not one."""
    if many:
        if not isinstance(node, (cst.Tuple, cst.List, cst.Set)) or not node.elements:
            return None
        elements = [element.value for element in node.elements]
    else:
        elements = [node]
    members = set()
    for element in elements:
        state = state_of(element, machine, qualify, module_name)
        if state is None or state.member is None:
            return None
        members.add(state.member)
    return frozenset(members)


# -- what a condition says of the field -----------------------------------------------------

# (owner, field) -> (the members the field may hold, the node that says so)
Known = dict[tuple[str, str], tuple[frozenset[str], cst.CSTNode]]


class Facts:
    """What a condition, when true (``of``) or false (``of_false``), says the fields hold:
    ``req.status == P``, ``!=``, ``is``, ``in (P, Q)``, ``not``, ``and``, ``or``. With
    ``columns``, ``Request.status == P`` in a query filter counts as well (owner "")."""

    def __init__(self, machine: Machine, qualify: Qualify, module_name: str | None, *, columns: bool = False):
        self.machine, self.qualify, self.module_name, self.columns = machine, qualify, module_name, columns

    def of(self, test: cst.BaseExpression) -> Known:
        return self._facts(test, True)

    def of_false(self, test: cst.BaseExpression) -> Known:
        return self._facts(test, False)

    def _facts(self, test: cst.BaseExpression, truth: bool) -> Known:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self._facts(test.expression, not truth)
        if isinstance(test, cst.BooleanOperation):
            left, right = self._facts(test.left, truth), self._facts(test.right, truth)
            both_hold = isinstance(test.operator, cst.And) == truth  # ``a and b`` true, ``a or b`` false
            return meet(left, right) if both_hold else join(left, right)
        if isinstance(test, cst.Call) and last_name(test.func) == "in_" and isinstance(test.func, cst.Attribute):
            return self._compared(test.func.value, "in", test.args[0].value, test, truth) if test.args else {}
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            operator = _OPERATORS.get(type(target.operator))
            if operator is None:
                return {}
            found = self._compared(test.left, operator, target.comparator, test, truth)
            if not found and operator in ("==", "!="):
                found = self._compared(target.comparator, operator, test.left, test, truth)
            return found
        return {}

    def _compared(self, subject, operator: str, other, test: cst.CSTNode, truth: bool) -> Known:
        field = field_of(subject, self.machine.fields)
        if field is None and self.columns:
            column = column_of(subject, self.machine.fields)
            field = ("", column) if column else None
        if field is None:
            return {}
        holds = (operator in ("==", "in")) == truth
        if not holds:
            return {}  # ``status != P`` true says little: many states remain
        states = _states_in(other, self.machine, self.qualify, self.module_name, many=operator in ("in", "not in"))
        return {field: (states, test)} if states else {}


_OPERATORS = {
    cst.Equal: "==",
    cst.Is: "==",
    cst.NotEqual: "!=",
    cst.IsNot: "!=",
    cst.In: "in",
    cst.NotIn: "not in",
}


def meet(left: Known, right: Known) -> Known:
    """Both hold: every fact of either, the states a field may hold narrowed by both."""
    met = dict(left)
    for key, (states, node) in right.items():
        met[key] = (met[key][0] & states, met[key][1]) if key in met else (states, node)
    return met


def join(left: Known, right: Known) -> Known:
    """One of them holds: only the fields both know, each holding a state either allows."""
    return {key: (left[key][0] | right[key][0], left[key][1]) for key in left.keys() & right.keys()}


# -- the prior state on a path --------------------------------------------------------------


@dataclass(frozen=True)
class Transit:
    """A state written where the path knows the field's prior state: the members it may hold,
    and the node that says so (a guard, a match case, an assert, an earlier write, a filter)."""

    write: Write
    target: str
    prior: frozenset[str]
    because: cst.CSTNode


class PriorStates:
    """Follows a function body in source order, keeping what each path knows of each
    ``owner.field``: narrowed by ``if``/``elif``/``match``/``assert`` and by writes, joined
    where paths meet, forgotten when the object is rebound, passed to a call, has a method
    called, or is written in a loop or a ``try``. Nested functions are not followed."""

    def __init__(self, machine: Machine, qualify: Qualify, module_name: str | None):
        self.machine, self.qualify, self.module_name = machine, qualify, module_name
        self.facts = Facts(machine, qualify, module_name)
        self.transits: list[Transit] = []

    def of(self, function: cst.FunctionDef) -> list[Transit]:
        self.transits = []
        self._suite(function.body, {})
        return self.transits

    # -- statements -------------------------------------------------------------------

    def _suite(self, suite: cst.BaseSuite, known: Known) -> Known | None:
        if isinstance(suite, cst.SimpleStatementSuite):
            return self._smalls(suite.body, known)
        reached: Known | None = known
        for statement in cast(cst.IndentedBlock, suite).body:  # the only other suite
            if reached is None:
                return None
            reached = self._statement(statement, reached)
        return reached

    def _smalls(self, statements, known: Known | None) -> Known | None:
        for small in statements:
            if known is None:
                return None
            known = self._small(small, known)
        return known

    def _statement(self, statement: cst.BaseStatement, known: Known) -> Known | None:
        if isinstance(statement, cst.SimpleStatementLine):
            return self._smalls(statement.body, known)
        if isinstance(statement, cst.If):
            return self._if(statement, known)
        if isinstance(statement, cst.Match):
            return self._match(statement, known)
        if isinstance(statement, (cst.For, cst.While)):
            return self._loop(statement, known)
        if isinstance(statement, (cst.Try, cst.TryStar)):
            return self._try(statement, known)
        if isinstance(statement, cst.With):
            known = self._expression(statement, known, only=statement.items)
            return self._suite(statement.body, known)
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            return known
        return _forget(known, _touched(statement))

    def _if(self, statement: cst.If, known: Known) -> Known | None:
        known = self._expression(statement.test, known)
        taken = self._suite(statement.body, meet(known, self.facts.of(statement.test)))
        otherwise = meet(known, self.facts.of_false(statement.test))
        if isinstance(statement.orelse, cst.If):
            skipped = self._if(statement.orelse, otherwise)
        elif isinstance(statement.orelse, cst.Else):
            skipped = self._suite(statement.orelse.body, otherwise)
        else:
            skipped = otherwise
        return _merge(taken, skipped)

    def _match(self, statement: cst.Match, known: Known) -> Known | None:
        field = field_of(statement.subject, self.machine.fields)
        outcomes: list[Known | None] = []
        exhaustive = False
        for case in statement.cases:
            states = self._pattern_states(case.pattern) if field else None
            entry = dict(known)
            if field is not None:
                entry.pop(field, None)
                if states:
                    entry[field] = (states & known[field][0] if field in known else states, case)
            if isinstance(case.pattern, cst.MatchAs) and case.pattern.pattern is None and case.guard is None:
                exhaustive = True  # ``case _:`` or a bare capture
            outcomes.append(self._suite(case.body, entry))
        if not exhaustive:
            outcomes.append(_forget(known, {field[0]}) if field else known)
        return _merge(*outcomes)

    def _pattern_states(self, pattern: cst.MatchPattern) -> frozenset[str] | None:
        alternatives = [p.pattern for p in pattern.patterns] if isinstance(pattern, cst.MatchOr) else [pattern]
        members = set()
        for alternative in alternatives:
            if not isinstance(alternative, cst.MatchValue):
                return None
            state = state_of(alternative.value, self.machine, self.qualify, self.module_name)
            if state is None or state.member is None:
                return None
            members.add(state.member)
        return frozenset(members)

    def _loop(self, statement: cst.For | cst.While, known: Known) -> Known | None:
        known = _forget(known, _touched(statement))  # a second time round, the first's writes hold
        entry = meet(known, self.facts.of(statement.test)) if isinstance(statement, cst.While) else known
        self._suite(statement.body, entry)
        if statement.orelse is not None:
            return _merge(self._suite(statement.orelse.body, known), known)
        return known

    def _try(self, statement: cst.Try | cst.TryStar, known: Known) -> Known | None:
        done = self._suite(statement.body, known)
        if done is not None and statement.orelse is not None:
            done = self._suite(statement.orelse.body, done)
        caught = _forget(known, _touched(statement.body))
        outcomes = [done, *(self._suite(handler.body, caught) for handler in statement.handlers)]
        merged = _merge(*outcomes)
        if statement.finalbody is not None:
            after = self._suite(statement.finalbody.body, merged if merged is not None else caught)
            return after if merged is not None else None
        return merged

    def _small(self, small: cst.BaseSmallStatement, known: Known) -> Known | None:
        if isinstance(small, cst.Return):
            if small.value is not None:
                self._expression(small.value, known)
            return None
        if isinstance(small, (cst.Raise, cst.Continue, cst.Break)):
            return None  # a loop forgets what its body writes; the path ends here
        if isinstance(small, cst.Assert):
            known = self._expression(small.test, known)
            return meet(known, self.facts.of(small.test))
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            if small.value is not None:
                known = self._expression(small.value, known)
            return self._assign(small, known)
        if isinstance(small, cst.Expr):
            return self._expression(small.value, known)
        return _forget(known, _touched(small))

    def _assign(self, node: cst.Assign | cst.AnnAssign, known: Known) -> Known:
        writes = list(assignment_writes(node, self.machine.fields))
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        rebound = {
            name for target in targets if field_of(target, self.machine.fields) is None for name in _names_in(target)
        }
        known = _forget(known, rebound)
        for write in writes:
            key = (write.owner or "", write.field)
            state = state_of(write.value, self.machine, self.qualify, self.module_name)
            if state is None or state.member is None:
                known.pop(key, None)
                continue
            if key in known:
                prior, because = known[key]
                self.transits.append(Transit(write, state.member, prior, because))
            known[key] = (frozenset({state.member}), node)
        return known

    def _expression(self, node: cst.CSTNode, known: Known, only=None) -> Known:
        """The writes the calls in an expression make, then what the calls may change."""
        touched: set[str] = set()
        for call in _calls(only if only is not None else (node,)):
            for write in call_writes(call, self.machine, self.qualify, self.module_name):
                state = state_of(write.value, self.machine, self.qualify, self.module_name)
                if state is None or state.member is None:
                    continue
                if write.filtered is not None and write.filter_node is not None:
                    self.transits.append(Transit(write, state.member, write.filtered, write.filter_node))
                elif write.owner is not None and (write.owner, write.field) in known:
                    prior, because = known[(write.owner, write.field)]
                    self.transits.append(Transit(write, state.member, prior, because))
            touched |= _call_touches(call)
        return _forget(known, touched)


def _merge(*outcomes: Known | None) -> Known | None:
    """Where paths meet: what all the paths that get there know (None: none gets there)."""
    reached = [known for known in outcomes if known is not None]
    if not reached:
        return None
    merged = reached[0]
    for known in reached[1:]:
        merged = join(merged, known)
    return merged


def _forget(known: Known, owners: set[str]) -> Known:
    if not owners:
        return dict(known)
    return {
        key: value
        for key, value in known.items()
        if not any(key[0] == owner or key[0].startswith(f"{owner}.") for owner in owners)
    }


def _calls(nodes) -> Iterator[cst.Call]:
    """The calls in these nodes, outermost first, not inside a lambda or a nested definition."""
    stack = list(reversed(list(nodes)))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(node, cst.Call):
            yield node
        stack.extend(reversed(child_nodes(node)))


def _call_touches(call: cst.Call) -> set[str]:
    """The objects a call may change the state of: those passed to it and its receiver."""
    touched = {name for arg in call.args if (name := dotted_name(arg.value)) is not None}
    if isinstance(call.func, cst.Attribute):
        receiver = dotted_name(call.func.value)
        if receiver is not None:
            touched.add(receiver)
    return touched


def _names_in(target: cst.CSTNode) -> set[str]:
    """The names and attribute chains an assignment target binds."""
    if isinstance(target, (cst.Tuple, cst.List)):
        return {name for element in target.elements for name in _names_in(element.value)}
    if isinstance(target, cst.StarredElement):
        return _names_in(target.value)
    name = dotted_name(target)
    return {name} if name else set()


def _touched(node: cst.CSTNode) -> set[str]:
    """Every object a statement or block may change: targets it assigns (and whose fields it
    writes), loop variables, and what its calls may change."""
    touched: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            continue
        if isinstance(current, cst.Assign):
            for target in current.targets:
                touched |= _owner_names(target.target)
        elif isinstance(current, (cst.AnnAssign, cst.AugAssign)):
            touched |= _owner_names(current.target)
        elif isinstance(current, (cst.For, cst.Del)):
            touched |= _names_in(current.target)
        elif isinstance(current, cst.Call):
            touched |= _call_touches(current)
        stack.extend(child_nodes(current))
    return touched


def _owner_names(target: cst.CSTNode) -> set[str]:
    """``req.status = ...`` changes ``req``; ``req = ...`` and ``a, b = ...`` rebind names."""
    if isinstance(target, cst.Attribute):
        owner = dotted_name(target.value)
        return {owner} if owner else set()
    return _names_in(target)


# -- machines declared in code --------------------------------------------------------------

Spell = Callable[[cst.CSTNode], "str | None"]
ValueOf = Callable[[cst.Name], "cst.BaseExpression | None"]  # the value a name was assigned
_ANY_SOURCE = "*"


@dataclass(frozen=True)
class CodeMachine:
    """A machine code declares (``transitions``' ``Machine(...)``/``add_transition``, a
    python-statemachine ``StateMachine`` class): its states as spelt there (None: not listed),
    its transitions, each with the node that declares it, and where it is built."""

    built: cst.CSTNode
    states: tuple[str, ...] | None
    transitions: tuple[tuple[str, str, cst.CSTNode], ...]  # START as the source of the initial state
    finals: tuple[tuple[str, cst.CSTNode], ...] = ()  # python-statemachine's ``State(final=True)``

    def spellings(self) -> set[str]:
        spelt = {state for source, target, _ in self.transitions for state in (source, target)} - {START}
        return spelt | set(self.states or ()) | {state for state, _ in self.finals}


def is_machine_class(qualname: str | None) -> bool:
    """``transitions.Machine`` and its extensions (``transitions.extensions.asyncio.AsyncMachine``)."""
    return qualname is not None and qualname.startswith("transitions.") and qualname.endswith("Machine")


def transitions_machine(call: cst.Call, spell: Spell, value_of: ValueOf) -> CodeMachine:
    """``Machine(model, states=[...], transitions=[...], initial=...)`` (positional too; a
    list may be a name ``value_of`` gives the value of)."""
    arguments = _arguments(call, ("model", "states", "initial", "transitions"))
    states = _spelt_states(_value(arguments.get("states"), value_of), spell)
    found = list(transition_entries(_value(arguments.get("transitions"), value_of), states, spell))
    initial = arguments.get("initial")
    if initial is not None and (spelt := _state_spelling(initial, spell)) is not None:
        found.insert(0, (START, spelt, initial))
    return CodeMachine(call, states, tuple(found))


def added_transitions(
    call: cst.Call, states: tuple[str, ...] | None, spell: Spell, value_of: ValueOf
) -> list[tuple[str, str, cst.CSTNode]]:
    """``machine.add_transition(trigger, source, dest)`` and ``machine.add_transitions([...])``."""
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    if method == "add_transitions" and call.args:
        return list(transition_entries(_value(call.args[0].value, value_of), states, spell))
    if method == "add_transition":
        arguments = _arguments(call, ("trigger", "source", "dest"))
        return list(_expanded(arguments.get("source"), arguments.get("dest"), call, states, spell))
    return []


def transition_entries(
    node: cst.BaseExpression | None, states: tuple[str, ...] | None, spell: Spell
) -> Iterator[tuple[str, str, cst.CSTNode]]:
    """The entries of a ``transitions=[...]`` list: ``{"trigger": t, "source": s, "dest": d}``
    or ``[t, s, d]``; a source may be a list of states or ``"*"`` (every state)."""
    if not isinstance(node, (cst.List, cst.Tuple)):
        return
    for element in node.elements:
        entry = element.value
        if isinstance(entry, cst.Dict):
            keyed = {literal_string(e.key): e.value for e in entry.elements if isinstance(e, cst.DictElement)}
            yield from _expanded(keyed.get("source"), keyed.get("dest"), entry, states, spell)
        elif isinstance(entry, (cst.List, cst.Tuple)) and len(entry.elements) >= 3:
            yield from _expanded(entry.elements[1].value, entry.elements[2].value, entry, states, spell)


def _expanded(source, dest, entry: cst.CSTNode, states: tuple[str, ...] | None, spell: Spell):
    if source is None or dest is None:
        return
    sources = [element.value for element in source.elements] if isinstance(source, (cst.List, cst.Tuple)) else [source]
    target = _state_spelling(dest, spell)
    for node in sources:
        spelt = _state_spelling(node, spell)
        if spelt == _ANY_SOURCE:
            for state in states or ():
                yield state, target if target != "=" else state, entry
        elif spelt is not None and target is not None:
            yield spelt, spelt if target == "=" else target, entry


def statemachine_class(node: cst.ClassDef, spell: Spell) -> CodeMachine:
    """A python-statemachine class: ``pending = State(initial=True)``, ``approved = State(final=True)``,
    ``approve = pending.to(approved) | expired.from_(pending)``, ``a.to.itself()``."""
    states: dict[str, str] = {}  # attribute -> the state's spelling
    initial: list[tuple[str, cst.CSTNode]] = []
    finals: list[tuple[str, cst.CSTNode]] = []
    events: list[cst.BaseExpression] = []
    for statement in node.body.body:
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
                continue
            target, value = small.targets[0].target, small.value
            if not isinstance(target, cst.Name):
                continue
            if isinstance(value, cst.Call) and last_name(value.func) == "State":
                flags = {arg.keyword.value: arg.value for arg in value.args if arg.keyword is not None}
                given = flags.get("value")
                spelt = (_state_spelling(given, spell) if given is not None else None) or target.value
                states[target.value] = spelt
                if _is_true(flags.get("initial")):
                    initial.append((spelt, value))
                if _is_true(flags.get("final")):
                    finals.append((spelt, value))
            else:
                events.append(value)
    found = [(START, spelt, where) for spelt, where in initial]
    for event in events:
        for source, arrival, where in _event_transitions(event):
            if source in states and arrival in states:
                found.append((states[source], states[arrival], where))
    return CodeMachine(node.name, tuple(states.values()), tuple(found), tuple(finals))


def _event_transitions(node: cst.BaseExpression) -> Iterator[tuple[str, str, cst.CSTNode]]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        yield from _event_transitions(node.left)
        yield from _event_transitions(node.right)
        return
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)):
        return
    method, receiver = node.func.attr.value, node.func.value
    if method == "itself" and isinstance(receiver, cst.Attribute) and receiver.attr.value == "to":
        state = dotted_name(receiver.value)
        if state:
            yield state, state, node
        return
    subject = dotted_name(receiver)
    others = [name for arg in node.args if arg.keyword is None and (name := dotted_name(arg.value))]
    if subject is None:
        return
    if method == "to":
        yield from ((subject, other, node) for other in others)
    elif method == "from_":
        yield from ((other, subject, node) for other in others)


def _value(node: cst.BaseExpression | None, value_of: ValueOf) -> cst.BaseExpression | None:
    return value_of(node) if isinstance(node, cst.Name) else node


def _arguments(call: cst.Call, positional: tuple[str, ...]) -> dict[str, cst.BaseExpression]:
    found: dict[str, cst.BaseExpression] = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            continue
        if arg.keyword is not None:
            found[arg.keyword.value] = arg.value
        elif index < len(positional):
            found[positional[index]] = arg.value
    return found


def _spelt_states(node: cst.BaseExpression | None, spell: Spell) -> tuple[str, ...] | None:
    """The states listed: names, enum members, ``{"name": ...}``/``State(...)`` entries; None
    when the list is not literal (or holds a state not spelt)."""
    if not isinstance(node, (cst.List, cst.Tuple)):
        return None
    spelt = []
    for element in node.elements:
        value = element.value
        if isinstance(value, cst.Dict):
            named = {literal_string(e.key): e.value for e in value.elements if isinstance(e, cst.DictElement)}
            value = named.get("name", value)
        elif isinstance(value, cst.Call) and value.args:
            value = value.args[0].value  # ``State("pending", on_enter=...)``
        name = _state_spelling(value, spell)
        if name is None:
            return None
        spelt.append(name)
    return tuple(spelt)


def _state_spelling(node: cst.CSTNode, spell: Spell) -> str | None:
    literal = literal_string(node)
    return literal if literal is not None else spell(node)


def _is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"
