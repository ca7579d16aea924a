"""A file's memo: answers worked out once per file and shared by the rules and analyses that ask
them. The engine makes one with each file's ``FileContext`` and drops it with the context, so an
answer never outlives its tree and no key needs the file's identity; a syntax node is a key by
identity (LibCST nodes hash and compare as objects). And an editor's memo of a path's
top-level statements, which outlives a lint to serve the next one (``StatementMemo``)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

T = TypeVar("T")


class FileMemo:
    def __init__(self) -> None:
        self._answers: dict[Hashable, object] = {}

    def get(self, key: Hashable, work_out: Callable[[], T]) -> T:
        """The answer kept under ``key``, worked out by ``work_out`` the first time it is asked.
        A key starts with what asks (a function or class of the asking module), so two askers
        never share one by accident."""
        if key not in self._answers:
            self._answers[key] = work_out()
        return cast(T, self._answers[key])


class StatementMemo:
    """Answers about each top-level statement of the last stdlib tree of a path, for its next
    tree, which shares the statements an edit left alone (``designlint.reparse``). An answer
    must depend on nothing but the statement's own nodes (line numbers included: a shared
    statement never moves). A statement is a key by identity, kept with its answer so that
    its id cannot be reused while the answer is."""

    def __init__(self) -> None:
        self._answers: dict[Callable, dict[int, tuple[ast.stmt, object]]] = {}

    def each(self, tree: ast.Module, work_out: Callable[[ast.stmt], T]) -> list[T]:
        """``work_out(statement)`` of each top-level statement of ``tree``, in order, each
        worked out only if the last tree asked did not have it."""
        last = self._answers.get(work_out, {})
        kept: dict[int, tuple[ast.stmt, object]] = {}
        answers = []
        for statement in tree.body:
            found = last.get(id(statement))
            answer = found[1] if found is not None and found[0] is statement else work_out(statement)
            kept[id(statement)] = (statement, answer)
            answers.append(answer)
        self._answers[work_out] = kept  # the statements of older trees are let go
        return cast("list[T]", answers)
