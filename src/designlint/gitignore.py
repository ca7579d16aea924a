"""Which paths git ignores, for discovery (``respect-gitignore``): the ``.gitignore`` files from
the top of the repository down to a path's directory, and ``.git/info/exclude``, read with
pathspec's gitignore patterns. A repository under review writes these files, so each read is
bounded and the patterns are matched by re2, in time linear in the path (Python's ``re``
backtracks: ``a*a*a*a*a*a*a*ab`` took seconds on a 40-character name)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import re2  # google-re2, a dependency: imported here so that its absence is an import error, not a warning
from pathspec import GitIgnoreSpec
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from designlint.reading import TooLarge, read_regular_file

# Real ignore files are a few kB (GitHub's largest template is under 10 kB).
MAX_IGNORE_FILE_SIZE = 256 * 2**10


@dataclass(frozen=True)
class _IgnoreFile:
    base: str  # the directory its patterns are relative to (absolute)
    spec: GitIgnoreSpec


class GitIgnored:
    """Answers whether git ignores a path; the ignore files of each directory are read once.
    Outside a git repository (no ``.git`` in the directory or above) nothing is ignored, as in
    git and ruff. ``warn`` is told, once per file, about an ignore file that cannot be used."""

    def __init__(self, warn: Callable[[str], object]):
        self._warn = warn
        self._by_directory: dict[str, tuple[_IgnoreFile, ...] | None] = {}  # None: not in a repository

    def ignored(self, path: str | os.PathLike, is_dir: bool) -> bool:
        absolute = os.path.abspath(path)
        # The nearest file decides (git's precedence); within one file the last match wins.
        for ignore_file in reversed(self._files_for(os.path.dirname(absolute))):
            relative = os.path.relpath(absolute, ignore_file.base).replace(os.sep, "/")
            decided = ignore_file.spec.check_file(relative + "/" if is_dir else relative).include
            if decided is not None:
                return decided
        return False

    def _files_for(self, directory: str) -> tuple[_IgnoreFile, ...]:
        """The ignore files that apply in ``directory``, outermost first. Up the tree without
        recursion: discovery walks trees a thousand directories deep."""
        wanted, chain, top = directory, [], None
        while directory not in self._by_directory:
            chain.append(directory)
            parent = os.path.dirname(directory)
            if os.path.lexists(os.path.join(directory, ".git")):  # a repository's top (or a submodule's)
                top = directory
                break
            if parent == directory:  # the file system's root
                break
            directory = parent
        inherited = self._by_directory.get(directory) if top is None else None  # None: not in a repository
        for directory in reversed(chain):
            if directory == top:
                inherited = self._read(os.path.join(directory, ".git", "info", "exclude"), directory)
            if inherited is not None:
                inherited += self._read(os.path.join(directory, ".gitignore"), directory)
            self._by_directory[directory] = inherited
        return self._by_directory[wanted] or ()

    def _read(self, path: str, base: str) -> tuple[_IgnoreFile, ...]:
        """The file at ``path`` as a one-tuple, or none when it is missing or cannot be used."""
        if os.path.islink(path):
            if os.path.exists(path):
                self._warn(f"{path} is a symlink: not read (git does not follow it either)")
            return ()
        try:
            data = read_regular_file(path, MAX_IGNORE_FILE_SIZE)
        except (FileNotFoundError, NotADirectoryError):
            return ()
        except TooLarge as exc:
            self._warn(f"{path} is too large ({exc}): its patterns are not applied")
            return ()
        except OSError as exc:
            self._warn(f"cannot read {path}: {exc.strerror or exc}: its patterns are not applied")
            return ()
        patterns, invalid = [], []
        for number, line in enumerate(data.decode("utf-8", errors="replace").split("\n"), 1):
            try:
                with warnings.catch_warnings():  # pathspec's regexes warn about odd brackets
                    warnings.simplefilter("ignore")
                    pattern = GitIgnoreSpecPattern(line.removesuffix("\r"))
            except Exception:  # pathspec raises several kinds on patterns git also skips
                invalid.append(number)
                continue
            if pattern.include is not None:  # not a comment or blank line
                patterns.append(pattern)
        if not patterns:
            return ()
        try:
            spec = GitIgnoreSpec(patterns, backend="re2")
        except re2.error:  # re2 gives up on a set too large for its memory budget
            self._warn(f"{path}: too many patterns to match ({len(patterns)}): none of them are applied")
            return ()
        if invalid:
            lines = f"{len(invalid)} lines (the first: line {invalid[0]})" if len(invalid) > 1 else f"line {invalid[0]}"
            self._warn(f"{path}: {lines} not a valid pattern: skipped, as git skips them")
        return (_IgnoreFile(base, spec),)
