"""Where a dynamic value comes from, in words a reader can judge at a glance: a parameter of
the function (a tool's argument), a constructor parameter kept on ``self``, the environment,
or a remote response (what a ``.json()`` call returned).

Read on the syntax tree only: the value is followed through subscripts, attribute reads,
method calls on it (``url.rstrip("/")``) and the names it is assigned to, a few steps deep.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from designlint.analysis.memo import FileMemo
from designlint.analysis.names import NameResolver, dotted_name
from designlint.analysis.syntax import own_nodes

_DEPTH = 6  # names followed before the origin counts as unknown
_ENVIRONMENT = frozenset({"os.environ", "os.getenv", "os.environ.get", "environ", "environ.get", "getenv"})
_RESPONSE_BODIES = frozenset({"json"})  # response.json(): what a remote server sent


def value_origin(
    node: cst.CSTNode, names: NameResolver, ancestors: Sequence[cst.CSTNode], memo: FileMemo
) -> str | None:
    """Where ``node`` (an expression inside the innermost function of ``ancestors``) comes from,
    as a phrase (``"the parameter `url` of fetch()"``, ``"the environment"``), or None; ``memo``
    is the file's (``FileContext.memo``)."""
    function = next((a for a in reversed(ancestors) if isinstance(a, cst.FunctionDef)), None)
    owner = next((a for a in reversed(ancestors) if isinstance(a, cst.ClassDef)), None)
    for _ in range(_DEPTH):
        node = node.expression if isinstance(node, cst.Await) else node
        dotted = dotted_name(node.func if isinstance(node, cst.Call) else node)
        if dotted is not None and (dotted in _ENVIRONMENT or dotted.startswith("os.environ.")):
            return "the environment"
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if node.func.attr.value in _RESPONSE_BODIES:
                return "a remote response"
            node = node.func.value  # a method of the value: url.rstrip("/"), data.get("next")
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Attribute):
            receiver = (
                isinstance(node.value, cst.Name) and function is not None and _is_receiver(function, node.value.value)
            )
            parameter = _constructor_parameter(owner, node.attr.value) if receiver and owner is not None else None
            if parameter is not None and owner is not None:
                return f"the constructor parameter `{parameter}` of {owner.name.value}"
            node = node.value
        elif isinstance(node, cst.Name):
            if function is not None and owner is not None and _is_receiver(function, node.value):
                return None  # ``self``: what the object holds was set elsewhere (see the attribute above)
            if (
                function is not None
                and _is_parameter(function, node.value)
                and not _assigned_in(function, node.value, memo)
            ):
                return f"the parameter `{node.value}` of {function.name.value}()"
            binding = names.binding_of(node)
            bound = None if binding is None else binding.source if binding.source is not None else binding.node
            if not isinstance(bound, cst.BaseExpression):
                return None
            node = bound
        else:
            return None
    return None


def _parameters(function: cst.FunctionDef) -> list[cst.Param]:
    params = function.params
    return [*params.posonly_params, *params.params, *params.kwonly_params]


def _is_parameter(function: cst.FunctionDef, name: str) -> bool:
    return any(param.name.value == name for param in _parameters(function))


def _is_receiver(function: cst.FunctionDef, name: str) -> bool:
    positional = [*function.params.posonly_params, *function.params.params]
    return bool(positional) and positional[0].name.value == name


def _assigned_in(function: cst.FunctionDef, name: str, memo: FileMemo) -> bool:
    return name in _assigned_names(function, memo)


def _assigned_names(function: cst.FunctionDef, memo: FileMemo) -> frozenset[str]:
    # Kept for the file: a rule asks once per call it checks, and a function with n calls would
    # otherwise be walked n times (600 requests.get: minutes).
    return memo.get(
        (_assigned_names, function),
        lambda: frozenset(
            node.target.value
            for node in own_nodes(function.body)
            if isinstance(node, cst.AssignTarget) and isinstance(node.target, cst.Name)
        ),
    )


def _constructor_parameter(owner: cst.ClassDef, attribute: str) -> str | None:
    """The ``__init__`` parameter the class keeps as ``self.<attribute>`` (also ``x or default``)."""
    init = next(
        (s for s in owner.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"),
        None,
    )
    if init is None or not _parameters(init):
        return None
    receiver = _parameters(init)[0].name.value
    for node in own_nodes(init.body):
        if not isinstance(node, cst.Assign):
            continue
        for target in node.targets:
            if dotted_name(target.target) != f"{receiver}.{attribute}":
                continue
            value = node.value
            arms = (value.left, value.right) if isinstance(value, cst.BooleanOperation) else (value,)
            for arm in arms:
                if isinstance(arm, cst.Name) and _is_parameter(init, arm.value):
                    return arm.value
    return None
