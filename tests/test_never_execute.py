"""designlint never imports, executes or evaluates the code it lints, nor the modules its
configuration names. ``tests/data/booby_trapped`` writes an ``IMPORTED-*`` file beside any of
its modules that is ever executed; it is linted with every registered rule and every
cross-module option pointed at it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from designlint.runner import Options, lint_paths

TRAP = Path(__file__).resolve().parent / "data" / "booby_trapped"


@pytest.fixture
def trap(tmp_path: Path, monkeypatch) -> Path:
    root = tmp_path / "booby_trapped"
    shutil.copytree(TRAP, root)
    monkeypatch.chdir(root)
    return root


def sentinels(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("IMPORTED-*"))


def test_the_trap_works(trap: Path):
    """Control: executing one of its modules does leave a sentinel."""
    subprocess.run([sys.executable, str(trap / "src" / "trap" / "errors.py")], check=True)
    assert sentinels(trap) == ["src/trap/IMPORTED-__main__"]


@pytest.mark.parametrize(
    "flags", [[], ["--isolated", "--select", "ALL"], ["--fix", "--unsafe-fixes"], ["--diff", "--unsafe-fixes"]]
)
def test_cli_never_executes_the_linted_project(trap: Path, flags):
    # The console script (not `python -m`, which puts the current directory on sys.path).
    script = Path(sys.executable).with_name("designlint")
    completed = subprocess.run([str(script), "check", "-j", "2", *flags, "."], capture_output=True, text=True)
    assert completed.returncode in (0, 1), completed.stderr
    assert "DL002" not in completed.stdout
    assert sentinels(trap) == []


def test_api_never_executes_the_linted_project(trap: Path):
    result = lint_paths(["."], Options(jobs=1))
    linted = {Path(d.path).name for d in result.diagnostics}
    assert "net.py" in linted  # the rules did run over the trap
    assert not any(d.code == "DL002" for d in result.diagnostics)
    assert sentinels(trap) == []
    assert not any(name == "trap" or name.startswith("trap.") for name in sys.modules)


@pytest.mark.slow  # a process of its own
def test_python_dash_m_does_not_import_the_linted_projects_modules(tmp_path: Path):
    """`python -m` puts the current directory first on sys.path: a checkout's `tomllib.py`
    or `click.py` would shadow the real ones and run."""
    for name in ("tomllib", "click", "libcst", "astroid"):
        (tmp_path / f"{name}.py").write_text(
            f"open('IMPORTED-{name}', 'w').close()\nraise SystemExit('shadowed {name}')\n"
        )
    completed = subprocess.run(
        [sys.executable, "-m", "designlint", "check", "--isolated", "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stderr
    assert sentinels(tmp_path) == []
