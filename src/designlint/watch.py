"""``--watch``: what counts as a change to lint again on, polled with the standard library. A
change is an added, removed or rewritten Python file under the paths watched, or a config or
ignore file there or in a directory above (it can change what is linted and how)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from designlint.config import CONFIG_FILES
from designlint.discovery import DEFAULT_EXCLUDES, PYTHON_SUFFIXES, walk

# Soon enough to feel immediate. A poll of the large corpus tier (3,436 files) takes about 40 ms
# of CPU: a twelfth of one core while a watch on a tree that size waits.
POLL_SECONDS = 0.5
WATCHED_NAMES = (*CONFIG_FILES, ".gitignore")

Snapshot = dict[str, tuple[int, int, int]]


def snapshot(paths: Iterable[Path], also: Iterable[Path] = ()) -> Snapshot:
    """Modification time, size and inode of every file a change of which is one, by path;
    ``also`` adds files named by flags (``--config``, a baseline)."""
    state: Snapshot = {}
    for path in also:
        _record(state, path)
    for given in paths:
        absolute = given.absolute()
        for directory in absolute.parents if not absolute.is_dir() else (absolute, *absolute.parents):
            for name in (*WATCHED_NAMES, os.path.join(".git", "info", "exclude")):
                _record(state, directory / name)
        if not absolute.is_dir():
            _record(state, absolute)
            continue
        for listed, dirnames, filenames in walk(absolute, lambda error: None):
            dirnames[:] = [d for d in dirnames if d not in DEFAULT_EXCLUDES]
            for name in filenames:
                if name.endswith(PYTHON_SUFFIXES) or name in WATCHED_NAMES:
                    _record(state, Path(listed, name))
    return state


def _record(state: Snapshot, path: Path) -> None:
    try:
        status = os.stat(path)
    except OSError:  # absent (or unreadable): appearing later is a change
        return
    state[os.fspath(path)] = (status.st_mtime_ns, status.st_size, status.st_ino)


def wait_for_change(
    take: Callable[[], Snapshot], before: Snapshot, sleep: Callable[[float], object] = time.sleep
) -> Snapshot:
    """Poll until ``take()`` differs from ``before``; the new snapshot."""
    while True:
        sleep(POLL_SECONDS)
        now = take()
        if now != before:
            return now
