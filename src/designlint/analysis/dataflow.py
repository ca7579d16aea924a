"""Taint dataflow within a function, with function summaries within a module.

A rule states what it tracks as a ``TaintSpec`` (which expressions produce a tainted
value, which calls clean one); ``Dataflow`` answers "what taints does this expression
carry at this point?" for any expression inside a function (or at module level).

The analysis is cheap by construction: nothing is computed until a rule asks about an
expression, then only the enclosing function is analysed (once, in one pass over its
statements in source order, loops twice), plus the module's helpers it calls. It is
flow-sensitive in statement order (``x = clean(x)`` cleans ``x`` from there on; branches
merge) and field-insensitive (an attribute or item of a tainted value is tainted).

Propagation: assignments (also tuple targets, ``a.b = ...`` and ``d[k] = ...``), augmented
assignments, f-strings, ``+``, ``%``, ``.format``, ``join``, list/dict/tuple/set literals,
comprehensions, ``.append``/``.extend``/``.insert``/``.update`` on containers, ``await``,
``with ... as``, ``for`` targets, and methods called on a tainted value. A call to another
function of the module propagates through its summary: the taints its returns carry,
and which of its parameters flow into its returns. A call of another module's function
the spec knows stands for its result until a query needs it, and only then is that
function's summary asked for (most results never reach a sink). Calls to functions the
analysis does not know do not propagate (a miss is better than a false alarm).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Protocol, cast

import libcst as cst

from designlint.analysis.budget import BASE_STEPS, Budget, GaveUp
from designlint.analysis.names import NameResolver, dotted_name
from designlint.analysis.summaries import ModuleFunctions, Summaries, bind_parameters, bound_arguments

# Builtins and stdlib functions whose result carries their arguments' content.
PROPAGATING_FUNCTIONS = frozenset(
    {
        "str",
        "repr",
        "format",
        "list",
        "tuple",
        "set",
        "dict",
        "sorted",
        "reversed",
        "filter",
        "map",
        "json.dumps",
        "textwrap.dedent",
        "textwrap.indent",
        "textwrap.shorten",
        "textwrap.fill",
        "textwrap.wrap",
        "html.unescape",
        "html.escape",
        "copy.copy",
        "copy.deepcopy",
        "itertools.chain",
        "enumerate",
        "zip",
        "next",
    }
)
# Methods whose result carries their arguments' content as well as the receiver's.
COMBINING_METHODS = frozenset({"join", "format", "format_map", "replace", "get", "setdefault", "pop"})
# Methods whose result says something about the value without carrying its content.
PREDICATE_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalpha",
        "isalnum",
        "isspace",
        "isnumeric",
        "isdecimal",
        "islower",
        "isupper",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
        "keys",
        "__len__",
        "__contains__",
        "raise_for_status",
    }
)
CONTAINER_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "appendleft", "extendleft"})

Taints = frozenset  # of Taint


@dataclass(frozen=True)
class Taint:
    """One untrusted origin: what it is (``kind``), where it came from (``origin``, a node of
    this module), and the helper functions it was returned through (``via``)."""

    kind: str
    origin: cst.CSTNode
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class _ParamMark:
    """Stands for "whatever the caller passed as ``name``" while a summary is computed."""

    name: str


@dataclass(frozen=True)
class _Returned:
    """Stands for what a call of another module's function (``qualname``) returns until a query
    needs it (most such results never reach a sink): only then is the function's summary asked
    for. ``args`` are what the call's arguments carry, in order; ``place`` is where the call is
    (see ``Dataflow.origin_places``); ``via`` names the module's helpers the result was returned
    through."""

    call: cst.Call
    qualname: str
    args: tuple[Taints, ...]
    place: tuple[cst.FunctionDef | None, cst.CSTNode | None]
    via: tuple[str, ...] = ()


class ImportedFunction(Protocol):
    """A function of another module, as its module's summary describes it."""

    @property
    def label(self) -> str: ...  # its qualified name

    @property
    def params(self) -> tuple[str, ...]: ...  # positional parameters in order (a method's receiver left out)

    @property
    def returns(self) -> tuple[str, ...]: ...  # the taint kinds its result carries by itself

    @property
    def passes(self) -> frozenset[str]: ...  # the parameters that flow into its result


class TaintSpec:
    """What to track. Subclasses override the predicates; the defaults track nothing."""

    # A sanitizer called as a statement (``require_allowed(url)``) cleans the names it is
    # given from there on, not only its result.
    sanitizes_in_place = False

    def source(self, node: cst.BaseExpression) -> str | None:
        """The kind of untrusted value ``node`` (a Name, Attribute, Subscript or Call)
        produces by itself, not through its operands; None when it produces none."""
        return None

    def binding_source(self, name: str) -> str | None:
        """The kind of untrusted value a variable called ``name`` holds when it is given a
        value the analysis cannot see into (not a literal such as ``[]``)."""
        return None

    def parameter_source(self, param: cst.Param) -> str | None:
        """The kind of untrusted value a parameter holds (by its name or annotation)."""
        return self.binding_source(param.name.value)

    def is_sanitizer(self, call: cst.Call) -> bool:
        return False

    def filter(self, node: cst.BaseExpression, taints: Taints) -> Taints:
        """The taints ``node`` (a Call or Dict) keeps of those its parts carry, e.g. a
        structure that labels its content drops them: ``taints`` itself when it keeps them all
        (else the calls of other modules' functions among them are worked out for it first)."""
        return taints

    def imported_name(self, call: cst.Call) -> str | None:
        """The qualified name of the function of another module ``call`` may run, when the spec
        may know its summary (``imported_function``): asked as the analysis passes the call,
        where its names resolve; the summary only if the call's result is queried."""
        return None

    def imported_function(self, qualname: str) -> ImportedFunction | None:
        """The summary of the function of another module called ``qualname``, if the spec knows it."""
        return None


@dataclass
class _Summary:
    # real taints, _ParamMark entries for the parameters that flow into the result, and _Returned
    # entries for the calls of other modules' functions it returns (their arguments may hold both)
    returns: Taints


class Dataflow:
    """Taint queries for one module, computed lazily per function and cached."""

    def __init__(self, module: cst.Module, names: NameResolver, spec: TaintSpec, budget: Budget | None = None):
        self.module = module
        self.budget = budget or Budget(BASE_STEPS)
        self.names = names
        self.spec = spec
        self.functions = ModuleFunctions(module)
        self._results: dict[cst.CSTNode | None, dict[cst.CSTNode, Taints]] = {}
        self._summaries = Summaries(self._summarise)
        # origin -> (its function, the statement of that function's body it is in: None for a
        # parameter), so that its line is found without generating the code of anything larger
        self.origin_places: dict[cst.CSTNode, tuple[cst.FunctionDef | None, cst.CSTNode | None]] = {}
        self._worked_out: dict[_Returned, Taints] = {}

    # -- queries ---------------------------------------------------------------------

    def taint(self, node: cst.BaseExpression, scope: cst.FunctionDef | None) -> Taints:
        """The taints ``node`` carries where it stands in ``scope`` (its innermost enclosing
        function, or None at module level)."""
        found = self.resolve(self._analyse(scope).get(node, frozenset()))
        return frozenset(t for t in found if isinstance(t, Taint))

    def carries(self, node: cst.BaseExpression, scope: cst.FunctionDef | None) -> bool:
        """Whether ``node`` may carry a taint where it stands in ``scope``, without asking
        another module's summary: a call of one of its functions counts as one."""
        return any(type(t) is not _ParamMark for t in self._analyse(scope).get(node, ()))

    def function(self, call: cst.Call, scope: cst.FunctionDef | None) -> cst.FunctionDef | None:
        """The function of this module a call runs: ``helper(...)``, or ``self.method(...)``
        inside a class (see ``ModuleFunctions.called``)."""
        return self.functions.called(call, scope, self.names)

    # -- analysis ---------------------------------------------------------------------

    def _analyse(self, scope: cst.FunctionDef | None) -> dict[cst.CSTNode, Taints]:
        found = self._results.get(scope)
        if found is None:
            found = self._run(scope).recorded
        return found

    def _run(self, scope: cst.FunctionDef | None) -> _Pass:
        run = _Pass(self, scope)
        self._results[scope] = run.recorded
        try:
            with self._summaries.analysing(scope), self._resolver_in(scope):
                run.start()
        except RecursionError:  # nesting the explicit stacks do not cover: said, never silent
            raise GaveUp("the taint analysis met code nested too deeply for it") from None
        return run

    def returned(self, function: cst.FunctionDef) -> tuple[Taints, frozenset[str]]:
        """What ``function`` returns: the taints of its own sources, and the names of the
        parameters that flow into it."""
        summary = self.summary(function)
        items = self.resolve(summary.returns) if summary is not None else frozenset()
        return (
            frozenset(t for t in items if isinstance(t, Taint)),
            frozenset(t.name for t in items if isinstance(t, _ParamMark)),
        )

    def summary(self, function: cst.FunctionDef) -> _Summary | None:
        """What ``function`` returns; None while it is being analysed (recursion)."""
        return self._summaries.of(function)

    def _summarise(self, function: cst.FunctionDef) -> _Summary:
        run = self._run(function)
        # A parameter that is a source by its name stands for what the caller passes:
        # the caller's argument carries its own taints through the parameter's mark.
        return _Summary(_without_origins(run.returns, run.parameter_origins))

    def resolve(self, items: Taints) -> Taints:
        """``items`` with what each call of another module's function among them returns, by
        its summary, in its place: the taints of its sources (the call is their origin), and
        what its arguments carry into its result."""
        if all(type(t) is not _Returned for t in items):
            return items
        out: set = set()
        for item in items:
            out |= self._returned(item) if type(item) is _Returned else {item}
        return frozenset(out)

    def _returned(self, returned: _Returned) -> Taints:
        found = self._worked_out.get(returned)
        if found is not None:
            return found
        function = self.spec.imported_function(returned.qualname)
        out: set = set()
        if function is not None:
            call = returned.call
            out = {Taint(kind, call, (*returned.via, function.label)) for kind in function.returns}
            if out:
                self.origin_places.setdefault(call, returned.place)
            passed = dict(zip(call.args, returned.args))
            for name, arg in bind_parameters(function.params, call).items():
                if name in function.passes:
                    out |= self.resolve(passed[arg])
        found = self._worked_out[returned] = frozenset(out)
        return found

    @contextmanager
    def _resolver_in(self, scope: cst.FunctionDef | None) -> Iterator[None]:
        """Names resolve in ``scope``'s own bindings, recorded as the pass goes, whatever
        function the engine's walk is in."""
        names = self.names
        saved = names.scope
        names.scope = names.module_scope
        if scope is not None:
            names.enter_scope(scope)
        try:
            yield
        finally:
            names.scope = saved


class _Pass:
    """One pass over a function's statements in source order."""

    def __init__(self, flow: Dataflow, scope: cst.FunctionDef | None):
        self.flow = flow
        self.spec = flow.spec
        self.scope = scope
        self.env: dict[str, Taints] = {}
        self.recorded: dict[cst.CSTNode, Taints] = {}
        self.returns: Taints = frozenset()
        self.parameter_origins: set[cst.CSTNode] = set()  # sources that are parameters
        self.top: cst.CSTNode | None = None  # the statement of the scope's own body being analysed

    def start(self) -> None:
        scope = self.scope
        if scope is None:
            self.body(self.flow.module.body)
            return
        params = scope.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            name = param.name.value
            marks: set = {_ParamMark(name)}
            kind = self.spec.parameter_source(param)
            if kind:
                marks.add(Taint(kind, param.name))
                self.parameter_origins.add(param.name)
                self.flow.origin_places.setdefault(param.name, (scope, None))
            self.env[name] = frozenset(marks)
        self.body(scope.body.body if type(scope.body) is cst.IndentedBlock else [scope.body])

    def body(self, statements) -> None:
        """The scope's own statements, each remembered as where the origins found in it are."""
        for statement in statements:
            self.top = statement
            self.statement(statement)

    # -- statements -------------------------------------------------------------------

    def block(self, statements) -> None:
        for statement in statements:
            self.statement(statement)

    def statement(self, node: cst.CSTNode) -> None:
        self.flow.budget.spend("the taint analysis")
        names = self.flow.names
        if type(node) is cst.SimpleStatementLine:
            self.block(node.body)
        elif type(node) is cst.Assign:
            taints = self.expr(node.value)
            for target in node.targets:
                self.assign(target.target, taints, node.value)
            names.record(node)
        elif type(node) is cst.AnnAssign:
            if node.value is not None:
                self.assign(node.target, self.expr(node.value), node.value)
                names.record(node)
        elif type(node) is cst.AugAssign:
            taints = self.expr(node.value) | self.expr(node.target)
            self.assign(node.target, taints, node.value)
        elif type(node) is cst.Expr:
            self.expr(node.value)
            self.mutation(node.value)
        elif type(node) is cst.Return:
            if node.value is not None:
                self.returns |= self.expr(node.value)
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            names.record(node)
        elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.env.pop(node.name.value, None)  # analysed on their own
        elif type(node) is cst.If:
            self.branches(node)
        elif isinstance(node, (cst.For, cst.While)):
            before = dict(self.env)
            for _ in range(2):  # the second round sees what the first left for the loop's top
                entry = dict(self.env)
                if isinstance(node, cst.For):
                    self.assign(node.target, self.expr(node.iter), node.iter)
                else:
                    self.expr(node.test)
                self.block(node.body.body)
                if self.env == entry:
                    break  # a second round would repeat the first: nested loops stay linear, not 2**depth
            self.merge(before)
            if node.orelse is not None:
                self.block(node.orelse.body.body)
        elif type(node) is cst.Try:
            before = dict(self.env)
            self.block(node.body.body)
            self.merge(before)
            ends = self.alternatives([handler.body.body for handler in node.handlers])
            if node.orelse is not None:
                self.block(node.orelse.body.body)
            for end in ends:
                self.merge(end)
            if node.finalbody is not None:
                self.block(node.finalbody.body.body)
        elif type(node) is cst.With:
            for item in node.items:
                taints = self.expr(item.item)
                if item.asname is not None:
                    self.assign(item.asname.name, taints, item.item)
                names.record(item)
            self.block(node.body.body)
        elif type(node) is cst.Match:
            self.expr(node.subject)
            for end in self.alternatives([case.body.body for case in node.cases]):
                self.merge(end)
        elif isinstance(node, cst.BaseCompoundStatement):
            body = getattr(node, "body", None)
            if type(body) is cst.IndentedBlock:
                self.block(body.body)

    def branches(self, node: cst.If) -> None:
        """An ``if`` and its ``elif`` chain, followed without recursing (500 branches are valid
        code): each body is entered with the environment after its test, and the ends merge."""
        ends = []
        branch: cst.If | None = node
        while branch is not None:
            self.expr(branch.test)
            before = dict(self.env)
            self.block(branch.body.body)
            ends.append(self.env)
            self.env = before
            orelse = branch.orelse
            branch = orelse if type(orelse) is cst.If else None
            if type(orelse) is cst.Else:
                self.block(orelse.body.body)
        for end in ends:
            self.merge(end)

    def alternatives(self, blocks: list) -> list[dict[str, Taints]]:
        """The environments at the ends of ``blocks``, each entered with the current one
        (which is left as it was, for the caller to merge them into)."""
        entry = dict(self.env)
        ends = []
        for block in blocks:
            self.env = dict(entry)
            self.block(block)
            ends.append(self.env)
        self.env = entry
        return ends

    def merge(self, other: dict[str, Taints]) -> None:
        for key, taints in other.items():
            self.env[key] = self.env.get(key, frozenset()) | taints

    def assign(self, target: cst.CSTNode, taints: Taints, value: cst.CSTNode) -> None:
        if type(target) is cst.Name:
            kind = self.spec.binding_source(target.value) if self.opaque(value) else None
            if kind and not self.sanitized(value):
                taints = taints | {Taint(kind, target)}
                self.flow.origin_places.setdefault(target, (self.scope, self.top))
            self.env[target.value] = taints
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.assign(element.value, taints, value)
        elif type(target) is cst.StarredElement:
            self.assign(target.value, taints, value)
        elif type(target) is cst.Attribute:
            key = dotted_name(target)
            if key:
                self.env[key] = taints
        elif type(target) is cst.Subscript:
            self._union(e.slice.value for e in target.slice if type(e.slice) is cst.Index)
            key = dotted_name(target.value)
            if key:
                self.env[key] = self.env.get(key, frozenset()) | taints

    def opaque(self, value: cst.CSTNode) -> bool:
        """A value the analysis cannot see into (a call of an unknown function, a name, an
        attribute), as opposed to a literal or a call of a module function it summarised."""
        value = _awaited(value)
        if type(value) is cst.Call:
            return self.flow.function(value, self.scope) is None
        return isinstance(value, (cst.Name, cst.Attribute, cst.Subscript))

    def sanitized(self, value: cst.CSTNode) -> bool:
        value = _awaited(value)
        return type(value) is cst.Call and self.spec.is_sanitizer(value)

    def mutation(self, value: cst.BaseExpression) -> None:
        """``messages.append(x)`` taints ``messages``; an in-place sanitizer cleans its arguments."""
        call = _awaited(value)
        if type(call) is not cst.Call:
            return
        func = call.func
        if type(func) is cst.Attribute and func.attr.value in CONTAINER_MUTATORS:
            key = dotted_name(func.value)
            if key:
                added = frozenset().union(*(self.recorded.get(arg.value, frozenset()) for arg in call.args))
                self.env[key] = self.env.get(key, frozenset()) | added
        elif self.spec.sanitizes_in_place and self.spec.is_sanitizer(call):
            for arg in call.args:
                key = dotted_name(arg.value)
                if key:
                    self.env[key] = frozenset()

    # -- expressions ------------------------------------------------------------------

    def expr(self, node: cst.CSTNode) -> Taints:
        self.flow.budget.spend("the taint analysis")
        taints = self._operators(cast(_Operator, node)) if type(node) in _OPERATOR_TYPES else self._expr(node)
        if taints:
            self.recorded[node] = taints
        return taints

    def _union(self, nodes) -> Taints:
        out: Taints = frozenset()
        for node in nodes:
            out |= self.expr(node)
        return out

    def _source(self, node: cst.BaseExpression, taints: Taints) -> Taints:
        kind = self.spec.source(node)
        if not kind:
            return taints
        self.flow.origin_places.setdefault(node, (self.scope, self.top))
        return taints | {Taint(kind, node)}

    def _expr(self, node: cst.CSTNode) -> Taints:
        if type(node) not in _CARRIERS:  # a literal, a lambda: carries nothing
            return frozenset()
        if type(node) is cst.Name:
            return self._source(node, self.env.get(node.value, frozenset()))
        if type(node) is cst.Attribute:
            key = dotted_name(node)
            base = self.env[key] if key in self.env else self.expr(node.value)
            return self._source(node, base)
        if type(node) is cst.Subscript:
            self._union(e.slice.value for e in node.slice if type(e.slice) is cst.Index)
            return self._source(node, self.expr(node.value))
        if type(node) is cst.Call:
            return self.call(node)
        if type(node) is cst.Await:
            return self.expr(node.expression)
        if type(node) is cst.FormattedString:
            return self._union(p.expression for p in node.parts if type(p) is cst.FormattedStringExpression)
        if type(node) is cst.IfExp:
            self.expr(node.test)
            return self.expr(node.body) | self.expr(node.orelse)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return self._union(e.value for e in node.elements)
        if type(node) is cst.Dict:
            parts: list[cst.BaseExpression] = []
            for element in node.elements:
                parts.extend((element.key, element.value) if type(element) is cst.DictElement else (element.value,))
            return self.filter(node, self._union(parts))
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self.comprehension(node)
        if type(node) is cst.NamedExpr:
            taints = self.expr(node.value)
            self.assign(node.target, taints, node.value)
            return taints
        if isinstance(node, (cst.UnaryOperation, cst.Comparison)):
            operands = (
                [node.expression]
                if isinstance(node, cst.UnaryOperation)
                else [node.left, *(c.comparator for c in node.comparisons)]
            )
            self._union(operands)
            return frozenset()
        if type(node) is cst.StarredElement:
            return self.expr(node.value)
        return frozenset()

    def _operators(self, root: _Operator) -> Taints:
        """A tree of binary operators (``1 + 1 + ...`` 600 times is valid code) evaluated left
        to right with an explicit stack: each operator carries what its two operands carry."""
        values: list[Taints] = []
        stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
        while stack:
            node, operands_done = stack.pop()
            if operands_done:
                right, left = values.pop(), values.pop()
                taints = left | right
                if taints and node is not root:  # the root is recorded by ``expr``
                    self.recorded[node] = taints
                values.append(taints)
            elif type(node) in _OPERATOR_TYPES:
                if node is not root:
                    self.flow.budget.spend("the taint analysis")
                operator = cast(_Operator, node)
                stack += ((node, True), (operator.right, False), (operator.left, False))
            else:
                values.append(self.expr(node))
        return values[0]

    def comprehension(self, node) -> Taints:
        saved = dict(self.env)
        clause = node.for_in
        while clause is not None:
            self.assign(clause.target, self.expr(clause.iter), clause.iter)
            self._union(i.test for i in clause.ifs)
            clause = clause.inner_for_in
        taints = self.expr(node.key) | self.expr(node.value) if type(node) is cst.DictComp else self.expr(node.elt)
        self.env = saved
        return taints

    def call(self, node: cst.Call) -> Taints:
        func = node.func
        receiver = self.expr(func.value) if type(func) is cst.Attribute else frozenset()
        args = [self.expr(arg.value) for arg in node.args]
        if self.spec.is_sanitizer(node):
            return frozenset()
        taints = self._source(node, frozenset())
        target = self.flow.function(node, self.scope)
        if target is not None:
            return self.filter(node, taints | self.through(target, node, args))
        # Another module's function adds what its summary says to what a method call carries anyway
        # (its receiver: ``node.get_content()`` on a tainted node, whatever the method does).
        imported = self.spec.imported_name(node)
        if imported is not None:
            taints |= {_Returned(node, imported, tuple(args), (self.scope, self.top))}
        if (self.flow.names.qualify(func) or dotted_name(func)) in PROPAGATING_FUNCTIONS:
            taints |= frozenset().union(*args)
        elif type(func) is cst.Attribute:
            method = func.attr.value
            if method in COMBINING_METHODS:
                taints |= receiver.union(*args)
            elif method not in PREDICATE_METHODS:
                taints |= receiver
        return self.filter(node, taints)

    def filter(self, node: cst.BaseExpression, taints: Taints) -> Taints:
        """``TaintSpec.filter``; when it keeps only some of the taints, it chooses among what the
        calls of other modules' functions return too."""
        kept = self.spec.filter(node, taints)
        if kept is taints or not any(type(t) is _Returned for t in kept):
            return kept
        return self.spec.filter(node, self.flow.resolve(taints))

    def through(self, function: cst.FunctionDef, call: cst.Call, args: list[Taints]) -> Taints:
        """What a call of a module function returns, by its summary."""
        summary = self.flow.summary(function)
        if summary is None:
            return frozenset()
        passed = dict(zip(call.args, args))
        bound = {name: passed[arg] for name, arg in bound_arguments(function, call).items()}
        return _called(summary.returns, function.name.value, bound)


def _called(items: Taints, name: str, bound: dict[str, Taints]) -> Taints:
    """What a summary's ``items`` stand for in a call of the function ``name`` with the
    parameters ``bound`` to what its arguments carry (also within the calls of other modules'
    functions it returns): its own sources are returned through it."""
    out: set = set()
    for item in items:
        if type(item) is Taint:
            out.add(replace(item, via=(name, *item.via)))
        elif type(item) is _ParamMark:
            out |= bound.get(item.name, frozenset())
        else:
            args = tuple(_called(arg, name, bound) for arg in item.args)
            out.add(replace(item, args=args, via=(name, *item.via)))
    return frozenset(out)


def _without_origins(items: Taints, origins: set[cst.CSTNode]) -> Taints:
    """``items`` without the taints whose origin is one of ``origins``, also within the
    arguments of the calls of other modules' functions among them."""
    out: set = set()
    for item in items:
        if type(item) is _Returned:
            out.add(replace(item, args=tuple(_without_origins(arg, origins) for arg in item.args)))
        elif not (type(item) is Taint and item.origin in origins):
            out.add(item)
    return frozenset(out)


_Operator = cst.BinaryOperation | cst.BooleanOperation | cst.ConcatenatedString
_OPERATOR_TYPES = frozenset({cst.BinaryOperation, cst.BooleanOperation, cst.ConcatenatedString})
# The expressions ``_expr`` reads (exact types, as everywhere in this hot path: LibCST's
# classes are ABCs, and ``isinstance`` against one is several times slower than ``type()``).
_CARRIERS = frozenset(
    {
        cst.Name,
        cst.Attribute,
        cst.Subscript,
        cst.Call,
        cst.Await,
        cst.FormattedString,
        cst.IfExp,
        cst.List,
        cst.Tuple,
        cst.Set,
        cst.Dict,
        cst.ListComp,
        cst.SetComp,
        cst.GeneratorExp,
        cst.DictComp,
        cst.NamedExpr,
        cst.UnaryOperation,
        cst.Comparison,
        cst.StarredElement,
    }
)


def _awaited(node: cst.CSTNode) -> cst.CSTNode:
    """What ``await x`` waits for; any other node itself."""
    return node.expression if type(node) is cst.Await else node
