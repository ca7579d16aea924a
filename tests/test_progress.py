"""The progress bar: only in a terminal, only for long runs, and it leaves no trace."""

from __future__ import annotations

import io

import pytest

from designlint import progress
from designlint.progress import ProgressBar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(progress.time, "monotonic", lambda: now[0])
    return now


def test_no_bar_when_stderr_is_a_pipe(monkeypatch):
    monkeypatch.setattr(progress.sys, "stderr", io.StringIO())
    monkeypatch.delenv("CI", raising=False)
    with ProgressBar.for_stderr() as bar:
        assert bar is None


def test_no_bar_in_ci_even_in_a_terminal(monkeypatch):
    monkeypatch.setattr(progress.sys, "stderr", FakeTerminal())
    monkeypatch.setenv("CI", "true")
    with ProgressBar.for_stderr() as bar:
        assert bar is None


def test_a_bar_in_a_terminal(monkeypatch):
    monkeypatch.setattr(progress.sys, "stderr", FakeTerminal())
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    with ProgressBar.for_stderr() as bar:
        assert isinstance(bar, ProgressBar)


def test_a_short_run_draws_nothing(clock):
    stream = FakeTerminal()
    with ProgressBar(stream) as bar:
        clock[0] += progress.SHOW_AFTER_SECONDS / 2
        bar.update(10, 10)
    assert stream.getvalue() == ""


def test_a_long_run_draws_then_clears_its_line(clock):
    stream = FakeTerminal()
    with ProgressBar(stream) as bar:
        clock[0] += progress.SHOW_AFTER_SECONDS + 0.5
        bar.update(50, 200)
        assert stream.getvalue().endswith("50/200 files")
        clock[0] += progress.REDRAW_EVERY_SECONDS / 10
        bar.update(51, 200)  # too soon to redraw
        assert "51/200" not in stream.getvalue()
        clock[0] += progress.REDRAW_EVERY_SECONDS
        bar.update(200, 200)
    assert "200/200 files" in stream.getvalue()
    assert stream.getvalue().endswith("\r\033[K")
