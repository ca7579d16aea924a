"""GitHub Actions workflow commands: one ``::error ...::message`` annotation per finding.

The message and the file name are printable first (``escape.printable``: no line break, no
control character, no ``##[``), then escaped as the runner decodes them."""

from __future__ import annotations

from designlint.diagnostics import Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.escape import printable

# GitHub's severities; designlint's "error" and "warning" map to themselves.
_COMMANDS = {"error": "error", "warning": "warning"}


def escape_data(text: str) -> str:
    """The message part: GitHub decodes %25, %0D and %0A."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property: ``:`` and ``,`` separate properties, so they are escaped too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    lines = []
    for d in diagnostics:
        properties = {
            "file": context.display_path(d.path),
            "line": d.start.row,
            "col": d.start.column,
            "endLine": d.end.row,
            "endColumn": d.end.column,
            "title": f"designlint ({d.code} {d.name})",
        }
        joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
        lines.append(
            f"::{_COMMANDS.get(d.severity, 'error')} {joined}::{escape_data(f'{d.code} {printable(d.message)}')}\n"
        )
    return "".join(lines)
