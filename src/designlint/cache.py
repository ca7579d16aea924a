"""The results cache: a file's findings, keyed by everything they depend on.

An entry's key is a hash of the file's content, its absolute path, the effective config
for it and designlint's own code (its version and each module's path, size and
modification time, so a new or changed rule invalidates everything). The cross-module facts a lint read (the error
enum's module, ...) are listed in the entry with their content hash and checked on
every hit. Entries are JSON (never pickle: a cache directory is just files in the
repository being linted), written to a temporary file and renamed into place, so a
reader sees a whole entry or none. Anything unexpected in an entry makes it a miss, and
the fresh result overwrites it. A cache that cannot be used (a file in its place, no
permission) only costs speed: the run goes on without it.

Keys are hashes of public inputs, and the default cache directory is inside the checkout, so
a repository could commit an entry that hides its findings: every entry therefore carries an
HMAC-SHA256 under a per-user secret kept outside any project (``key_file()``), and an entry
without a valid one is a miss. designlint uses only a directory it made (its ``MARKER``), an
empty one, or one holding nothing but what it writes; it never follows a symlink out of the
project's default cache, and ``clean`` deletes only the files it names.

An entry read is marked as used (its modification time, refreshed at most once a day), and
entries unused for ``MAX_AGE_DAYS`` are deleted by a sweep that runs at most once a day: an
edited file leaves its old entries behind, and a long-lived checkout would otherwise gather
them for ever.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
import stat
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from designlint._version import __version__
from designlint.config import ConfigError
from designlint.diagnostics import Applicability, Diagnostic, Edit, Fix, Position

CACHE_DIR_NAME = ".designlint_cache"
KEY_FILE_ENV = "DESIGNLINT_KEY_FILE"
MAX_AGE_DAYS = 30
MAX_ENTRY_SIZE = 64 * 1024 * 1024  # far above any real entry; a planted giant is not read
_DAY = 24 * 3600
_SWEPT_MARK = ".swept"  # its modification time: when the last sweep ran
_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"([0-9a-f]{2})[0-9a-f]{62}\.json")
_MAC_SIZE = 64  # hex digits of an HMAC-SHA256, the first line of an entry
_KEY = re.compile(rb"([0-9a-f]{64})\n?")
_VCS_DIRS = (".git", ".hg", ".svn")
FORMAT = 2
MARKER = ".designlint-cache"
MARKER_TEXT = "designlint results cache: designlint wrote everything here, and `designlint clean` deletes it.\n"
GITIGNORE = "# Created by designlint.\n*\n"
# https://bford.info/cachedir/: backup tools skip directories holding this file.
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by designlint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_MARK_FILES = {MARKER: MARKER_TEXT, ".gitignore": GITIGNORE, "CACHEDIR.TAG": CACHEDIR_TAG}
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW


class UnsafeCacheDir(ConfigError):
    """A cache directory designlint will not use or clean: not one it made, or a symlink."""


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """designlint's version and its package's modules (``package_fingerprint``)."""
    return package_fingerprint(Path(__file__).resolve().parent)


def package_fingerprint(package: Path) -> str:
    """designlint's version and every module under ``package``, by its path, size and
    modification time: an edited, added or removed module changes the list, and stat-ing ~100
    files costs far less than reading and hashing their 1.2 MB on every run (a module merely
    touched only costs a re-lint)."""
    digest = hashlib.sha256(f"{__version__}\0{FORMAT}".encode())
    for module in sorted(package.rglob("*.py")):
        digest.update(module.relative_to(package).as_posix().encode() + b"\0")
        try:
            status = module.stat()
        except OSError:
            digest.update(b"unreadable\0")
        else:
            digest.update(f"{status.st_size}\0{status.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def config_fingerprint(config: Any) -> str:
    """The effective configuration (a frozen dataclass of strings, tuples and paths: its
    ``repr`` is complete and stable) and the code that interprets it."""
    return hashlib.sha256(f"{code_fingerprint()}\0{config!r}".encode()).hexdigest()


def entry_key(config_fp: str, path: str, digest: str) -> str:
    key = f"{config_fp}\0{os.path.abspath(path)}\0{digest}"
    return hashlib.sha256(key.encode(errors="surrogateescape")).hexdigest()  # a file name need not be UTF-8


class Cache:
    """One cache directory, checked by ``open_cache``, and the secret its entries are signed with.
    Every method swallows I/O errors: a cache never fails a run."""

    def __init__(self, directory: Path, secret: bytes):
        self.directory = directory
        self._root = str(directory)
        self._secret = secret
        self.warning: str | None = None  # why the cache is off or read-only, for the user
        self._readable = self._writable = True
        self._shards: set[str] = set()  # seen to be real directories

    @classmethod
    def disabled(cls, directory: Path, problem: str) -> Cache:
        cache = cls(directory, b"")
        cache.warning = f"cache disabled: {problem}"
        cache._readable = cache._writable = False
        return cache

    def _mark(self) -> None:
        for name, content in _MARK_FILES.items():
            target = self.directory / name
            if not target.is_file():
                self._write(target, content.encode())

    def _path(self, key: str) -> str:
        return os.path.join(self._root, key[:2], f"{key}.json")

    def _mac(self, key: str, body: bytes) -> bytes:
        return hmac.digest(self._secret, key.encode() + b"\n" + body, "sha256").hex().encode()

    def load(self, key: str) -> dict | None:
        """The entry stored under ``key``, or None when absent, unreadable, or not signed with
        this user's secret for this key (corrupt, forged, another user's, another entry's)."""
        if not self._readable:
            return None
        path = self._path(key)
        try:
            # Not through a symlink, and not a FIFO: neither is an entry designlint wrote.
            with open(os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)), "rb") as entry:
                status = os.fstat(entry.fileno())
                if not stat.S_ISREG(status.st_mode) or status.st_size > MAX_ENTRY_SIZE:
                    return None
                data = entry.read()
        except OSError:
            return None
        body = data[_MAC_SIZE + 1 :]
        if data[_MAC_SIZE : _MAC_SIZE + 1] != b"\n" or not hmac.compare_digest(data[:_MAC_SIZE], self._mac(key, body)):
            return None
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return None
        if self._writable and status.st_mtime < time.time() - _DAY:
            _touch(path)  # in use: kept by the sweep
        return document

    def sweep(self, max_age_days: int = MAX_AGE_DAYS) -> int:
        """Delete the entries unused for ``max_age_days`` and temporary files a killed writer
        left, at most once a day; the number of files deleted. Only files named as this class
        names them, in real shard directories, are ever deleted."""
        if not self._writable:
            return 0
        now = time.time()
        mark = os.path.join(self._root, _SWEPT_MARK)
        try:
            if os.stat(mark, follow_symlinks=False).st_mtime > now - _DAY:
                return 0
        except OSError:
            pass  # never swept
        if not _touch(mark, create=True):
            return 0
        deleted = 0
        for shard in _scan(self._root):
            if not _SHARD.fullmatch(shard.name) or not shard.is_dir(follow_symlinks=False):
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
        if not self._writable or not self._shard_ready(key[:2]):
            return
        body = json.dumps(payload, separators=(",", ":")).encode()
        self._write(Path(self._path(key)), self._mac(key, body) + b"\n" + body)

    def _shard_ready(self, name: str) -> bool:
        """The shard exists and is a real directory: a symlink in its place would take the
        write out of the cache."""
        if name in self._shards:
            return True
        shard = os.path.join(self._root, name)
        try:
            os.mkdir(shard)
        except OSError:
            pass  # there already, or _write finds out why not
        try:
            if not stat.S_ISDIR(os.lstat(shard).st_mode):
                return False
        except OSError:
            return True  # _write finds out
        self._shards.add(name)
        return True

    def _write(self, target: Path, data: bytes) -> None:
        """Whole or nothing: a temporary file in the same directory, renamed over the target."""
        import tempfile  # when writing only: it imports shutil, random and the compressors

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


def open_cache(directory: Path, *, explicit: bool, linted: Iterable[Path] = ()) -> Cache:
    """The cache in ``directory``, made and tagged if new. A directory designlint must not use
    raises ``UnsafeCacheDir`` when it was asked for (``explicit``: a flag, the environment); in
    the default place, which the linted repository controls, it turns the cache off with a
    warning, as does a secret that cannot be had. ``linted``: the paths being linted (the
    secret must not be among what they hold)."""
    problem = _unusable(directory, explicit)
    if problem is not None:
        if explicit:
            raise UnsafeCacheDir(problem)
        return Cache.disabled(directory, problem)
    secret = _secret(list(linted))
    if isinstance(secret, str):
        return Cache.disabled(directory, secret)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Cache.disabled(directory, f"cannot create {directory}: {exc.strerror or exc}")
    cache = Cache(directory, secret)
    cache._mark()
    return cache


def _unusable(directory: Path, explicit: bool) -> str | None:
    """Why ``directory`` must not be the cache: a symlink on the way to the default one (it would
    take designlint's writes out of the project), or content designlint did not write."""
    if not explicit and (link := _symlink_on(directory)):
        return f"{directory} is or passes through a symlink ({link}); give --cache-dir to use it anyway"
    try:
        handle = os.open(directory, _DIRECTORY if not explicit else _DIRECTORY & ~_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return None  # made below, or found to be a file
    except OSError as exc:
        return f"cannot read {directory}: {exc.strerror or exc}"
    try:
        if _holds_marker(handle):
            return None
        foreign = _sort_out(handle, delete=False)[1]
    finally:
        os.close(handle)
    if foreign:
        return (
            f"{directory} is not a designlint cache: it holds {some_names(foreign)}, which designlint did not write"
            f" (it uses a new or empty directory, or one it made, holding its {MARKER} file)"
        )
    return None


def _symlink_on(path: Path) -> str | None:
    """The first component of ``path`` (made absolute, not resolved) that is a symlink."""
    absolute = Path(os.path.abspath(path))
    for component in reversed((absolute, *absolute.parents)):
        if component.is_symlink():
            return str(component)
    return None


def _holds_marker(directory: int) -> bool:
    return _read_small(MARKER, directory) == MARKER_TEXT.encode()


def _sort_out(directory: int, delete: bool) -> tuple[int, list[str]]:
    """Go through the cache directory open as ``directory``, never following a symlink: how many
    files designlint wrote there (deleted, with the shards they leave empty, when ``delete``),
    and the names of everything else."""
    own, foreign = 0, []
    for item in _scan(directory):
        if _SHARD.fullmatch(item.name) and item.is_dir(follow_symlinks=False):
            try:
                shard = os.open(item.name, _DIRECTORY, dir_fd=directory)
            except OSError:
                foreign.append(item.name)
                continue
            try:
                for inner in _scan(shard):
                    if _wrote(inner, item.name, shard):
                        own += 1
                        if delete:
                            _unlink(inner.name, shard)
                    else:
                        foreign.append(f"{item.name}/{inner.name}")
            finally:
                os.close(shard)
            if delete:
                try:
                    os.rmdir(item.name, dir_fd=directory)
                except OSError:
                    pass  # holds something else
        elif _wrote(item, None, directory):
            own += 1
            if delete:
                _unlink(item.name, directory)
        else:
            foreign.append(item.name)
    return own, foreign


def _wrote(item: os.DirEntry, shard: str | None, directory: int) -> bool:
    """Whether designlint wrote ``item``: a regular file named as it names its entries (in
    their shard) and temporary files, or its marker files with their content."""
    try:
        if not item.is_file(follow_symlinks=False):
            return False
    except OSError:
        return False
    if item.name.startswith(".tmp-"):
        return True
    if shard is not None:
        entry = _ENTRY.fullmatch(item.name)
        return entry is not None and entry.group(1) == shard
    if item.name == _SWEPT_MARK:
        return True
    content = _MARK_FILES.get(item.name)
    return content is not None and _read_small(item.name, directory) == content.encode()


def _read_small(name: str, directory: int) -> bytes | None:
    """The first 4 KB of a regular file (None for anything else), not through a symlink."""
    try:
        handle = os.open(name, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=directory)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as file:
        try:
            return file.read(4096) if stat.S_ISREG(os.fstat(handle).st_mode) else None
        except OSError:
            return None


def some_names(names: list[str]) -> str:
    """The first few of ``names``, for a message."""
    shown = ", ".join(sorted(names)[:3])
    return shown if len(names) <= 3 else f"{shown} and {len(names) - 3} more"


def _unlink(name: str, directory: int) -> None:
    try:
        os.unlink(name, dir_fd=directory)
    except OSError:
        pass  # gone already (another run)


def clean(directory: Path, *, explicit: bool) -> tuple[int, list[str]] | None:
    """Delete what designlint wrote in the cache ``directory``, then the directory if that emptied
    it: the number of files deleted and the names left (not designlint's); None if there was no
    directory. Never follows a symlink. Raises ``UnsafeCacheDir`` for a directory that is not a
    designlint cache (``explicit``: named by a flag or the environment, so its parents may be
    symlinks)."""
    if explicit:
        link = str(directory) if directory.is_symlink() else None
    else:
        link = _symlink_on(directory)
    if link:
        raise UnsafeCacheDir(f"{directory} is or passes through a symlink ({link}); not following it")
    try:
        handle = os.open(directory, _DIRECTORY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnsafeCacheDir(f"cannot open {directory}: {exc.strerror or exc}") from None
    try:
        if not _holds_marker(handle) and (foreign := _sort_out(handle, delete=False)[1]):
            raise UnsafeCacheDir(
                f"{directory} is not a designlint cache directory (no {MARKER} file, and it holds {some_names(foreign)},"
                " which designlint did not write); not deleting anything"
            )
        removed, left = _sort_out(handle, delete=True)
    finally:
        os.close(handle)
    if not left:
        try:
            os.rmdir(directory)
        except OSError:
            pass  # another run wrote to it meanwhile
    return removed, left


# -- the secret entries are signed with ---------------------------------------------------


def key_file() -> Path:
    """Where the per-user secret lives: ``$DESIGNLINT_KEY_FILE``, else ``designlint/key`` in the
    user's cache directory (``$XDG_CACHE_HOME``, else ``~/.cache``). RuntimeError: no home."""
    override = os.environ.get(KEY_FILE_ENV)
    if override:
        return Path(override).absolute()
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "designlint" / "key"


def _secret(untrusted: list[Path]) -> bytes | str:
    """The secret, made on first use (mode 0600), or why there is none. It is refused inside
    the checkout of a linted path (``untrusted``): a repository could commit one there (with HOME
    set to the workspace, as some CI does) and sign entries with it."""
    try:
        path = key_file()
    except RuntimeError:
        return f"there is no home directory to keep designlint's key in (set {KEY_FILE_ENV})"
    real = os.path.realpath(path)
    for checkout in _checkouts(untrusted):
        if _inside(real, os.path.realpath(checkout)):
            return (
                f"designlint's key {path} would be inside {checkout}, which the linted code controls"
                f" (set {KEY_FILE_ENV} or XDG_CACHE_HOME to a place outside it)"
            )
    secret = _read_key(path)
    if secret is None:
        secret = _make_key(path) or _read_key(path)
    return secret if secret is not None else f"designlint's key {path} vanished as it was made"


def _checkouts(paths: list[Path]) -> set[str]:
    """The version-controlled tree each path is in (its top), else the path itself."""
    tops: dict[str, str | None] = {}  # shared by the many files pre-commit passes

    def top(directory: str) -> str | None:
        if directory not in tops:
            parent = os.path.dirname(directory)
            if any(os.path.lexists(os.path.join(directory, name)) for name in _VCS_DIRS):
                tops[directory] = directory
            else:
                tops[directory] = None if parent == directory else top(parent)
        return tops[directory]

    return {top(path) or path for path in (os.path.abspath(path) for path in paths)}


def _inside(path: str, tree: str) -> bool:
    try:
        return os.path.commonpath([path, tree]) == tree
    except ValueError:  # another drive
        return False


def _read_key(path: Path) -> bytes | str | None:
    """The secret in ``path``; None if there is none yet; a problem if the file is not fit to be one."""
    try:
        handle = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except (FileNotFoundError, NotADirectoryError):
        return None  # made next (or found impossible to make)
    except OSError as exc:
        return f"cannot read designlint's key {path}: {exc.strerror or exc}"
    with os.fdopen(handle, "rb") as file:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            return f"designlint's key {path} is not a regular file"
        if hasattr(os, "geteuid") and (status.st_uid != os.geteuid() or status.st_mode & 0o077):
            return (
                f"designlint's key {path} is not private (it must be yours, mode 0600);"
                " delete it and designlint makes a new one"
            )
        try:
            key = _KEY.fullmatch(file.read(100))
        except OSError as exc:
            return f"cannot read designlint's key {path}: {exc.strerror or exc}"
    if key is None:
        return f"{path} is not a designlint key; delete it and designlint makes a new one"
    return bytes.fromhex(key.group(1).decode())


def _make_key(path: Path) -> str | None:
    """Write a new secret to ``path`` unless another process just did; why not, if it cannot."""
    import secrets  # here, as tempfile: a run that finds its key imports neither (nor random)
    import tempfile

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-key-")  # mode 0600
    except OSError as exc:
        return f"cannot create designlint's key in {path.parent}: {exc.strerror or exc} (set {KEY_FILE_ENV})"
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_hex(32).encode() + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)  # whole, and never over a key another process made meanwhile
    except FileExistsError:
        pass
    except OSError as exc:
        return f"cannot create designlint's key {path}: {exc.strerror or exc} (set {KEY_FILE_ENV})"
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass
    return None


def _touch(path: str, create: bool = False) -> bool:
    """Set the file's modification time to now (an entry deleted meanwhile is not made again)."""
    try:
        if create:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | _NOFOLLOW, 0o644))
        os.utime(path, follow_symlinks=False)
        return True
    except OSError:
        return False


def _scan(directory: str | int) -> list[os.DirEntry]:
    try:
        with os.scandir(directory) as entries:
            return list(entries)
    except OSError:
        return []


def _fact_key(kind: str, name: str, module_digest: str) -> str:
    return hashlib.sha256(f"{code_fingerprint()}\0fact\0{kind}\0{name}\0{module_digest}".encode()).hexdigest()


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
            d.fingerprint,
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
    for code, name, message, row, column, end_row, end_column, severity, noqa_row, fix, fingerprint in rows:
        _require(str, code, name, message, severity, fingerprint)
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
                fingerprint,
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
