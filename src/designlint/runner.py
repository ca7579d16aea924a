"""Lint many paths: discovery, per-directory configuration, a process pool, fixes."""

from __future__ import annotations

import errno
import os
import stat
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Iterable, Iterator

from designlint.config import Config, ConfigError, find_config_file, load_config
from designlint.diagnostics import Diagnostic, Position
from designlint.engine import MAX_SOURCE_SIZE, FileResult, Linter, too_large_message
from designlint.fixes import fix_text, unified_diff, write_atomically
from designlint.globs import path_excluded
from designlint.project import LookupFailed, Project
from designlint.rules import KNOWN_CODES, PARSE_ERROR

# Directories never descended into (ruff's list, plus designlint's cache).
DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pants.d", ".pytype",
    ".ruff_cache", ".svn", ".tox", ".venv", "venv", "__pypackages__", "_build", "buck-out",
    "build", "dist", "node_modules", "site-packages", "__pycache__", ".pytest_cache",
    ".designlint_cache",
)
PYTHON_SUFFIXES = (".py", ".pyi")


class FixMode(str, Enum):
    CHECK = "check"
    FIX = "fix"  # write fixed files
    DIFF = "diff"  # show what --fix would change, write nothing


@dataclass(frozen=True)
class Options:
    """What the CLI (or an integration) asks of the runner."""

    config_path: Path | None = None
    isolated: bool = False
    overrides: dict = field(default_factory=dict)  # Config field -> value, from flags
    force_exclude: bool = False
    jobs: int | None = None
    fix_mode: FixMode = FixMode.CHECK
    unsafe_fixes: bool = False


@dataclass
class FileOutcome:
    path: str
    diagnostics: list[Diagnostic]
    fixed: int = 0
    diff: str = ""
    fixed_text: str | None = None  # the fixed source, for standard input with --fix
    fixed_source: bytes | None = None  # the same, encoded as the input was (coding line, BOM)
    internal_errors: list[str] = field(default_factory=list)


class ConfigResolver:
    """The effective ``Config`` for each directory, memoised; flags applied on top."""

    def __init__(self, options: Options, cwd: Path | None = None):
        self.options = options
        self.cwd = cwd or Path.cwd()
        self._by_file: dict[Path | None, Config] = {}
        self._by_dir: dict[Path, Config] = {}
        self._fixed = None
        if options.isolated:
            self._fixed = self._finish(Config(root=self.cwd))
        elif options.config_path is not None:
            self._fixed = self._finish(load_config(options.config_path, KNOWN_CODES))

    def for_path(self, path: Path) -> Config:
        if self._fixed is not None:
            return self._fixed
        directory = (path if path.is_dir() else path.parent).absolute()
        config = self._by_dir.get(directory)
        if config is None:
            config_file = find_config_file(directory)
            if config_file not in self._by_file:
                base = load_config(config_file, KNOWN_CODES) if config_file else Config(root=self.cwd)
                self._by_file[config_file] = self._finish(base)
            config = self._by_dir[directory] = self._by_file[config_file]
        return config

    def configs(self) -> list[Config]:
        return [self._fixed] if self._fixed is not None else list(self._by_file.values())

    def _finish(self, config: Config) -> Config:
        overrides = self.options.overrides
        updates = {}
        for key in ("select", "exclude"):
            if overrides.get(key) is not None:
                updates[key] = tuple(overrides[key])
        for key in ("ignore", "extend_select", "extend_exclude", "per_file_ignores"):
            if overrides.get(key):
                updates[key] = getattr(config, key) + tuple(overrides[key])
        config = replace(config, **updates)
        _check_cross_module(config)
        return config


def _check_cross_module(config: Config) -> None:
    """Configured names that point into the project must resolve, or it is a config error."""
    if config.errors.codes:
        try:
            Project.from_root(config.root).error_enum(config.errors.codes)
        except LookupFailed as exc:
            where = str(config.path) if config.path else None
            prefix = "tool.designlint." if config.path and config.path.name == "pyproject.toml" else ""
            raise ConfigError(str(exc), path=where, key=f"{prefix}errors.codes") from None


def discover(paths: Iterable[Path], resolver: ConfigResolver) -> Iterator[Path]:
    """Python files under ``paths``, in a stable order, honouring excludes."""
    seen: set[Path] = set()
    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise ConfigError(f"no such file or directory: {given}")
        if given.is_file() or not given.is_dir():
            if resolver.options.force_exclude and _excluded(given, resolver):
                continue
            if given not in seen:
                seen.add(given)
                yield given
            continue
        unlistable: list[OSError] = []
        for directory, dirnames, filenames in os.walk(given, onerror=unlistable.append):
            base = Path(directory)
            dirnames[:] = sorted(
                d for d in dirnames
                if d not in DEFAULT_EXCLUDES
                and not (base / d).is_symlink()
                and not (base / d / "pyvenv.cfg").exists()
                and not _excluded(base / d, resolver)
            )
            for name in sorted(filenames):
                candidate = base / name
                if name.endswith(PYTHON_SUFFIXES) and not candidate.is_symlink() and not _excluded(candidate, resolver) and candidate not in seen:
                    seen.add(candidate)
                    yield candidate
        # A directory that cannot be listed is not skipped in silence: linting it says why.
        yield from (Path(error.filename) for error in unlistable if error.filename)


def _excluded(path: Path, resolver: ConfigResolver) -> bool:
    config = resolver.for_path(path)
    try:
        relative = path.absolute().relative_to(config.root)
    except ValueError:
        relative = Path(os.path.relpath(path.absolute(), config.root))
    return path_excluded(config.all_excludes, relative.as_posix())


# -- linting one file (in this process or a worker) ------------------------------------

_linters: dict[Config, Linter] = {}


def _linter_for(config: Config) -> Linter:
    linter = _linters.get(config)
    if linter is None:
        linter = _linters[config] = Linter(config, project=Project.from_root(config.root))
    return linter


def lint_file(path: str, config: Config, fix_mode: FixMode = FixMode.CHECK, unsafe_fixes: bool = False, source: bytes | None = None) -> FileOutcome:
    linter = _linter_for(config)
    from_caller = source is not None  # standard input: the fixed text is returned, not written
    if source is None:
        try:
            source = _read_regular_file(path)
        except _TooLarge as exc:
            return FileOutcome(path, [_file_error(path, too_large_message(exc.size))])
        except OSError as exc:
            return FileOutcome(path, [_file_error(path, f"cannot read the file: {exc.strerror or exc}")])
    result: FileResult = linter.lint(source, path)
    outcome = FileOutcome(path, result.diagnostics, internal_errors=result.internal_errors)
    if fix_mode is FixMode.CHECK or result.decoded is None or not any(d.fix for d in result.diagnostics):
        return outcome
    decoded = result.decoded
    fixed_text, applied, remaining = fix_text(decoded.text, lambda text: linter.lint(text, path).diagnostics, unsafe_fixes)
    outcome.diagnostics = remaining
    outcome.fixed = applied
    if path == "-" or from_caller:
        outcome.fixed_text = fixed_text
        outcome.fixed_source = decoded.encode(fixed_text) if applied else source
    if applied and fix_mode is FixMode.DIFF:
        outcome.diff = unified_diff(path, decoded.text, fixed_text)
    elif applied and fix_mode is FixMode.FIX and outcome.fixed_text is None:
        try:
            write_atomically(Path(path), decoded.encode(fixed_text))
        except OSError as exc:  # e.g. deleted or made read-only meanwhile: the file is left as it was
            outcome.diagnostics = [*result.diagnostics, _file_error(path, f"cannot write the fixed file: {exc.strerror or exc}")]
            outcome.fixed = 0
    return outcome


class _TooLarge(Exception):
    def __init__(self, size: int):
        self.size = size


def _read_regular_file(path: str) -> bytes:
    """The file's bytes; a FIFO, a device or a directory is refused rather than read
    (reading a FIFO would block forever), and a file over the size limit is not read at all."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if status.st_size > MAX_SOURCE_SIZE:
            raise _TooLarge(status.st_size)
        return handle.read()


def _file_error(path: str, message: str) -> Diagnostic:
    return Diagnostic(path, PARSE_ERROR[0], PARSE_ERROR[1], message, Position(1, 1), Position(1, 1), noqa_row=1)


def _lint_task(task: tuple[str, Config, FixMode, bool]) -> FileOutcome:
    return lint_file(*task)


@dataclass
class RunResult:
    outcomes: list[FileOutcome]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted((d for o in self.outcomes for d in o.diagnostics), key=Diagnostic.sort_key)


def lint_paths(paths: Iterable[str | Path], options: Options | None = None) -> RunResult:
    """Lint files and directories. Raises ``ConfigError`` for configuration problems."""
    options = options or Options()
    resolver = ConfigResolver(options)
    files = list(discover([Path(p) for p in paths], resolver))
    tasks = [(str(f), resolver.for_path(f), options.fix_mode, options.unsafe_fixes) for f in files]
    jobs = options.jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) < 2 * jobs:
        return RunResult([_lint_task(t) for t in tasks])
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return RunResult(list(pool.map(_lint_task, tasks, chunksize=max(1, min(16, len(tasks) // (jobs * 4))))))


def lint_stdin(source: bytes, filename: str | None, options: Options | None = None) -> RunResult:
    """Lint text read from standard input; ``filename`` decides config, ignores and the reported name."""
    options = options or Options()
    resolver = ConfigResolver(options)
    path = Path(filename) if filename else Path.cwd() / "-"
    if filename and options.force_exclude and _excluded(path, resolver):
        return RunResult([])
    config = resolver.for_path(path)
    # Standard input is never written back: with --fix the CLI prints the fixed source.
    return RunResult([lint_file(filename or "-", config, options.fix_mode, options.unsafe_fixes, source=source)])
