"""Static string values of expressions."""

from __future__ import annotations

import libcst as cst


def literal_string(node: cst.CSTNode) -> str | None:
    """The value of a plain (non-f, non-bytes) string literal or a concatenation of them."""
    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return None
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_string(node.left), literal_string(node.right)
        return left + right if left is not None and right is not None else None
    return None
