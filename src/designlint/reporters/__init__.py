"""Reporters: pure functions from diagnostics to text, one module per output format.

Messages quote the linted code and paths come from the file system, so text formats show
them through ``escape.printable`` (paths through ``ReportContext.display_path``), and JSON
formats write them with ``escape.dumps_json``."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from designlint.catalogue import RuleDoc, load_catalogue
from designlint.diagnostics import Diagnostic
from designlint.reporters.escape import printable


@dataclass(frozen=True)
class ReportContext:
    cwd: Path = field(default_factory=Path.cwd)
    # Source lines of a reported file, for formats that quote the code.
    read_lines: Callable[[str], list[str]] = lambda path: []
    # The rule catalogue, for formats that describe the rules (SARIF).
    catalogue: Callable[[], Mapping[str, RuleDoc]] = load_catalogue
    # ANSI colour in the human formats (the CLI's choice: a terminal, NO_COLOR unset).
    colour: bool = False

    def display_path(self, path: str) -> str:
        """The path as users expect it, relative to the working directory when below it, and
        printable (a file name may hold anything but "/" and NUL)."""
        if path in ("-", "<stdin>"):
            return path
        absolute = Path(os.path.abspath(path))
        try:
            return printable(absolute.relative_to(self.cwd).as_posix())
        except ValueError:
            return printable(path)

    def absolute_path(self, path: str) -> str:
        return path if path in ("-", "<stdin>") else os.path.abspath(path)


Reporter = Callable[[list[Diagnostic], ReportContext], str]


# Each output format's module, imported only when its format is asked for.
FORMATS = {
    "concise": "concise",
    "full": "full",
    "json": "json_format",
    "json-lines": "json_lines",
    "github": "github",
    "gitlab": "gitlab",
    "sarif": "sarif",
}


def reporter(output_format: str) -> Reporter | None:
    """The renderer of ``output_format``, or None if there is none."""
    module = FORMATS.get(output_format)
    if module is None:
        return None
    render: Reporter = importlib.import_module(f"{__name__}.{module}").render
    return render
