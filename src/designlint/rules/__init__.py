"""The rule registry: every rule class designlint ships, by code."""

from __future__ import annotations

from designlint.rules.adapters import FrameworkImportOutsideAdapter, FrameworkTypeLeak
from designlint.rules.authz import AuthzOr, SuperuserBypass
from designlint.rules.base import Rule
from designlint.rules.egress import EgressHostNotAllowed, EgressUnguardedUrl
from designlint.rules.errors import RawStringErrorCode
from designlint.rules.noqa import UnusedNoqa
from designlint.rules.trust import UntrustedContentInPrompt

ALL_RULES: tuple[type[Rule], ...] = (
    AuthzOr,
    SuperuserBypass,
    EgressHostNotAllowed,
    EgressUnguardedUrl,
    FrameworkImportOutsideAdapter,
    FrameworkTypeLeak,
    UntrustedContentInPrompt,
    RawStringErrorCode,
    UnusedNoqa,
)

# Findings the engine itself produces; always on, never selectable away.
PARSE_ERROR = ("DL001", "parse-error")
INTERNAL_ERROR = ("DL002", "internal-error")

KNOWN_CODES: tuple[str, ...] = (PARSE_ERROR[0], INTERNAL_ERROR[0], *(rule.code for rule in ALL_RULES))
RULE_NAMES: dict[str, str] = {
    PARSE_ERROR[0]: PARSE_ERROR[1],
    INTERNAL_ERROR[0]: INTERNAL_ERROR[1],
    **{r.code: r.name for r in ALL_RULES},
}
