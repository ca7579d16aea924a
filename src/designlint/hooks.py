"""A rule's hooks: its ``visit_<Node>`` and ``leave_<Node>`` methods, one per LibCST node type
the walk visits. A hook that names no such type would never be called, so it is refused when
the rule class is defined (``Rule.__init_subclass__``), as a typo (``visit_Cal``) would
otherwise pass in silence."""

from __future__ import annotations

import inspect

from designlint.analysis.syntax import LAYOUT_TYPES, NODE_TYPES

# Node types the walk does not descend into: white space, comments, punctuation.
SKIPPED_TYPES = LAYOUT_TYPES

# The walk calls hooks by the name of a node's own class: an abstract base (``BaseExpression``)
# is never one.
HOOKABLE_TYPES: frozenset[str] = frozenset(
    cls.__name__ for cls in NODE_TYPES if not inspect.isabstract(cls) and cls not in SKIPPED_TYPES
)

Hooks = tuple[tuple[str, str], ...]  # ("visit" or "leave", node type name)

_HOOKS: dict[type, Hooks] = {}


def hooks_of(rule_class: type) -> Hooks:
    """The class's hooks, in name order; raises ``TypeError`` for one that names no node type
    the walk visits."""
    hooks = _HOOKS.get(rule_class)
    if hooks is None:
        found = []
        for attr in dir(rule_class):
            if not attr.startswith(("visit_", "leave_")):
                continue
            node_type = attr[6:]
            if node_type not in HOOKABLE_TYPES:
                raise TypeError(
                    f"{rule_class.__qualname__}.{attr} would never be called: {node_type!r} is not a LibCST node "
                    "type the walk visits (a concrete node class; white space, comments and punctuation are not walked)"
                )
            found.append((attr[:5], node_type))
        hooks = _HOOKS[rule_class] = tuple(found)
    return hooks
