"""The pre-commit hooks, run by the real ``pre-commit``.

``pre-commit try-repo`` builds a fresh virtualenv and pip-installs designlint into it from
a git repository, once per run (5-15 s, with PyPI as the only source), hence the ``slow``
mark on the one test that does it. The repository it installs from is a commit of this
working tree's sources, so the hooks tested are the code under test, uncommitted edits
included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from projects import ROOT, write_tree

# What building and installing designlint needs (pyproject.toml's wheel target and readme).
PROJECT_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "rules", "src/designlint")
GIT = (
    "git",
    "-c",
    "user.name=designlint tests",
    "-c",
    "user.email=tests@designlint.invalid",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
)

BAD_TOOLS = textwrap.dedent(
    """\
    from app.errors import ErrorCode, ToolError


    def charge(principal, tool):
        if principal.calls_this_minute > tool.limit:
            raise ToolError("RATE_LIMITED")
        return ErrorCode
    """
)
FIXED_TOOLS = BAD_TOOLS.replace('ToolError("RATE_LIMITED")', "ToolError(ErrorCode.RATE_LIMITED)")
EXCLUDED = 'raise RuntimeError("UPSTREAM_TIMEOUT")\n'
FILES = ("app/tools.py", "app/handlers.py", "app/errors.py", "generated/client.py")


def git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def pre_commit(cwd: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    # PIP_NO_COMPILE: the hook's virtualenv need not byte-compile libcst and astroid.
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "PIP_NO_COMPILE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_hooks_manifest_is_valid(tmp_path):
    result = pre_commit(ROOT, "validate-manifest", ".pre-commit-hooks.yaml", home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_validate_manifest_would_catch_a_broken_manifest(tmp_path):
    broken = tmp_path / ".pre-commit-hooks.yaml"
    broken.write_text(
        (ROOT / ".pre-commit-hooks.yaml").read_text().replace("language: python", "language: no-such-language", 1)
    )
    assert pre_commit(tmp_path, "validate-manifest", str(broken), home=tmp_path).returncode != 0


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A throwaway project with its designlint configuration, under git as pre-commit wants."""
    work = write_tree(
        tmp_path / "work",
        {
            "pyproject.toml": '[tool.designlint]\nextend-exclude = ["generated"]\n\n[tool.designlint.errors]\ncodes = "app.errors.ErrorCode"\n',
            "app/__init__.py": "",
            "app/errors.py": 'from enum import Enum\n\n\nclass ErrorCode(str, Enum):\n    RATE_LIMITED = "RATE_LIMITED"\n\n\nclass ToolError(Exception):\n    pass\n',
            "app/tools.py": BAD_TOOLS,
            "app/handlers.py": "def handle(request):\n    return {'ok': True}\n",
            # Excluded by configuration: passed by name, it must still be skipped (--force-exclude).
            "generated/client.py": EXCLUDED,
        },
    )
    git(work, "init", "-q")
    git(work, "add", "-A")
    return work


def test_the_fix_hooks_entry_writes_the_fixed_file(workspace):
    entry = ["designlint", "check", "--force-exclude", "--fix"]
    assert "entry: " + " ".join(entry) in (ROOT / ".pre-commit-hooks.yaml").read_text()
    result = subprocess.run(
        [sys.executable, "-m", *entry, *FILES], cwd=workspace, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert (workspace / "app" / "tools.py").read_text() == FIXED_TOOLS
    assert (workspace / "generated" / "client.py").read_text() == EXCLUDED


@pytest.fixture
def hooks_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "designlint"
    for name in PROJECT_FILES:
        source, target = ROOT / name, repo / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "designlint under test")
    return repo


@pytest.mark.slow
def test_hooks_fail_on_a_finding_fix_it_then_pass(hooks_repo, workspace, tmp_path):
    home = tmp_path / "pre-commit-home"
    # No hook id: both hooks run, sharing one environment (one virtualenv build per run).
    result = pre_commit(workspace, "try-repo", str(hooks_repo), "--files", *FILES, home=home)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    report, fix_report = output.split("designlint (apply safe fixes)")
    assert "Failed" in report
    assert 'app/tools.py:6:25: DL501 [*] raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED' in report
    assert "Found 1 problem in 1 file." in report
    assert "generated/client.py" not in output  # excluded by configuration, though passed by name
    assert "files were modified by this hook" in fix_report
    assert (workspace / "app" / "tools.py").read_text() == FIXED_TOOLS
    assert (workspace / "generated" / "client.py").read_text() == EXCLUDED

    result = pre_commit(workspace, "try-repo", str(hooks_repo), "designlint", "--files", *FILES, home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def readme_block(fence: str, after: str) -> str:
    """The first block fenced ```fence that follows the line ``after`` in README."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index(f"```{fence}\n", readme.index(after)) + len(fence) + 4
    return readme[start : readme.index("\n```", start) + 1]


@pytest.mark.slow
def test_the_readme_autoupdate_pins_the_head_commit_of_a_local_clone(hooks_repo, tmp_path):
    """README's pin-a-commit command, run as written, offline: git's ``insteadOf`` sends the
    repository's URL to a local clone (pre-commit passes GIT_CONFIG_* on to git)."""
    url = "https://github.com/designlint/designlint"
    project = tmp_path / "project"
    write_tree(project, {".pre-commit-config.yaml": readme_block("yaml", "### pre-commit")})
    git(project, "init", "-q")
    command = readme_block("sh", "<!-- not run: tests/test_pre_commit.py runs it")
    assert url in command
    env = {
        **os.environ,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{hooks_repo.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": url,
    }
    result = subprocess.run(["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hooks_repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    config = (project / ".pre-commit-config.yaml").read_text()
    # No tags yet: the hash alone (pre-commit adds `# frozen: TAG` only where a tag names it).
    assert f"    rev: {head}\n" in config
    assert "v0.1.0" not in config
