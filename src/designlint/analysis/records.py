"""Record classes of the linted project, read statically: the fields of a dataclass, a pydantic
model, a ``TypedDict``, a ``NamedTuple``, an attrs or msgspec class, from its class body (and
its bases in the same module). A cross-module fact (``Project.fact(RECORD_CLASSES,
"app.audit.AuditEvent")``) for a record built in one module from a class kept in another; the
same reading serves a class of the file being linted (``record_in``)."""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from typing import Any

from designlint.analysis.module_facts import DefinitionFact, stdlib_last_name
from designlint.project import LookupFailed

# Bases that hold no fields of their own: what a record class is made from.
_RECORD_ROOTS = frozenset({"object", "BaseModel", "TypedDict", "NamedTuple", "Struct", "SQLModel", "Generic"})
_NESTING = 4  # how deep a field's own record type is read (``result: ToolResult``)
_FORWARD_REFERENCE_LIMIT = 200  # characters: a class name, perhaps dotted, with ``| None``


@dataclass(frozen=True)
class RecordInfo:
    """The fields of a record class, each with the record its annotation names when that class
    is in the same module (``result: ToolResult`` -> its fields), else None. ``open``: it may
    hold fields not listed (a base from elsewhere, ``extra="allow"``)."""

    fields: tuple[tuple[str, RecordInfo | None], ...]
    open: bool


class RecordClasses(DefinitionFact[RecordInfo]):
    """The record class a dotted name ``pkg.module.Class`` names, from its module's text."""

    kind = "record-class"

    def read(self, name: str, tree: ast.Module) -> object:
        record = record_in(tree, name.rpartition(".")[2])
        if record is None:
            raise LookupFailed(f"{name} is not a record class")
        return _to_json(record)

    def load(self, name: str, value: Any) -> RecordInfo:
        return _from_json(value)


RECORD_CLASSES = RecordClasses()


def record_in(tree: ast.Module, class_name: str) -> RecordInfo | None:
    """The record class ``class_name`` defined at the top level of ``tree``; None when there is
    none, or the class is no record (no annotated fields, its own ``__init__``)."""
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    return _record(classes, class_name, _NESTING, frozenset())


def _record(classes: dict[str, ast.ClassDef], name: str, depth: int, seen: frozenset[str]) -> RecordInfo | None:
    node = classes.get(name)
    if node is None or name in seen or depth == 0:
        return None
    seen = seen | {name}
    fields: dict[str, RecordInfo | None] = {}
    is_open = any(_allows_extra(keyword) for keyword in node.keywords)
    for base in node.bases:
        base_name = stdlib_last_name(base.value if isinstance(base, ast.Subscript) else base)
        if base_name in _RECORD_ROOTS:
            continue
        inherited = _record(classes, base_name, depth, seen) if base_name else None
        if inherited is None:
            is_open = True  # a base from elsewhere (or no record): its fields are not known
            continue
        fields.update(inherited.fields)
        is_open = is_open or inherited.open
    has_fields = bool(fields)
    for statement in node.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == "__init__":
            return None  # it builds itself: its fields are not its annotations
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if stdlib_last_name(_outer(statement.annotation)) in ("ClassVar", "InitVar"):
                continue
            nested = _record(classes, stdlib_last_name(_outer_type(statement.annotation)), depth - 1, seen)
            fields[statement.target.id] = nested
            has_fields = True
        elif isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "model_config" for t in statement.targets
        ):
            is_open = is_open or any(_allows_extra(k) for k in _call_keywords(statement.value))
    if not has_fields:
        return None
    return RecordInfo(tuple(fields.items()), is_open)


def _allows_extra(keyword: ast.keyword) -> bool:
    """``extra="allow"`` (pydantic), ``total=False`` does not matter: a missing key is still missing."""
    value = keyword.value
    return keyword.arg == "extra" and (
        (isinstance(value, ast.Constant) and value.value == "allow") or stdlib_last_name(value) == "allow"
    )


def _call_keywords(node: ast.expr) -> list[ast.keyword]:
    if isinstance(node, ast.Call):
        return node.keywords
    if isinstance(node, ast.Dict):
        return [
            ast.keyword(key.value, value)
            for key, value in zip(node.keys, node.values)
            if isinstance(key, ast.Constant) and isinstance(key.value, str)
        ]
    return []


def _outer(annotation: ast.expr) -> ast.expr:
    return annotation.value if isinstance(annotation, ast.Subscript) else annotation


def _outer_type(annotation: ast.expr) -> ast.expr:
    """The class an annotation names: ``X``, ``X | None``, ``Optional[X]``, ``"X"``."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        left = annotation.left
        return annotation.right if isinstance(left, ast.Constant) and left.value is None else left
    if isinstance(annotation, ast.Subscript) and stdlib_last_name(annotation.value) == "Optional":
        return annotation.slice
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return _outer_type(_forward_reference(annotation.value))
    return annotation


def _forward_reference(text: str) -> ast.expr:
    """A string annotation's expression; a long or broken one names nothing (``...``)."""
    if len(text) > _FORWARD_REFERENCE_LIMIT:
        return ast.Constant(...)
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" (3.12+): not ours to print
            warnings.simplefilter("ignore")
            return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ast.Constant(...)


def _to_json(record: RecordInfo) -> dict[str, Any]:
    return {
        "fields": [[name, _to_json(nested) if nested is not None else None] for name, nested in record.fields],
        "open": record.open,
    }


def _from_json(value: Any) -> RecordInfo:
    fields = []
    for name, nested in value["fields"]:
        if not isinstance(name, str):
            raise TypeError("malformed record field")
        fields.append((name, _from_json(nested) if nested is not None else None))
    return RecordInfo(tuple(fields), bool(value["open"]))
