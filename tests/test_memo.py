"""The per-file memo (``FileContext.memo``): an answer is worked out once per key and file."""

from __future__ import annotations

import libcst as cst

from designlint.analysis.memo import FileMemo


def test_an_answer_is_worked_out_once_per_key():
    memo = FileMemo()
    asked: list[str] = []

    def work_out(answer: str) -> str:
        asked.append(answer)
        return answer

    assert memo.get(("a", 1), lambda: work_out("one")) == "one"
    assert memo.get(("a", 1), lambda: work_out("again")) == "one"
    assert memo.get(("a", 2), lambda: work_out("two")) == "two"
    assert memo.get(("a", 3), lambda: work_out("")) == ""  # a falsy answer is kept too
    assert memo.get(("a", 3), lambda: work_out("not asked")) == ""
    assert asked == ["one", "two", ""]


def test_nodes_are_keys_by_identity():
    """Two equal-looking functions of one file are different keys."""
    module = cst.parse_module("def f(x):\n    return x\n\n\ndef f(x):\n    return x\n")
    first, second = module.body
    memo = FileMemo()
    assert memo.get((test_nodes_are_keys_by_identity, first), lambda: "first") == "first"
    assert memo.get((test_nodes_are_keys_by_identity, second), lambda: "second") == "second"
