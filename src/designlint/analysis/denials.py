"""Denials: where authorization code says no, by raising a forbidden/denied exception
(``PermissionError``, ``*Forbidden*``, ``*Denied*``, ``HTTPException(status_code=403)``) or by
returning a decision object with ``allowed=False``; and which of the values a denial carries
are plainly no reason (messages, status codes). Rule-neutral."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from designlint.analysis.authz_names import DENIAL_EXCEPTION
from designlint.analysis.names import NameResolver, last_name
from designlint.analysis.syntax import descendants

_DECISION_KEYWORDS = frozenset({"allowed", "allow"})
_FORBIDDEN_STATUS = re.compile(r"(?:HTTP_)?403\w*|FORBIDDEN")
_STATUS_MODULES = ("fastapi.status.", "starlette.status.", "http.HTTPStatus.", "rest_framework.status.")
_STRING_MAKERS = frozenset({"str", "repr", "format", "join", "_", "gettext"})


@dataclass(frozen=True)
class Denial:
    """A denial: the exception or decision class as written, and the values given to it."""

    callee: cst.BaseExpression
    arguments: tuple[cst.BaseExpression, ...]


def denial_of(statement: cst.Raise | cst.Return, names: NameResolver) -> Denial | None:
    """The denial ``raise``/``return`` makes; None when it makes none. Exception classes are
    known by their names through imports and aliases (``HTTPException as E``)."""
    if isinstance(statement, cst.Raise):
        exception = statement.exc
        if isinstance(exception, (cst.Name, cst.Attribute)) and DENIAL_EXCEPTION.fullmatch(
            _class_name(exception, names)
        ):
            return Denial(exception, ())  # ``raise PermissionError``: the class, no argument
        if not isinstance(exception, cst.Call):
            return None
        name = _class_name(exception.func, names)
        if DENIAL_EXCEPTION.fullmatch(name) or (name == "HTTPException" and _forbidden_status(exception)):
            return Denial(exception.func, tuple(argument.value for argument in exception.args))
        return None
    value = statement.value.expression if isinstance(statement.value, cst.Await) else statement.value
    if isinstance(value, cst.Call) and any(_denies_by_keyword(argument) for argument in value.args):
        return Denial(value.func, tuple(a.value for a in value.args if not _denies_by_keyword(a)))
    return None


def _class_name(expr: cst.BaseExpression, names: NameResolver) -> str:
    qualname = names.qualify(expr)
    return qualname.rpartition(".")[2] if qualname else last_name(expr)


def _denies_by_keyword(argument: cst.Arg) -> bool:
    return (
        argument.keyword is not None
        and argument.keyword.value in _DECISION_KEYWORDS
        and isinstance(argument.value, cst.Name)
        and argument.value.value == "False"
    )


def _forbidden_status(call: cst.Call) -> bool:
    """``HTTPException(403, ...)``, ``status_code=403``, ``status.HTTP_403_FORBIDDEN``."""
    for index, argument in enumerate(call.args):
        if (argument.keyword is None and index == 0) or (argument.keyword and argument.keyword.value == "status_code"):
            value = argument.value
            if isinstance(value, cst.Integer):
                return value.value == "403"
            return _FORBIDDEN_STATUS.fullmatch(last_name(value)) is not None
    return False


def sub_expressions(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``node`` and every node inside it (not into lambdas)."""
    return descendants(node, not_into=(cst.Lambda,))


def plainly_no_reason(value: cst.BaseExpression, names: NameResolver) -> bool:
    """A value that is plainly no member of an enum: a string or number literal, an f-string, a
    message built with ``%``/``+``/``.format``/``str()``, an HTTP status, ``True``/``None``, or a
    dict, list or tuple of such; also a local bound to one of those."""
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.Integer, cst.Float)):
        return True
    if isinstance(value, cst.Name):
        if value.value in ("True", "False", "None"):
            return True
        binding = names.binding_of(value)
        bound = binding.node if binding is not None and binding.kind == "value" else None
        return (
            isinstance(bound, cst.BaseExpression)
            and not isinstance(bound, cst.Name)
            and plainly_no_reason(bound, names)
        )
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, (cst.Add, cst.Modulo)):
        return plainly_no_reason(value.left, names) and (
            isinstance(value.operator, cst.Modulo) or plainly_no_reason(value.right, names)
        )
    if isinstance(value, cst.Call):
        return last_name(value.func) in _STRING_MAKERS
    if isinstance(value, cst.Attribute):
        return (names.qualify(value) or "").startswith(_STATUS_MODULES) or bool(
            _FORBIDDEN_STATUS.fullmatch(value.attr.value) or re.fullmatch(r"HTTP_\d{3}\w*", value.attr.value)
        )
    if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        return all(plainly_no_reason(element.value, names) for element in value.elements)
    if isinstance(value, cst.Dict):
        return all(
            isinstance(element, cst.DictElement)
            and plainly_no_reason(element.key, names)
            and plainly_no_reason(element.value, names)
            for element in value.elements
        )
    return False
