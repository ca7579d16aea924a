"""A progress bar on standard error, for long runs in a terminal only."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

# Shown only once a run has taken this long: short runs never flash a bar.
SHOW_AFTER_SECONDS = 1.0
REDRAW_EVERY_SECONDS = 0.1
WIDTH = 30


class ProgressBar:
    def __init__(self, stream: TextIO):
        self.stream = stream
        self.started = time.monotonic()
        self.drawn_at = 0.0
        self.visible = False

    @classmethod
    def for_stderr(cls) -> ProgressBar | _NoBar:
        """A bar when standard error is a terminal outside CI (pipes, files and CI logs get none)."""
        stream = sys.stderr
        interactive = (
            stream is not None and stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"
        )
        return cls(stream) if interactive else _NoBar()

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < SHOW_AFTER_SECONDS or (now - self.drawn_at < REDRAW_EVERY_SECONDS and done < total):
            return
        self.drawn_at = now
        filled = WIDTH * done // max(total, 1)
        self.stream.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total} files")
        self.stream.flush()
        self.visible = True

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info) -> None:
        if self.visible:  # leave the line clean for the summary
            self.stream.write("\r\033[K")
            self.stream.flush()


class _NoBar:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info) -> None:
        return None
