"""``respect-gitignore``: discovery skips what git's ignore files ignore (nested ones, negations,
directory patterns, ``.git/info/exclude``), files named explicitly are linted anyway, and an
ignore file from a hostile repository costs a warning, never a crash, a stall or a huge read."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest
from projects import check, write_tree

from designlint.gitignore import GitIgnored

CODE = "x = 1\n"
PYPROJECT = '[project]\nname = "app"\n\n[tool.designlint]\nselect = ["DL"]\n'


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A git work tree (a ``.git`` directory is all discovery looks for)."""
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def listed(*args: str) -> list[str]:
    result = check("--show-files", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def test_ignored_files_and_directories_are_not_linted(repo):
    write_tree(
        repo,
        {
            ".gitignore": "# generated code\ngenerated/\n*_pb2.py\n/scratch.py\n",
            "generated/client.py": CODE,
            "app/api_pb2.py": CODE,
            "app/tools.py": CODE,
            "scratch.py": CODE,
            "app/scratch.py": CODE,  # `/scratch.py` is anchored to the directory of the .gitignore
        },
    )
    assert listed() == ["app/scratch.py", "app/tools.py"]


def test_a_negation_brings_a_file_back(repo):
    write_tree(repo, {".gitignore": "*.gen.py\n!kept.gen.py\n", "a.gen.py": CODE, "kept.gen.py": CODE})
    assert listed() == ["kept.gen.py"]


def test_a_directory_pattern_matches_directories_only_at_any_depth(repo):
    write_tree(
        repo,
        {".gitignore": "out/\n", "out/a.py": CODE, "src/out/b.py": CODE, "src/out.py": CODE, "src/outer/c.py": CODE},
    )
    assert listed() == ["src/out.py", "src/outer/c.py"]


def test_nested_ignore_files_are_relative_to_their_directory_and_the_nearest_wins(repo):
    write_tree(
        repo,
        {
            ".gitignore": "*.local.py\n",
            "pkg/.gitignore": "/cache/\n!*.local.py\n",
            "pkg/cache/a.py": CODE,
            "cache/b.py": CODE,  # pkg's `/cache/` is pkg/cache only
            "pkg/settings.local.py": CODE,  # re-included by the nearer file
            "other/settings.local.py": CODE,
        },
    )
    assert listed() == ["cache/b.py", "pkg/settings.local.py"]


def test_a_file_under_an_ignored_directory_cannot_be_brought_back(repo):
    # git does not look inside an excluded directory, so its negations below are never read.
    write_tree(repo, {".gitignore": "vendor/\n!vendor/keep.py\n", "vendor/keep.py": CODE, "vendor/x.py": CODE})
    assert listed() == []


def test_git_info_exclude_applies_below_the_nearer_ignore_files(repo):
    write_tree(
        repo,
        {
            ".git/info/exclude": "local/\n*.tmp.py\n",
            ".gitignore": "!keep.tmp.py\n",
            "local/a.py": CODE,
            "x.tmp.py": CODE,
            "keep.tmp.py": CODE,
        },
    )
    assert listed() == ["keep.tmp.py"]


def test_ignore_files_apply_when_linting_a_subdirectory(repo):
    write_tree(repo, {".gitignore": "src/gen/\n", "src/gen/a.py": CODE, "src/b.py": CODE})
    assert listed("src") == ["src/b.py"]
    os.chdir(repo / "src")
    assert listed() == ["b.py"]


def test_explicit_files_and_directories_are_linted_anyway(repo):
    write_tree(repo, {".gitignore": "generated/\n*_pb2.py\n", "generated/client.py": CODE, "api_pb2.py": CODE})
    assert listed("generated/client.py", "api_pb2.py") == ["generated/client.py", "api_pb2.py"]
    write_tree(repo, {"generated/sub/more_pb2.py": CODE})
    assert listed("generated") == ["generated/client.py", "generated/sub/more_pb2.py"]  # ignored: linted whole
    assert listed("generated/client.py", "--force-exclude") == ["generated/client.py"]  # it applies `exclude` only


def test_outside_a_git_repository_ignore_files_are_not_read(tmp_path, monkeypatch):
    write_tree(tmp_path, {".gitignore": "generated/\n", "generated/a.py": CODE})
    monkeypatch.chdir(tmp_path)
    assert listed() == ["generated/a.py"]


def test_a_nested_repository_does_not_inherit_the_outer_ignore_files(repo):
    write_tree(repo, {".gitignore": "*.gen.py\n", "sub/.git/HEAD": "", "sub/a.gen.py": CODE, "b.gen.py": CODE})
    assert listed() == ["sub/a.gen.py"]


def test_respect_gitignore_can_be_turned_off_in_config_or_by_flag(repo):
    write_tree(repo, {".gitignore": "generated/\n", "generated/a.py": CODE, "b.py": CODE})
    assert listed("--no-respect-gitignore") == ["b.py", "generated/a.py"]
    (repo / "pyproject.toml").write_text(
        PYPROJECT.replace("[tool.designlint]\n", "[tool.designlint]\nrespect-gitignore = false\n")
    )
    assert listed() == ["b.py", "generated/a.py"]
    assert listed("--respect-gitignore") == ["b.py"]


def test_ignored_files_are_not_linted_by_check(repo):
    write_tree(repo, {".gitignore": "legacy.py\n", "legacy.py": 'raise ValueError("RATE_LIMITED")\n'})
    result = check()
    assert (result.exit_code, result.stdout) == (0, "")
    assert "no Python files found" in result.stderr


def test_respect_gitignore_must_be_a_boolean(repo):
    (repo / "designlint.toml").write_text('select = ["DL"]\nrespect-gitignore = "yes"\n')
    result = check()
    assert result.exit_code == 2
    assert result.stderr == (
        f"designlint: error: {repo / 'designlint.toml'}:2: `respect-gitignore`: expected true or false, got a string 'yes'\n"
    )


# --- hostile ignore files ------------------------------------------------------------------


def warnings_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("designlint: warning:")]


def test_a_huge_ignore_file_is_not_read_and_warned_about_once(repo):
    with open(repo / ".gitignore", "wb") as handle:
        handle.truncate(2**40)  # sparse: a terabyte that reading would never finish
    write_tree(repo, {"a.py": CODE, "sub/b.py": CODE})
    result = check("--show-files")
    assert result.stdout.splitlines() == ["a.py", "sub/b.py"]
    assert warnings_of(result) == [
        f"designlint: warning: {repo / '.gitignore'} is too large (1048576.0 MB; the limit is 256.0 kB):"
        " its patterns are not applied"
    ]


def test_a_binary_ignore_file_keeps_its_valid_patterns_and_warns_once(repo):
    noise = bytes(range(256)) * 4 + b"\n!\n\\\n[z-a]\n\xff\xfe\x00junk\n"
    (repo / ".gitignore").write_bytes(noise + b"\nignored.py\n" + noise)
    write_tree(repo, {"a.py": CODE, "ignored.py": CODE})
    result = check("--show-files")
    assert result.stdout.splitlines() == ["a.py"]
    [warning] = warnings_of(result)
    assert warning.startswith(f"designlint: warning: {repo / '.gitignore'}: ") and "not a valid pattern" in warning


def test_too_many_patterns_for_the_matcher_is_one_warning(repo):
    (repo / ".gitignore").write_text("".join(f"*{i}a*b{i}\n" for i in range(10_000)))
    write_tree(repo, {"a.py": CODE, "sub/b.py": CODE})
    result = check("--show-files")
    assert result.stdout.splitlines() == ["a.py", "sub/b.py"]
    assert warnings_of(result) == [
        f"designlint: warning: {repo / '.gitignore'}: too many patterns to match (10000): none of them are applied"
    ]


def test_a_symlinked_or_unreadable_ignore_file_is_not_read(repo):
    (repo / "elsewhere").write_text("*.py\n")
    (repo / ".gitignore").symlink_to(repo / "elsewhere")
    (repo / "sub").mkdir()
    os.mkfifo(repo / "sub" / ".gitignore")  # reading it would block forever
    write_tree(repo, {"a.py": CODE, "sub/b.py": CODE})
    result = check("--show-files")
    assert result.stdout.splitlines() == ["a.py", "sub/b.py"]
    assert warnings_of(result) == [
        f"designlint: warning: {repo / '.gitignore'} is a symlink: not read (git does not follow it either)",
        f"designlint: warning: cannot read {repo / 'sub' / '.gitignore'}: not a regular file:"
        " its patterns are not applied",
    ]


@pytest.mark.slow  # a process of its own, so that a stall is a timeout
def test_a_pattern_that_backtracks_in_re_is_matched_at_once(repo):
    # Python's re takes hours on this name; re2 matches in time linear in the path.
    name = "a" * 240 + ".py"
    write_tree(repo, {".gitignore": "a" + "*a" * 12 + "b\n", name: CODE})
    program = "from designlint.gitignore import GitIgnored\nprint(GitIgnored(print).ignored(" + repr(name) + ", False))"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout == "False\n"


def test_ignore_files_up_a_deep_tree_are_read_without_recursion(repo):
    deep = repo / Path(*["d"] * 300)
    deep.mkdir(parents=True)
    (deep / ".gitignore").write_text("*.gen.py\n")
    ignored = GitIgnored(print)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 100)  # far fewer frames than levels
    try:
        answers = ignored.ignored(deep / "x.gen.py", is_dir=False), ignored.ignored(deep / "x.py", is_dir=False)
    finally:
        sys.setrecursionlimit(limit)
    assert answers == (True, False)
