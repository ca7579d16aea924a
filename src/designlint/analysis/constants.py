"""The string constants of a module of the linted project, read statically: a cross-module fact
(``Project.fact(STRING_CONSTANTS, "app.telemetry.names")``) for names kept in one module and used
in others (``from .constants import TOOL_DURATION``)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import libcst as cst

from designlint.parsing import stdlib_verdict
from designlint.project import FactProvider, LookupFailed

if TYPE_CHECKING:
    from designlint.analysis.names import NameResolver
    from designlint.project import Project


class StringConstants(FactProvider[Mapping[str, str]]):
    """Module-level ``NAME = "text"`` assignments, also f-strings and ``+`` of the module's
    earlier constants (``f"{PREFIX}.duration"``); a name assigned twice is left out."""

    kind = "string-constants"

    def modules(self, name: str) -> tuple[str, ...]:
        return (name,)

    def compute(self, name: str, sources: Mapping[str, str | None]) -> dict[str, Any]:
        source = sources[name]
        if source is None:
            raise LookupFailed(f"module {name!r} not found under the project root")
        tree = stdlib_verdict(source).tree  # quietly, and safe from hostile nesting
        if tree is None:
            raise LookupFailed(f"module {name!r} cannot be parsed")
        constants: dict[str, str | None] = {}
        for statement in tree.body:
            target, value = _assignment(statement)
            if target is not None and value is not None:
                text = _text(value, constants)
                constants[target] = None if target in constants else text
        return {key: text for key, text in constants.items() if text is not None}

    def load(self, name: str, value: Any) -> Mapping[str, str]:
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise TypeError("malformed string constants")
        return value


STRING_CONSTANTS = StringConstants()


def _assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), statement.value
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id, statement.value
    return None, None


def _text(node: ast.expr, constants: Mapping[str, str | None]) -> str | None:
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
    module, _, constant = (qualname or "").rpartition(".")
    if not module:
        return None
    try:
        return project.fact(STRING_CONSTANTS, module).get(constant)
    except LookupFailed:
        return None
