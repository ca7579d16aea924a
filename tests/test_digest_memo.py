"""The digest memo: a warm run reads only what changed, and a change is never missed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from projects import dispatcher_checkout

from designlint import digest_memo, project, runner
from designlint.digest_memo import DigestMemo
from designlint.runner import Options, lint_paths


@pytest.fixture
def checkout(tmp_path: Path, monkeypatch) -> Path:
    return dispatcher_checkout(tmp_path, monkeypatch)


@pytest.fixture
def files_count_as_old(monkeypatch):
    """Every file counts as written long before the run (a checkout's files usually are): the
    fixture's were written a moment ago, and would never be remembered."""
    monkeypatch.setattr(digest_memo, "RACY_SECONDS", -3600.0)


class CountingReads:
    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        for module in (runner, project):
            original = module.read_regular_file

            def counting(path, limit, original=original):
                self.paths.append(Path(path).name)
                return original(path, limit)

            monkeypatch.setattr(module, "read_regular_file", counting)


def run(cache_dir: Path | None) -> list[tuple]:
    """The findings of a lint of the current directory, with the cache in ``cache_dir`` (None: none)."""
    result = lint_paths(["."], Options(use_cache=cache_dir is not None, cache_dir=cache_dir, jobs=1))
    return [(d.path, d.start, d.code, d.message) for d in result.diagnostics]


def rewrite_keeping_size_and_times(path: Path, old: str, new: str) -> None:
    """An edit `ls -l` cannot see: the same size, the modification time set back."""
    assert len(old) == len(new)
    status = path.stat()
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size and path.stat().st_mtime_ns == status.st_mtime_ns


def test_a_warm_run_reads_no_file_that_is_unchanged(checkout, tmp_path, monkeypatch, files_count_as_old):
    cache_dir = tmp_path / "cache"
    cold = run(cache_dir)
    assert cold, "the fixture has findings"
    run(cache_dir)  # remembers the modules the findings were drawn from
    reads = CountingReads(monkeypatch)
    assert run(cache_dir) == cold
    # Only the error enum the configuration names, read once to check that it is one.
    assert reads.paths == ["errors.py"]


def test_an_edit_that_keeps_the_size_and_the_time_is_linted(checkout, tmp_path, files_count_as_old):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    run(cache_dir)
    dispatcher = checkout / "src" / "toolhub" / "dispatcher.py"
    rewrite_keeping_size_and_times(dispatcher, '"RATE_LIMITED"', '"RATE_LIMITXD"')
    assert run(cache_dir) == run(None)
    assert any("RATE_LIMITXD" in message for _, _, _, message in run(cache_dir))


def test_a_dependency_edit_that_keeps_the_size_and_the_time_is_seen(checkout, tmp_path, files_count_as_old):
    cache_dir = tmp_path / "cache"
    before = run(cache_dir)
    run(cache_dir)
    assert any("UPSTREAM_TIMEOT" in message and "not a member" in message for *_, message in before)
    errors = checkout / "src" / "toolhub" / "errors.py"
    rewrite_keeping_size_and_times(
        errors, '    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"\n', '    UPSTREAM_TIMEOT = "UPSTREAM_TIMEOT"  \n'
    )
    after = run(cache_dir)
    assert after == run(None)
    assert not any("UPSTREAM_TIMEOT" in message and "not a member" in message for *_, message in after)


def test_a_file_written_just_before_the_run_is_not_remembered(tmp_path):
    module = tmp_path / "tools.py"
    module.write_text("x = 1\n")
    memo = DigestMemo({})  # the run starts now: the file is younger than RACY_SECONDS
    memo.remember(str(module), "bytes", "d1")
    assert memo.known(str(module), "bytes") is None
    assert not memo.changed


def test_a_remembered_digest_holds_until_the_file_changes(tmp_path):
    module = tmp_path / "tools.py"
    module.write_text("x = 1\n")
    memo = DigestMemo({}, started=time.time() + 60)  # as if the file had been written long before
    memo.remember(str(module), "bytes", "d1")
    assert memo.known(str(module), "bytes") == "d1"
    assert memo.known(str(module), "text") is None  # another kind of digest was never remembered
    status = module.stat()
    module.write_text("x = 2\n")
    os.utime(module, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert memo.known(str(module), "bytes") is None  # its change time moved
    os.unlink(module)
    assert memo.known(str(module), "bytes") is None


def test_a_relative_path_means_the_same_file_from_anywhere(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "tools.py").write_text("x = 1\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "tools.py").write_text("x = 1\n")
    memo = DigestMemo({}, started=time.time() + 60)
    monkeypatch.chdir(tmp_path / "a")
    memo.remember("tools.py", "bytes", "d1")
    monkeypatch.chdir(tmp_path / "b")
    assert memo.known("tools.py", "bytes") is None
    assert memo.known(str(tmp_path / "a" / "tools.py"), "bytes") == "d1"


class Store:
    def __init__(self, entry):
        self.entry = entry
        self.stored: dict = {}

    def load(self, key):
        return self.entry

    def store(self, key, payload):
        self.stored[key] = payload


@pytest.mark.parametrize(
    "entry",
    [None, {}, {"files": []}, {"files": {"PATH": "x"}}, {"files": {"PATH": [1, 2, 3]}}, {"files": {"PATH": [0] * 6}}],
)
def test_a_malformed_memo_is_no_memo(tmp_path, entry):
    module = tmp_path / "tools.py"
    module.write_text("x = 1\n")
    if entry and isinstance(entry.get("files"), dict):
        entry = {"files": {str(module): value for value in entry["files"].values()}}
    memo = DigestMemo.load(Store(entry), "fingerprint")
    assert memo.known(str(module), "bytes") is None


def test_the_memo_is_saved_only_when_it_learnt_something(tmp_path):
    module = tmp_path / "tools.py"
    module.write_text("x = 1\n")
    store = Store(None)
    memo = DigestMemo({}, started=time.time() + 60)
    memo.save(store, "fingerprint")
    assert store.stored == {}
    memo.remember(str(module), "bytes", "d1")
    memo.save(store, "fingerprint")
    [saved] = store.stored.values()
    again = DigestMemo(saved["files"], started=time.time() + 60)
    assert again.known(str(module), "bytes") == "d1"
    again.remember(str(module), "bytes", "d1")
    assert not again.changed
