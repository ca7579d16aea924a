"""Enum classes of the linted project, read statically: a cross-module fact
(``Project.fact(ENUM_CLASSES, "app.errors.ErrorCode")``) for the error-code contract, and
for any rule that needs the members of a configured enum."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from designlint.analysis.module_facts import DefinitionFact, ModuleFact, stdlib_last_name
from designlint.diagnostics import Applicability
from designlint.fixes import AddImport, NodeFix, Replace
from designlint.project import LookupFailed

if TYPE_CHECKING:
    import libcst as cst

    from designlint.analysis.names import NameResolver

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


class EnumClasses(DefinitionFact[EnumInfo]):
    """The enum class a dotted name ``pkg.module.Class`` names, from its module's text."""

    kind = "enum"

    def read(self, name: str, tree: ast.Module) -> dict[str, Any]:
        module, _, class_name = name.rpartition(".")
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                bases = {stdlib_last_name(b) for b in node.bases}
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


def member_fix(
    node: cst.CSTNode, enum: EnumInfo, member: str, literal: str, names: NameResolver, module_name: str | None
) -> NodeFix | None:
    """The fix replacing the raw ``literal`` at ``node`` with ``Enum.member``, importing the enum
    when the module does not; None when its name is taken by something else here. Safe only
    where the member compares and serialises like the literal it replaces (a literal that is the
    member's name, not its value, would turn a True comparison False) and no import is added."""
    module, _, class_name = enum.qualname.rpartition(".")
    local = names.imported_as(enum.qualname)
    changes: list[AddImport | Replace] = []
    if local is None and module_name == module:
        local = class_name  # linting the enum's own module
    if local is None:
        if names.module_scope.bindings.get(class_name) is not None:
            return None
        local = class_name
        changes.append(AddImport(f"from {module} import {class_name}"))
    changes.append(Replace(node, f"{local}.{member}"))
    safe = not any(isinstance(c, AddImport) for c in changes) and enum.equals_literal(member, literal)
    return NodeFix(
        f"Replace with {local}.{member}", tuple(changes), Applicability.SAFE if safe else Applicability.UNSAFE
    )


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


class EnumMembers(ModuleFact[str]):
    """A member ``pkg.module.Class.MEMBER`` of an enum class of the project: a configured name
    that must be one of its members (a state machine's transitions name them)."""

    kind = "enum-member"

    def module_of(self, name: str) -> str:
        return name.rsplit(".", 2)[0]

    def read(self, name: str, tree: ast.Module) -> str:
        enum_name, _, member = name.rpartition(".")
        members = [member_name for member_name, _ in ENUM_CLASSES.read(enum_name, tree)["members"]]
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
