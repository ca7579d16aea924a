"""The parser thread: one for the process, reused, and started afresh in a forked child; the
stdlib's trees of recent texts, kept within a bound."""

import os
import threading
import time

import libcst as cst
import pytest

from designlint import parsing
from designlint.parsing import ParseRefused, parse_module, stdlib_verdict


def _parser_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "designlint-parse"]


def test_one_thread_parses_every_file():
    for n in range(5):
        assert parse_module(f"x = {n}\n").code == f"x = {n}\n"
    assert len(_parser_threads()) == 1


def test_errors_reach_the_caller_and_the_thread_survives():
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    assert parse_module("y = 1\n").code == "y = 1\n"


def test_recursion_in_the_parser_is_a_refusal(monkeypatch):
    def too_deep(text):
        raise RecursionError

    monkeypatch.setattr(cst, "parse_module", too_deep)
    with pytest.raises(ParseRefused, match="nested too deeply"):
        parse_module("x = 1\n")


LIBCST_1061 = "x = () if 0 else(lambda:())\n"  # valid Python that LibCST's node checks refuse


def test_nodes_the_parser_makes_are_not_checked_again_and_others_are():
    assert parse_module(LIBCST_1061).code == LIBCST_1061
    with pytest.raises(TypeError):  # the same parse on another thread: checked, and refused
        cst.parse_module(LIBCST_1061)
    with pytest.raises(cst.CSTValidationError):  # a node a fix makes is still checked
        cst.Name("")


class _Panic(BaseException):  # what pyo3 raises when LibCST's native parser panics
    pass


@pytest.mark.parametrize("failure", [TypeError("no such node"), _Panic("the parser panicked")])
def test_a_libcst_failure_is_a_refusal_and_the_thread_survives(monkeypatch, failure):
    def fail(text):
        raise failure

    with monkeypatch.context() as patch:
        patch.setattr(cst, "parse_module", fail)
        with pytest.raises(ParseRefused, match=r"LibCST failed on it \(\w+: .+\); please report this"):
            parse_module("x = 1\n")
    assert parse_module("y = 2\n").code == "y = 2\n"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_parses():
    # The parent's thread does not exist in a child forked by a process pool: a child that
    # waited for it would hang for ever.
    parse_module("started = True\n")
    pid = os.fork()
    if pid == 0:
        ok = False
        try:
            ok = parse_module("in_child = 1\n").code == "in_child = 1\n"
            ok = ok and parse_module(LIBCST_1061).code == LIBCST_1061  # the child's thread unchecked too
        finally:
            os._exit(0 if ok else 1)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    pytest.fail("the forked child never got its parse back")


def test_no_thread_means_parsing_on_the_caller(monkeypatch):
    monkeypatch.setattr(parsing, "_parser", None)

    def refuse(*args, **kwargs):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    assert parse_module("z = 3\n").code == "z = 3\n"


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork on this platform"
)
def test_process_pools_fork_only_a_process_with_no_other_thread(monkeypatch):
    from designlint import runner

    parse_module("x = 1\n")  # the parser thread is running now
    assert runner._pool_context().get_start_method() in ("forkserver", "spawn")
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # the CLI: only the main thread
    assert runner._pool_context().get_start_method() == "fork"


def test_the_stdlib_tree_of_a_recent_text_is_parsed_once_and_old_ones_are_let_go(monkeypatch):
    monkeypatch.setattr(parsing, "KEPT_CHARACTERS", 100)
    first = "x = 1\n" * 10  # 60 characters
    tree = stdlib_verdict(first).tree
    assert stdlib_verdict("y = 2\n").tree is not None
    assert stdlib_verdict(first).tree is tree  # kept: 66 characters in all
    stdlib_verdict("z = 3\n" * 10)  # 126: the oldest go
    assert stdlib_verdict(first).tree is not tree
    huge = "w = 4\n" * 100
    assert stdlib_verdict(huge).tree is stdlib_verdict(huge).tree  # the newest is kept whatever its size
