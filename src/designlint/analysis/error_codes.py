"""What looks like an error code, and where code spells one out: the code of an exception,
``code=``, a ``"code"`` key. Without LibCST: the rule (``rules/errors.py``) and its gate
(``gates/errors.py``) both read them. Rule-neutral."""

from __future__ import annotations

import builtins
import re

# UPPER_SNAKE of three characters or more: "RATE_LIMITED", "TIMEOUT".
CODE_LIKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
# Upper-case strings that name configuration, not errors: OPENAI_API_KEY, DATABASE_URL.
ENV_LIKE = re.compile(r".*_(?:KEY|TOKEN|SECRET|URL|URI|HOST|PORT|PATH|DIR|FILE|ENV|NAME|ID|MODEL|REGION|VERSION)")
CODE_KEYWORDS = frozenset({"code", "error_code"})
BUILTIN_EXCEPTIONS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
)
EXCEPTION_NAME = re.compile(r"_?[A-Z]\w*(?:Error|Exception|Fault|Failure)")


def looks_like_code(value: str) -> bool:
    """UPPER_SNAKE of three characters or more that names no configuration."""
    return len(value) >= 3 and CODE_LIKE.fullmatch(value) is not None and ENV_LIKE.fullmatch(value) is None
