"""Static string values of expressions: literals, and what names, f-strings, concatenation,
formatting and helpers make of them, as far as they are known (the URLs among them are read
by ``urls``)."""

from __future__ import annotations

import re
import string
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import libcst as cst

from designlint.analysis.names import dotted_name, last_name, returned_values
from designlint.analysis.summaries import local_values
from designlint.analysis.urls import is_absolute_url, url_origin

if TYPE_CHECKING:
    from designlint.analysis.names import Binding, NameResolver


def literal_string(node: cst.CSTNode) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal or a concatenation of them."""
    if isinstance(node, cst.SimpleString):
        prefix = node.prefix.lower()
        if "b" in prefix:
            return None
        if "\\" not in node.value and "\0" not in node.value and "\r" not in node.value:
            # No escapes and no CR (which Python folds): the text between the quotes is the value (evaluating it would
            # compile it, which costs more than all the rest of a typical rule).
            quote = len(node.quote)
            return node.value[len(prefix) + quote : -quote]
        try:
            if "\\" in node.value:  # an invalid escape warns; the linted code's problem, not ours to print
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    value = node.evaluated_value
            else:
                value = node.evaluated_value
        except (SyntaxError, ValueError):  # a NUL byte, an unknown \N{...} name: LibCST parses what Python refuses
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_string(node.left), literal_string(node.right)
        return left + right if left is not None and right is not None else None
    return None


# -- static values: known, partly known, unknown ------------------------------------------

# Pieces a value keeps: ``a2 = f"{a1}/{a1}"`` chained has 2**depth of them.
_MAX_PARTS = 64
_UNKNOWN_DEPTH = 12  # how many names deep a value is followed before it counts as unknown
_PERCENT_FIELD = re.compile(r"%(?:\((?P<key>\w+)\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?(?P<kind>[sdifrauxXeEgGc%])")
# Calls whose result spells the same URL as their one argument.
_SAME_TEXT = frozenset({"str", "builtins.str", "yarl.URL", "httpx.URL", "httpx2.URL"})
_MAX_ELEMENTS = 32  # a longer literal sequence a loop runs over is judged as a whole, not element by element
# The way into a value (see _Evaluator._part): a tuple or list index, a dict key, or None for
# each element of a sequence in turn.
Path = tuple[int | str | None, ...]


@dataclass(frozen=True)
class StaticValue:
    """A string as far as it is known statically: known text and unknown pieces, in order.

    ``parts`` holds ``str`` for known text and the expression node for each unknown piece
    (a parameter, a call result, ...), so a caller can ask where the unknown part came from.
    """

    parts: tuple[str | cst.CSTNode, ...]

    @property
    def complete(self) -> bool:
        """The whole value is known."""
        return all(isinstance(part, str) for part in self.parts)

    @property
    def value(self) -> str | None:
        return "".join(self.parts) if self.complete else None  # type: ignore[arg-type]  # complete: every part is a str

    @property
    def prefix(self) -> str:
        """The known text before the first unknown piece."""
        known = []
        for part in self.parts:
            if not isinstance(part, str):
                break
            known.append(part)
        return "".join(known)

    @property
    def first_unknown(self) -> cst.CSTNode | None:
        return next((part for part in self.parts if not isinstance(part, str)), None)

    def __add__(self, other: StaticValue) -> StaticValue:
        merged: list[str | cst.CSTNode] = []
        for part in (*self.parts, *other.parts):
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            elif part != "":
                merged.append(part)
        if len(merged) > _MAX_PARTS:  # the rest is unknown: a host is read from the first parts
            merged[_MAX_PARTS - 1 :] = [next(part for part in merged[_MAX_PARTS - 1 :] if not isinstance(part, str))]
        return StaticValue(tuple(merged))


def unknown(node: cst.CSTNode) -> StaticValue:
    return StaticValue((node,))


# What a module-level constant of another module of the project holds, by qualified name
# (``constants.module_constant``); None when it is not a known string.
ConstantReader = Callable[[str], "str | None"]


def static_value(node: cst.CSTNode, names: NameResolver | None = None) -> StaticValue:
    """What ``node`` evaluates to as a string, as far as it is known: literals; names bound to
    them in this scope or the module (module constants, class constants, ``self.x`` literals);
    f-strings, ``+``, ``%``, ``.format``, ``urljoin``, ``str()``; what a helper function or
    property of this module returns; entries of dict, tuple and list literals
    (``details["url"]``, ``url, params = helper()``). A loop variable over a literal sequence
    (``for url in URLS``) is what all its elements agree on: see ``static_values``."""
    return _Evaluator(names).value(node, _UNKNOWN_DEPTH)


def static_values(
    node: cst.CSTNode, names: NameResolver | None = None, constants: ConstantReader | None = None
) -> list[StaticValue]:
    """The values ``node`` takes: one per element of the literal sequence a loop variable it is
    built from runs over (``for url in URLS: get(url)``, the first such loop), else its one
    ``static_value``. With ``constants``, a constant imported from another module of the project
    (``from app.settings import API_URL``) is read there."""
    evaluator = _Evaluator(names, constants=constants)
    value = evaluator.value(node, _UNKNOWN_DEPTH)
    if evaluator.iterated is None:
        return [value]
    sequence, count = evaluator.iterated
    return [_Evaluator(names, (sequence, index), constants).value(node, _UNKNOWN_DEPTH) for index in range(count)]


class _Evaluator:
    def __init__(
        self,
        names: NameResolver | None,
        choice: tuple[cst.CSTNode, int] | None = None,
        constants: ConstantReader | None = None,
    ):
        self.names = names
        self.constants = constants
        # The element taken from a literal sequence a loop runs over (by index); and the first
        # such sequence met when none is chosen, with its length.
        self.choice = choice
        self.iterated: tuple[cst.CSTNode, int] | None = None
        self.resolving: dict[str, Binding] = {}  # names being followed: their own value sees the previous one
        self.classes: list[dict[str, Binding]] = []  # members of the classes whose constants are being read
        # Inside a helper's return value: its own names, with their value when assigned once.
        self.locals: dict[str, cst.BaseExpression | None] | None = None
        # What a binding resolved to, by everything that result depends on, with the node it
        # stood for: ``a2 = f"{a1}/{a1}"`` chained 7 deep followed each name every time it is
        # named (refs ** depth evaluations; 12 names 5 deep: 38 s).
        self.resolved: dict[tuple, tuple[StaticValue, cst.CSTNode]] = {}

    def value(self, node: cst.CSTNode, depth: int) -> StaticValue:
        literal = literal_string(node)
        if literal is not None:
            return StaticValue((literal,))
        if depth <= 0:
            return unknown(node)
        if isinstance(node, cst.FormattedString):
            return self._fstring(node, depth)
        if isinstance(node, cst.ConcatenatedString):  # "https://host/" f"{path}"
            return self.value(node.left, depth - 1) + self.value(node.right, depth - 1)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Add):
                return self.value(node.left, depth - 1) + self.value(node.right, depth - 1)
            if isinstance(node.operator, cst.Modulo):
                return self._percent(node, depth)
        if isinstance(node, cst.Call):
            return self._call(node, depth)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, cst.IfExp):  # "https://a.example/v1/x" if core else "https://a.example/v1/y"
            return _agreement([self.value(node.body, depth - 1), self.value(node.orelse, depth - 1)], node)
        if isinstance(node, (cst.Name, cst.Attribute)) and self.names is not None:
            return self._name(self.names, node, depth)
        return unknown(node)

    def _name(
        self,
        names: NameResolver,
        node: cst.Name | cst.Attribute,
        depth: int,
        path: Path = (),
        stands_for: cst.CSTNode | None = None,
    ) -> StaticValue:
        """What a name stands for (or, with ``path``, the part of it at ``path``)."""
        stands_for = node if stands_for is None else stands_for
        key = dotted_name(node) or ""
        if self.locals is not None and isinstance(node, cst.Name):
            if node.value in self.locals:
                assigned = self.locals[node.value]
                if assigned is None or not _parts_readable(key, assigned, path):
                    return unknown(stands_for)
                return self._part(assigned, path, stands_for, depth - 1)
            binding = names.module_scope.bindings.get(node.value)
        elif key in self.resolving:
            binding = self.resolving[key].previous
        elif isinstance(node, cst.Name) and self.classes and node.value in self.classes[-1]:
            binding = self.classes[-1][node.value]  # a class constant naming another: BASE = "https://" + HOST
        else:
            binding = names.binding_of(node)
        if binding is not None and isinstance(binding.node, cst.FunctionDef) and _is_property(binding.node):
            return self._returned(binding.node, stands_for, depth, path)
        if (binding is None or binding.kind == "import") and not path:
            return self._imported(node, stands_for)
        bound = None if binding is None else binding.node if binding.source is None else binding.source
        if binding is None or binding.kind == "import" or not isinstance(bound, cst.BaseExpression):
            return unknown(stands_for)
        if not (binding.path or _parts_readable(key, bound, path)):
            return unknown(stands_for)
        owner = (
            names.lookup(node.value.value)
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name)
            else None
        )
        members = (
            names.class_members(owner.node) if owner is not None and isinstance(owner.node, cst.ClassDef) else None
        )
        memo_key = (
            id(binding),
            path,
            depth,
            tuple((name, id(b)) for name, b in self.resolving.items()),
            id(members),
            id(self.classes[-1]) if self.classes else None,
            id(self.locals),
        )
        if memo_key in self.resolved:
            resolved, stood_for = self.resolved[memo_key]
            resolved = StaticValue(tuple(stands_for if part is stood_for else part for part in resolved.parts))
        else:
            saved = self.resolving.get(key)
            self.resolving[key] = binding
            if members is not None:
                self.classes.append(members)
            try:
                resolved = self._part(bound, (*binding.path, *path), stands_for, depth - 1)
            finally:
                if members is not None:
                    self.classes.pop()
                if saved is None:
                    del self.resolving[key]
                else:
                    self.resolving[key] = saved
            self.resolved[memo_key] = (resolved, stands_for)
        # An unknown value stands for the name: "url" says more than whatever url was bound to;
        # so does an empty string, the placeholder of a setting filled in elsewhere.
        return (
            unknown(stands_for)
            if not resolved.parts or resolved.parts == (bound,) or resolved.value == ""
            else resolved
        )

    def _imported(self, node: cst.Name | cst.Attribute, stands_for: cst.CSTNode) -> StaticValue:
        """A constant of another module, imported by name (``API_URL``) or through its module (``settings.API_URL``)."""
        names = self.names
        if names is None:
            return unknown(stands_for)
        root = names.lookup(node.value if isinstance(node, cst.Name) else (dotted_name(node) or "").split(".")[0])
        qualname = names.qualify(node) if root is not None and root.kind == "import" else None
        text = self.constants(qualname) if qualname and self.constants is not None else None
        return unknown(stands_for) if not text else StaticValue((text,))

    def _fstring(self, node: cst.FormattedString, depth: int) -> StaticValue:
        if "b" in node.prefix.lower():
            return unknown(node)
        raw = "r" in node.prefix.lower()
        result = StaticValue(())
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value.replace("{{", "{").replace("}}", "}")
                if not raw and "\\" in text:
                    text = text.encode("latin-1", "backslashreplace").decode("unicode_escape")
                result += StaticValue((text,))
            elif isinstance(part, cst.FormattedStringExpression):
                plain = not part.format_spec and part.conversion in (None, "s")
                result += self.value(part.expression, depth - 1) if plain else unknown(part.expression)
        return result

    def _percent(self, node: cst.BinaryOperation, depth: int) -> StaticValue:
        template = self.value(node.left, depth - 1).value
        if template is None:
            return unknown(node)
        right = node.right
        positional = [e.value for e in right.elements] if isinstance(right, cst.Tuple) else [right]
        keyed = (
            {literal_string(e.key): e.value for e in right.elements if isinstance(e, cst.DictElement)}
            if isinstance(right, cst.Dict)
            else {}
        )
        result, position, index = StaticValue(()), 0, 0
        for match in _PERCENT_FIELD.finditer(template):
            result += StaticValue((template[position : match.start()],))
            position = match.end()
            if match.group("kind") == "%":
                result += StaticValue(("%",))
                continue
            key = match.group("key")
            argument = keyed.get(key) if key else (positional[index] if index < len(positional) else None)
            index += key is None
            if argument is None:
                return unknown(node)
            result += self.value(argument, depth - 1) if match.group("kind") == "s" else unknown(argument)
        return result + StaticValue((template[position:],))

    def _call(self, node: cst.Call, depth: int) -> StaticValue:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "format":
            return self._format(node, func.value, depth)
        callee = (self.names.qualify(func) if self.names else None) or dotted_name(func) or ""
        if callee in ("urllib.parse.urljoin", "urljoin") and len(node.args) >= 2:
            return self._urljoin(node, depth)
        if callee in _SAME_TEXT and len(node.args) == 1:
            return self.value(node.args[0].value, depth - 1)
        binding = self.names.binding_of(func) if self.names else None
        if binding is not None and isinstance(binding.node, cst.FunctionDef):
            return self._returned(binding.node, node, depth)
        return unknown(node)

    def _returned(self, function: cst.FunctionDef, stands_for: cst.CSTNode, depth: int, path: Path = ()) -> StaticValue:
        """What a helper or property defined here returns (or, with ``path``, the part of it at
        ``path``: the ``"url"`` entry of the dict literal it returns, the first element of its
        tuple). Its own parameters and locals assigned more than once are unknown; everything
        else is read at module level. Several returns agree when they name the same scheme and
        host."""
        returns = returned_values(function)
        if not returns:
            return unknown(stands_for)
        saved, self.locals = self.locals, local_values(function)
        try:
            values = [self._part(returned, path, stands_for, depth - 1) for returned in returns]
        finally:
            self.locals = saved
        if len(values) == 1:
            # Wholly unknown: the call says more than whatever unknown piece is in the helper.
            return unknown(stands_for) if len(values[0].parts) == 1 and not values[0].complete else values[0]
        return _agreement(values, stands_for)

    def _subscript(self, node: cst.Subscript, depth: int) -> StaticValue:
        """``details["url"]``, ``URLS[0]``: an entry of a literal, or of what a helper here returns."""
        index = node.slice[0].slice if len(node.slice) == 1 else None
        subscript = index.value if isinstance(index, cst.Index) else None
        key = (
            subscript.evaluated_value
            if isinstance(subscript, cst.Integer)
            else literal_string(subscript)
            if subscript is not None
            else None
        )
        if not isinstance(key, (int, str)):
            return unknown(node)
        return self._part(node.value, (key,), node, depth)

    def _part(self, container: cst.BaseExpression, path: Path, stands_for: cst.CSTNode, depth: int) -> StaticValue:
        """The part of ``container`` at ``path``, through names bound to literals and helpers
        returning them; unknown (as ``stands_for``) when it cannot be read."""
        if not path:
            return self.value(container, depth)
        if depth <= 0:
            return unknown(stands_for)
        if isinstance(container, (cst.Name, cst.Attribute)) and self.names is not None:
            return self._name(self.names, container, depth, path, stands_for)
        if isinstance(container, cst.Call):
            helper = self.names.binding_of(container.func) if self.names is not None else None
            if helper is not None and isinstance(helper.node, cst.FunctionDef):
                return self._returned(helper.node, stands_for, depth, path)
            return unknown(stands_for)
        step, rest = path[0], path[1:]
        if step is None:
            return self._element(container, rest, stands_for, depth)
        entry = _dict_entry(container, step) if isinstance(step, str) else _index_entry(container, step)
        return unknown(stands_for) if entry is None else self._part(entry, rest, stands_for, depth - 1)

    def _element(self, sequence: cst.BaseExpression, rest: Path, stands_for: cst.CSTNode, depth: int) -> StaticValue:
        """An element of a literal sequence, taken as a loop variable takes each in turn: the
        chosen one (see ``static_values``), else what they all agree on."""
        elements = _elements(sequence)
        if not elements:
            return unknown(stands_for)
        if self.choice is not None and self.choice[0] is sequence:
            return self._part(elements[self.choice[1]], rest, stands_for, depth - 1)
        if self.choice is None and self.iterated is None and len(elements) <= _MAX_ELEMENTS:
            self.iterated = (sequence, len(elements))
        return _agreement([self._part(element, rest, stands_for, depth - 1) for element in elements], stands_for)

    def _format(self, node: cst.Call, template_node: cst.BaseExpression, depth: int) -> StaticValue:
        template = self.value(template_node, depth - 1).value
        if template is None:
            return unknown(node)
        positional = [a.value for a in node.args if a.keyword is None and not a.star]
        keyed = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        result, automatic = StaticValue(()), 0
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError:
            return unknown(node)
        for text, field_name, spec, conversion in fields:
            result += StaticValue((text,))
            if field_name is None:
                continue
            if field_name == "":
                argument = positional[automatic] if automatic < len(positional) else None
                automatic += 1
            elif field_name.isdigit():
                argument = positional[int(field_name)] if int(field_name) < len(positional) else None
            else:
                argument = keyed.get(field_name)
            if argument is None:
                return unknown(node)
            plain = not spec and conversion in (None, "s")
            result += self.value(argument, depth - 1) if plain else unknown(argument)
        return result

    def _urljoin(self, node: cst.Call, depth: int) -> StaticValue:
        base, relative = (self.value(a.value, depth - 1) for a in node.args[:2])
        base_text, relative_text = base.value, relative.value
        if base_text is not None and relative_text is not None:
            return StaticValue((urljoin(base_text, relative_text),))
        if is_absolute_url(relative):
            return relative  # an absolute second argument replaces the base
        origin = url_origin(base)
        if origin is None:
            return unknown(node)
        # Whatever the relative part is, it can only change the path: the origin stays.
        separator = "" if relative.prefix.startswith("/") else "/"
        return StaticValue((origin + separator,)) + relative


def _agreement(values: list[StaticValue], stands_for: cst.CSTNode) -> StaticValue:
    """One of several values: itself when they are all the same, else their common scheme and
    host when they share one, else unknown."""
    if all(value == values[0] for value in values) and values[0].complete:
        return values[0]
    origins = {url_origin(value) for value in values}
    origin = origins.pop() if len(origins) == 1 else None
    return StaticValue((origin + "/", stands_for)) if origin else unknown(stands_for)


def _dict_entry(node: cst.CSTNode, key: str) -> cst.BaseExpression | None:
    if not isinstance(node, cst.Dict):
        return None
    return next(
        (e.value for e in node.elements if isinstance(e, cst.DictElement) and literal_string(e.key) == key), None
    )


def _index_entry(node: cst.CSTNode, index: int) -> cst.BaseExpression | None:
    elements = _elements(node) if isinstance(node, (cst.Tuple, cst.List)) else None
    return elements[index] if elements is not None and 0 <= index < len(elements) else None


def _elements(node: cst.CSTNode) -> list[cst.BaseExpression] | None:
    """The elements of a tuple, list or set literal with no ``*spread``."""
    if not isinstance(node, (cst.Tuple, cst.List, cst.Set)) or any(
        isinstance(e, cst.StarredElement) for e in node.elements
    ):
        return None
    return [element.value for element in node.elements]


def _parts_readable(name: str, value: cst.CSTNode, path: Path) -> bool:
    """Whether the parts of ``value``, bound to ``name``, can be read from its literal: a list or
    set may be changed after it is made (``urls.append(...)``), so only a constant's (upper
    case by convention) is read."""
    return not path or not isinstance(value, (cst.List, cst.Set)) or name.rpartition(".")[2].isupper()


def _is_property(function: cst.FunctionDef) -> bool:
    return any(last_name(d.decorator) in ("property", "cached_property") for d in function.decorators)
