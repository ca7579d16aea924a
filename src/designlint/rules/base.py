"""The rule base class: a rule is declared by class attributes and hooks, ``visit_<Node>`` and
``leave_<Node>`` for LibCST node types. As in LibCST, a ``visit_*`` that returns ``False``
spares the rule that node's children.

A rule instance is built once per configuration and reused for every file; per-file
state belongs in ``setup()``, which runs before each file's walk. Its gates (``prefilter``,
``could_fire``) are those of ``designlint.gates.Gate``: a rule inherits them from its family's
gates module, which the engine asks before importing the family.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import libcst as cst

from designlint.gates import Gate
from designlint.hooks import hooks_of

if TYPE_CHECKING:
    from designlint.analysis.budget import Budget
    from designlint.context import FileContext
    from designlint.fixes import NodeFix
    from designlint.rules.cases import Invalid, Valid


class Rule(Gate):
    code: ClassVar[str]
    name: ClassVar[str]
    # LibCST metadata providers this rule reads with ``get_metadata`` (resolved once per file,
    # and only when a rule that needs them runs on that file).
    METADATA_DEPENDENCIES: ClassVar[tuple[type, ...]] = ()
    # Examples the rule must stay silent on / report once, run by tests/test_rule_cases.py; the
    # examples of its page in rules/ are among them.
    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    context: FileContext
    # What the rule's analyses may spend on this file (set with ``context``): see analysis.budget.
    analysis_budget: Budget

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        hooks_of(cls)  # a hook that names no node type is refused here, not ignored at every walk

    def setup(self) -> None:
        """Reset per-file state; ``self.context`` and ``self.analysis_budget`` are set."""

    def report(self, node: cst.CSTNode, message: str, *, fix: NodeFix | None = None) -> None:
        self.context.report(self.code, self.name, node, message, fix)

    def get_metadata(self, provider: type, node: cst.CSTNode, default=None):
        return self.context.metadata[provider].get(node, default)
