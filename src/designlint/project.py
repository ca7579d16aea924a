"""Cross-module facts, read statically (parsed, never imported) and cached per module.

``Project`` is the only part of the engine's inputs that may read files; the engine
itself never does. Tests and editors can build one from in-memory sources. Each kind of
fact is a ``FactProvider`` (the error-code enum's is ``analysis.enums.ENUM_CLASSES``).
"""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from designlint.digest_memo import DigestMemo
from designlint.reading import MAX_SOURCE_SIZE, TooLarge, read_regular_file
from designlint.source import DecodeError, as_python_reads_names, decode

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
    def __init__(
        self,
        read_module: Callable[[str, str | None], str | None],
        facts: FactStore | None = None,
        packages: _PackageChain | None = None,
        remembered: RememberedDigests | None = None,
    ):
        # read_module(module, anchor): the module's text, looked for first under ``anchor`` (the
        # directory the file being linted is named from), then under the project's root
        self._read_module = read_module
        self._remembered = remembered
        self._facts = facts
        self._packages = packages
        # Every cache below is keyed by the anchor as well: two sub-projects of a monorepo may
        # each have an ``app.errors``, and a file's imports mean its own.
        self._sources: dict[tuple[str | None, str], str | None] = {}
        self._digests: dict[tuple[str | None, str], str] = {}
        self._found: dict[
            tuple[str, str, str | None], Any
        ] = {}  # (kind, name, anchor) -> the fact, or its LookupFailed
        self._lock = threading.RLock()
        self._file = threading.local()  # the anchor of the file this thread is linting

    @contextmanager
    def linting(self, path: str) -> Iterator[None]:
        """Within it, modules are looked up as the file at ``path`` imports them: under the
        directory its own module name is anchored at (its sub-project), then under the root."""
        previous = getattr(self._file, "anchor", None)
        self._file.anchor = self._packages.anchor_of(path) if self._packages is not None else None
        self._file.reads = {}  # what this file's findings are drawn from: ``modules_read`` after it
        try:
            yield
        finally:
            self._file.anchor = previous

    @property
    def _anchor(self) -> str | None:
        return getattr(self._file, "anchor", None)

    def source(self, module: str) -> str | None:
        """The text of ``module`` (read once), or None when the project has no such module.
        Every cross-module fact is read through here, so ``modules_read`` is complete. Raises
        ``LookupFailed`` when the module cannot be used (too large to read)."""
        key = (self._anchor, module)
        if key not in self._sources:
            source = self._read_module(module, key[0])
            if source is not None:
                source = as_python_reads_names(source)  # as a linted file's names are read
            self._sources[key] = source
            self._digests[key] = _digest(source)
            if self._remembered is not None and source is not None:
                self._remembered.remember(module, key[0], self._digests[key])
        self._record(module, key)
        return self._sources[key]

    def _record(self, module: str, key: tuple[str | None, str]) -> None:
        reads = getattr(self._file, "reads", None)
        if reads is not None:
            reads[module] = self._digests[key]

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
        """The modules the last file this thread linted drew on (facts and constants included,
        read now or earlier), with their content digests: what its cached result depends on."""
        return dict(getattr(self._file, "reads", None) or {})

    def unchanged(self, path: str, digests: Mapping[str, str]) -> bool:
        """Whether each of ``digests`` (module -> digest) is that of the module now, looked up as
        the file at ``path`` imports it: a cached result's dependencies (a warm run asks about
        thousands, most of them already read for another file)."""
        known = self._digests
        with self.linting(path):
            anchor = self._anchor
            for module, digest in digests.items():
                found = known.get((anchor, module))
                if found is None and self._remembered is not None:
                    found = self._remembered.known(module, anchor)  # a file unchanged since: not read
                if found is None:
                    self.source(module)
                    found = known[(anchor, module)]
                if found != digest:
                    return False
        return True

    @classmethod
    def from_root(cls, root: Path, facts: FactStore | None = None, memo: DigestMemo | None = None) -> Project:
        """The project under ``root``; with ``memo``, digests of its modules' texts are remembered
        by their files' signatures, and ``unchanged`` reads only the files that changed."""
        bases = [str(base) for base in (root, root / "src", root / "lib")]
        anchors: dict[str, str] = {}  # as pathlib spells it
        listings: dict[str, frozenset[str]] = {}  # for the project's lifetime, as its sources are
        read_from: dict[tuple[str, str | None], str] = {}  # (module, anchor) -> the file its text was read from

        def candidates(parts: list[str], anchor: str | None) -> Iterator[str | Path]:
            if not all(part and "/" not in part and os.sep not in part for part in parts):
                # Not a dotted name of identifiers (a configured name may be anything): as pathlib joins it.
                for base in (*((Path(anchor),) if anchor is not None else ()), root, root / "src", root / "lib"):
                    yield base.joinpath(*parts).with_suffix(".py")
                    yield base.joinpath(*parts, "__init__.py")
                return
            # The same paths as strings: pathlib costs more than the reading on a warm run. A
            # directory is listed once, and only a name it holds is asked for: most candidates
            # lie in directories that do not exist, and a warm run asks for thousands.
            if anchor is not None and anchor not in anchors:
                anchors[anchor] = str(Path(anchor))
            *within, last = parts
            for base in (*((anchors[anchor],) if anchor is not None else ()), *bases):
                if within and within[0] not in listed(base):  # no such package here: the usual case
                    continue
                directory = os.path.join(base, *within)
                names = listed(directory)
                if f"{last}.py" in names:
                    yield os.path.join(directory, f"{last}.py")
                if last in names:
                    yield os.path.join(directory, last, "__init__.py")

        def listed(directory: str) -> frozenset[str]:
            names = listings.get(directory)
            if names is None:
                try:
                    names = frozenset(os.listdir(directory))
                except OSError:  # not a directory, or not readable: nothing there to import
                    names = frozenset()
                listings[directory] = names
            return names

        def read(module: str, anchor: str | None) -> str | None:
            for candidate in candidates(module.split("."), anchor):
                try:
                    if not os.path.isfile(candidate):
                        continue
                    data = read_regular_file(candidate, MAX_SOURCE_SIZE)  # the limit of a linted file
                except TooLarge as exc:
                    raise LookupFailed(f"module {module!r} is too large to read ({exc})") from None
                except OSError:
                    continue
                read_from[(module, anchor)] = str(candidate)
                try:
                    return decode(data).text  # a BOM or a coding line, as for linted files
                except DecodeError:
                    return data.decode("utf-8", errors="replace")
            return None

        remembered = _MemoDigests(memo, candidates, read_from) if memo is not None else None
        return cls(read, facts, _PackageChain(), remembered)

    @classmethod
    def from_sources(cls, sources: dict[str, str]) -> Project:
        return cls(lambda module, anchor: sources.get(module))

    def fact(self, provider: FactProvider[T], name: str) -> T:
        """The fact ``provider`` works out about ``name``, once per project, from the results
        cache when its modules are unchanged; raises ``LookupFailed`` saying what is wrong.
        Its modules are read through ``source``, so a cached result depends on them."""
        with self._lock:
            key = (provider.kind, name, self._anchor)
            if key not in self._found:
                try:
                    self._found[key] = self._work_out(provider, name)
                except LookupFailed as exc:
                    self._found[key] = exc
            found = self._found[key]
            for module in provider.modules(name):  # worked out for an earlier file, it counts for this one
                if (self._anchor, module) in self._digests:
                    self._record(module, (self._anchor, module))
        if isinstance(found, LookupFailed):
            raise found
        return found

    def _work_out(self, provider: FactProvider[T], name: str) -> T:
        modules = provider.modules(name)
        sources = {module: self.source(module) for module in modules}
        if self._facts is None:
            return provider.load(name, provider.compute(name, sources))
        anchor = self._anchor
        digest = _digest("\0".join(f"{module}\0{self._digests[(anchor, module)]}" for module in modules))
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


# A directory holding one of these is a project's root: none of the project's packages (nor
# namespace packages) lies above it.
_PROJECT_MARKERS = ("pyproject.toml", "designlint.toml", ".designlint.toml", "setup.py", "setup.cfg", ".git")
_SOURCE_DIRS = ("src", "lib")


class _PackageChain:
    """Module names from the package structure on disk, memoised per directory (a run asks for
    every file of a package).

    A module's name is the chain of directories holding an ``__init__.py`` above its file.
    Directories without one above the chain (PEP 420 namespace packages: ``app/api/__init__.py``
    under a namespace ``app/``) are part of the name only when a project's root is found right
    above them: a directory holding ``pyproject.toml``, ``(.)designlint.toml``, ``setup.py``,
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

    def anchor_of(self, path: str) -> str | None:
        """The directory the dotted name of the module in ``path`` is relative to (where its top
        package is), or None when the file has no module name."""
        name = self.module_name(path)
        if name is None:
            return None
        directory = os.path.dirname(os.path.abspath(path)) or os.sep
        levels = name.count(".") + (1 if os.path.basename(path).startswith("__init__.") else 0)
        for _ in range(levels):
            directory = os.path.dirname(directory)
        return directory

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


_TEXT = "text"  # the memo's kind for a module's text, as ``source`` returns it


class RememberedDigests(Protocol):
    """Digests of modules' texts kept across runs by their files' signatures (``DigestMemo``)."""

    def known(self, module: str, anchor: str | None) -> str | None: ...

    def remember(self, module: str, anchor: str | None, digest: str) -> None: ...


class _MemoDigests:
    """``RememberedDigests`` from a ``DigestMemo``, for a project on disk. A module's file is the
    first of its candidate paths that is a file: the one its text is read from, unless that file
    could not be read, and then the memo holds no text digest for it. Without a candidate, no
    module is found (the digest of an absent one)."""

    def __init__(
        self,
        memo: DigestMemo,
        candidates: Callable[[list[str], str | None], Iterator[str | Path]],
        read_from: Mapping[tuple[str, str | None], str],
    ):
        self._memo = memo
        self._candidates = candidates
        self._read_from = read_from  # (module, anchor) -> the file its text was read from
        self._looked_up: dict[tuple[str, str | None], str | None] = {}  # a warm run asks of most modules many times

    def known(self, module: str, anchor: str | None) -> str | None:
        key = (module, anchor)
        if key not in self._looked_up:
            path = next((c for c in self._candidates(module.split("."), anchor) if os.path.isfile(c)), None)
            self._looked_up[key] = self._memo.known(str(path), _TEXT) if path is not None else _digest(None)
        return self._looked_up[key]

    def remember(self, module: str, anchor: str | None, digest: str) -> None:
        path = self._read_from.get((module, anchor))
        if path is not None:
            self._memo.remember(path, _TEXT, digest)


def _digest(source: str | None) -> str:
    return "absent" if source is None else hashlib.sha256(source.encode("utf-8", errors="surrogatepass")).hexdigest()
