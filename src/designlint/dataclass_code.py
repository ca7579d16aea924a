"""Start-up: the code of the methods ``@dataclass`` writes, compiled once and kept, as Python keeps
a module's bytecode in ``__pycache__``.

Before Python 3.13, ``@dataclass`` writes each method of a class (``__init__``, ``__repr__``,
``__eq__``, ``__hash__``, a frozen class's ``__setattr__`` and ``__delattr__``) as source text and
compiles it with ``exec``. LibCST declares its ~200 node classes as dataclasses, and compiling
their ~900 methods is half of what ``import libcst`` costs: the larger part of a one-file run.
The CLI hands ``dataclasses`` an ``exec`` that looks the text up in a table of code objects
compiled from exactly that text (as ``exec`` compiles it: no future flags, the interpreter's
optimisation level), compiling and adding it when it is new; the table is kept, marshalled, in
``designlint/__pycache__`` beside designlint's own bytecode, for this interpreter's version and
optimisation level. The class ``@dataclass`` makes is the same; only the compiling is saved.

Trust: the table is code, as a ``.pyc`` is, and it lives where designlint's ``.pyc`` files do,
inside the installed package, which no linted repository writes to. A table that is
truncated, corrupt or for another interpreter is not loaded (its digest and header are checked
before ``marshal`` reads it) and is rewritten. Nothing is written when Python writes no
bytecode (``PYTHONDONTWRITEBYTECODE``, ``-B``) or the directory is read-only. Only the CLI and
the language server install it: a program that imports designlint's API keeps its own
``dataclasses`` as it was.
"""

from __future__ import annotations

import atexit
import builtins
import hashlib
import marshal
import os
import sys
from types import CodeType

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing
if TYPE_CHECKING:
    from typing import Any

_METHOD_TEXT = "def __create_fn__("  # how dataclasses' generated text starts (3.10 to 3.13)
_HEADER = b"designlint dataclass code 1\n"
_DIGEST_SIZE = 32
MAX_SIZE = 32 * 2**20  # LibCST's and designlint's methods take about 1 MB
MAX_ENTRIES = 20_000  # beyond this a save keeps only what this process compiled or used


class MethodCode:
    """The table of code objects by method text, and the ``exec`` that uses it."""

    def __init__(self, path: str | None, codes: dict[str, CodeType]):
        self.path = path
        self._codes = codes
        self._used: set[str] = set()
        self.compiled = 0  # texts that were not in the table
        self._pid = os.getpid()

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /, **options: Any) -> None:
        if globals is None:  # as exec would: the caller's namespaces, not this frame's
            caller = sys._getframe(1)
            globals, locals = caller.f_globals, caller.f_locals if locals is None else locals
        if isinstance(source, str) and source.startswith(_METHOD_TEXT) and not options:
            code = self._codes.get(source)
            if code is None:
                code = self._codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
                self.compiled += 1
            self._used.add(source)
            source = code
        builtins.exec(source, globals, locals, **options)

    def save(self) -> None:
        """Write the table when this process compiled anything new (never from a forked worker)."""
        if not self.compiled or self.path is None or os.getpid() != self._pid or sys.dont_write_bytecode:
            return
        codes = self._codes
        if len(codes) > MAX_ENTRIES:
            codes = {text: code for text, code in codes.items() if text in self._used}
        payload = marshal.dumps(codes)
        data = _header() + hashlib.sha256(payload).digest() + payload
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(temporary, "xb") as out:
                out.write(data)
            os.replace(temporary, self.path)
        except OSError:  # read-only, full, or another process's temporary file: only speed is lost
            try:
                os.unlink(temporary)
            except OSError:
                pass
            return
        self.compiled = 0


def install() -> MethodCode | None:
    """Give ``dataclasses`` the table's ``exec`` (once per process) and save the table at exit;
    None when it already has one, or when this Python keeps no bytecode cache."""
    import dataclasses

    if "exec" in vars(dataclasses):
        return None
    path = table_path()
    table = MethodCode(path, load(path) if path is not None else {})
    dataclasses.exec = table.exec  # type: ignore[attr-defined]  # found before the builtin
    atexit.register(table.save)
    return table


def table_path() -> str | None:
    tag = sys.implementation.cache_tag
    if tag is None:  # an implementation without bytecode caching
        return None
    directory = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")
    return os.path.join(directory, f"dataclass-methods.{tag}.opt-{sys.flags.optimize}.bin")


def load(path: str) -> dict[str, CodeType]:
    """The table at ``path``, or an empty one when it is absent, too large, of another
    interpreter, or not what was written (its digest is checked before ``marshal`` reads it)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SIZE + 1)
    except OSError:
        return {}
    header = _header()
    start = len(header) + _DIGEST_SIZE
    if len(data) > MAX_SIZE or not data.startswith(header):
        return {}
    payload = data[start:]
    if hashlib.sha256(payload).digest() != data[len(header) : start]:
        return {}
    try:
        codes = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return {}
    if not isinstance(codes, dict):
        return {}
    return {text: code for text, code in codes.items() if isinstance(text, str) and isinstance(code, CodeType)}


def _header() -> bytes:
    return _HEADER + f"{sys.implementation.name} {sys.version}\n".encode()
