"""``respect-gitignore``: discovery skips what git's ignore files ignore (nested ones, negations,
directory patterns, ``.git/info/exclude``, ``core.excludesFile``), files named explicitly are linted anyway, and an
ignore file from a hostile repository costs a warning, never a crash, a stall or a huge read."""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import check, write_tree

from designlint.gitignore import GitIgnored, core_excludes_file

CODE = "x = 1\n"
PYPROJECT = '[project]\nname = "app"\n\n[tool.designlint]\nselect = ["DL"]\n'


@pytest.fixture(autouse=True)
def home(tmp_path_factory, monkeypatch) -> Path:
    """A user of our own, outside the repository: the tester's git config and global excludes
    file stay out, and tests write theirs here."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL"):
        monkeypatch.delenv(name, raising=False)
    return home


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


# --- core.excludesFile ----------------------------------------------------------------------


def test_the_default_global_excludes_file_applies(repo, home, monkeypatch):
    write_tree(home, {".config/git/ignore": "*_generated.py\n"})
    write_tree(repo, {"a.py": CODE, "api_generated.py": CODE, "sub/b_generated.py": CODE})
    assert listed() == ["a.py"]
    # $XDG_CONFIG_HOME moves it, as in git.
    write_tree(home, {"xdg/git/ignore": "a.py\n"})
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    assert listed() == ["api_generated.py", "sub/b_generated.py"]


def test_core_excludes_file_from_the_user_config_with_a_tilde(repo, home):
    write_tree(
        home,
        {
            ".gitconfig": '[user]\n\tname = A\n[Core]\n\tExcludesFile = "~/dotfiles/ignore" ; mine\n',
            "dotfiles/ignore": "scratch/\n",
            ".config/git/ignore": "a.py\n",  # the default, no longer read
        },
    )
    write_tree(repo, {"a.py": CODE, "scratch/s.py": CODE})
    assert listed() == ["a.py"]


def test_the_user_config_in_xdg_and_git_config_global_are_read(repo, home, monkeypatch):
    write_tree(home, {".config/git/config": "[core]\nexcludesfile = ~/one\n", "one": "a.py\n", "two": "b.py\n"})
    write_tree(repo, {"a.py": CODE, "b.py": CODE})
    assert listed() == ["b.py"]
    write_tree(home, {"global": "[core]\nexcludesfile = ~/two\n"})
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "global"))
    assert listed() == ["a.py"]


def test_the_repository_config_wins_and_a_relative_path_is_from_the_top(repo, home):
    write_tree(home, {".gitconfig": "[core]\nexcludesfile = ~/ignore\n", "ignore": "a.py\n"})
    write_tree(
        repo, {".git/config": "[core]\n\tbare = false\n\texcludesfile = tools/ignore\n", "tools/ignore": "b.py\n"}
    )
    write_tree(repo, {"a.py": CODE, "b.py": CODE, "sub/b.py": CODE})
    assert listed() == ["a.py"]
    assert listed("sub") == []  # linting a subdirectory: still relative to the top


def test_gitignore_and_info_exclude_win_over_the_global_excludes_file(repo, home):
    write_tree(home, {".config/git/ignore": "*.gen.py\nlocal.py\n"})
    write_tree(repo, {".gitignore": "!kept.gen.py\n", ".git/info/exclude": "!local.py\n"})
    write_tree(repo, {"a.gen.py": CODE, "kept.gen.py": CODE, "local.py": CODE})
    assert listed() == ["kept.gen.py", "local.py"]


def test_a_symlinked_global_excludes_file_is_read(repo, home):
    write_tree(home, {"dotfiles/gitignore": "a.py\n"})
    (home / ".config" / "git").mkdir(parents=True)
    (home / ".config" / "git" / "ignore").symlink_to(home / "dotfiles" / "gitignore")
    write_tree(repo, {"a.py": CODE, "b.py": CODE})
    assert listed() == ["b.py"]


def test_a_hostile_repository_config_costs_a_warning(repo, home):
    write_tree(repo, {".git/config": "[core]\nexcludesfile = /dev/zero\n", "a.py": CODE})
    result = check("--show-files")
    assert result.stdout.splitlines() == ["a.py"]
    assert warnings_of(result) == [
        "designlint: warning: cannot read /dev/zero: not a regular file: its patterns are not applied"
    ]
    with open(repo / ".git" / "config", "wb") as handle:
        handle.truncate(2**40)
    result = check("--show-files")
    assert result.stdout.splitlines() == ["a.py"]
    assert warnings_of(result) == [
        f"designlint: warning: {repo / '.git' / 'config'} is too large (1048576.0 MB; the limit is 256.0 kB):"
        " its core.excludesFile is not read"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[core]\n\texcludesFile = /a\n", "/a"),
        ("[core]\nexcludesfile = /a\n[core]\nexcludesfile = /b\n", "/b"),  # the last wins
        ('[core]\nexcludesfile = "/with space/x" # comment\n', "/with space/x"),
        ('[core]\nexcludesfile = "/a;b" ; comment\n', "/a;b"),
        ("[core]\nexcludesfile = C:\\\\ignore\n", "C:\\ignore"),
        ("[core] excludesfile = /same-line\n", "/same-line"),
        ('[core "sub"]\nexcludesfile = /no\n', None),  # a subsection is another section
        ("[user]\nexcludesfile = /no\n", None),
        ("[core]\n# excludesfile = /no\nexcludes = /no\n", None),
        ("\x00\xff[core\nexcludesfile\n", None),
    ],
)
def test_core_excludes_file_is_read_from_config_text(text, expected):
    assert core_excludes_file(text) == expected


@pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")
def test_the_same_files_as_git_with_a_global_excludes_file(repo, home):
    """git itself as the oracle (on a repository this test made): what it lists as untracked."""
    write_tree(home, {".gitconfig": "[core]\n\texcludesFile = ~/global-ignore\n", "global-ignore": "*.gen.py\nout/\n"})
    write_tree(
        repo,
        {
            ".gitignore": "!keep.gen.py\n",
            ".git/info/exclude": "",
            "a.py": CODE,
            "x.gen.py": CODE,
            "keep.gen.py": CODE,
            "out/o.py": CODE,
            "pkg/out/p.py": CODE,
            "pkg/y.gen.py": CODE,
            "pkg/z.py": CODE,
        },
    )
    subprocess.run(["git", "init", "-q", str(repo)], check=True, capture_output=True)
    git = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "--others", "--exclude-standard", "--", "*.py"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert listed() == sorted(git.stdout.splitlines()) == ["a.py", "keep.gen.py", "pkg/z.py"]


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
