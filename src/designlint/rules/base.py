"""The rule base class: a rule is declared by class attributes and hooks, ``visit_<Node>`` and
``leave_<Node>`` for LibCST node types. As in LibCST, a ``visit_*`` that returns ``False``
spares the rule that node's children.

A rule instance is built once per configuration and reused for every file; per-file
state belongs in ``setup()``, which runs before each file's walk.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

import libcst as cst

from designlint.hooks import hooks_of

if TYPE_CHECKING:
    from designlint.analysis.budget import Budget
    from designlint.config import Config
    from designlint.context import FileContext, FileFacts
    from designlint.fixes import NodeFix
    from designlint.rules.cases import Invalid, Valid


class AllOf:
    """A prefilter that needs every one of its patterns somewhere in the text. Separate
    searches are several times faster than one regex of lookaheads (``\\A(?=.*a)(?=.*b)``),
    and with ``ignore_case`` the text is lowercased once rather than matched case-insensitively
    (Python's re is slow on long case-insensitive alternations); the patterns must then be
    written in lower case."""

    def __init__(self, *patterns: str, ignore_case: bool = False):
        self.patterns = tuple(re.compile(p) for p in patterns)
        self.ignore_case = ignore_case

    def search(self, text: str) -> bool:
        if self.ignore_case:
            text = text.lower()
        return all(p.search(text) for p in self.patterns)


class AnyOf:
    """A prefilter that needs one of its patterns in the text. Separate searches beat one
    alternation when each pattern starts with a literal or a character set: Python's re scans
    ahead for those only when they start the whole pattern."""

    def __init__(self, *patterns: str):
        self.patterns = tuple(re.compile(p) for p in patterns)

    def search(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    # LibCST metadata providers this rule reads with ``get_metadata`` (resolved once per file,
    # and only when a rule that needs them runs on that file).
    METADATA_DEPENDENCIES: ClassVar[tuple[type, ...]] = ()
    # A regex searched in the file's text: when it does not match, the rule cannot fire
    # on that file and is not run (and a file no rule needs is not parsed at all). A class
    # attribute a rule may override per instance, from its configuration.
    prefilter: re.Pattern[str] | AllOf | AnyOf | None = None
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

    def __init__(self, config: Config):
        self.config = config

    def could_fire(self, file: FileFacts) -> bool:
        """Asked before LibCST parses the file, after ``prefilter`` matched: False when the rule
        cannot fire on it (it is then neither run nor, if no other rule runs, parsed). Must err
        on the side of True, which is the default."""
        return True

    def setup(self) -> None:
        """Reset per-file state; ``self.context`` and ``self.analysis_budget`` are set."""

    def report(self, node: cst.CSTNode, message: str, *, fix: NodeFix | None = None) -> None:
        self.context.report(self.code, self.name, node, message, fix)

    def get_metadata(self, provider: type, node: cst.CSTNode, default=None):
        return self.context.metadata[provider].get(node, default)
