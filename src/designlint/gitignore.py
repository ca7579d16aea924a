"""Which paths git ignores, for discovery (``respect-gitignore``): the ``.gitignore`` files from
the top of the repository down to a path's directory, ``.git/info/exclude`` and the global
excludes file (``core.excludesFile``), read with pathspec's gitignore patterns. A repository under review writes these files, so each read is
bounded and the patterns are matched by re2, in time linear in the path (Python's ``re``
backtracks: ``a*a*a*a*a*a*a*ab`` took seconds on a 40-character name)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from designlint.reading import TooLarge, read_regular_file

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# Real ignore files are a few kB (GitHub's largest template is under 10 kB); so are git's config files.
MAX_IGNORE_FILE_SIZE = 256 * 2**10
MAX_GIT_CONFIG_SIZE = 256 * 2**10


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
            if directory == top:  # git's order, weakest first: core.excludesFile, then info/exclude
                inherited = self._read(self._excludes_file(directory), directory, follow=True)
                inherited += self._read(os.path.join(directory, ".git", "info", "exclude"), directory)
            if inherited is not None:
                inherited += self._read(os.path.join(directory, ".gitignore"), directory)
            self._by_directory[directory] = inherited
        return self._by_directory[wanted] or ()

    def _excludes_file(self, top: str) -> str:
        """``core.excludesFile`` for the repository at ``top``: its own ``.git/config`` wins over
        the user's config, which is read once; unset, git's default ``$XDG_CONFIG_HOME/git/ignore``.
        git expands ``~/`` and reads a relative path from the top of the work tree."""
        value = self._config_excludes_file(os.path.join(top, ".git", "config")) or self._global_excludes_file
        return (
            os.path.join(top, os.path.expanduser(value)) if value else os.path.join(xdg_config_home(), "git", "ignore")
        )

    @cached_property
    def _global_excludes_file(self) -> str | None:
        value = None
        for config in user_git_configs():  # weakest first: the last one that sets it wins
            value = self._config_excludes_file(config) or value
        return value

    def _config_excludes_file(self, path: str) -> str | None:
        try:
            data = read_regular_file(path, MAX_GIT_CONFIG_SIZE)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except TooLarge as exc:
            self._warn(f"{path} is too large ({exc}): its core.excludesFile is not read")
            return None
        except OSError as exc:
            self._warn(f"cannot read {path}: {exc.strerror or exc}: its core.excludesFile is not read")
            return None
        return core_excludes_file(data.decode("utf-8", errors="replace"))

    def _read(self, path: str, base: str, follow: bool = False) -> tuple[_IgnoreFile, ...]:
        """The file at ``path`` as a one-tuple, or none when it is missing or cannot be used.
        ``follow``: a symlink is read (the user's own excludes file, often a dotfiles link)."""
        if not follow and os.path.islink(path):
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
        # Imported for the first ignore file read: outside a repository, or in one without
        # ignore files, nothing is matched (pathspec costs more than a warm run's whole lint).
        import re2  # google-re2, a dependency: its absence is an import error, not a warning
        from pathspec import GitIgnoreSpec
        from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

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


def xdg_config_home() -> str:
    return os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")


def user_git_configs() -> list[str]:
    """The config files git reads before a repository's own, weakest first: the system's, then the
    user's (``GIT_CONFIG_NOSYSTEM`` and ``GIT_CONFIG_GLOBAL`` are honoured, as git does)."""
    system = (
        [] if os.environ.get("GIT_CONFIG_NOSYSTEM", "").lower() in {"1", "true", "yes", "on"} else ["/etc/gitconfig"]
    )
    if "GIT_CONFIG_GLOBAL" in os.environ:
        return system + [os.environ["GIT_CONFIG_GLOBAL"]]
    return system + [os.path.join(xdg_config_home(), "git", "config"), os.path.expanduser("~/.gitconfig")]


def core_excludes_file(text: str) -> str | None:
    """The last ``excludesFile`` of a ``[core]`` section in a git config file's text, or None.
    Read as text, never by running git: a repository's ``.git/config`` can name programs that
    git runs (``core.fsmonitor``). ``[include]`` files are not followed."""
    section, value = "", None
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped[1:].split("]", 1)[0].strip()
            section = header.lower() if '"' not in header else ""  # `[core "x"]` is another section
            stripped = stripped.split("]", 1)[1].strip() if "]" in stripped else ""
        if section != "core" or "=" not in stripped:
            continue
        key, _, raw = stripped.partition("=")
        if key.strip().lower() == "excludesfile":
            value = _config_value(raw)
    return value or None


def _config_value(raw: str) -> str:
    """A git config value: double quotes group, ``#``/``;`` outside them start a comment, and
    backslash escapes ``\\``, ``\"``, ``\n``, ``\t``."""
    out, quoted, index = [], False, 0
    raw = raw.strip()
    while index < len(raw):
        char = raw[index]
        if char == "\\" and index + 1 < len(raw):
            index += 1
            out.append({"n": "\n", "t": "\t"}.get(raw[index], raw[index]))
        elif char == '"':
            quoted = not quoted
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
        index += 1
    return "".join(out).strip()
