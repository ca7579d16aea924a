"""The error-code contract's table, ``[tool.designlint.errors]`` (rules/errors.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.analysis.enums import ENUM_CLASSES
from designlint.options import QUALIFIED_NAME, Text, option, options_table


@options_table("errors")
@dataclass(frozen=True)
class ErrorsOptions:
    # The enum holding the error-code contract, e.g. "app.errors.ErrorCode".
    codes: str | None = option(Text(QUALIFIED_NAME, resolves=ENUM_CLASSES), default=None)
