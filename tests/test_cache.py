"""The results cache: hits are exact, misses are safe, and a broken cache changes nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import FIXTURES

from designlint import runner
from designlint.cache import Cache
from designlint.cli import main
from designlint.runner import Options, lint_paths


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the dispatcher fixture (its error enum is configured), as the current directory."""
    copy = tmp_path / "project"
    shutil.copytree(FIXTURES / "dispatcher", copy)
    monkeypatch.chdir(copy)
    return copy


def findings(result) -> list[tuple]:
    return [(d.path, d.start, d.end, d.code, d.message, d.fix) for d in result.diagnostics]


def run(cache_dir: Path | None, **options) -> runner.RunResult:
    return lint_paths(["."], Options(use_cache=cache_dir is not None, cache_dir=cache_dir, jobs=1, **options))


def entries(cache_dir: Path) -> list[Path]:
    return sorted(p for p in cache_dir.glob("*/*.json"))


class CountingLints:
    """Counts files actually linted (not answered from the cache)."""

    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        original = runner._lint_bytes

        def counting(path, *args, **kwargs):
            self.paths.append(Path(path).name)
            return original(path, *args, **kwargs)

        monkeypatch.setattr(runner, "_lint_bytes", counting)


def test_a_warm_run_lints_nothing_and_reports_the_same(project, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    cold = run(cache_dir)
    assert findings(cold), "the fixture must have findings, or this test could not fail"
    assert findings(cold) == findings(run(None))
    counter = CountingLints(monkeypatch)
    warm = run(cache_dir)
    assert counter.paths == []
    assert findings(warm) == findings(cold)
    assert [d.fix for d in warm.diagnostics] == [d.fix for d in cold.diagnostics]


def test_the_cache_dir_is_marked_and_ignored_by_git(project, tmp_path):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


def test_the_default_cache_is_in_the_project_root(project):
    (project / "src").mkdir(exist_ok=True)
    os.chdir(project / "src")  # monkeypatch.chdir restores the directory afterwards
    lint_paths(["."], Options(use_cache=True, jobs=1))
    assert entries(project / ".designlint_cache")
    assert not (project / "src" / ".designlint_cache").exists()


def test_no_cache_writes_nothing(project, monkeypatch):
    monkeypatch.delenv("DESIGNLINT_CACHE_DIR")
    result = CliRunner().invoke(main, ["check", "--no-cache", "."])
    assert result.exit_code == 1, result.output
    assert not (project / ".designlint_cache").exists()


def test_a_changed_file_is_linted_again(project, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    dispatcher = project / "src" / "toolhub" / "dispatcher.py"
    dispatcher.write_text(dispatcher.read_text() + '\n\ndef extra(err):\n    return err.code == "FORBIDDEN"\n')
    counter = CountingLints(monkeypatch)
    warm = run(cache_dir)
    assert counter.paths == ["dispatcher.py"]
    assert findings(warm) == findings(run(None))
    assert any(d.start.row > 60 and "FORBIDDEN" in d.message for d in warm.diagnostics)


def test_a_changed_error_enum_invalidates_the_files_that_used_it(project, tmp_path):
    cache_dir = tmp_path / "cache"
    before = run(cache_dir)
    assert any("UPSTREAM_TIMEOT" in d.message and "not a member" in d.message for d in before.diagnostics)
    errors = project / "src" / "toolhub" / "errors.py"
    errors.write_text(
        errors.read_text().replace(
            '    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"\n',
            '    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"\n    UPSTREAM_TIMEOT = "UPSTREAM_TIMEOT"\n',
        )
    )
    after = run(cache_dir)
    assert findings(after) == findings(run(None))
    assert not any("UPSTREAM_TIMEOT" in d.message and "not a member" in d.message for d in after.diagnostics)


def test_a_different_config_does_not_share_entries(project, tmp_path):
    cache_dir = tmp_path / "cache"
    configured = run(cache_dir)
    isolated = run(cache_dir, isolated=True)
    assert findings(isolated) == findings(run(None, isolated=True))
    assert findings(isolated) != findings(configured)


# -- a broken cache gives the findings of no cache ----------------------------------------


def test_corrupt_entries_are_ignored_and_rewritten(project, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    expected = findings(run(cache_dir))
    garbage = [b"", b"\x00\xff garbage", b"{", b"[]", b'{"mark": "designlint-cache-entry", "format": 1}', b"null"]
    stored = entries(cache_dir)
    for index, entry in enumerate(stored):
        entry.write_bytes(garbage[index % len(garbage)])
    counter = CountingLints(monkeypatch)
    assert findings(run(cache_dir)) == expected
    assert len(counter.paths) == len(list(project.rglob("*.py")))
    for entry in entries(cache_dir):
        assert json.loads(entry.read_bytes())["mark"] == "designlint-cache-entry"


def test_malformed_findings_in_a_well_formed_entry_are_not_trusted(project, tmp_path):
    cache_dir = tmp_path / "cache"
    expected = findings(run(cache_dir))
    for entry in entries(cache_dir):
        document = json.loads(entry.read_bytes())
        document["diagnostics"] = [["DL501", "raw-string-error-code", "forged", "1", 1, 1, 1, "error", 1, None]]
        entry.write_text(json.dumps(document))
    assert findings(run(cache_dir)) == expected


def test_a_foreign_entry_is_not_trusted(project, tmp_path):
    """An entry copied under another entry's name (another file, config or version) is a miss."""
    cache_dir = tmp_path / "cache"
    expected = findings(run(cache_dir))
    stored = entries(cache_dir)
    contents = [entry.read_bytes() for entry in stored]
    for entry, content in zip(stored, contents[1:] + contents[:1]):
        entry.write_bytes(content)
    assert findings(run(cache_dir)) == expected


def test_a_cache_dir_full_of_garbage(project, tmp_path):
    cache_dir = tmp_path / "cache"
    (cache_dir / "ab" / "nested").mkdir(parents=True)
    (cache_dir / "ab" / "x.json").write_bytes(os.urandom(64))
    (cache_dir / ".gitignore").mkdir()  # even the marker files' names are taken
    for index in range(20):
        (cache_dir / f"junk{index}").write_bytes(os.urandom(100))
    result = run(cache_dir)
    assert findings(result) == findings(run(None))
    assert findings(run(cache_dir)) == findings(run(None))


def test_a_cache_dir_that_is_a_file(project, tmp_path):
    cache_file = tmp_path / "cache"
    cache_file.write_text("not a directory")
    result = run(cache_file)
    assert findings(result) == findings(run(None))
    assert len(result.warnings) == 1 and (
        "not a directory" in result.warnings[0] or "cannot create" in result.warnings[0]
    )
    assert cache_file.read_text() == "not a directory"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that file modes apply to")
def test_a_read_only_cache_dir(project, tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    cache_dir.chmod(0o555)
    try:
        result = run(cache_dir)
        assert findings(result) == findings(run(None))
        assert not entries(cache_dir)
    finally:
        cache_dir.chmod(0o755)


def test_a_cache_dir_that_refuses_writes(project, tmp_path, monkeypatch):
    """Read-only, whoever runs the tests (root ignores file modes): every write fails."""
    cache_dir = tmp_path / "cache"
    expected = findings(run(cache_dir))
    shutil.rmtree(cache_dir)
    cache_dir.mkdir()

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("designlint.cache.tempfile.mkstemp", refuse)
    result = run(cache_dir)
    assert findings(result) == expected
    assert not entries(cache_dir)
    assert any("cannot write" in warning for warning in result.warnings)


def test_two_processes_sharing_one_cache_at_once(project, tmp_path):
    cache_dir = tmp_path / "cache"
    # Enough files that both processes write entries while the other reads them.
    for index in range(30):
        shutil.copy(project / "src" / "toolhub" / "dispatcher.py", project / "src" / "toolhub" / f"copy{index}.py")
    command = [sys.executable, "-m", "designlint", "check", "--output-format", "json", "--jobs", "2", "."]
    expected = subprocess.run([*command, "--no-cache"], capture_output=True, text=True, check=False).stdout
    assert json.loads(expected), "no findings: the comparison could not fail"
    for _ in range(2):
        processes = [
            subprocess.Popen(
                [*command, "--cache-dir", str(cache_dir)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
        for out, err in outputs:
            assert out == expected, err
        # A modified file on the second round: both write its new entry at once.
        target = project / "src" / "toolhub" / "copy0.py"
        target.write_text(target.read_text() + "\n")
        expected = subprocess.run([*command, "--no-cache"], capture_output=True, text=True, check=False).stdout
    for entry in entries(cache_dir):
        assert json.loads(entry.read_bytes())["mark"] == "designlint-cache-entry"
    assert not list(cache_dir.glob("*/.tmp-*")), "temporary files left behind"


def test_a_process_pool_run_gives_the_same_findings_in_order(project, tmp_path, monkeypatch):
    for index in range(12):
        shutil.copy(project / "src" / "toolhub" / "dispatcher.py", project / "src" / "toolhub" / f"copy{index}.py")
    monkeypatch.setattr(runner, "SMALL_RUN_BYTES", 0)
    single = lint_paths(["."], Options(jobs=1))
    pooled = lint_paths(["."], Options(jobs=2, use_cache=True, cache_dir=tmp_path / "cache"))
    assert [o.path for o in pooled.outcomes] == [o.path for o in single.outcomes]
    assert findings(pooled) == findings(single)
    assert len(_findings_entries(tmp_path / "cache")) == len(single.outcomes)  # and perhaps facts (the error enum)
    warm = lint_paths(["."], Options(jobs=2, use_cache=True, cache_dir=tmp_path / "cache"))
    assert findings(warm) == findings(single)


def test_fix_mode_applies_fixes_even_when_findings_are_cached(project, tmp_path):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    dispatcher = project / "src" / "toolhub" / "dispatcher.py"
    before = dispatcher.read_text()
    result = CliRunner().invoke(main, ["check", "--fix", "--cache-dir", str(cache_dir), "."])
    assert "fixed" in result.output, result.output
    assert dispatcher.read_text() != before
    after_fix = findings(run(cache_dir))
    assert after_fix == findings(run(None))


def test_fact_entries_are_keyed_by_the_module_content(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put_fact("enum", "app.errors.ErrorCode", "digest-1", {"members": [["A", "A"]], "str_valued": True})
    assert cache.get_fact("enum", "app.errors.ErrorCode", "digest-1") == {"members": [["A", "A"]], "str_valued": True}
    assert cache.get_fact("enum", "app.errors.ErrorCode", "digest-2") is None


# -- designlint clean ------------------------------------------------------------------------


def test_the_cache_dir_can_come_from_the_environment(project, tmp_path, monkeypatch):
    monkeypatch.setenv("DESIGNLINT_CACHE_DIR", str(tmp_path / "from-env"))
    CliRunner().invoke(main, ["check", "."])
    assert entries(tmp_path / "from-env")
    assert not (project / ".designlint_cache").exists()


def test_clean_removes_the_cache(project, monkeypatch):
    monkeypatch.delenv("DESIGNLINT_CACHE_DIR")
    CliRunner().invoke(main, ["check", "."])
    assert (project / ".designlint_cache").is_dir()
    result = CliRunner().invoke(main, ["clean"])
    assert result.exit_code == 0, result.output
    assert not (project / ".designlint_cache").exists()
    assert CliRunner().invoke(main, ["clean"]).exit_code == 0  # nothing to clean is fine


def test_clean_refuses_a_directory_that_is_not_a_cache(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["clean", "--cache-dir", str(precious)])
    assert result.exit_code == 2
    assert "not a designlint cache directory" in result.output
    assert (precious / "data.txt").read_text() == "keep me"


def _age(path: Path, days: float) -> None:
    then = time.time() - days * 24 * 3600
    os.utime(path, (then, then))


def _findings_entries(cache_dir: Path) -> list[Path]:
    """The entries holding a file's findings (not cross-module facts)."""
    return [entry for entry in entries(cache_dir) if "diagnostics" in json.loads(entry.read_text())]


def test_entries_unused_for_a_month_are_swept(project, tmp_path):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    kept = entries(cache_dir)
    assert kept
    stale = cache_dir / "ab" / ("ab" + "0" * 62 + ".json")  # an edited file's old entry
    stale.parent.mkdir(exist_ok=True)
    stale.write_text("{}")
    _age(stale, 31)
    leftover = cache_dir / "ab" / ".tmp-killed"
    leftover.write_text("half an entry")
    _age(leftover, 2)
    _age(cache_dir / ".swept", 2)
    run(cache_dir)
    assert not stale.exists() and not leftover.exists()
    assert entries(cache_dir) == kept


def test_an_entry_in_use_is_kept_however_old(project, tmp_path):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    in_use = _findings_entries(cache_dir)
    assert in_use
    for entry in entries(cache_dir):
        _age(entry, 40)  # written long ago, read by every run since
    _age(cache_dir / ".swept", 2)
    run(cache_dir)  # all hits: each entry read is marked as used, then the sweep
    assert all(entry.exists() and time.time() - entry.stat().st_mtime < 3600 for entry in in_use)


def test_the_sweep_runs_at_most_once_a_day(project, tmp_path):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    assert (cache_dir / ".swept").exists()
    stale = cache_dir / "cd" / ("cd" + "0" * 62 + ".json")
    stale.parent.mkdir(exist_ok=True)
    stale.write_text("{}")
    _age(stale, 31)
    run(cache_dir)
    assert stale.exists()  # swept an instant ago: not again today
    _age(cache_dir / ".swept", 1.5)
    run(cache_dir)
    assert not stale.exists()


def test_the_sweep_deletes_only_its_own_files(project, tmp_path):
    """--cache-dir may point at a directory that holds other things."""
    cache_dir = tmp_path / "shared"
    others = [
        cache_dir / "en" / "messages.json",
        cache_dir / "ab" / "notes.json",
        cache_dir / "ab" / ("cd" + "0" * 62 + ".json"),
        cache_dir / "old.json",
    ]
    for other in others:
        other.parent.mkdir(parents=True, exist_ok=True)
        other.write_text("{}")
        _age(other, 60)
    run(cache_dir)
    assert all(other.exists() for other in others)
