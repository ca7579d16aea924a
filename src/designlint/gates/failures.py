"""The gates of the failure-handling rules (``designlint.rules.failures``)."""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from designlint.analysis.module_facts import stdlib_last_name
from designlint.analysis.packages import DEADLINE_NAMES, DEADLINE_PACKAGES, HTTP_PACKAGES, MODEL_PACKAGES
from designlint.gates import AnyOf, Gate
from designlint.tables.failures import TimeoutsOptions

if TYPE_CHECKING:
    from designlint.context import FileFacts

_CLIENT_PACKAGES = HTTP_PACKAGES | MODEL_PACKAGES
# What may catch or suppress in the stdlib's tree (``ast.TryStar`` from Python 3.11).
_HANDLING_NODES = tuple(getattr(ast, name) for name in ("Try", "TryStar", "With") if hasattr(ast, name))
# Also across a backslash joining lines (``async`` then ``def``, ``except`` then its ``:``).
_ASYNC_DEF = re.compile(r"async[\s\\]+def")


def _ast_bounded(arg: ast.expr | ast.keyword) -> bool:
    """A deadline's argument that cannot stand for "no timeout": a number, or a call (the awaitable)."""
    value = arg.value if isinstance(arg, ast.keyword) else arg
    return (isinstance(value, ast.Constant) and isinstance(value.value, (int, float))) or isinstance(value, ast.Call)


class CallWithoutTimeoutGate(Gate):
    codes = ("DL601",)

    def __init__(self, config):
        super().__init__(config)
        self.budget = config.options(TimeoutsOptions).budget

    def could_fire(self, file: FileFacts) -> bool:
        # As egress: a client's own package calls its functions without importing them.
        if (file.module_name or "").split(".")[0] in _CLIENT_PACKAGES:
            return True
        if file.imports is None:
            return True
        tops = {module.split(".")[0] for module in file.imports}
        if tops & _CLIENT_PACKAGES:
            return True
        # asyncio is imported nearly everywhere: parsed only for a deadline call that may be unbounded.
        return (
            bool(tops & DEADLINE_PACKAGES)
            and file.tree is not None
            and any(
                stdlib_last_name(node.func) in DEADLINE_NAMES
                and (
                    self.budget is not None
                    or not (all(map(_ast_bounded, node.args)) and all(map(_ast_bounded, node.keywords)))
                )
                for node in file.nodes_of(ast.Call)
            )
        )


class CancellationSwallowedGate(Gate):
    codes = ("DL603",)
    prefilter = AnyOf(r"except[\s\\]*[:*]", r"BaseException", r"Cancelled", r"get_cancelled_exc_class")

    def could_fire(self, file: FileFacts) -> bool:
        if _ASYNC_DEF.search(file.text) is None:
            return False
        if file.tree is None:
            return True
        return any(
            isinstance(node, _HANDLING_NODES)
            for function in file.nodes_of(ast.AsyncFunctionDef)
            for node in ast.walk(function)
        )
