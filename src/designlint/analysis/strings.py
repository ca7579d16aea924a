"""Static string values of expressions."""

from __future__ import annotations

import warnings

import libcst as cst


def literal_string(node: cst.CSTNode) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal or a concatenation of them."""
    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return None
        try:
            if "\\" in node.value:  # an invalid escape warns; the linted code's problem, not ours to print
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    value = node.evaluated_value
            else:
                value = node.evaluated_value
        except (SyntaxError, ValueError):  # a NUL byte, an unknown \N{...} name: LibCST parses what Python refuses
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_string(node.left), literal_string(node.right)
        return left + right if left is not None and right is not None else None
    return None
