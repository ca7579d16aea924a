"""``--watch``: a run, then another after every change (files edited, added, a config broken
and mended), each separated by a time-stamped line; Ctrl-C ends it with exit 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from projects import CLEAN_PY, LEGACY_PY, check, configured_project, write_tree

from designlint.watch import snapshot, wait_for_change

pytestmark = pytest.mark.slow  # drives designlint as a command

WATCHING = "Watching for file changes (Ctrl-C to stop).\n"


class Watcher:
    """``designlint check --watch`` in a subprocess, its output in files read as it grows."""

    def __init__(self, root: Path, *args: str):
        self.out, self.err = root / "watch.out", root / "watch.err"
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "designlint", "check", "--watch", "-j", "1", *args],
                cwd=root,
                stdout=out,
                stderr=err,
                env={**os.environ, "NO_COLOR": "1"},
            )
        self.seen_out = 0

    def next_run(self, runs: int, timeout: float = 60) -> tuple[str, str]:
        """Wait until ``runs`` runs have finished; the report of the latest and all of stderr."""
        deadline = time.monotonic() + timeout
        while self.err.read_text().count(WATCHING) < runs:
            assert self.process.poll() is None, self.err.read_text()
            assert time.monotonic() < deadline, f"no run {runs} within {timeout} s: {self.err.read_text()}"
            time.sleep(0.05)
        out = self.out.read_text()
        report, self.seen_out = out[self.seen_out :], len(out)
        return report, self.err.read_text()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


@pytest.fixture
def watcher(tmp_path):
    configured_project(tmp_path)
    started: list[Watcher] = []

    def start(*args: str) -> Watcher:
        started.append(Watcher(tmp_path, *args))
        return started[-1]

    yield start
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
            running.process.wait()


def test_watch_lints_again_on_every_change_until_ctrl_c(tmp_path, watcher):
    watch = watcher("app")
    report, err = watch.next_run(1)
    assert len(report.splitlines()) == 3 and "Starting linter in watch mode..." in err
    assert "\x1b" not in report + err  # a pipe: the screen is not cleared

    (tmp_path / "app" / "legacy.py").write_text(CLEAN_PY)  # two findings fixed
    report, err = watch.next_run(2)
    assert [line.split(":")[0] for line in report.splitlines()] == ["app/tools.py"]
    assert err.count("File change detected, linting again...") == 1

    (tmp_path / "app" / "new.py").write_text(LEGACY_PY)  # a new file
    report, _ = watch.next_run(3)
    assert sorted({line.split(":")[0] for line in report.splitlines()}) == ["app/new.py", "app/tools.py"]

    pyproject = tmp_path / "pyproject.toml"
    good = pyproject.read_text()
    pyproject.write_text(good.replace('select = ["DL"]', 'selekt = ["DL"]'))  # a config error: said, and watched
    report, err = watch.next_run(4)
    assert report == "" and "`tool.designlint.selekt`: unknown key" in err
    pyproject.write_text(good)
    report, _ = watch.next_run(5)
    assert len(report.splitlines()) == 3

    assert watch.stop() == 0
    assert "Traceback" not in watch.err.read_text() and "Aborted" not in watch.err.read_text()


def test_watch_ends_on_ctrl_c_while_waiting_with_exit_0_even_with_findings(watcher):
    watch = watcher()
    watch.next_run(1)
    assert watch.stop() == 0


def test_ctrl_c_during_a_run_in_worker_processes_exits_0_at_once(tmp_path):
    # Over SMALL_RUN_BYTES, so workers lint it; a terminal's Ctrl-C reaches the whole group.
    body = "".join(f'def f{i}(x):\n    if x:\n        raise ToolError("RATE_LIMITED")\n\n\n' for i in range(120))
    write_tree(tmp_path, {f"pkg/m{n}.py": "class ToolError(Exception):\n    pass\n\n\n" + body for n in range(300)})
    with open(tmp_path / "err", "wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "designlint", "check", "--watch", "--no-cache", "-j", "2", "pkg"],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while "Starting linter in watch mode" not in (tmp_path / "err").read_text():  # past start-up
            assert time.monotonic() < deadline and process.poll() is None, (tmp_path / "err").read_text()
            time.sleep(0.05)
        time.sleep(1.5)  # the workers are started and linting
        assert WATCHING not in (tmp_path / "err").read_text(), "the run ended before Ctrl-C: make the project bigger"
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=30) == 0  # the queue is cancelled: only the files in flight are finished
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in (tmp_path / "err").read_text()
    deadline = time.monotonic() + 10
    while _group_alive(process.pid):  # no worker left behind
        assert time.monotonic() < deadline, "a worker outlived the run"
        time.sleep(0.1)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_watch_refuses_what_it_cannot_repeat(tmp_path, monkeypatch):
    configured_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    for args, why in (
        (["-"], "--watch lints files as they change: it cannot work on standard input"),
        (["--write-baseline", "b.json"], "--watch and --write-baseline cannot be used together"),
        (["--add-noqa"], "--watch and --add-noqa cannot be used together"),
        (["--show-files"], "--watch and --show-settings/--show-files cannot be used together"),
    ):
        result = check("--watch", *args)
        assert result.exit_code == 2 and why in result.stderr, result.stderr


def test_a_change_is_a_python_file_or_a_config_or_ignore_file_here_or_above(tmp_path):
    configured_project(tmp_path)
    watched = [tmp_path / "app"]
    before = snapshot(watched)
    assert snapshot(watched) == before
    for name in (".venv/lib/x.py", "app/__pycache__/x.py", "app/notes.txt"):  # what discovery never lints
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    assert snapshot(watched) == before
    for change in ("app/tools.py", "app/sub/new.py", "app/designlint.toml", "pyproject.toml", ".gitignore"):
        (tmp_path / change).parent.mkdir(exist_ok=True)
        with open(tmp_path / change, "a") as handle:
            handle.write("\n# changed\n")
        after = snapshot(watched)
        assert after != before, change
        before = after
    (tmp_path / "app" / "legacy.py").unlink()
    assert snapshot(watched) != before


def test_wait_for_change_polls_until_the_snapshot_differs():
    snapshots = iter([{"a": (1, 1, 1)}, {"a": (1, 1, 1)}, {"a": (2, 1, 1)}])
    naps: list[float] = []
    assert wait_for_change(lambda: next(snapshots), {"a": (1, 1, 1)}, naps.append) == {"a": (2, 1, 1)}
    assert len(naps) == 3 and all(0 < nap <= 1 for nap in naps)
