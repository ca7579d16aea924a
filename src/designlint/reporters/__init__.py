"""Reporters: pure functions from diagnostics to text, one module per output format."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from designlint.catalogue import RuleDoc, load_catalogue
from designlint.diagnostics import Diagnostic


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
        """The path as users expect it: relative to the working directory when below it."""
        if path in ("-", "<stdin>"):
            return path
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.cwd).as_posix()
        except ValueError:
            return path

    def absolute_path(self, path: str) -> str:
        return path if path in ("-", "<stdin>") else os.path.abspath(path)


Reporter = Callable[[list[Diagnostic], ReportContext], str]


def reporters() -> dict[str, Reporter]:
    from designlint.reporters import concise, full, github, gitlab, json_format, json_lines, sarif

    return {
        "concise": concise.render,
        "full": full.render,
        "json": json_format.render,
        "json-lines": json_lines.render,
        "github": github.render,
        "gitlab": gitlab.render,
        "sarif": sarif.render,
    }
