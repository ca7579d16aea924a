"""Which files a run lints: the Python files under the given paths, in a stable order, less the
excluded ones (the configured globs, what git ignores, tool and virtualenv directories, symlinks)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from designlint.config import Config, ConfigError
from designlint.globs import path_excluded
from designlint.resolution import ConfigResolver

if TYPE_CHECKING:
    from designlint.gitignore import GitIgnored

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
    paths: Iterable[Path],
    resolver: ConfigResolver,
    force_exclude: bool = False,
    warn: Callable[[str], object] = lambda message: None,
) -> Iterator[tuple[Path, Config, OSError | None]]:
    """Python files under ``paths``, in a stable order, honouring excludes and (where the config
    says so) git's ignore files, each with its config (looked up once per directory); and the
    directories that could not be listed, with the reason. A path given explicitly is excluded
    only with ``force_exclude``, and never for being ignored by git (as in ruff). ``warn`` is told
    about ignore files that cannot be used."""
    seen: set[str] = set()  # absolute: `a.py` and `/abs/a.py` are linted (and reported) once
    gitignored: GitIgnored | None = None  # made for the first directory searched: files named are never ignored

    def git_ignores(path: Path, config: Config, is_dir: bool) -> bool:
        nonlocal gitignored
        if not config.respect_gitignore:
            return False
        if gitignored is None:
            from designlint.gitignore import GitIgnored

            gitignored = GitIgnored(warn)
        return gitignored.ignored(path, is_dir)

    def skipped(path: Path, config: Config, is_dir: bool, use_gitignore: bool) -> bool:
        return excluded(path, config) or (use_gitignore and git_ignores(path, config, is_dir))

    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise ConfigError(f"no such file or directory: {given}")
        if given.is_file() or not given.is_dir():
            config = resolver.for_path(given)
            if force_exclude and excluded(given, config):
                continue
            if _first_time(given, seen):
                yield given, config, None
            continue
        # A directory named explicitly that git ignores is linted whole, as a file named explicitly is.
        use_gitignore = not git_ignores(given, resolver.for_directory(given), is_dir=True)

        unlistable: list[OSError] = []
        for directory, dirnames, filenames in walk(given, unlistable.append):
            base = Path(directory)
            # os.path's checks, which never raise: a path the system refuses (longer than
            # PATH_MAX, deep down a tree) is reported when it is listed or read.
            dirnames[:] = sorted(
                d
                for d in dirnames
                if d not in DEFAULT_EXCLUDES
                and not os.path.islink(base / d)
                and not os.path.exists(base / d / "pyvenv.cfg")
                and not skipped(base / d, resolver.for_directory(base / d), is_dir=True, use_gitignore=use_gitignore)
            )
            config = resolver.for_directory(base)
            for name in sorted(filenames):
                if not name.endswith(PYTHON_SUFFIXES):
                    continue
                candidate = base / name
                if (
                    not os.path.islink(candidate)
                    and not skipped(candidate, config, is_dir=False, use_gitignore=use_gitignore)
                    and _first_time(candidate, seen)
                ):
                    yield candidate, config, None
        # A directory that cannot be listed is not skipped in silence: linting it says why.
        yield from ((Path(e.filename), resolver.for_path(Path(e.filename)), e) for e in unlistable if e.filename)


def _first_time(path: Path, seen: set[str]) -> bool:
    key = os.path.abspath(path)
    if key in seen:
        return False
    seen.add(key)
    return True


def walk(top: Path, onerror: Callable[[OSError], object]) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top, onerror=onerror)``, top-down (the caller prunes ``dirnames`` in place), not
    following symlinks, and without recursion: before 3.12 ``os.walk`` recurses once per level,
    and a tree a thousand directories deep raised RecursionError."""
    stack = [os.fspath(top)]
    while stack:
        directory = stack.pop()
        dirnames: list[str] = []
        filenames: list[str] = []
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    (dirnames if is_dir else filenames).append(entry.name)
        except OSError as exc:
            onerror(exc)
            continue
        yield directory, dirnames, filenames
        for name in reversed(dirnames):
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                stack.append(path)


def excluded(path: Path, config: Config) -> bool:
    if not config.all_excludes:
        return False
    try:
        relative = path.absolute().relative_to(config.root)
    except ValueError:
        relative = Path(os.path.relpath(path.absolute(), config.root))
    return path_excluded(config.all_excludes, relative.as_posix())


def python_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """The paths to discover files in, and a warning for each file given that is not Python
    (``pyproject.toml``), which is skipped rather than reported as a parse error."""
    kept, skipped = [], []
    for path in map(Path, paths):
        if path.is_file() and not path.name.endswith(PYTHON_SUFFIXES) and not _python_script(path):
            skipped.append(f"{path} is not a Python file ({', '.join(PYTHON_SUFFIXES)}): skipped")
        else:
            kept.append(path)
    return kept, skipped


def _python_script(path: Path) -> bool:
    """A file whose first line runs Python (``#!/usr/bin/env python3``), as pre-commit's
    ``types: [python]`` counts it."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return True  # linting it says why it cannot be read
    return first.startswith(b"#!") and b"python" in first
