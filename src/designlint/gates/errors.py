"""The gates of the error-code rules (``designlint.rules.errors``)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from designlint.analysis.error_codes import BUILTIN_EXCEPTIONS, CODE_KEYWORDS, EXCEPTION_NAME, looks_like_code
from designlint.analysis.module_facts import stdlib_last_name
from designlint.gates import AnyOf, Gate, Spelt
from designlint.tables.errors import ErrorsOptions

if TYPE_CHECKING:
    from designlint.context import FileFacts

# After a call's "(": brackets, empty strings of any prefix (``r""``) and spaces (a backslash
# joining lines among them), then a comment (the literal may follow it: reading the comment to its line's end
# would read a line of ``Error(#`` again from each one, in time quadratic in the line) or a
# string (any prefix, any quotes) opening with upper case, or holding an escape
# (``"RATE\x5fLIMITED"``).
_FIRST_LITERAL = r"(?:[\s(\\]|[rbuRBUfF]{0,2}(?:''|\"\"))*(?:#|[rbuRBUfF]{0,2}(?:\'\'\'|\"\"\"|['\"])(?:[A-Z][A-Z0-9_]*['\"]|[^'\"\n]*\\))"
_SEQUENCES = (ast.Tuple, ast.List, ast.Set)


class RawStringErrorCodeGate(Gate):
    codes = ("DL501",)
    # Where a code can stand, spelt out in the text: ``.code``, a "code"/"error_code" key, a
    # ``code=`` keyword, or an upper-case literal first in the call of an exception
    # (``...Error(``, ``raise X(``). Each search starts with a literal: re scans for those fast.
    # Between two tokens there may be spaces, a backslash joining lines, or, inside brackets, a
    # comment: the search stops at its ``#`` and passes (reading on past it would read the line
    # again from each ``#``-ended start on it); a name called may be in brackets (``(Denied)(``),
    # a dotted one spaced at its dots (``errors. Denied(``).
    prefilter: AnyOf | None = AnyOf(
        r"\.[\s\\]*(?:error_)?code\b",  # also after spaces or across a line break (``err. code``)
        # ``(err.  # why`` then ``code`` on a line of its own (a comment may stand between: a
        # comment line ending in a full stop is too common to pass on)
        r"\.[ \t\f]*#",
        r"[\r\n][ \t\f]*(?:error_)?code\b",
        # a key as its string spells it (``"co" "de"``, ``"\\x63ode"``)
        Spelt(r"code['\"](?:(?<=['\"]code['\"])|(?<=error_code['\"]))"),
        r"code[\s\\]*(?:#|=(?!=))",
        *(rf"{suffix}[\s\\)]*(?:#|\({_FIRST_LITERAL})" for suffix in ("Error", "Exception", "Fault", "Failure")),
        rf"raise[\s(\\]+(?:\w+[\s\\)]*\.[\s\\]*)*(?:#|\w+[\s\\)]*(?:#|\({_FIRST_LITERAL}))",
    )

    def __init__(self, config):
        super().__init__(config)
        options = config.options(ErrorsOptions)
        self.any_spelling = options.codes is not None
        if self.any_spelling:
            self.prefilter = None  # member values may be any spelling: look everywhere
        self.contract_codes = frozenset(options.contract or ())

    def could_fire(self, file: FileFacts) -> bool:
        """A literal that looks like a code (or is one of the contract's) where the rule reads
        one: first in an exception's call or given as ``code=``, a dict's ``"code"``, compared
        with ``.code``, a case of ``match x["code"]``."""
        if self.any_spelling or file.tree is None:
            return True
        return (
            any(map(self._coded_call, file.nodes_of(ast.Call)))
            or any(map(self._coded_dict, file.nodes_of(ast.Dict)))
            or any(map(self._coded_comparison, file.nodes_of(ast.Compare)))
            or any(map(self._coded_match, file.nodes_of(ast.Match)))
        )

    def _code(self, node: ast.expr | None) -> bool:
        value = node.value if isinstance(node, ast.Constant) else None
        return isinstance(value, str) and (looks_like_code(value) or value in self.contract_codes)

    def _coded_call(self, node: ast.Call) -> bool:
        short = stdlib_last_name(node.func)
        # An exception by its name, or anything upper-case raised; only a class is given ``code=``.
        if not short[:1].isupper() and not EXCEPTION_NAME.fullmatch(short):
            return False
        if any(keyword.arg in CODE_KEYWORDS and self._code(keyword.value) for keyword in node.keywords):
            return True
        return bool(node.args) and short not in BUILTIN_EXCEPTIONS and self._code(node.args[0])

    def _coded_dict(self, node: ast.Dict) -> bool:
        return any(
            isinstance(key, ast.Constant) and key.value in CODE_KEYWORDS and self._code(value)
            for key, value in zip(node.keys, node.values)
        )

    def _coded_comparison(self, node: ast.Compare) -> bool:
        operands = (node.left, *node.comparators)
        return any(map(_is_code_access, operands)) and any(
            self._code(element)
            for operand in operands
            for element in (operand.elts if isinstance(operand, _SEQUENCES) else (operand,))
        )

    def _coded_match(self, node: ast.Match) -> bool:
        if not _is_code_access(node.subject):
            return False
        for case in node.cases:
            pattern = case.pattern
            for alternative in pattern.patterns if isinstance(pattern, ast.MatchOr) else (pattern,):
                if isinstance(alternative, ast.MatchValue) and self._code(alternative.value):
                    return True
        return False


def _is_code_access(node: ast.expr) -> bool:
    """``err.code``, ``exc.error_code``, ``payload["code"]``, ``payload.get("error_code")``."""
    if isinstance(node, ast.Attribute):
        return node.attr in CODE_KEYWORDS
    if isinstance(node, ast.Subscript):
        key = node.slice
        keys = key.elts if isinstance(key, ast.Tuple) else (key,)
        return len(keys) == 1 and isinstance(keys[0], ast.Constant) and keys[0].value in CODE_KEYWORDS
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        given = (*node.args, *(keyword.value for keyword in node.keywords))[:1]
        return bool(given) and isinstance(given[0], ast.Constant) and given[0].value in CODE_KEYWORDS
    return False
