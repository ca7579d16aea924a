"""The error-code contract's table, ``[tool.designlint.errors]`` (rules/errors.py)."""

from __future__ import annotations

from dataclasses import dataclass

from designlint.analysis.enums import ENUM_CLASSES
from designlint.analysis.error_codes import CODE_LIKE
from designlint.options import QUALIFIED_NAME, Item, ListOf, Text, option, options_table

ERROR_CODE = Item(CODE_LIKE.pattern, 'an UPPER_SNAKE error code such as "RATE_LIMITED"')


@options_table("errors")
@dataclass(frozen=True)
class ErrorsOptions:
    # The enum holding the error-code contract, e.g. "app.errors.ErrorCode".
    codes: str | None = option(Text(QUALIFIED_NAME, resolves=ENUM_CLASSES), default=None)
    # The codes of the contract when no enum holds them (the design document's error-code table).
    contract: tuple[str, ...] | None = option(ListOf(ERROR_CODE), default=None)
