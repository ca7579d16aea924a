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

from collections.abc import Iterator
from pathlib import Path

from designlint._version import __version__
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


class DesignlintChecker:
    name = "designlint"
    version = __version__

    def __init__(self, tree, filename: str, lines: list[str]):
        self.filename = filename
        self.lines = lines
        # Here, not in run(): flake8 reports an exception raised while building the
        # plugin (a ConfigError naming file and key) as one line, with no traceback.
        self.linter = _linter_for(Path(filename))

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
