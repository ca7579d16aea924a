"""Cross-module facts, read statically (parsed, never imported) and cached per module.

``Project`` is the only part of the engine's inputs that may read files; the engine
itself never does. Tests and editors can build one from in-memory sources.
"""

from __future__ import annotations

import ast
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from designlint.parsing import stdlib_verdict
from designlint.source import DecodeError, decode

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

    def equals_literal(self, member: str, literal: str) -> bool:
        """Whether ``member == literal`` holds at run time: only a str-valued enum's members
        compare equal to strings, each to its value (unknown for ``auto()``, an alias by name,
        a call), never to its name."""
        return self.str_valued and any(name == member and value == literal for name, value in self.members)


class FactStore(Protocol):
    """Somewhere to keep facts across runs (the results cache), keyed by the module they
    come from and its content hash; values are JSON-compatible."""

    def get_fact(self, kind: str, name: str, module_digest: str) -> object | None: ...

    def put_fact(self, kind: str, name: str, module_digest: str, value: object) -> None: ...


class Project:
    def __init__(self, read_module: Callable[[str], str | None], facts: FactStore | None = None):
        self._read_module = read_module
        self._facts = facts
        self._sources: dict[str, str | None] = {}
        self._digests: dict[str, str] = {}
        self._enums: dict[str, EnumInfo | LookupFailed] = {}
        self._constants: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def source(self, module: str) -> str | None:
        """The text of ``module`` (read once), or None when the project has no such module.
        Every cross-module fact is read through here, so ``modules_read`` is complete."""
        if module not in self._sources:
            source = self._sources[module] = self._read_module(module)
            self._digests[module] = _digest(source)
        return self._sources[module]

    @property
    def modules_read(self) -> dict[str, str]:
        """Each module read so far, with its content digest: what a cached result depends on."""
        return dict(self._digests)

    def module_digest(self, module: str) -> str:
        self.source(module)
        return self._digests[module]

    @classmethod
    def from_root(cls, root: Path, facts: FactStore | None = None) -> Project:
        def read(module: str) -> str | None:
            parts = module.split(".")
            for base in (root, root / "src", root / "lib"):
                for candidate in (base.joinpath(*parts).with_suffix(".py"), base.joinpath(*parts, "__init__.py")):
                    try:
                        if not candidate.is_file():
                            continue
                        data = candidate.read_bytes()
                    except OSError:
                        continue
                    try:
                        return decode(data).text  # a BOM or a coding line, as for linted files
                    except DecodeError:
                        return data.decode("utf-8", errors="replace")
            return None

        return cls(read, facts)

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

    def module_constant(self, qualname: str) -> str | None:
        """The string the module-level constant ``pkg.module.NAME`` holds, read statically (see
        ``string_constants``); None when the module or the constant is unknown."""
        module, _, name = qualname.rpartition(".")
        if not module:
            return None
        with self._lock:
            if module not in self._constants:
                source = self.source(module)
                tree = stdlib_verdict(source).tree if source is not None else None
                self._constants[module] = string_constants(tree) if tree is not None else {}
            return self._constants[module].get(name)

    def _read_enum(self, qualname: str) -> EnumInfo:
        module = qualname.rpartition(".")[0]
        source = self.source(module)
        if self._facts is None or source is None:
            return self._parse_enum(qualname, source)
        digest = self._digests[module]
        stored = self._facts.get_fact("enum", qualname, digest)
        try:
            if isinstance(stored, str):
                raise LookupFailed(stored)
            if isinstance(stored, dict):
                members = tuple((name, value) for name, value in stored["members"])
                if not all(
                    type(name) is str and (value is None or type(value) in (str, int, float, bool))
                    for name, value in members
                ):
                    raise TypeError("malformed enum members")
                return EnumInfo(qualname, members, bool(stored["str_valued"]))
        except (KeyError, TypeError, ValueError):
            pass  # a malformed stored fact: work it out again
        try:
            info = self._parse_enum(qualname, source)
        except LookupFailed as exc:
            self._facts.put_fact("enum", qualname, digest, str(exc))
            raise
        if all(value is None or type(value) in (str, int, float, bool) for _, value in info.members):  # else not JSON
            self._facts.put_fact(
                "enum", qualname, digest, {"members": [list(m) for m in info.members], "str_valued": info.str_valued}
            )
        return info

    def _parse_enum(self, qualname: str, source: str | None) -> EnumInfo:
        module, _, class_name = qualname.rpartition(".")
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
                        f"{qualname} is not an enum (its bases are: {', '.join(sorted(b for b in bases if b)) or 'none'})"
                    )
                members = []
                for statement in node.body:
                    targets = (
                        statement.targets
                        if isinstance(statement, ast.Assign)
                        else [statement.target]
                        if isinstance(statement, ast.AnnAssign) and statement.value
                        else []
                    )
                    for target in targets:
                        if isinstance(target, ast.Name) and not target.id.startswith("_"):
                            value = statement.value
                            literal = value.value if isinstance(value, ast.Constant) else None
                            members.append((target.id, literal))
                str_valued = "StrEnum" in bases or "str" in bases
                return EnumInfo(qualname, tuple(members), str_valued)
        raise LookupFailed(f"class {class_name!r} not found in module {module!r}")


def string_constants(tree: ast.Module) -> dict[str, str]:
    """The module's upper-case names bound once, at top level, to a string: a literal, or ``+``
    and f-strings of literals and the constants before them (``API = f"https://{HOST}/v1"``)."""
    assigned: dict[str, int] = {}
    for statement in ast.walk(tree):
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        targets = [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else targets
        for target in targets:
            if isinstance(target, ast.Name):
                assigned[target.id] = assigned.get(target.id, 0) + 1
    constants: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id.isupper() and assigned[target.id] == 1:
            text = _string_of(value, constants)
            if text is not None:
                constants[target.id] = text
    return constants


def _string_of(node: ast.expr, constants: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string_of(node.left, constants), _string_of(node.right, constants)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.JoinedStr):
        pieces = []
        for piece in node.values:
            plain = not isinstance(piece, ast.FormattedValue) or (piece.conversion == -1 and piece.format_spec is None)
            text = _string_of(piece.value if isinstance(piece, ast.FormattedValue) else piece, constants)
            if not plain or text is None:
                return None
            pieces.append(text)
        return "".join(pieces)
    return None


def _digest(source: str | None) -> str:
    return "absent" if source is None else hashlib.sha256(source.encode("utf-8", errors="surrogatepass")).hexdigest()


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
