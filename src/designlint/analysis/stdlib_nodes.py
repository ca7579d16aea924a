"""The nodes of a file's stdlib tree by type, found in one walk and shared by the rules' gates
(``FileFacts.nodes_of``): a gate each walking the whole tree with ``ast.walk`` cost a few times
this one walk, and ``ast.walk`` is itself about twice as slow."""

from __future__ import annotations

import ast


def nodes_by_type(tree: ast.AST) -> dict[type[ast.AST], list[ast.AST]]:
    """Every node of ``tree`` (the nodes ``ast.walk`` yields, in another order), grouped by exact type."""
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
