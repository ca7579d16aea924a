"""The string constants of a module of the linted project, read statically: a cross-module fact
(``Project.fact(STRING_CONSTANTS, "app.telemetry.names")``) for names kept in one module and used
in others (``from .constants import TOOL_DURATION``): metric names, URLs (``module_constant`` is
what ``strings.static_values`` reads them with)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import libcst as cst

from designlint.analysis.module_facts import ModuleFact
from designlint.analysis.stdlib_nodes import nodes_by_type
from designlint.project import LookupFailed

if TYPE_CHECKING:
    from designlint.analysis.names import NameResolver
    from designlint.project import Project


class StringConstants(ModuleFact[Mapping[str, str]]):
    """The module's upper-case names bound once (anywhere in it), at top level, to a string: a
    literal, or ``+`` and f-strings of literals and the strings bound once before them, in any
    case (``API = f"https://{HOST}/v1"``, ``NAME = f"{prefix}.requests"``). A name rebound
    anywhere, or bound under an ``if``, is no constant: its value is not known statically."""

    kind = "string-constants"

    def read(self, name: str, tree: ast.Module) -> dict[str, Any]:
        bound = _binding_counts(tree)
        strings: dict[str, str] = {}
        for statement in tree.body:
            target, value = _assignment(statement)
            if target is not None and value is not None and bound[target] == 1:
                text = _text(value, strings)
                if text is not None:
                    strings[target] = text
        return {name: text for name, text in strings.items() if name.isupper()}

    def load(self, name: str, value: Any) -> Mapping[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise TypeError("malformed string constants")
        return value


STRING_CONSTANTS = StringConstants()


def module_constant(project: Project, qualname: str) -> str | None:
    """The string the module-level constant ``pkg.module.NAME`` holds; None when the module or
    the constant is unknown. Read through ``project``, so a cached result depends on the module."""
    module, _, name = qualname.rpartition(".")
    if not module:
        return None
    try:
        return project.fact(STRING_CONSTANTS, module).get(name)
    except LookupFailed:
        return None


def _binding_counts(tree: ast.Module) -> dict[str, int]:
    counts: dict[str, int] = {}
    nodes = nodes_by_type(tree)
    assignments = (*nodes.get(ast.Assign, ()), *nodes.get(ast.AnnAssign, ()), *nodes.get(ast.AugAssign, ()))
    for statement in assignments:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        targets = [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else targets
        for target in targets:
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
    return counts


def _assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None


def _text(node: ast.expr, constants: Mapping[str, str]) -> str | None:
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left, constants), _text(node.right, constants)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.conversion != -1 or part.format_spec is not None:
                    return None
                part = part.value
            text = _text(part, constants)
            if text is None:
                return None
            parts.append(text)
        return "".join(parts)
    return None


def imported_string(expr: cst.CSTNode, names: NameResolver, project: Project | None) -> str | None:
    """The text of a string constant ``expr`` names in another module of the project
    (``TOOL_DURATION`` after ``from .constants import TOOL_DURATION``, or ``constants.TOOL_DURATION``)."""
    if project is None or not isinstance(expr, (cst.Name, cst.Attribute)):
        return None
    head: cst.BaseExpression = expr
    while isinstance(head, cst.Attribute):
        head = head.value
    binding = names.lookup(head.value) if isinstance(head, cst.Name) else None
    qualname = names.qualify(expr) if binding is not None and binding.kind == "import" else None
    return module_constant(project, qualname) if qualname else None
