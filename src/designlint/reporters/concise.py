"""flake8-style lines: ``path:row:col: CODE message``."""

from __future__ import annotations

from designlint.diagnostics import Applicability, Diagnostic
from designlint.reporters import ReportContext
from designlint.reporters.escape import printable

# What click.style gives for the styles used here, without importing click.
_COLOURS = {"red": "\033[31m", "cyan": "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def style(text: str, fg: str | None = None, bold: bool = False) -> str:
    """``click.style(text, fg=fg, bold=bold)``, for the colours above."""
    return f"{_COLOURS[fg] if fg else ''}{_BOLD if bold else ''}{text}{_RESET}"


def render(diagnostics: list[Diagnostic], context: ReportContext) -> str:
    def styled(text: str, **how) -> str:
        return style(text, **how) if context.colour and text else text

    lines = []
    for d in diagnostics:
        marker = " [*]" if d.fix is not None and d.fix.applicability is Applicability.SAFE else ""
        where = styled(context.display_path(d.path), bold=True)
        code = styled(d.code, fg="red", bold=True)
        lines.append(
            f"{where}:{d.start.row}:{d.start.column}: {code}{styled(marker, fg='cyan')} {printable(d.message)}"
        )
    return "".join(line + "\n" for line in lines)
