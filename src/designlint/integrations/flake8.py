"""designlint as a flake8 plugin: ``flake8 --select DL`` reports designlint's findings.

A thin adapter over the engine. designlint's own configuration is read exactly as the CLI
reads it (``ConfigResolver``: the nearest ``designlint.toml`` or
``pyproject.toml`` from each file up); which files are linted, ``# noqa`` and the output
format are flake8's. The source is parsed once, by LibCST, from the lines flake8 has already
read. The plugin takes ``tree`` only because flake8 runs a plugin once per file only when
it asks for the tree; flake8 builds that tree for its own checks either way, and it is not
used here.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from designlint._version import __version__
from designlint.config import ConfigError
from designlint.diagnostics import Diagnostic
from designlint.engine import Linter
from designlint.pool import LinterPool
from designlint.reporters.escape import printable
from designlint.resolution import ConfigResolver

# One flake8 run per process (each of its workers has its own): configs and rules built once.
_resolver: ConfigResolver | None = None
_linters = LinterPool(noqa=False)  # flake8 reads the noqa comments itself (and --disable-noqa)


def _linter_for(path: Path) -> Linter:
    global _resolver
    if _resolver is None:
        _resolver = ConfigResolver()
    return _linters.linter_for(_resolver.for_path(path))


class BadConfiguration(Exception):
    """A ``ConfigError`` as flake8 prints it, ``{file}: "designlint[DL]" failed during execution
    due to {exc!r}``: the repr is the message, not a Python expression."""

    def __repr__(self) -> str:
        return f"designlint's configuration: {printable(str(self))}"


class DesignlintChecker:
    name = "designlint"
    version = __version__

    @classmethod
    def parse_options(cls, option_manager, options, filenames: Sequence[str]) -> None:
        """In flake8's main process, before any file is checked: the configuration that applies
        to the paths given must load, or flake8 stops with one line naming the file, line and key
        (raised later, in a worker, flake8 would print the exception's repr after a file name)."""
        global _resolver
        _resolver = ConfigResolver()
        try:
            for name in filenames or ["."]:
                _resolver.for_path(Path(name))
        except ConfigError as exc:
            print(f"designlint: error: {printable(str(exc))}", file=sys.stderr)
            raise SystemExit(2) from None

    def __init__(self, tree, filename: str, lines: list[str]):
        self.filename = filename
        self.lines = lines
        # Here, not in run(): flake8 reports an exception raised while building the
        # plugin as one line, with no traceback (a config below the paths given, which
        # parse_options did not load).
        try:
            self.linter = _linter_for(Path(filename))
        except ConfigError as exc:
            raise BadConfiguration(str(exc)) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        result = self.linter.lint("".join(self.lines), self.filename)
        for diagnostic in sorted(result.diagnostics, key=Diagnostic.sort_key):
            # flake8 takes a 0-based column and prints it 1-based; ours are 1-based.
            yield (
                diagnostic.start.row,
                diagnostic.start.column - 1,
                # flake8 prints the message in its line as it is: one printable line, as designlint's own.
                f"{diagnostic.code} {printable(diagnostic.message)}",
                type(self),
            )
