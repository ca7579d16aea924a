"""Digests of files remembered by what ``stat`` says of them, so that a warm run reads only the
files that changed (as ruff's cache trusts a file's modification time and size).

A file's signature is its device, inode, size, modification time and change time. The change
time is set by the kernel on every write and cannot be set back (``touch -d`` sets the
modification time only), so a file whose signature is unchanged holds what it held. A digest
is remembered only for a file whose times are ``RACY_SECONDS`` older than the run's start, as
git treats its index: a write during the run, or within one tick of a coarse clock before it,
leaves the file unremembered, read again next time. Only the clock of the machine running
designlint is trusted: on a network file system whose server's clock lags by more than that,
a file written just before a run may keep an old digest until its next write.

The memo is one entry of the results cache (signed like the others, so a committed cache
cannot plant a digest), under designlint's code fingerprint: a new version starts afresh.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from typing import Protocol

RACY_SECONDS = 2.0
MAX_FILES = 100_000  # beyond this, a save keeps only the files of the run


class EntryStore(Protocol):
    """Where the memo is kept: the results cache."""

    def load(self, key: str) -> dict | None: ...

    def store(self, key: str, payload: dict) -> None: ...


def _signature(status: os.stat_result) -> list[int]:
    return [status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns]


class DigestMemo:
    """path -> [device, inode, size, mtime_ns, ctime_ns, {kind: digest}]; a kind names what was
    digested (a linted file's bytes, a module's text as the project reads it)."""

    def __init__(self, files: dict[str, list], started: float | None = None):
        self._files = files
        self._used: set[str] = set()
        self._trusted_before_ns = int(((time.time() if started is None else started) - RACY_SECONDS) * 1e9)
        self.changed = False

    @classmethod
    def load(cls, store: EntryStore, fingerprint: str) -> DigestMemo:
        entry = store.load(_key(fingerprint))
        files = entry.get("files") if entry is not None else None
        return cls(files if isinstance(files, dict) else {})

    def save(self, store: EntryStore, fingerprint: str) -> None:
        if not self.changed:
            return
        files = self._files
        if len(files) > MAX_FILES:
            files = {path: files[path] for path in self._used if path in files}
        store.store(_key(fingerprint), {"files": files})
        self.changed = False

    def known(self, path: str, kind: str) -> str | None:
        """The digest of ``kind`` remembered for the file at ``path`` as it is now, or None (never
        remembered, changed since, or not a regular file)."""
        path = os.path.abspath(path)  # the same file, from whatever directory designlint runs in
        try:
            status = os.stat(path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(status.st_mode):
            return None
        digests = self._digests_of(path, _signature(status))
        digest = digests.get(kind) if digests is not None else None
        if not isinstance(digest, str):
            return None
        self._used.add(path)
        return digest

    def remember(self, path: str, kind: str, digest: str) -> None:
        """``digest`` of ``kind`` for the file at ``path``, just read: kept when the file's times
        are old enough that its content cannot have changed since it was read."""
        path = os.path.abspath(path)
        try:
            status = os.stat(path)
        except (OSError, ValueError):
            return
        if max(status.st_mtime_ns, status.st_ctime_ns) >= self._trusted_before_ns or not stat.S_ISREG(status.st_mode):
            return
        signature = _signature(status)
        digests = self._digests_of(path, signature)
        if digests is None:
            digests = {}
            self._files[path] = [*signature, digests]
        self._used.add(path)
        if digests.get(kind) != digest:
            digests[kind] = digest
            self.changed = True

    def _digests_of(self, path: str, signature: list[int]) -> dict | None:
        """The digests remembered for ``path`` with this signature, or None (none, another
        signature, or an entry not of the memo's shape)."""
        entry = self._files.get(path)
        if isinstance(entry, list) and len(entry) == 6 and entry[:5] == signature and isinstance(entry[5], dict):
            return entry[5]
        return None


def _key(fingerprint: str) -> str:
    return hashlib.sha256(f"digest memo\0{fingerprint}".encode()).hexdigest()
