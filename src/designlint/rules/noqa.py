"""DL003 unused-noqa: the rule's declaration and cases. The engine reports it, after the walk
and suppression, from what each ``# noqa`` directive suppressed (``Suppressions.used``)."""

from __future__ import annotations

from collections.abc import Callable

from designlint.diagnostics import Fix
from designlint.gates.noqa import UnusedNoqaGate
from designlint.rules.base import Rule
from designlint.rules.cases import Gate, Invalid, Valid
from designlint.suppression import UnusedCodes

_RAISE = 'raise ToolError("RATE_LIMITED")'


def _unused(
    code: str, fixed: str, column: int = 8, message: str = "unused `noqa` code DL501", line: int = 1
) -> Invalid:
    return Invalid(code, line=line, column=column, message=message, expected_fix=fixed)


class UnusedNoqa(UnusedNoqaGate, Rule):
    """A code in a ``# noqa: DLxxx`` (or a file-level ``# designlint: noqa: DLxxx``) that
    suppressed no finding; a blanket ``# noqa``, other tools' codes and codes of rules not
    enabled for the file are left alone. The fix removes the code, or the directive."""

    code = "DL003"
    name = "unused-noqa"

    VALID = (
        Valid("def fetch(err):\n    return err.retry\n"),
        Valid('def fetch(err):\n    raise ToolError("RATE_LIMITED")  # noqa: DL501\n'),
        Valid(f"{_RAISE}  # noqa: DL5\n"),  # a prefix suppresses too
        Valid("x = 1  # noqa\n"),  # a blanket noqa names no code
        Valid("x = 1  # noqa: E501, F401\n"),  # other tools' codes
        Valid("x = 1  # noqa: DL003\n"),  # DL003 itself
        Valid("x = 1  # noqa: DL0\n"),  # a prefix that covers DL003
        Valid("x = 1  # noqa: DL501, DL003\n"),  # a DL003 finding suppressed by its own code
        Valid(f'"""Module."""\n# designlint: noqa: DL501\n{_RAISE}\n'),  # file-level, used
        Valid(f'"""Module."""\n# designlint: noqa\n{_RAISE}\n'),  # file-level blanket
        Valid('x = "# noqa: DL501"\n'),  # inside a string: no comment
        Valid("x = 1  # noqa: DL501\n", config={"select": ["DL003"]}),  # DL501 does not run
    )
    INVALID = (
        _unused(
            "def fetch(err):\n    return err.retry  # noqa: DL501\n",
            "def fetch(err):\n    return err.retry\n",
            23,
            line=2,
        ),
        _unused("x = 1  # noqa:DL501\n", "x = 1\n"),
        _unused("x = 1  # noqa: DL501, E501\n", "x = 1  # noqa: E501\n"),  # another tool's code stays
        _unused(f"{_RAISE}  # noqa: DL501, DL101\n", f"{_RAISE}  # noqa: DL501\n", 34, "unused `noqa` code DL101"),
        _unused("x = 1  # noqa: DL501 -- legacy clients\n", "x = 1  # -- legacy clients\n"),  # the reason stays
        _unused("x = 1  # noqa: DL501  # see #12\n", "x = 1  # see #12\n"),
        _unused("x = 1  # type: ignore # noqa: DL501\n", "x = 1  # type: ignore\n", 23),
        _unused("x = 1  # noqa: DL999\n", "x = 1\n", message="DL999 (no such rule)"),
        _unused(
            "def f():\n    # noqa: DL501\n    return 1\n", "def f():\n    return 1\n", 5, line=2
        ),  # alone on its line
        _unused(
            "x = 1  # noqa: DL501, DL101\n",
            "x = 1\n",
            message="unused `noqa` codes DL501, DL101: nothing on this line is reported with them",
        ),
        _unused(
            f'"""Module."""\n# designlint: noqa: DL101\n{_RAISE}  # noqa: DL501\n',
            f'"""Module."""\n{_RAISE}  # noqa: DL501\n',
            1,
            "unused `noqa` code DL101: nothing in this file is reported with it",
            line=2,
        ),
        _unused(
            f'"""Module."""\n# designlint: noqa: DL101, DL501\n{_RAISE}\n',
            f'"""Module."""\n# designlint: noqa: DL501\n{_RAISE}\n',
            1,
            "unused `noqa` code DL101",
            line=2,
        ),
        _unused("x = 1  # noqa: DL501\r\ny = 2\r\n", "x = 1\r\ny = 2\r\n"),  # the line's newline is kept
        _unused("x = 1  # noqa: DL501\ry = 2  # noqa: E501\r", "x = 1\ry = 2  # noqa: E501\r"),  # lone CRs
    )


def unused_noqa_finding(unused: UnusedCodes, is_known: Callable[[str], bool]) -> tuple[str, Fix]:
    """The message and fix of DL003 for a directive's unused codes."""
    codes = ", ".join(code if is_known(code) else f"{code} (no such rule)" for code in unused.codes)
    where = "in this file" if unused.directive.file_level else "on this line"
    several = len(unused.codes) > 1
    message = f"unused `noqa` code{'s' if several else ''} {codes}: nothing {where} is reported with {'them' if several else 'it'}"
    if len(unused.codes) == len(unused.directive.codes):
        title = "Remove the unused `noqa` directive"
    else:
        title = f"Remove the unused code{'s' if several else ''}"
    return message, Fix(title, (unused.removal,))


# Code written the ways this family's gates must see through (tests/test_gates.py).
# DL003: an unused code in a line's and in a file's directive.
GATE_CASES = (
    Gate("def fetch(err):\n    return err.retry  # noqa: DL501\n", path="src/app/noqa_line.py"),
    Gate('"""Tools."""\n# designlint: noqa: DL201\nVALUE = 1\n', path="src/app/noqa_file.py"),
)
