"""The gates of the error-code rules (``designlint.rules.errors``)."""

from __future__ import annotations

from designlint.gates import AnyOf, Gate
from designlint.tables.errors import ErrorsOptions

# After a call's "(": brackets, comments (each to its line's end: a comment that could end
# anywhere in a run of ``#`` would be matched in time exponential in the run), empty strings,
# then a string (any prefix, any quotes) opening with upper case, or holding an escape
# (``"RATE\x5fLIMITED"``).
_FIRST_LITERAL = r"(?:\s|\(|#[^\n]*\n|''|\"\")*[rbuRBUfF]{0,2}(?:\'\'\'|\"\"\"|['\"])(?:[A-Z][A-Z0-9_]*['\"]|[^'\"\n]*\\)"


class RawStringErrorCodeGate(Gate):
    codes = ("DL501",)
    # Where a code can stand, spelt out in the text: ``.code``, a "code"/"error_code" key, a
    # ``code=`` keyword, or an upper-case literal first in the call of an exception
    # (``...Error(``, ``raise X(``). Each search starts with a literal: re scans for those fast.
    prefilter: AnyOf | None = AnyOf(
        r"\.(?:\\?\n\s*)?(?:error_)?code\b",  # also across a line break, not after ". " in prose
        r"code['\"](?:(?<=['\"]code['\"])|(?<=error_code['\"]))",
        r"code\s*=(?!=)",
        *(rf"{suffix}\s*\({_FIRST_LITERAL}" for suffix in ("Error", "Exception", "Fault", "Failure")),
        rf"raise[\s(]+[\w.]+\s*\({_FIRST_LITERAL}",
    )

    def __init__(self, config):
        super().__init__(config)
        if config.options(ErrorsOptions).codes:
            self.prefilter = None  # member values may be any spelling: look everywhere
