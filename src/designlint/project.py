"""Cross-module facts, read statically (parsed, never imported) and cached per module.

``Project`` is the only part of the engine's inputs that may read files; the engine
itself never does. Tests and editors can build one from in-memory sources. Each kind of
fact is a ``FactProvider`` (the error-code enum's is ``analysis.enums.ENUM_CLASSES``).
"""

from __future__ import annotations

import ast
import hashlib
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from designlint.parsing import stdlib_verdict
from designlint.reading import MAX_SOURCE_SIZE, TooLarge, read_regular_file
from designlint.source import DecodeError, decode

T = TypeVar("T")


class LookupFailed(Exception):
    """A configured cross-module name cannot be found or is not what it should be."""


class FactStore(Protocol):
    """Somewhere to keep facts across runs (the results cache), keyed by their kind, their
    name and the digest of the modules they come from; values are JSON-compatible."""

    def get_fact(self, kind: str, name: str, module_digest: str) -> object | None: ...

    def put_fact(self, kind: str, name: str, module_digest: str, value: object) -> None: ...


class FactProvider(ABC, Generic[T]):
    """A kind of cross-module fact (an enum's members, a module's summary): the modules it is
    read from, how it is worked out from their text, and how that result, a JSON-compatible
    value kept in the results cache, becomes the fact. ``kind`` names it in the cache: one
    kind, one way of working facts out. Ask for facts with ``Project.fact``."""

    kind: ClassVar[str]

    @abstractmethod
    def modules(self, name: str) -> tuple[str, ...]:
        """The dotted names of the modules the fact about ``name`` is read from."""

    @abstractmethod
    def compute(self, name: str, sources: Mapping[str, str | None]) -> object:
        """The fact about ``name`` as a JSON-compatible value, from the text of each of its
        modules (None: not in the project); raises ``LookupFailed`` saying what is wrong."""

    @abstractmethod
    def load(self, name: str, value: Any) -> T:
        """The fact from what ``compute`` returned (perhaps read back from the cache); raises
        KeyError, TypeError or ValueError when the value is malformed."""


class Project:
    def __init__(self, read_module: Callable[[str], str | None], facts: FactStore | None = None):
        self._read_module = read_module
        self._facts = facts
        self._sources: dict[str, str | None] = {}
        self._digests: dict[str, str] = {}
        self._found: dict[tuple[str, str], Any] = {}  # (kind, name) -> the fact, or its LookupFailed
        self._constants: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def source(self, module: str) -> str | None:
        """The text of ``module`` (read once), or None when the project has no such module.
        Every cross-module fact is read through here, so ``modules_read`` is complete. Raises
        ``LookupFailed`` when the module cannot be used (too large to read)."""
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
                        data = read_regular_file(candidate, MAX_SOURCE_SIZE)  # the limit of a linted file
                    except TooLarge as exc:
                        raise LookupFailed(f"module {module!r} is too large to read ({exc})") from None
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

    def fact(self, provider: FactProvider[T], name: str) -> T:
        """The fact ``provider`` works out about ``name``, once per project, from the results
        cache when its modules are unchanged; raises ``LookupFailed`` saying what is wrong.
        Its modules are read through ``source``, so a cached result depends on them."""
        with self._lock:
            key = (provider.kind, name)
            if key not in self._found:
                try:
                    self._found[key] = self._work_out(provider, name)
                except LookupFailed as exc:
                    self._found[key] = exc
            found = self._found[key]
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

    def _work_out(self, provider: FactProvider[T], name: str) -> T:
        modules = provider.modules(name)
        sources = {module: self.source(module) for module in modules}
        if self._facts is None:
            return provider.load(name, provider.compute(name, sources))
        digest = _digest("\0".join(f"{module}\0{self._digests[module]}" for module in modules))
        stored = self._facts.get_fact(provider.kind, name, digest)
        if isinstance(stored, dict):
            if isinstance(stored.get("failed"), str):
                raise LookupFailed(stored["failed"])
            try:
                return provider.load(name, stored["value"])
            except (KeyError, TypeError, ValueError):
                pass  # a malformed stored fact: work it out again
        try:
            value = provider.compute(name, sources)
        except LookupFailed as exc:
            self._facts.put_fact(provider.kind, name, digest, {"failed": str(exc)})
            raise
        self._facts.put_fact(provider.kind, name, digest, {"value": value})
        return provider.load(name, value)


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
