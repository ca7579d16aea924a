"""A syntax node's children in source order, for the walk and for the analyses that search a
tree themselves (``child_nodes``, ``own_nodes``).

LibCST's ``node.children`` is in source order but runs a visitor over the node's fields,
hundreds of times the cost of reading them; its dataclass fields are cheap to read but not
always in source order (a definition's body is declared before its decorators). So the fields
that may hold syntax are worked out once per type, put in source order (``SOURCE_ORDER``), and
read directly (tests/test_walk.py compares every construct with LibCST's ``children``).
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterator, Mapping

import libcst as cst

# Fields that hold only white space or punctuation.
_CHILDLESS_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "trailing_whitespace",
        "comma",
        "semicolon",
        "newline",
    }
)

# LibCST's node classes. Inheritance is read from each class's MRO: ``issubclass`` against
# LibCST's abstract bases goes through ``abc``, which walks every subclass of the base for a
# class that is not one (some 90 M instructions at import for the tables below).
NODE_TYPES: tuple[type, ...] = tuple(
    cls for cls in vars(cst).values() if isinstance(cls, type) and cst.CSTNode in cls.__mro__
)

# Node types that are layout, not syntax: white space, comments, punctuation. The walk does not
# descend into them and ``child_nodes`` leaves them out.
LAYOUT_TYPES: frozenset[type] = frozenset(
    cls
    for cls in NODE_TYPES
    if any(
        base in cls.__mro__
        for base in (cst.BaseParenthesizableWhitespace, cst.EmptyLine, cst.TrailingWhitespace, cst.Comment, cst.Newline)
    )
    or cls in (cst.LeftParen, cst.RightParen, cst.Comma, cst.Semicolon, cst.Colon, cst.Dot, cst.AssignEqual)
)

# The expression node types: no statement is ever inside one (a lambda's body is an expression),
# so a search for statements need not enter them. Exact types, for a set look-up.
EXPRESSION_TYPES: frozenset[type] = frozenset(cls for cls in NODE_TYPES if cst.BaseExpression in cls.__mro__)

# Where a node's dataclass fields are not in source order.
SOURCE_ORDER: dict[type, tuple[str, ...]] = {
    cst.FunctionDef: ("decorators", "asynchronous", "name", "type_parameters", "params", "returns", "body"),
    cst.ClassDef: ("decorators", "name", "type_parameters", "bases", "keywords", "body"),
    cst.ExceptHandler: ("type", "name", "body"),
    cst.ExceptStarHandler: ("type", "name", "body"),
    cst.IfExp: ("body", "test", "orelse"),
    cst.ImportFrom: ("relative", "module", "names"),
    cst.MatchCase: ("pattern", "guard", "body"),
    cst.Parameters: ("posonly_params", "posonly_ind", "params", "star_arg", "kwonly_params", "star_kwarg"),
    cst.Param: ("star", "name", "annotation", "equal", "default"),
    cst.Arg: ("keyword", "equal", "value"),
    cst.CompFor: ("asynchronous", "target", "iter", "ifs", "inner_for_in"),
    cst.For: ("asynchronous", "target", "iter", "body", "orelse"),
    cst.With: ("asynchronous", "items", "body"),
    cst.TypeAlias: ("name", "type_parameters", "value"),
    cst.Subscript: ("value", "lbracket", "slice", "rbracket"),  # the one bracket after a field
}

_OPENING, _CLOSING = ("lbracket", "lbrace"), ("rbracket", "rbrace")  # declared last by every node
_FIELDS: dict[type, tuple[str, ...]] = {}


class _SyntaxTypes(dict):
    """Type -> whether it is a syntax node (not layout, nor a value such as None or a string),
    worked out once per type: one look-up a child."""

    def __missing__(self, kind: type) -> bool:
        known = self[kind] = cst.CSTNode in kind.__mro__ and kind not in LAYOUT_TYPES
        return known


_IS_NODE = _SyntaxTypes()
_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def syntax_fields(cls: type[cst.CSTNode]) -> tuple[str, ...]:
    """The fields of a node type that may hold child nodes (not white space, punctuation or
    text), in source order."""
    fields = _FIELDS.get(cls)
    if fields is None:
        fields = _FIELDS[cls] = _in_source_order(
            cls, tuple(f.name for f in dataclasses.fields(cls) if _may_hold_nodes(f))
        )
    return fields


def _in_source_order(cls: type, fields: tuple[str, ...]) -> tuple[str, ...]:
    order = SOURCE_ORDER.get(cls, ())

    def position(name: str) -> int:
        if name in order:
            return order.index(name)
        if name in _OPENING:
            return -1
        if name in _CLOSING:
            return len(fields) + 1
        return fields.index(name)

    return tuple(sorted(fields, key=position))


def _may_hold_nodes(field: dataclasses.Field) -> bool:
    if "whitespace" in field.name or field.name in _CHILDLESS_FIELDS:
        return False
    return field.type not in (str, int, bool) and typing.get_origin(field.type) is not typing.Literal


def child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The nodes directly under ``node``, in source order, leaving out layout (white space,
    comments, punctuation: ``LAYOUT_TYPES``)."""
    fields = _FIELDS.get(type(node))
    return children_kept(node, syntax_fields(type(node)) if fields is None else fields, _IS_NODE)


def children_kept(node: cst.CSTNode, fields: tuple[str, ...], keep: Mapping[type, bool]) -> list[cst.CSTNode]:
    """The values of ``node``'s ``fields`` (``syntax_fields``), items of sequences included, whose
    type ``keep`` says yes to, in source order: ``child_nodes``, and the walk with its own table
    of the types it walks."""
    out: list[cst.CSTNode] = []
    for name in fields:
        value = getattr(node, name)
        value_type = type(value)
        if value_type is tuple or value_type is list:
            out.extend([item for item in value if keep[type(item)]])
        elif keep[value_type]:
            out.append(value)
    return out


def descendants(root: cst.CSTNode, *, not_into: tuple[type[cst.CSTNode], ...] = ()) -> Iterator[cst.CSTNode]:
    """``root`` and every node under it in source order (each before its children), layout left
    out; a node of a ``not_into`` type is yielded but not entered."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, not_into):
            stack.extend(reversed(child_nodes(node)))


def own_nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``root`` and the nodes under it in source order (each before its children), not
    descending into nested functions, classes or lambdas."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in reversed(child_nodes(node)) if not isinstance(child, _NESTED_SCOPES))
