"""Enum classes of the linted project, read statically: a cross-module fact
(``Project.fact(ENUM_CLASSES, "app.errors.ErrorCode")``) for the error-code contract, and
for any rule that needs the members of a configured enum."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from designlint.parsing import stdlib_verdict
from designlint.project import FactProvider, LookupFailed

_ENUM_BASES = {"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"}
_JSON_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class EnumInfo:
    qualname: str  # "app.errors.ErrorCode"
    # (name, literal value or None), in definition order; a literal JSON cannot hold (bytes,
    # complex) is None: it never equals a string, which is all a value is compared with.
    members: tuple[tuple[str, object], ...]
    str_valued: bool  # a StrEnum or a (str, Enum) mixin: members compare equal to their values

    @property
    def class_name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    def member_for(self, literal: str) -> str | None:
        """The member a raw literal stands for: by value first, then by name."""
        for name, value in self.members:
            if value == literal:
                return name
        for name, _ in self.members:
            if name == literal:
                return name
        return None

    def equals_literal(self, member: str, literal: str) -> bool:
        """Whether ``member == literal`` holds at run time: only a str-valued enum's members
        compare equal to strings, each to its value (unknown for ``auto()``, an alias by name,
        a call), never to its name."""
        return self.str_valued and any(name == member and value == literal for name, value in self.members)


class EnumClasses(FactProvider[EnumInfo]):
    """The enum class a dotted name ``pkg.module.Class`` names, from its module's text."""

    kind = "enum"

    def modules(self, name: str) -> tuple[str, ...]:
        return (name.rpartition(".")[0],)

    def compute(self, name: str, sources: Mapping[str, str | None]) -> dict[str, Any]:
        module, _, class_name = name.rpartition(".")
        source = sources[module]
        if source is None:
            raise LookupFailed(
                f"module {module!r} not found under the project root (looked for {module.replace('.', '/')}.py, also under src/)"
            )
        verdict = stdlib_verdict(source)  # quietly, and safe from hostile nesting
        tree = verdict.tree
        if tree is None:
            raise LookupFailed(f"module {module!r} cannot be parsed: {verdict.problem()}")
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                bases = {_base_name(b) for b in node.bases}
                if not bases & _ENUM_BASES:
                    raise LookupFailed(
                        f"{name} is not an enum (its bases are: {', '.join(sorted(b for b in bases if b)) or 'none'})"
                    )
                return {"members": _members(node), "str_valued": "StrEnum" in bases or "str" in bases}
        raise LookupFailed(f"class {class_name!r} not found in module {module!r}")

    def load(self, name: str, value: Any) -> EnumInfo:
        members = tuple((member, literal) for member, literal in value["members"])
        if not all(type(member) is str and (v is None or type(v) in _JSON_SCALARS) for member, v in members):
            raise TypeError("malformed enum members")
        return EnumInfo(name, members, bool(value["str_valued"]))


ENUM_CLASSES = EnumClasses()


def _members(node: ast.ClassDef) -> list[list[object]]:
    members: list[list[object]] = []
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value:
            targets = [statement.target]
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name) and not target.id.startswith("_"):
                value = statement.value
                literal = value.value if isinstance(value, ast.Constant) else None
                members.append([target.id, literal if type(literal) in _JSON_SCALARS else None])
    return members


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class EnumMembers(FactProvider[str]):
    """A member ``pkg.module.Class.MEMBER`` of an enum class of the project: a configured name
    that must be one of its members (a state machine's transitions name them)."""

    kind = "enum-member"

    def modules(self, name: str) -> tuple[str, ...]:
        return (name.rsplit(".", 2)[0],)

    def compute(self, name: str, sources: Mapping[str, str | None]) -> str:
        enum_name, _, member = name.rpartition(".")
        members = [member_name for member_name, _ in ENUM_CLASSES.compute(enum_name, sources)["members"]]
        if member not in members:
            raise LookupFailed(
                f"{member!r} is not a member of {enum_name} (its members: {', '.join(members) or 'none'})"
            )
        return member

    def load(self, name: str, value: Any) -> str:
        if type(value) is not str:
            raise TypeError("malformed enum member")
        return value


ENUM_MEMBERS = EnumMembers()
