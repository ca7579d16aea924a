"""Qualified names through imports, aliases and objects made from known classes.

Cheap by design (no LibCST ScopeProvider): the module's top-level statements are
indexed before the walk, and each function's bindings are recorded by the walk as it
enters the function, so a name used inside a function resolves through the function's
own imports, parameters and assignments first, then the module's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

import libcst as cst

from designlint.analysis.modules import resolve_relative
from designlint.analysis.syntax import own_nodes
from designlint.parsing import ParseRefused, parse_expression


@dataclass(frozen=True)
class Binding:
    """What a local name stands for.

    ``kind`` is ``"import"`` (the name is the module or object ``qualname``), or
    ``"instance"`` (the name holds an object made by calling ``qualname``, or a
    parameter annotated with it; ``node`` is that call, if any), or ``"value"`` (an
    assignment of ``node``; a module-level def or class also has its ``qualname``).

    A name that holds a part of a value (``url, params = helper()``) or each of its elements
    in turn (``for url in URLS``) is a ``"value"`` with no ``node``: ``source`` is that value
    and ``path`` the way into it, an index per level, None for "each element".
    """

    kind: str
    qualname: str = ""
    node: cst.CSTNode | None = None
    # The binding this one replaced in the same scope: what the name meant inside its own
    # new value (``url = url + "/v1"``).
    previous: Binding | None = field(default=None, compare=False, repr=False)
    source: cst.BaseExpression | None = None
    path: tuple[int | None, ...] = ()


@dataclass
class Scope:
    node: cst.CSTNode | None  # the FunctionDef, ClassDef or Lambda; None for the module
    parent: Scope | None = None
    bindings: dict[str, Binding] = field(default_factory=dict)

    def lookup(self, name: str) -> Binding | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.bindings.get(name)
            if found is not None:
                return found
            scope = scope.parent
            # Class bodies are not visible from the methods inside them.
            while scope is not None and type(scope.node) is cst.ClassDef and scope is not self:
                scope = scope.parent
        return None


def dotted_name(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    # Exact types, not isinstance: LibCST's classes are ABCs, slow to check, and this runs on
    # nearly every call and name of a file.
    if type(node) is cst.Name:
        return node.value
    parts: list[str] = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is cst.Name:
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def last_name(node: cst.CSTNode) -> str:
    """``c`` for a Name/Attribute chain ``a.b.c``, ``""`` for anything else."""
    return (dotted_name(node) or "").rpartition(".")[2]


def import_bindings(
    statement: cst.Import | cst.ImportFrom, module_name: str | None = None
) -> Iterator[tuple[str, Binding]]:
    """The (local name, binding) pairs an import statement creates."""
    if isinstance(statement, cst.Import):
        for alias in statement.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                yield alias.asname.name.value, Binding("import", full)
            else:
                top = full.split(".", 1)[0]
                yield top, Binding("import", top)
        return
    base = dotted_name(statement.module) if statement.module is not None else ""
    if statement.relative:
        base = resolve_relative(len(statement.relative), base or "", module_name)
    if isinstance(statement.names, cst.ImportStar):
        return
    for alias in statement.names:
        name = dotted_name(alias.name) or ""
        local = (
            alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
        )
        yield local, Binding("import", f"{base}.{name}" if base else name)


def bind_target(
    scope: Scope, target: cst.BaseExpression, value: cst.BaseExpression, resolve, path: tuple[int | None, ...] = ()
) -> None:
    """Record ``target = value`` in ``scope``: an instance when value calls a known class; the
    names of a tuple target each hold their part of the value (see Binding)."""
    if isinstance(target, (cst.Tuple, cst.List)):
        if any(isinstance(element, cst.StarredElement) for element in target.elements):
            for name in target_names(target):  # ``first, *rest = ...``: the parts are not worked out
                scope.bindings[name] = Binding("value", previous=scope.bindings.get(name))
            return
        for index, element in enumerate(target.elements):
            bind_target(scope, element.value, value, resolve, (*path, index))
        return
    if not isinstance(target, cst.Name):
        return
    name = target.value
    previous = scope.bindings.get(name)
    if path:
        scope.bindings[name] = Binding("value", previous=previous, source=value, path=path)
    else:
        scope.bindings[name] = value_binding(value, resolve, previous)


def returned_values(function: cst.FunctionDef) -> list[cst.BaseExpression]:
    """The values ``function`` itself returns (not its nested functions)."""
    return [node.value for node in own_nodes(function.body) if isinstance(node, cst.Return) and node.value is not None]


def target_names(target: cst.BaseExpression) -> list[str]:
    """The names an assignment target binds (``a``, ``a, (b, *c)``)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in target_names(element.value)]
    return []


def value_binding(value: cst.BaseExpression, resolve, previous: Binding | None = None) -> Binding:
    """What a name assigned ``value`` stands for: an instance when value calls a known class
    (also one arm of ``session if session else ClientSession()`` or ``session or ClientSession()``)."""
    call = _made_object(value)
    if isinstance(call, cst.Call):
        qualname = resolve(call.func)
        if qualname:
            return Binding("instance", qualname, call, previous)
    return Binding("value", "", value, previous)


def _made_object(value: cst.BaseExpression) -> cst.BaseExpression:
    """The call that makes the value, where one arm of a fallback does: a parameter or a new client."""
    value = value.expression if isinstance(value, cst.Await) else value
    if isinstance(value, cst.IfExp):
        arms = (value.body, value.orelse)
    elif isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
        arms = (value.left, value.right)
    else:
        return value
    return next((arm for arm in arms if isinstance(arm, cst.Call)), value)


def annotation_qualname(annotation: cst.Annotation | None, resolve) -> str | None:
    """The class an annotation names (``X``, ``mod.X``, ``X | None``, ``Optional[X]``), else None."""
    if annotation is None:
        return None
    expr = annotation.annotation
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        for side in (expr.left, expr.right):
            if not (isinstance(side, cst.Name) and side.value == "None"):
                expr = side
                break
    if isinstance(expr, cst.Subscript) and last_name(expr.value) == "Optional":
        element = expr.slice[0].slice
        if isinstance(element, cst.Index):
            expr = element.value
    if isinstance(expr, cst.SimpleString):  # a forward reference: "aiohttp.ClientSession"
        text = expr.evaluated_value
        if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", text.strip()):
            return None
        try:
            expr = parse_expression(text.strip())
        except (cst.ParserSyntaxError, ParseRefused):  # e.g. 20,000 parts: too long a chain to follow
            return None
    return resolve(expr)


class NameResolver:
    """Resolves expressions to qualified names within the scope the walk is in."""

    def __init__(self, module: cst.Module, module_name: str | None = None, *, is_package: bool = False):
        self.module_name = module_name
        # Relative imports count from the module's package: a package's ``__init__`` is its own.
        self._relative_to = f"{module_name}.__init__" if is_package and module_name else module_name
        self._class_members: dict[int, dict[str, Binding]] = {}
        self._helper_classes: dict[str, str | None] = {}  # a helper's qualname -> the class it returns
        self.module_scope = Scope(None)
        self.scope = self.module_scope
        for statement in _top_level_statements(module.body):
            self._bind_statement(self.module_scope, statement)

    # -- queries ---------------------------------------------------------------------

    def qualify(self, expr: cst.CSTNode) -> str | None:
        """The qualified name of a Name/Attribute chain: ``rq.get`` -> ``requests.get``,
        ``s.get`` -> ``requests.Session.get`` after ``s = requests.Session()``,
        ``self.client.get`` -> ``httpx.AsyncClient.get`` after ``self.client = httpx.AsyncClient()``
        in any method, ``httpx.Client().get`` -> ``httpx.Client.get``."""
        if type(expr) is cst.Attribute and type(expr.value) is cst.Call:
            made_by = self.qualify(expr.value.func)
            return f"{self._made_class(made_by)}.{expr.attr.value}" if made_by else None
        dotted = dotted_name(expr)
        if dotted is None:
            return None
        parts = dotted.split(".")
        binding = self.scope.lookup(parts[0])
        if binding is not None and len(parts) > 1 and isinstance(binding.node, cst.ClassDef):
            member = self.class_members(binding.node).get(parts[1])
            if member is not None and member.qualname:
                made = self._made_class(member.qualname) if member.kind == "instance" else member.qualname
                return ".".join([made, *parts[2:]])
        if binding is None or not binding.qualname:
            return None
        made = self._made_class(binding.qualname) if binding.kind == "instance" else binding.qualname
        return ".".join([made, *parts[1:]])

    def lookup(self, name: str) -> Binding | None:
        return self.scope.lookup(name)

    def binding_of(self, expr: cst.CSTNode) -> Binding | None:
        """What a name (``url``) or a class member (``self.client``, ``cls.BASE``, ``Api.BASE``) stands for here."""
        if isinstance(expr, cst.Name):
            return self.scope.lookup(expr.value)
        if isinstance(expr, cst.Attribute) and isinstance(expr.value, cst.Name):
            owner = self.scope.lookup(expr.value.value)
            if owner is not None and isinstance(owner.node, cst.ClassDef):
                return self.class_members(owner.node).get(expr.attr.value)
        return None

    def _made_class(self, qualname: str) -> str:
        """The class of what calling ``qualname`` makes: the class itself, or the one a helper of
        this module returns (``session = get_session()``, ``self._client()``): its return
        annotation, else the class all its returns make."""
        if qualname in self._helper_classes:
            return self._helper_classes[qualname] or qualname
        self._helper_classes[qualname] = None  # a helper returning its own result: no class
        helper = self._module_function(qualname)
        made = None
        if helper is not None:
            resolve = self.qualify_in(self.module_scope)
            made = annotation_qualname(helper.returns, resolve) if helper.returns is not None else None
            if made is None:
                classes = {value_binding(value, resolve).qualname for value in returned_values(helper)}
                made = classes.pop() if len(classes) == 1 else None
        self._helper_classes[qualname] = made
        return made or qualname

    def _module_function(self, qualname: str) -> cst.FunctionDef | None:
        """The function or method of this module named ``qualname`` (``mod.helper``, ``mod.Class.method``)."""
        prefix = f"{self.module_name}." if self.module_name else ""
        if not qualname.startswith(prefix):
            return None
        name, _, member = qualname[len(prefix) :].partition(".")
        bound = self.module_scope.bindings.get(name)
        node = bound.node if bound is not None else None
        if member and isinstance(node, cst.ClassDef):
            method = self.class_members(node).get(member)
            node = method.node if method is not None else None
        return node if isinstance(node, cst.FunctionDef) else None

    def function_matches(self, func: cst.CSTNode, configured: Iterable[str]) -> bool:
        """Whether a callee is one of the functions a config option names: a dotted name
        matches by qualified name (through imports and aliases), a bare name any function of
        that name (``check(url)``, ``net.check(url)``, ``self.check(url)``)."""
        dotted = dotted_name(func)
        if dotted is None:
            return False
        short = dotted.rpartition(".")[2]
        qualname = None
        for entry in configured:
            if "." not in entry:
                if entry == short:
                    return True
                continue
            if qualname is None:
                qualname = self.qualify(func) or ""
            if qualname == entry:
                return True
        return False

    def class_members(self, node: cst.ClassDef) -> dict[str, Binding]:
        """Class attributes, ``self.x = ...`` assignments of any method, and methods, indexed on first use.

        A member assigned in a method is an instance when its value calls a known class or is a
        parameter annotated with one; a literal string is kept as a value; anything else is
        unknown (a value bound in another function cannot be read in this one)."""
        members = self._class_members.get(id(node))
        if members is not None:
            return members
        members = self._class_members[id(node)] = {}  # registered first: members may name the class itself
        resolve = self.qualify_in(self.module_scope)
        for statement in _top_level_statements(node.body.body):
            if isinstance(statement, cst.Assign):
                for target in statement.targets:
                    if isinstance(target.target, cst.Name):
                        members[target.target.value] = value_binding(statement.value, resolve)
            elif isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
                qualname = annotation_qualname(statement.annotation, resolve)
                if qualname:
                    members[statement.target.value] = Binding("instance", qualname, statement.value)
                elif statement.value is not None:
                    members[statement.target.value] = value_binding(statement.value, resolve)
            elif isinstance(statement, cst.FunctionDef):
                self._index_method(statement, members, resolve)
        for statement in node.body.body:  # methods, unless an attribute of that name is assigned
            if isinstance(statement, cst.FunctionDef):
                members.setdefault(
                    statement.name.value,
                    Binding("value", f"{self._class_qualname(node)}.{statement.name.value}", statement),
                )
        for base in node.bases:  # inherited from a class defined in this module
            bound = self.module_scope.bindings.get(base.value.value) if isinstance(base.value, cst.Name) else None
            if bound is not None and isinstance(bound.node, cst.ClassDef):
                for name, member in self.class_members(bound.node).items():
                    members.setdefault(name, member)
        return members

    def _index_method(self, method: cst.FunctionDef, members: dict[str, Binding], resolve) -> None:
        params = [*method.params.posonly_params, *method.params.params]
        if not params or _is_staticmethod(method) or not isinstance(method.body, cst.IndentedBlock):
            return
        receiver = params[0].name.value
        annotated = {p.name.value: q for p in params[1:] if (q := annotation_qualname(p.annotation, resolve))}
        for statement in _top_level_statements(method.body.body):
            if isinstance(statement, cst.Assign):
                pairs = [(t.target, statement.value) for t in statement.targets]
                annotation = None
            elif isinstance(statement, cst.AnnAssign) and statement.value is not None:
                pairs, annotation = [(statement.target, statement.value)], statement.annotation
            else:
                continue
            for target, value in pairs:
                if not (
                    isinstance(target, cst.Attribute)
                    and isinstance(target.value, cst.Name)
                    and target.value.value == receiver
                ):
                    continue
                attr = target.attr.value
                if members.get(attr, Binding("value")).kind == "instance":
                    continue  # the first known class wins over later reassignments
                qualname = annotation_qualname(annotation, resolve) if annotation else None
                if qualname is None and isinstance(value, cst.Name):
                    qualname = annotated.get(value.value)
                if qualname:
                    members[attr] = Binding("instance", qualname, value)
                    continue
                binding = value_binding(value, resolve)
                literal = isinstance(value, (cst.SimpleString, cst.ConcatenatedString))
                earlier = members.get(attr)
                if binding.kind == "instance" or (
                    literal
                    and (earlier is None or isinstance(earlier.node, (cst.SimpleString, cst.ConcatenatedString)))
                ):
                    members[attr] = binding  # only literals so far: the last one written is the value
                else:
                    members[attr] = Binding("value")

    def imported_as(self, qualname: str) -> str | None:
        """A local expression that names ``qualname`` at module level (``ErrorCode`` or ``errors.ErrorCode``)."""
        module, _, attr = qualname.rpartition(".")
        for local, binding in self.module_scope.bindings.items():
            if binding.kind != "import":
                continue
            if binding.qualname == qualname:
                return local
            if module and binding.qualname == module:
                return f"{local}.{attr}"
        return None

    # -- walk hooks (called by the engine) ---------------------------------------------

    def enter_scope(self, node: cst.CSTNode) -> None:
        """Called for defs, classes, lambdas and comprehensions. The scope is entered first, so
        the walk can leave it whatever happens below."""
        outer = self.scope
        scope = Scope(node, outer)
        self.scope = scope
        if isinstance(node, _COMPREHENSIONS):
            # Not a scope of its own for the rules: it sees the enclosing one's names (a copy, so
            # its loop variables do not leak), with ``node`` the enclosing def.
            scope.node, scope.bindings = outer.node, dict(outer.bindings)
            for_in: cst.CompFor | None = node.for_in
            while for_in is not None:
                bind_target(scope, for_in.target, for_in.iter, self.qualify, (None,))
                for_in = for_in.inner_for_in
        elif isinstance(node, cst.FunctionDef):
            params = node.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                qualname = annotation_qualname(param.annotation, self.qualify)
                scope.bindings[param.name.value] = Binding("instance", qualname) if qualname else Binding("value")
            positional = (*params.posonly_params, *params.params)
            if isinstance(outer.node, cst.ClassDef) and positional and not _is_staticmethod(node):
                # ``self``/``cls``: its members are the class's (see class_members).
                scope.bindings[positional[0].name.value] = Binding(
                    "instance", self._class_qualname(outer.node), outer.node
                )
            for star in (params.star_arg, params.star_kwarg):
                if isinstance(star, cst.Param):
                    scope.bindings[star.name.value] = Binding("value")
            # Imports and nested helpers, wherever they are in the body (``url, params = helper()``).
            for statement in _top_level_statements(node.body.body if isinstance(node.body, cst.IndentedBlock) else ()):
                if isinstance(statement, (cst.Import, cst.ImportFrom, cst.FunctionDef, cst.ClassDef)):
                    self._bind_statement(scope, statement)

    def leave_scope(self) -> None:
        assert self.scope.parent is not None
        self.scope = self.scope.parent

    def record(self, node: cst.CSTNode) -> None:
        """Called for assignments, with-items, for-loops and imports inside functions, in source order."""
        if self.scope is self.module_scope:
            return  # indexed up front
        if isinstance(node, cst.Assign):
            for target in node.targets:
                bind_target(self.scope, target.target, node.value, self.qualify)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            qualname = annotation_qualname(node.annotation, self.qualify)
            if qualname and isinstance(node.target, cst.Name):
                self.scope.bindings[node.target.value] = Binding("instance", qualname, node.value)
            else:
                bind_target(self.scope, node.target, node.value, self.qualify)
        elif isinstance(node, cst.WithItem) and node.asname is not None:
            entered = self.binding_of(node.item)
            if entered is not None and entered.kind == "instance" and isinstance(node.asname.name, cst.Name):
                # ``async with http_client as client``: a client's context manager gives the client itself.
                self.scope.bindings[node.asname.name.value] = entered
            else:
                bind_target(self.scope, node.asname.name, node.item, self.qualify)
        elif isinstance(node, (cst.Import, cst.ImportFrom, cst.For)):
            self._bind_statement(self.scope, node)

    def _class_qualname(self, node: cst.ClassDef) -> str:
        return f"{self.module_name}.{node.name.value}" if self.module_name else node.name.value

    def _bind_statement(self, scope: Scope, statement: cst.CSTNode) -> None:
        if isinstance(statement, (cst.Import, cst.ImportFrom)):
            for local, binding in import_bindings(statement, self._relative_to):
                scope.bindings[local] = binding
        elif isinstance(statement, cst.Assign):
            for target in statement.targets:
                bind_target(scope, target.target, statement.value, self.qualify_in(scope))
        elif isinstance(statement, cst.AnnAssign) and statement.value is not None:
            bind_target(scope, statement.target, statement.value, self.qualify_in(scope))
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            name = statement.name.value
            qualname = (
                (f"{self.module_name}.{name}" if self.module_name else name) if scope is self.module_scope else ""
            )
            scope.bindings[name] = Binding("value", qualname, statement)
        elif isinstance(statement, cst.With):
            for item in statement.items:
                if item.asname is not None:
                    bind_target(scope, item.asname.name, item.item, self.qualify_in(scope))
        elif isinstance(statement, cst.For):
            bind_target(scope, statement.target, statement.iter, self.qualify_in(scope), (None,))

    def qualify_in(self, scope: Scope):
        def resolve(expr: cst.CSTNode) -> str | None:
            saved, self.scope = self.scope, scope
            try:
                return self.qualify(expr)
            finally:
                self.scope = saved

        return resolve


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _is_staticmethod(node: cst.FunctionDef) -> bool:
    return any(dotted_name(d.decorator) == "staticmethod" for d in node.decorators)


def _top_level_statements(body: Iterable[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """Simple statements of a block, descending into if/try/with/for/while blocks but not into defs."""
    for statement in body:
        kind = type(statement)  # exact types first: the ABC check of a small statement is slow
        if kind is cst.SimpleStatementLine:
            yield from cast(cst.SimpleStatementLine, statement).body
        elif kind is cst.FunctionDef or kind is cst.ClassDef:
            yield statement
        elif type(statement) is cst.If:
            yield from _top_level_statements(statement.body.body)
            orelse = statement.orelse
            while orelse is not None:
                yield from _top_level_statements(orelse.body.body)
                orelse = orelse.orelse if type(orelse) is cst.If else None
        elif type(statement) is cst.Try:
            yield from _top_level_statements(statement.body.body)
            for handler in statement.handlers:
                yield from _top_level_statements(handler.body.body)
            for extra in (statement.orelse, statement.finalbody):
                if extra is not None:
                    yield from _top_level_statements(extra.body.body)
        elif type(statement) is cst.With or type(statement) is cst.For:
            yield statement
            yield from _top_level_statements(statement.body.body)
        elif type(statement) is cst.While:
            yield from _top_level_statements(statement.body.body)
        elif isinstance(statement, cst.BaseSmallStatement):  # the body of a one-line suite
            yield statement
