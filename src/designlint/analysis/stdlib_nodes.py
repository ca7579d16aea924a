"""The nodes of a file's stdlib tree by type, found in one walk and shared by the rules' gates
(``FileFacts.nodes_of``): a gate each walking the whole tree with ``ast.walk`` cost a few times
this one walk, and ``ast.walk`` is itself about twice as slow."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from designlint.analysis.memo import StatementMemo


def nodes_by_type(tree: ast.AST, memo: StatementMemo | None = None) -> dict[type[ast.AST], list[ast.AST]]:
    """Every node of ``tree`` (the nodes ``ast.walk`` yields, in another order), grouped by
    exact type. With a ``memo``, a module's statements shared with the last tree asked about
    are not walked again: the lists are the same, in the same order."""
    if memo is None or not isinstance(tree, ast.Module) or tree.type_ignores:
        return _walked(tree)
    # The walk below takes the last statement's nodes first, then the one before it, and so on.
    index: dict[type[ast.AST], list[ast.AST]] = {ast.Module: [tree]}
    for part in reversed(memo.each(tree, _walked)):
        for kind, nodes in part.items():
            same = index.get(kind)
            if same is None:
                index[kind] = list(nodes)  # the memo's lists are never changed
            else:
                same.extend(nodes)
    return index


def _walked(tree: ast.AST) -> dict[type[ast.AST], list[ast.AST]]:
    index: dict[type[ast.AST], list[ast.AST]] = {}
    stack: list[ast.AST] = [tree]
    node_type = ast.AST
    while stack:
        node = stack.pop()
        kind = type(node)
        same = index.get(kind)
        if same is None:
            index[kind] = [node]
        else:
            same.append(node)
        for name in kind._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                stack.extend(item for item in value if isinstance(item, node_type))
            elif isinstance(value, node_type):
                stack.append(value)
    return index
