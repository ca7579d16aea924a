"""The results cache: hits are exact, misses are safe, and a broken cache changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import dispatcher_checkout

from designlint import cache, runner
from designlint.cache import MARKER, open_cache
from designlint.cli import main
from designlint.config import ConfigError
from designlint.runner import Options, lint_paths


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    return dispatcher_checkout(tmp_path, monkeypatch)


def findings(result) -> list[tuple]:
    return [(d.path, d.start, d.end, d.code, d.message, d.fix) for d in result.diagnostics]


def run(cache_dir: Path | None, **options) -> runner.RunResult:
    return lint_paths(["."], Options(use_cache=cache_dir is not None, cache_dir=cache_dir, jobs=1, **options))


def entries(cache_dir: Path) -> list[Path]:
    return sorted(p for p in cache_dir.glob("*/*.json"))


def body(entry: Path) -> dict:
    """What an entry holds, below the line of its signature."""
    return json.loads(entry.read_bytes().partition(b"\n")[2])


def sign(entry: Path, document: dict, key_file: Path) -> None:
    """Write ``document`` as the entry, signed with the secret in ``key_file``."""
    data = json.dumps(document).encode()
    secret = bytes.fromhex(key_file.read_text().strip())
    entry.write_bytes(
        hmac.new(secret, entry.stem.encode() + b"\n" + data, hashlib.sha256).hexdigest().encode() + b"\n" + data
    )


def trusted(entry: Path, cache_dir: Path) -> bool:
    """Whether this user's designlint accepts the entry (signed with their secret, for its name)."""
    return open_cache(cache_dir, explicit=True).load(entry.stem) is not None


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
    assert (cache_dir / MARKER).read_text() == cache.MARKER_TEXT


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


def test_a_module_edit_changes_the_code_fingerprint(tmp_path):
    package = tmp_path / "package"
    (package / "rules").mkdir(parents=True)
    rule = package / "rules" / "rule.py"
    rule.write_text("CODE = 'DL101'\n")
    (package / "engine.py").write_text("pass\n")
    before = cache.package_fingerprint(package)
    assert cache.package_fingerprint(package) == before
    status = rule.stat()
    rule.write_text("CODE = 'DL102'\n")  # the same size: only the modification time tells
    os.utime(rule, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000))
    edited = cache.package_fingerprint(package)
    assert edited != before
    (package / "rules" / "new.py").write_text("")
    assert cache.package_fingerprint(package) not in (before, edited)


def test_a_changed_designlint_module_invalidates_every_entry(project, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    counter = CountingLints(monkeypatch)
    cold = run(cache_dir)
    linted_cold = sorted(counter.paths)
    copy = tmp_path / "designlint"
    shutil.copytree(Path(cache.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    edited = copy / "engine.py"
    edited.write_text(edited.read_text() + "\n# a new rule's registration\n")
    monkeypatch.setattr(cache, "code_fingerprint", lambda: cache.package_fingerprint(copy))
    counter.paths.clear()
    warm = run(cache_dir)
    assert linted_cold
    assert sorted(counter.paths) == linted_cold
    assert findings(warm) == findings(cold)


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
    garbage = [b"", b"\x00\xff garbage", b"{", b"[]", b'{"mark": "designlint-cache-entry", "format": 1}', b"\n{}"]
    stored = entries(cache_dir)
    for index, entry in enumerate(stored):
        entry.write_bytes(garbage[index % len(garbage)])
    counter = CountingLints(monkeypatch)
    assert findings(run(cache_dir)) == expected
    assert len(counter.paths) == len(list(project.rglob("*.py")))
    assert all(trusted(entry, cache_dir) for entry in entries(cache_dir))


def test_malformed_findings_in_a_signed_entry_are_not_trusted(project, tmp_path, key_file):
    cache_dir = tmp_path / "cache"
    expected = findings(run(cache_dir))
    for entry in _findings_entries(cache_dir):
        document = body(entry)
        document["diagnostics"] = [["DL501", "raw-string-error-code", "forged", "1", 1, 1, 1, "error", 1, None]]
        sign(entry, document, key_file)
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
    """designlint's cache directory, into which other things were put since."""
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    (cache_dir / ".gitignore").unlink()
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

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    result = run(cache_dir)
    assert findings(result) == expected
    assert not entries(cache_dir)
    assert any("cannot write" in warning for warning in result.warnings)


@pytest.mark.slow  # a process of its own
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
    assert all(trusted(entry, cache_dir) for entry in entries(cache_dir))
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
    cache = open_cache(tmp_path / "cache", explicit=True)
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
    return [entry for entry in entries(cache_dir) if "diagnostics" in body(entry)]


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
    """Other things put in designlint's cache directory since it made it."""
    cache_dir = tmp_path / "shared"
    run(cache_dir)
    (cache_dir / ".swept").unlink()
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


# -- only a directory designlint made (or an empty one) is used, and clean deletes only its files


def tree(directory: Path) -> dict[str, bytes | str]:
    """Everything under ``directory``: each file's content, each symlink's target."""
    found: dict[str, bytes | str] = {}
    for path in sorted(directory.rglob("*")):
        name = path.relative_to(directory).as_posix()
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[name] = path.read_bytes()
        else:
            found[name] = "dir"
    return found


def test_check_refuses_the_project_root_as_cache_dir(project):
    before = tree(project)
    result = CliRunner().invoke(main, ["check", "--cache-dir", ".", "."])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("designlint: error: --cache-dir: . is not a designlint cache: it holds ")
    assert "which designlint did not write" in result.output and "Traceback" not in result.output
    assert tree(project) == before  # no CACHEDIR.TAG, no .gitignore hiding the project's new files


def test_clean_refuses_a_project_root_an_older_designlint_tagged(project):
    """`check --cache-dir .` used to tag the project root; `clean --cache-dir .` then deleted it all."""
    (project / ".git").mkdir()
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / "CACHEDIR.TAG").write_text(cache.CACHEDIR_TAG)
    (project / ".gitignore").write_text(cache.GITIGNORE)
    (project / "ab").mkdir()
    (project / "ab" / ("ab" + "0" * 62 + ".json")).write_text("{}")
    before = tree(project)
    result = CliRunner().invoke(main, ["clean", "--cache-dir", "."])
    assert result.exit_code == 2, result.output
    assert "not a designlint cache directory" in result.output and "not deleting anything" in result.output
    assert tree(project) == before


def another_tools_cache(tmp_path: Path) -> Path:
    """A ~/.cache: other tools' caches, one of them sharded like designlint's."""
    home_cache = tmp_path / "home" / ".cache"
    (home_cache / "pip" / "http").mkdir(parents=True)
    (home_cache / "pip" / "http" / "blob").write_bytes(b"wheel")
    (home_cache / "ab").mkdir()
    (home_cache / "ab" / ("ab" + "1" * 62 + ".json")).write_text("{}")
    (home_cache / "CACHEDIR.TAG").write_text("Signature: 8a477f597d28d172789f06886806bc55\n# created by pip\n")
    return home_cache


def test_the_environment_naming_another_tools_cache_is_refused(project, tmp_path, monkeypatch):
    home_cache = another_tools_cache(tmp_path)
    before = tree(home_cache)
    monkeypatch.setenv("DESIGNLINT_CACHE_DIR", str(home_cache))
    for command in (["check", "."], ["clean"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output
        assert result.output.startswith(f"designlint: error: DESIGNLINT_CACHE_DIR: {home_cache} is not a designlint")
        assert "it holds CACHEDIR.TAG, pip, which designlint did not write" in result.output
    assert tree(home_cache) == before


def test_the_api_refuses_a_foreign_directory_as_a_config_error(project, tmp_path):
    home_cache = another_tools_cache(tmp_path)
    with pytest.raises(ConfigError, match="is not a designlint cache"):
        run(home_cache)


def test_an_empty_directory_is_adopted(project, tmp_path):
    cache_dir = tmp_path / "empty"
    cache_dir.mkdir()
    run(cache_dir)
    assert (cache_dir / MARKER).read_text() == cache.MARKER_TEXT
    assert _findings_entries(cache_dir)
    result = CliRunner().invoke(main, ["clean", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert not cache_dir.exists()


def test_a_directory_holding_only_what_designlint_writes_is_adopted(project, tmp_path):
    """An older designlint's cache (no marker yet), or one another run is just making."""
    cache_dir = tmp_path / "old"
    (cache_dir / "ab").mkdir(parents=True)
    (cache_dir / "ab" / ("ab" + "2" * 62 + ".json")).write_text('{"mark": "designlint-cache-entry", "format": 1}')
    (cache_dir / "ab" / ".tmp-x1y2").write_text("")
    (cache_dir / "CACHEDIR.TAG").write_text(cache.CACHEDIR_TAG)
    (cache_dir / ".gitignore").write_text(cache.GITIGNORE)
    (cache_dir / ".swept").touch()
    run(cache_dir)
    assert (cache_dir / MARKER).is_file() and any(trusted(entry, cache_dir) for entry in entries(cache_dir))


def test_a_user_gitignore_makes_a_directory_foreign(project, tmp_path):
    cache_dir = tmp_path / "mine"
    cache_dir.mkdir()
    (cache_dir / ".gitignore").write_text("*.log\n")  # not designlint's
    with pytest.raises(ConfigError, match=r"it holds \.gitignore, which designlint did not write"):
        run(cache_dir)
    assert sorted(p.name for p in cache_dir.iterdir()) == [".gitignore"]


def test_clean_deletes_only_what_designlint_wrote(project, tmp_path):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    shard = entries(cache_dir)[0].parent
    (cache_dir / "notes.txt").write_text("mine")
    (shard / "notes.txt").write_text("mine too")
    (cache_dir / "ab").mkdir(exist_ok=True)
    (cache_dir / "ab" / ("cd" + "3" * 62 + ".json")).write_text("{}")  # an entry's name, in the wrong shard
    result = CliRunner().invoke(main, ["clean", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert "left what it did not write: " in result.output and "notes.txt" in result.output
    assert tree(cache_dir) == {
        "ab": "dir",
        f"ab/cd{'3' * 62}.json": b"{}",
        "notes.txt": b"mine",
        shard.name: "dir",
        f"{shard.name}/notes.txt": b"mine too",
    }


def test_clean_does_not_follow_a_symlink(project, tmp_path):
    real = tmp_path / "real-cache"
    run(real)
    before = tree(real)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    result = CliRunner().invoke(main, ["clean", "--cache-dir", str(link)])
    assert result.exit_code == 2, result.output
    assert f"{link} is or passes through a symlink" in result.output
    assert tree(real) == before


def test_clean_does_not_follow_symlinks_inside_the_cache(project, tmp_path):
    outside = tmp_path / "outside"
    (outside / "ab").mkdir(parents=True)
    victim = outside / "ab" / ("ab" + "4" * 62 + ".json")
    victim.write_text("{}")  # named like an entry
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    shutil.rmtree(cache_dir / "ab", ignore_errors=True)
    (cache_dir / "ab").symlink_to(outside / "ab", target_is_directory=True)
    (cache_dir / "cd").mkdir(exist_ok=True)
    (cache_dir / "cd" / ("cd" + "4" * 62 + ".json")).symlink_to(victim)
    result = CliRunner().invoke(main, ["clean", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "{}"
    assert sorted(tree(cache_dir)) == ["ab", "cd", f"cd/cd{'4' * 62}.json"]


def test_the_default_cache_is_not_used_through_a_symlinked_parent(tmp_path):
    """A project root reached through a symlink (a resolver given such a working directory)."""
    (tmp_path / "real" / "project").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    cache_dir = tmp_path / "link" / "project" / ".designlint_cache"
    unused = open_cache(cache_dir, explicit=False, linted=[cache_dir.parent])
    assert unused.warning == (
        f"cache disabled: {cache_dir} is or passes through a symlink ({tmp_path / 'link'});"
        " give --cache-dir to use it anyway"
    )
    unused.store("ab" + "0" * 62, {"diagnostics": []})
    assert list((tmp_path / "real" / "project").iterdir()) == []
    assert open_cache(cache_dir, explicit=True).warning is None  # asked for by name, it is used


def test_an_explicit_cache_dir_may_be_reached_through_a_symlink(project, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    run(tmp_path / "link" / "cache")
    assert _findings_entries(tmp_path / "real" / "cache")


# -- entries are signed with a per-user secret kept outside any project


TAMPERINGS = {
    "body changed under its signature": lambda signature, data: signature + b"\n" + data,
    "signature truncated": lambda signature, data: signature[:32] + b"\n" + data,
    "signature one digit off": lambda signature, data: (
        signature[:-1] + (b"0" if signature[-1:] != b"0" else b"1") + b"\n" + data
    ),
    "signature in capitals": lambda signature, data: signature.upper() + b"\n" + data,
    "no signature": lambda signature, data: data,
    "plain JSON, as entries were": lambda signature, data: data.replace(b"{", b'{"mark":"designlint-cache-entry",', 1),
}


@pytest.mark.parametrize("how", list(TAMPERINGS))
def test_a_tampered_entry_is_a_miss_and_rewritten(project, tmp_path, how):
    cache_dir = tmp_path / "cache"
    expected = findings(run(cache_dir))
    genuine = {entry: entry.read_bytes() for entry in _findings_entries(cache_dir) if body(entry)["diagnostics"]}
    assert genuine
    for entry, data in genuine.items():
        signature = data.partition(b"\n")[0]
        entry.write_bytes(TAMPERINGS[how](signature, json.dumps({**body(entry), "diagnostics": []}).encode()))
    assert findings(run(cache_dir)) == expected
    assert all(entry.read_bytes() == data for entry, data in genuine.items())  # rewritten as they were


def test_an_entry_signed_with_the_right_secret_is_trusted(project, tmp_path, key_file):
    """The control for the tamperings: re-signed, the emptied entries are believed."""
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    for entry in _findings_entries(cache_dir):
        sign(entry, {**body(entry), "diagnostics": []}, key_file)
    assert findings(run(cache_dir)) == []


def test_an_entry_signed_with_another_users_secret_is_a_miss(project, tmp_path, monkeypatch, key_file):
    cache_dir = tmp_path / "shared"
    expected = findings(run(cache_dir))
    theirs = tmp_path / "their-key"
    monkeypatch.setenv("DESIGNLINT_KEY_FILE", str(theirs))
    run(cache_dir)  # their run re-signs every entry with their secret
    for entry in _findings_entries(cache_dir):
        sign(entry, {**body(entry), "diagnostics": []}, theirs)
    assert findings(run(cache_dir)) == []  # they trust their entries
    monkeypatch.setenv("DESIGNLINT_KEY_FILE", str(key_file))
    assert findings(run(cache_dir)) == expected  # mine do not


def test_a_fact_signed_with_another_secret_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("DESIGNLINT_KEY_FILE", str(tmp_path / "their-key"))
    open_cache(tmp_path / "cache", explicit=True).put_fact("enum", "app.ErrorCode", "d1", {"members": []})
    assert open_cache(tmp_path / "cache", explicit=True).get_fact("enum", "app.ErrorCode", "d1") == {"members": []}
    monkeypatch.setenv("DESIGNLINT_KEY_FILE", str(tmp_path / "my-key"))
    assert open_cache(tmp_path / "cache", explicit=True).get_fact("enum", "app.ErrorCode", "d1") is None


def test_the_secret_is_made_once_private_in_the_users_cache_directory(project, tmp_path, monkeypatch):
    monkeypatch.delenv("DESIGNLINT_KEY_FILE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    run(tmp_path / "cache")
    key = tmp_path / "xdg" / "designlint" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    secret = key.read_bytes()
    assert len(bytes.fromhex(secret.decode())) == 32
    counter = CountingLints(monkeypatch)
    run(tmp_path / "cache")
    assert counter.paths == [] and key.read_bytes() == secret


def test_without_xdg_the_secret_is_under_home(project, tmp_path, monkeypatch):
    monkeypatch.delenv("DESIGNLINT_KEY_FILE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    run(tmp_path / "cache")
    assert (tmp_path / "home" / ".cache" / "designlint" / "key").is_file()


def assert_no_cache(result, cache_dir: Path, warning: str) -> None:
    assert findings(result) == findings(run(None))
    assert len(result.warnings) == 1 and warning in result.warnings[0], result.warnings
    assert not entries(cache_dir)


def test_a_secret_others_can_read_is_refused(project, tmp_path, key_file):
    run(tmp_path / "first")
    key_file.chmod(0o644)
    try:
        assert_no_cache(run(tmp_path / "cache"), tmp_path / "cache", f"designlint's key {key_file} is not private")
    finally:
        key_file.chmod(0o600)


@pytest.mark.parametrize("content", [b"", b"0" * 63, b"not hex " * 8, b"0" * 64 + b"\n\n"])
def test_a_key_file_that_is_not_a_key_is_refused(project, tmp_path, monkeypatch, content):
    key = tmp_path / "key"
    key.write_bytes(content)
    key.chmod(0o600)
    monkeypatch.setenv("DESIGNLINT_KEY_FILE", str(key))
    assert_no_cache(run(tmp_path / "cache"), tmp_path / "cache", "is not a designlint key")
    assert key.read_bytes() == content


def test_a_secret_that_cannot_be_made_turns_the_cache_off(project, tmp_path, monkeypatch):
    """An unwritable home, say (a file where its directory would be fails for root too)."""
    (tmp_path / "home").write_text("not a directory")
    monkeypatch.delenv("DESIGNLINT_KEY_FILE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    result = run(tmp_path / "cache")
    assert_no_cache(result, tmp_path / "cache", "cannot create designlint's key in")
    assert not (tmp_path / "cache").exists()


def test_the_cli_warns_and_lints_without_a_secret(project, tmp_path, monkeypatch):
    (tmp_path / "home").write_text("not a directory")
    monkeypatch.setenv("DESIGNLINT_KEY_FILE", str(tmp_path / "home" / "key"))
    result = CliRunner().invoke(main, ["check", "."])
    assert result.exit_code == 1
    assert "designlint: warning: cache disabled: cannot create designlint's key" in result.output


def test_a_secret_in_a_home_above_the_checkout_is_used(project, tmp_path, monkeypatch):
    """The usual layout: ~/.cache beside ~/project, not inside the linted checkout."""
    (project / ".git").mkdir()
    monkeypatch.delenv("DESIGNLINT_KEY_FILE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    result = lint_paths(["."], Options(use_cache=True, jobs=1))
    assert result.warnings == [] and _findings_entries(project / ".designlint_cache")
    assert (tmp_path / ".cache" / "designlint" / "key").is_file()


def test_the_sweep_does_not_follow_a_symlinked_shard(project, tmp_path):
    cache_dir = tmp_path / "cache"
    run(cache_dir)
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / ("ef" + "5" * 62 + ".json")  # named like a month-old entry of shard ef
    victim.write_text("{}")
    _age(victim, 60)
    shutil.rmtree(cache_dir / "ef", ignore_errors=True)
    (cache_dir / "ef").symlink_to(outside, target_is_directory=True)
    _age(cache_dir / ".swept", 2)
    run(cache_dir)
    assert victim.exists()


def test_an_added_init_that_renames_a_module_is_seen(tmp_path, monkeypatch):
    # No project root above: the __init__.py chain alone names the module. `adapters/chat.py` is
    # module `chat` (its framework import reported) until `adapters/__init__.py` makes it
    # `adapters.chat`, an adapter module (silent); removing it again restores the finding.
    project = tmp_path / "unpacked"
    (project / "adapters").mkdir(parents=True)
    (project / "adapters" / "chat.py").write_text("import openai\n")
    monkeypatch.chdir(project)
    cache_dir = tmp_path / "cache"

    def codes(cache: Path | None) -> list[str]:
        return [d.code for d in run(cache, isolated=True).diagnostics]

    assert codes(cache_dir) == codes(None) == ["DL301"]
    (project / "adapters" / "__init__.py").write_text("")
    assert codes(cache_dir) == codes(None) == []
    (project / "adapters" / "__init__.py").unlink()
    assert codes(cache_dir) == codes(None) == ["DL301"]


_FETCHING = "import requests\n\ndef fetch_page(url):\n    return requests.get(url, timeout=5).text\n"


def _agent_and_helper(tmp_path: Path, monkeypatch, helper: str):
    """A project whose app/agent.py puts app.web.fetch_page's result into a prompt, app/web.py
    being ``helper``; the helper module's path and a lint of DL401 (cached in ``cache``)."""
    project = tmp_path / "project"
    (project / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    (project / "app" / "__init__.py").write_text("")
    web = project / "app" / "web.py"
    web.write_text(helper)
    (project / "app" / "agent.py").write_text(
        "from app.web import fetch_page\n\ndef ask(llm, url):\n    return llm.invoke(f'Summarize: {fetch_page(url)}')\n"
    )
    monkeypatch.chdir(project)

    def dl401(cache: Path | None) -> list[tuple]:
        return [(d.path, d.start.row) for d in run(cache, isolated=True).diagnostics if d.code == "DL401"]

    return web, dl401


def test_a_changed_helper_module_relints_the_files_that_followed_it(tmp_path, monkeypatch):
    # DL401 follows app.web.fetch_page from app/agent.py: when the helper stops returning the
    # page, the cached finding of the unchanged agent.py goes with it.
    web, dl401 = _agent_and_helper(tmp_path, monkeypatch, _FETCHING)
    cache_dir = tmp_path / "cache"
    assert dl401(cache_dir) == dl401(cache_dir) == dl401(None) == [("app/agent.py", 4)]
    web.write_text("def fetch_page(url):\n    return 'a constant'\n")
    assert dl401(cache_dir) == dl401(None) == []


def test_a_helper_module_that_starts_fetching_relints_the_files_its_gate_ruled_out(tmp_path, monkeypatch):
    # DL401's gate rules app/agent.py out while app.web's helper returns no untrusted content
    # (the rule is not even run): that answer depends on app.web, and goes when it changes.
    web, dl401 = _agent_and_helper(
        tmp_path, monkeypatch, "import requests\n\ndef fetch_page(url):\n    return url.strip()\n"
    )
    cache_dir = tmp_path / "cache"
    assert dl401(cache_dir) == dl401(cache_dir) == dl401(None) == []
    web.write_text(_FETCHING)
    assert dl401(cache_dir) == dl401(None) == [("app/agent.py", 4)]


def test_a_changed_module_relints_only_the_files_that_drew_on_it(tmp_path, monkeypatch):
    """Each entry depends on the modules its own file's lint read, not on every module the run
    had read by then: editing one constants module re-lints its users, not the whole project."""
    from designlint.engine import Linter

    project = tmp_path / "project"
    files = {"pyproject.toml": "", "app/__init__.py": ""}
    for name in ("billing", "search"):
        files[f"app/{name}_names.py"] = f'METRIC = "app.{name}_total"\n'
        files[f"app/{name}.py"] = (
            f"from opentelemetry import metrics\nfrom app.{name}_names import METRIC\n\n"
            "counter = metrics.get_meter('x').create_counter(METRIC)\n"
        )
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    monkeypatch.chdir(project)
    cache_dir = tmp_path / "cache"
    assert len([d for d in run(cache_dir, isolated=True).diagnostics if d.code == "DL902"]) == 2
    linted: list[str] = []
    lint = Linter.lint

    def recording(self, source, path):
        linted.append(Path(path).name)
        return lint(self, source, path)

    monkeypatch.setattr(Linter, "lint", recording)
    # billing is linted first: before, search.py's entry (written later) depended on its module too
    (project / "app" / "billing_names.py").write_text('METRIC = "app.billing.charges"\n')
    found = run(cache_dir, isolated=True).diagnostics
    assert sorted(linted) == ["billing.py", "billing_names.py"]
    assert [Path(d.path).name for d in found if d.code == "DL902"] == ["search.py"]


def test_the_config_fingerprint_is_the_same_in_every_process(tmp_path):
    """Entries written by one run are found by the next: nothing in the fingerprint may depend
    on the interpreter's hash seed (a set of configured keys once did, so a warm run missed)."""
    import subprocess
    import sys

    (tmp_path / "pyproject.toml").write_text(
        '[tool.designlint]\nselect = ["DL"]\n\n[tool.designlint.egress]\nallow = ["a.example", "b.example"]\n'
        'guards = ["app.net.check"]\n\n[tool.designlint.authz]\ntenant-names = ["realm"]\nrole-names = ["grant"]\n'
    )
    script = (
        "import sys; from pathlib import Path; from designlint.cache import config_fingerprint; "
        "from designlint.config import load_config; from designlint.rules import SCHEMA; "
        "print(config_fingerprint(load_config(Path(sys.argv[1]), SCHEMA)))"
    )
    prints = {
        subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / "pyproject.toml")],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }
    assert len(prints) == 1, prints
