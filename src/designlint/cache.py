"""The results cache: a file's findings, keyed by everything they depend on.

An entry's key is a hash of the file's content, its absolute path, the effective config
for it and designlint's own code (its version and the source of every module, so a new or
changed rule invalidates everything). The cross-module facts a lint read (the error
enum's module, ...) are listed in the entry with their content hash and checked on
every hit. Entries are JSON (never pickle: a cache directory is just files in the
repository being linted), written to a temporary file and renamed into place, so a
reader sees a whole entry or none. Anything unexpected in an entry makes it a miss, and
the fresh result overwrites it. A cache that cannot be used (a file in its place, no
permission) only costs speed: the run goes on without it.

An entry read is marked as used (its modification time, refreshed at most once a day), and
entries unused for ``MAX_AGE_DAYS`` are deleted by a sweep that runs at most once a day: an
edited file leaves its old entries behind, and a long-lived checkout would otherwise gather
them for ever.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from designlint import __version__
from designlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Position

CACHE_DIR_NAME = ".designlint_cache"
MAX_AGE_DAYS = 30
_DAY = 24 * 3600
_SWEPT_MARK = ".swept"  # its modification time: when the last sweep ran
_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"([0-9a-f]{2})[0-9a-f]{62}\.json")
FORMAT = 1
ENTRY_MARK = "designlint-cache-entry"
# https://bford.info/cachedir/: backup tools skip directories holding this file.
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by designlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """designlint's version and the source of every module of the package."""
    digest = hashlib.sha256(f"{__version__}\0{FORMAT}".encode())
    package = Path(__file__).resolve().parent
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0")
        try:
            digest.update(module.read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()


def config_fingerprint(config: Any) -> str:
    """The effective configuration (a frozen dataclass of strings, tuples and paths: its
    ``repr`` is complete and stable) and the code that interprets it."""
    return hashlib.sha256(f"{code_fingerprint()}\0{config!r}".encode()).hexdigest()


def entry_key(config_fp: str, path: str, digest: str) -> str:
    key = f"{config_fp}\0{os.path.abspath(path)}\0{digest}"
    return hashlib.sha256(key.encode(errors="surrogateescape")).hexdigest()  # a file name need not be UTF-8


class Cache:
    """One cache directory. Every method swallows I/O errors: a cache never fails a run."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._root = str(directory)
        self.warning: str | None = None  # why the cache is off or read-only, for the user
        self._readable = self._writable = True
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._disable(f"cannot create {directory}: {exc.strerror or exc}")
            return
        if not directory.is_dir():
            self._disable(f"{directory} is not a directory")
            return
        self._mark(directory)

    def _disable(self, problem: str) -> None:
        self.warning = f"cache disabled: {problem}"
        self._readable = self._writable = False

    def _mark(self, directory: Path) -> None:
        for name, content in ((".gitignore", "# Created by designlint.\n*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)):
            target = directory / name
            if not target.is_file():
                self._write(target, content.encode())

    def _path(self, key: str) -> str:
        return os.path.join(self._root, key[:2], f"{key}.json")

    def load(self, key: str) -> dict | None:
        """The entry stored under ``key``, or None when absent, unreadable, corrupt or foreign."""
        if not self._readable:
            return None
        path = self._path(key)
        try:
            with open(path, "rb") as entry:
                document = json.loads(entry.read())
                modified = os.fstat(entry.fileno()).st_mtime
        except (OSError, ValueError, RecursionError):
            return None
        if (
            not isinstance(document, dict)
            or document.get("mark") != ENTRY_MARK
            or document.get("format") != FORMAT
            or document.get("key") != key
        ):
            return None
        if self._writable and modified < time.time() - _DAY:
            _touch(path)  # in use: kept by the sweep
        return document

    def sweep(self, max_age_days: int = MAX_AGE_DAYS) -> int:
        """Delete the entries unused for ``max_age_days`` and temporary files a killed writer
        left, at most once a day; the number of files deleted. Only files named as this class
        names them, in a directory tagged as a designlint cache, are ever deleted: ``--cache-dir``
        may point anywhere."""
        if not self._writable or not _is_designlint_cache(self.directory):
            return 0
        now = time.time()
        mark = os.path.join(self._root, _SWEPT_MARK)
        try:
            if os.stat(mark).st_mtime > now - _DAY:
                return 0
        except OSError:
            pass  # never swept
        if not _touch(mark, create=True):
            return 0
        deleted = 0
        for shard in _scan(self._root):
            if not _SHARD.fullmatch(shard.name):
                continue
            for item in _scan(shard.path):
                entry = _ENTRY.fullmatch(item.name)
                if not ((entry and entry.group(1) == shard.name) or item.name.startswith(".tmp-")):
                    continue
                try:
                    if not item.is_file(follow_symlinks=False):
                        continue
                    age = now - item.stat(follow_symlinks=False).st_mtime
                    if age > (max_age_days * _DAY if entry else _DAY):
                        os.unlink(item.path)
                        deleted += 1
                except OSError:
                    continue  # gone already (another run), or not ours to delete
        return deleted

    def store(self, key: str, payload: dict) -> None:
        if not self._writable:
            return
        document = {"mark": ENTRY_MARK, "format": FORMAT, "key": key, **payload}
        target = Path(self._path(key))
        try:
            target.parent.mkdir(exist_ok=True)
        except OSError:
            pass  # _write finds out
        self._write(target, json.dumps(document, separators=(",", ":")).encode())

    def _write(self, target: Path, data: bytes) -> None:
        """Whole or nothing: a temporary file in the same directory, renamed over the target."""
        try:
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        except OSError as exc:
            self._cannot_write(exc)
            return
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except OSError as exc:
            self._cannot_write(exc)
            try:
                os.unlink(temporary)
            except OSError:
                pass

    def _cannot_write(self, exc: OSError) -> None:
        """Read-only or full: stop trying to write, keep reading."""
        if self._writable:
            self._writable = False
            self.warning = self.warning or f"cache not updated: cannot write to {self.directory}: {exc.strerror or exc}"

    # -- cross-module facts (designlint.project.FactStore), keyed by their module's content

    def get_fact(self, kind: str, name: str, module_digest: str) -> object | None:
        entry = self.load(_fact_key(kind, name, module_digest))
        return entry.get("value") if entry else None

    def put_fact(self, kind: str, name: str, module_digest: str, value: object) -> None:
        self.store(_fact_key(kind, name, module_digest), {"value": value})


def _touch(path: str, create: bool = False) -> bool:
    """Set the file's modification time to now (an entry deleted meanwhile is not made again)."""
    try:
        if create:
            with open(path, "ab"):
                pass
        os.utime(path)
        return True
    except OSError:
        return False


def _scan(directory: str) -> list[os.DirEntry]:
    try:
        with os.scandir(directory) as entries:
            return list(entries)
    except OSError:
        return []


def _fact_key(kind: str, name: str, module_digest: str) -> str:
    return hashlib.sha256(f"{code_fingerprint()}\0fact\0{kind}\0{name}\0{module_digest}".encode()).hexdigest()


def clean(directory: Path) -> bool:
    """Delete a designlint cache directory; refuse (False) a directory that is not one."""
    if not directory.exists():
        return True
    if not directory.is_dir() or not _is_designlint_cache(directory):
        return False
    shutil.rmtree(directory)
    return True


def _is_designlint_cache(directory: Path) -> bool:
    try:
        return "designlint" in (directory / "CACHEDIR.TAG").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


# -- findings as JSON ---------------------------------------------------------------------
# The path is not stored: an entry is for one absolute path, and a hit reports the path
# the way this run was given it.


def dump_diagnostics(diagnostics: list[Diagnostic]) -> list[list]:
    return [
        [
            d.code,
            d.name,
            d.message,
            d.start.row,
            d.start.column,
            d.end.row,
            d.end.column,
            d.severity,
            d.noqa_row,
            _dump_fix(d.fix),
        ]
        for d in diagnostics
    ]


def _dump_fix(fix: Fix | None) -> list | None:
    if fix is None:
        return None
    return [
        fix.message,
        fix.applicability.value,
        [[e.content, e.start.row, e.start.column, e.end.row, e.end.column] for e in fix.edits],
    ]


def load_diagnostics(path: str, rows: Any) -> list[Diagnostic]:
    """Rebuild findings; raises ValueError/TypeError/KeyError on anything malformed."""
    out = []
    for code, name, message, row, column, end_row, end_column, severity, noqa_row, fix in rows:
        _require(str, code, name, message, severity)
        _require(int, row, column, end_row, end_column, noqa_row)
        out.append(
            Diagnostic(
                path,
                code,
                name,
                message,
                Position(row, column),
                Position(end_row, end_column),
                _load_fix(fix),
                severity,
                noqa_row,
            )
        )
    return out


def _load_fix(raw: Any) -> Fix | None:
    if raw is None:
        return None
    message, applicability, edits = raw
    _require(str, message)
    loaded = []
    for content, row, column, end_row, end_column in edits:
        _require(str, content)
        _require(int, row, column, end_row, end_column)
        loaded.append(Edit(content, Position(row, column), Position(end_row, end_column)))
    return Fix(message, tuple(loaded), Applicability(applicability))


def _require(kind: type, *values: Any) -> None:
    for value in values:
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
