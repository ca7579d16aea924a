"""Which files a run lints: the Python files under the given paths, in a stable order, less the
excluded ones (the configured globs, tool and virtualenv directories, symlinks)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from designlint.config import Config, ConfigError
from designlint.globs import path_excluded
from designlint.resolution import ConfigResolver

# Directories never descended into (ruff's list, plus designlint's cache).
DEFAULT_EXCLUDES = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "venv",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "__pycache__",
    ".pytest_cache",
    ".designlint_cache",
)
PYTHON_SUFFIXES = (".py", ".pyi")


def discover(
    paths: Iterable[Path], resolver: ConfigResolver, force_exclude: bool = False
) -> Iterator[tuple[Path, Config]]:
    """Python files under ``paths``, in a stable order, honouring excludes, each with its
    config (looked up once per directory). A path given explicitly is excluded only with
    ``force_exclude``."""
    seen: set[Path] = set()
    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise ConfigError(f"no such file or directory: {given}")
        if given.is_file() or not given.is_dir():
            config = resolver.for_path(given)
            if force_exclude and excluded(given, config):
                continue
            if given not in seen:
                seen.add(given)
                yield given, config
            continue
        unlistable: list[OSError] = []
        for directory, dirnames, filenames in os.walk(given, onerror=unlistable.append):
            base = Path(directory)
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in DEFAULT_EXCLUDES
                and not (base / d).is_symlink()
                and not (base / d / "pyvenv.cfg").exists()
                and not excluded(base / d, resolver.for_path(base / d))
            )
            config = resolver.for_directory(base)
            for name in sorted(filenames):
                if not name.endswith(PYTHON_SUFFIXES):
                    continue
                candidate = base / name
                if not candidate.is_symlink() and not excluded(candidate, config) and candidate not in seen:
                    seen.add(candidate)
                    yield candidate, config
        # A directory that cannot be listed is not skipped in silence: linting it says why.
        yield from ((Path(e.filename), resolver.for_path(Path(e.filename))) for e in unlistable if e.filename)


def excluded(path: Path, config: Config) -> bool:
    if not config.all_excludes:
        return False
    try:
        relative = path.absolute().relative_to(config.root)
    except ValueError:
        relative = Path(os.path.relpath(path.absolute(), config.root))
    return path_excluded(config.all_excludes, relative.as_posix())
