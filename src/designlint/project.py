"""Cross-module facts, read statically (parsed, never imported) and cached per module.

``Project`` is the only part of the engine's inputs that may read files; the engine
itself never does. Tests and editors can build one from in-memory sources.
"""

from __future__ import annotations

import ast
import hashlib
import os
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


class FactStore(Protocol):
    """Somewhere to keep facts across runs (the results cache), keyed by the module they
    come from and its content hash; values are JSON-compatible."""

    def get_fact(self, kind: str, name: str, module_digest: str) -> object | None: ...

    def put_fact(self, kind: str, name: str, module_digest: str, value: object) -> None: ...


class Project:
    def __init__(
        self,
        read_module: Callable[[str], str | None],
        facts: FactStore | None = None,
        packages: _PackageChain | None = None,
    ):
        self._read_module = read_module
        self._facts = facts
        self._packages = packages
        self._sources: dict[str, str | None] = {}
        self._digests: dict[str, str] = {}
        self._enums: dict[str, EnumInfo | LookupFailed] = {}
        self._lock = threading.Lock()

    def source(self, module: str) -> str | None:
        """The text of ``module`` (read once), or None when the project has no such module.
        Every cross-module fact is read through here, so ``modules_read`` is complete."""
        if module not in self._sources:
            source = self._sources[module] = self._read_module(module)
            self._digests[module] = _digest(source)
        return self._sources[module]

    def module_name_of(self, path: str) -> str | None:
        """The dotted name of the module in the file ``path``, from the package structure on disk
        (the chain of ``__init__.py`` up from the file), never from the working directory; None
        when the project cannot tell (in-memory sources, or a file in no package: the engine
        then names it from its path relative to the configuration's root)."""
        return self._packages.module_name(path) if self._packages is not None else None

    def unanchored_parents(self, path: str) -> tuple[str, ...]:
        """The directories above the top package of ``path``'s module when no project root
        anchors its name (see ``_PackageChain.unanchored_parents``); empty when the project
        cannot tell."""
        return self._packages.unanchored_parents(path) if self._packages is not None else ()

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

        return cls(read, facts, _PackageChain())

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


# A directory holding one of these is a project's root: none of the project's packages (nor
# namespace packages) lies above it.
_PROJECT_MARKERS = ("pyproject.toml", "designlint.toml", "setup.py", "setup.cfg", ".git")
_SOURCE_DIRS = ("src", "lib")


class _PackageChain:
    """Module names from the package structure on disk, memoised per directory (a run asks for
    every file of a package).

    A module's name is the chain of directories holding an ``__init__.py`` above its file.
    Directories without one above the chain (PEP 420 namespace packages: ``app/api/__init__.py``
    under a namespace ``app/``) are part of the name only when a project's root is found right
    above them: a directory holding ``pyproject.toml``, ``designlint.toml``, ``setup.py``,
    ``setup.cfg`` or ``.git``, or a ``src``/``lib`` directory. Without one, nothing tells a
    namespace package from the directory a project was unpacked into, and the chain alone
    names the module."""

    def __init__(self) -> None:
        # directory -> the dotted name of the package of the modules in it: "" at a project's root,
        # None where no root was found above and it is no package
        self._prefixes: dict[str, str | None] = {}

    def module_name(self, path: str) -> str | None:
        directory, _, filename = os.path.abspath(path).rpartition(os.sep)
        stem, dot, suffix = filename.rpartition(".")
        if not dot or suffix not in ("py", "pyi") or not (stem == "__init__" or stem.isidentifier()):
            return None
        prefix = self._prefix(directory or os.sep)
        if stem == "__init__":
            return prefix or None
        return f"{prefix}.{stem}" if prefix else stem

    def unanchored_parents(self, path: str) -> tuple[str, ...]:
        """For a module whose package has no project root above it (an unpacked wheel, a copied
        folder), the names of the directories above its top package, outermost first, up to
        one no import can spell: they may be namespace packages, or just where it was
        unpacked. Empty when a root anchors the name."""
        directory = os.path.dirname(os.path.abspath(path)) or os.sep
        self._prefix(directory)
        top = directory
        while self._prefixes.get(top) and self._prefixes.get(os.path.dirname(top)):
            top = os.path.dirname(top)  # up to the outermost package of the chain
        above = os.path.dirname(top) if self._prefixes.get(top) else top
        if self._prefixes.get(above, "") is not None:
            return ()
        names: list[str] = []
        while os.path.basename(above).isidentifier() and os.path.dirname(above) != above:
            names.append(os.path.basename(above))
            above = os.path.dirname(above)
        return tuple(reversed(names))

    def _prefix(self, directory: str) -> str:
        """The dotted name of the package the modules directly in ``directory`` belong to ("": none)."""
        trail: list[tuple[str, bool]] = []  # the directories passed on the way up, each with: is it a package
        current = directory
        while current not in self._prefixes:
            name, parent = os.path.basename(current), os.path.dirname(current)
            if _is_package(current) and name.isidentifier():
                trail.append((current, True))
            elif _is_root(current):
                self._prefixes[current] = ""  # the directories passed are (namespace) packages of this project
                break
            elif not name.isidentifier() or parent == current:
                self._prefixes[current] = None  # no project root above: only __init__.py makes a package
                break
            else:
                trail.append((current, False))
            current = parent
        prefix = self._prefixes[current]
        for path, is_package in reversed(trail):
            name = os.path.basename(path)
            if prefix is None:
                prefix = name if is_package else None
            else:
                prefix = f"{prefix}.{name}" if prefix else name
            self._prefixes[path] = prefix
        return self._prefixes[directory] or ""


def _is_package(directory: str) -> bool:
    return _is_file(os.path.join(directory, "__init__.py")) or _is_file(os.path.join(directory, "__init__.pyi"))


def _is_root(directory: str) -> bool:
    return os.path.basename(directory) in _SOURCE_DIRS or any(
        _exists(os.path.join(directory, marker)) for marker in _PROJECT_MARKERS
    )


def _is_file(path: str) -> bool:
    try:
        return os.path.isfile(path)
    except (OSError, ValueError):
        return False


def _exists(path: str) -> bool:
    try:
        return os.path.lexists(path)
    except (OSError, ValueError):
        return False


def _digest(source: str | None) -> str:
    return "absent" if source is None else hashlib.sha256(source.encode("utf-8", errors="surrogatepass")).hexdigest()


def _base_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""
