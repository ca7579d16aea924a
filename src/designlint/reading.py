"""Reading the files of a repository designlint did not write: regular files only, and never
more than a limit, whatever the file's size says (a sparse file, or one that grows meanwhile)."""

from __future__ import annotations

import errno
import os
import stat

# Generated files beyond this (a dozen times the largest hand-written module in the corpus of
# agent frameworks) would take minutes and gigabytes to parse: they are reported, not linted.
MAX_SOURCE_SIZE = 5 * 2**20
# A configuration file; tomllib reads 1 MB in about 0.4 s, and real ones are a few kB.
MAX_CONFIG_SIZE = 2**20


class TooLarge(Exception):
    def __init__(self, size: int | None, limit: int):
        size_text = _megabytes(size) if size is not None else "it grew while being read"
        limit_text = f"{limit // 2**20} MB" if limit % 2**20 == 0 else _megabytes(limit)
        super().__init__(f"{size_text}; the limit is {limit_text}")
        self.size, self.limit = size, limit


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size / 2**10:.1f} kB"


def read_regular_file(path: str | os.PathLike, limit: int) -> bytes:
    """The file's bytes. A FIFO, a device or a directory is refused rather than read (reading a
    FIFO would block forever, a device might never end), and a file over ``limit`` bytes is not
    read at all. Raises ``OSError`` or ``TooLarge``."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if status.st_size > limit:
            raise TooLarge(status.st_size, limit)
        data = handle.read(limit + 1)
        if len(data) > limit:  # it grew since, or its size was not the truth (/proc)
            raise TooLarge(None, limit)
        return data
