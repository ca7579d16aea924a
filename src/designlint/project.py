"""Cross-module facts, read statically (parsed, never imported) and cached per module.

``Project`` is the only part of the engine's inputs that may read files; the engine
itself never does. Tests and editors can build one from in-memory sources.
"""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

_ENUM_BASES = {"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"}


class LookupFailed(Exception):
    """A configured cross-module name cannot be found or is not what it should be."""


@dataclass(frozen=True)
class EnumInfo:
    qualname: str  # "app.errors.ErrorCode"
    members: tuple[tuple[str, object], ...]  # (name, literal value or None), in definition order
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


class Project:
    def __init__(self, read_module: Callable[[str], str | None]):
        self._read_module = read_module
        self._enums: dict[str, EnumInfo | LookupFailed] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_root(cls, root: Path) -> Project:
        def read(module: str) -> str | None:
            parts = module.split(".")
            for base in (root, root / "src", root / "lib"):
                for candidate in (base.joinpath(*parts).with_suffix(".py"), base.joinpath(*parts, "__init__.py")):
                    try:
                        if candidate.is_file():
                            return candidate.read_bytes().decode("utf-8", errors="replace")
                    except OSError:
                        continue
            return None

        return cls(read)

    @classmethod
    def from_sources(cls, sources: dict[str, str]) -> Project:
        return cls(sources.get)

    def error_enum(self, qualname: str) -> EnumInfo:
        """The enum class ``pkg.module.Class``; raises ``LookupFailed`` saying what is wrong."""
        with self._lock:
            if qualname not in self._enums:
                try:
                    self._enums[qualname] = self._read_enum(qualname)
                except LookupFailed as exc:
                    self._enums[qualname] = exc
            found = self._enums[qualname]
        if isinstance(found, LookupFailed):
            raise found
        return found

    def _read_enum(self, qualname: str) -> EnumInfo:
        module, _, class_name = qualname.rpartition(".")
        source = self._read_module(module)
        if source is None:
            raise LookupFailed(f"module {module!r} not found under the project root (looked for {module.replace('.', '/')}.py, also under src/)")
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError) as exc:
            raise LookupFailed(f"module {module!r} cannot be parsed: {exc}") from None
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == class_name:
                bases = {_base_name(b) for b in node.bases}
                if not bases & _ENUM_BASES:
                    raise LookupFailed(f"{qualname} is not an enum (its bases are: {', '.join(sorted(b for b in bases if b)) or 'none'})")
                members = []
                for statement in node.body:
                    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target] if isinstance(statement, ast.AnnAssign) and statement.value else []
                    for target in targets:
                        if isinstance(target, ast.Name) and not target.id.startswith("_"):
                            value = statement.value
                            literal = value.value if isinstance(value, ast.Constant) else None
                            members.append((target.id, literal))
                str_valued = "StrEnum" in bases or "str" in bases
                return EnumInfo(qualname, tuple(members), str_valued)
        raise LookupFailed(f"class {class_name!r} not found in module {module!r}")


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
