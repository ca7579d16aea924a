"""README's Neovim recipes in a real, headless Neovim (``integrations/neovim/check.py``): each
recipe meant for the version at hand starts ``designlint lsp`` and shows its findings. Runs the
``nvim`` on PATH (Debian's is 0.7.2) and any others named in ``DESIGNLINT_NVIM``
(``os.pathsep``-separated paths); skipped, saying so, where there is none."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import ROOT, write_tree

CHECK = ROOT / "integrations" / "neovim" / "check.py"
# The versions each recipe is for, from README's headings; the `vim.lsp.start` recipe also runs on
# every later version (0.11 kept it).
RECIPES = {"0.7": ((0, 7), (0, 8)), "0.8": ((0, 8), None), "0.11": ((0, 11), None)}
CONFIG = '[tool.designlint]\n\n[tool.designlint.errors]\ncodes = "app.errors.ErrorCode"\n'
ERRORS = """\
from enum import Enum


class ErrorCode(str, Enum):
    RATE_LIMITED = "RATE_LIMITED"


class ToolError(Exception):
    pass
"""
TOOLS = """\
from app.errors import ErrorCode, ToolError


def charge(principal):
    if principal.over_limit:
        raise ToolError("RATE_LIMITED")
    return ErrorCode
"""


def neovims() -> list[str]:
    named = [path for path in os.environ.get("DESIGNLINT_NVIM", "").split(os.pathsep) if path]
    on_path = shutil.which("nvim")
    return ([on_path] if on_path else []) + named


def version(nvim: str) -> tuple[int, int]:
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    match = re.match(r"NVIM v(\d+)\.(\d+)", first)
    assert match, first
    return int(match[1]), int(match[2])


def cases() -> list:
    found = neovims()
    if not found:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="no nvim on PATH nor in DESIGNLINT_NVIM"))]
    params = []
    for nvim in found:
        at = version(nvim)
        for recipe, (low, high) in RECIPES.items():
            if low <= at and (high is None or at < high):
                params.append(pytest.param(nvim, recipe, id=f"nvim-{at[0]}.{at[1]}-recipe-{recipe}"))
    return params


@pytest.mark.slow
@pytest.mark.parametrize(("nvim", "recipe"), cases())
def test_the_readme_recipe_shows_the_findings_in_neovim(tmp_path: Path, nvim: str, recipe: str):
    project = write_tree(
        tmp_path, {"pyproject.toml": CONFIG, "app/__init__.py": "", "app/errors.py": ERRORS, "app/tools.py": TOOLS}
    )
    # The recipes start `designlint` by name: this virtualenv's, first on PATH.
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    result = subprocess.run(
        [sys.executable, str(CHECK), recipe, str(project / "app" / "tools.py"), "--nvim", nvim, "--timeout", "40"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    header, *diagnostics = result.stdout.splitlines()
    assert header.endswith(f"recipe {recipe}, clients: designlint")
    assert diagnostics == [
        f'{project / "app" / "tools.py"}:6:25: DL501 raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED (designlint)'
    ]


def test_each_recipe_is_found_in_the_readme():
    sys.path.insert(0, str(CHECK.parent))
    try:
        import check
    finally:
        sys.path.remove(str(CHECK.parent))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert set(check.HEADINGS) == set(RECIPES)
    for name in RECIPES:
        assert "designlint" in check.recipe(name, readme)
