"""A file's memo: answers worked out once per file and shared by the rules and analyses that ask
them. The engine makes one with each file's ``FileContext`` and drops it with the context, so an
answer never outlives its tree and no key needs the file's identity; a syntax node is a key by
identity (LibCST nodes hash and compare as objects)."""

from __future__ import annotations

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
