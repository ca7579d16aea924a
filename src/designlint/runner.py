"""Lint many paths: discovery, per-directory configuration, a process pool, fixes."""

from __future__ import annotations

import errno
import gc
import multiprocessing
import os
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

from designlint.cache import (
    CACHE_DIR_NAME,
    Cache,
    config_fingerprint,
    content_digest,
    dump_diagnostics,
    entry_key,
    load_diagnostics,
    open_cache,
)
from designlint.config import Config, ConfigError, find_config_file, key_error, load_config
from designlint.diagnostics import Diagnostic, Position
from designlint.engine import MAX_SOURCE_SIZE, FileResult, Linter, too_large_message
from designlint.fixes import NotWritten, fix_text, unified_diff, write_fixed_file
from designlint.globs import path_excluded
from designlint.project import LookupFailed, Project
from designlint.rules import KNOWN_CODES, PARSE_ERROR

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
    use_cache: bool = False  # the CLI turns it on; --no-cache turns it off
    cache_dir: Path | None = None  # None: .designlint_cache in the project root
    progress: Callable[[int, int], None] | None = None  # called with (files done, files in all)


@dataclass
class FileOutcome:
    path: str
    diagnostics: list[Diagnostic]
    fixed: int = 0
    diff: str = ""
    fixed_source: bytes | None = (
        None  # for standard input with --fix: the fixed source, encoded as the input was (coding line, BOM)
    )
    internal_errors: list[str] = field(default_factory=list)
    not_written: str = ""  # why --fix left the file as it was (also reported as a DL001)


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
        return self.for_directory(path if path.is_dir() else path.parent)

    def for_directory(self, directory: Path) -> Config:
        """The config for the files directly in ``directory``."""
        if self._fixed is not None:
            return self._fixed
        directory = directory.absolute()
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
            raise key_error(config, "errors.codes", str(exc)) from None


def _discover(paths: Iterable[Path], resolver: ConfigResolver) -> Iterator[tuple[Path, Config]]:
    """Python files under ``paths``, in a stable order, honouring excludes, each with its
    config (looked up once per directory)."""
    seen: set[Path] = set()
    for given in paths:
        if not given.exists() and not given.is_symlink():
            raise ConfigError(f"no such file or directory: {given}")
        if given.is_file() or not given.is_dir():
            config = resolver.for_path(given)
            if resolver.options.force_exclude and _excluded(given, config):
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
                and not _excluded(base / d, resolver.for_path(base / d))
            )
            config = resolver.for_directory(base)
            for name in sorted(filenames):
                if not name.endswith(PYTHON_SUFFIXES):
                    continue
                candidate = base / name
                if not candidate.is_symlink() and not _excluded(candidate, config) and candidate not in seen:
                    seen.add(candidate)
                    yield candidate, config
        # A directory that cannot be listed is not skipped in silence: linting it says why.
        yield from ((Path(e.filename), resolver.for_path(Path(e.filename))) for e in unlistable if e.filename)


def _excluded(path: Path, config: Config) -> bool:
    if not config.all_excludes:
        return False
    try:
        relative = path.absolute().relative_to(config.root)
    except ValueError:
        relative = Path(os.path.relpath(path.absolute(), config.root))
    return path_excluded(config.all_excludes, relative.as_posix())


# -- linting one file (in this process or a worker) ------------------------------------

_linters: dict[Config, Linter] = {}


def _linter_for(config: Config, facts: Cache | None = None) -> Linter:
    linter = _linters.get(config)
    if linter is None:
        linter = _linters[config] = Linter(config, project=Project.from_root(config.root, facts))
    return linter


def lint_file(
    path: str,
    config: Config,
    fix_mode: FixMode = FixMode.CHECK,
    unsafe_fixes: bool = False,
    source: bytes | None = None,
) -> FileOutcome:
    """Lint one file; with ``source``, that text stands for the file (standard input): a fix
    is returned in ``fixed_source``, never written."""
    if source is None:
        source = _read_or_report(path)
        if isinstance(source, FileOutcome):
            return source
        return _lint_bytes(path, source, config, fix_mode, unsafe_fixes, write_back=True)
    return _lint_bytes(path, source, config, fix_mode, unsafe_fixes, write_back=False)


def _read_or_report(path: str) -> bytes | FileOutcome:
    """The file's bytes, or the outcome that reports why it cannot be linted."""
    try:
        return _read_regular_file(path)
    except _TooLarge as exc:
        return FileOutcome(path, [_file_error(path, too_large_message(exc.size))])
    except OSError as exc:
        return FileOutcome(path, [_file_error(path, f"cannot read the file: {exc.strerror or exc}")])


def _lint_bytes(
    path: str, source: bytes, config: Config, fix_mode: FixMode, unsafe_fixes: bool, write_back: bool
) -> FileOutcome:
    linter = _linter_for(config)
    result: FileResult = linter.lint(source, path)
    outcome = FileOutcome(path, result.diagnostics, internal_errors=result.internal_errors)
    if fix_mode is FixMode.CHECK or result.decoded is None or not any(d.fix for d in result.diagnostics):
        return outcome
    decoded = result.decoded
    fixed_text, applied, remaining = fix_text(
        decoded.text, lambda text: linter.lint(text, path).diagnostics, unsafe_fixes
    )
    outcome.diagnostics = remaining
    outcome.fixed = applied
    if not write_back:
        outcome.fixed_source = decoded.encode(fixed_text) if applied else source
    if applied and fix_mode is FixMode.DIFF:
        outcome.diff = unified_diff(path, decoded.text, fixed_text)
    elif applied and fix_mode is FixMode.FIX and write_back:
        try:
            write_fixed_file(Path(path), source, decoded.encode(fixed_text), config.root)
        except NotWritten as exc:  # the file is as it was: its findings stand, none fixed
            outcome.not_written = str(exc)
            outcome.diagnostics = [*result.diagnostics, _file_error(path, f"cannot write the fixed file: {exc}")]
            outcome.fixed = 0
    return outcome


# -- a run: what every worker (or this process, for a small run) is told once ----------


@dataclass
class _Session:
    configs: list[Config]  # a task names its config by index: configs travel once per worker
    fix_mode: FixMode
    unsafe_fixes: bool
    cache: Cache | None
    fingerprints: list[str]  # of each config, for cache keys (empty without a cache)


_session: _Session | None = None


def _fingerprints(configs: list[Config]) -> list[str]:
    return [config_fingerprint(config) for config in configs]


def _start_session(configs: list[Config], fix_mode: FixMode, unsafe_fixes: bool, cache: Cache | None) -> None:
    """Configs, rules and the cache, built once per process."""
    global _session
    _session = _Session(configs, fix_mode, unsafe_fixes, cache, _fingerprints(configs) if cache is not None else [])
    for config in configs:
        _linter_for(config, cache)


def _start_worker(*session_args) -> None:
    """Pool initializer. Parsing allocates millions of short-lived objects, freed by
    reference counting; the cyclic collector scanning the long-lived ones (modules,
    rules) over and over costs about a tenth of the run, so they are frozen out of its
    sight and it runs less often."""
    _start_session(*session_args)
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def _run_task(task: tuple[int, str]) -> FileOutcome:
    index, path = task
    session = _session
    config = session.configs[index]
    source = _read_or_report(path)
    if isinstance(source, FileOutcome):
        return source
    outcome = _lint_bytes(path, source, config, session.fix_mode, session.unsafe_fixes, write_back=True)
    # Stored: what this content yields, unless a rule crashed (a bug, to show again with
    # --verbose), a fix rewrote the file (its new content is linted on the next run) or could
    # not (why is no finding of the content).
    if session.cache is not None and not outcome.internal_errors and not outcome.fixed and not outcome.not_written:
        payload = {
            "deps": _linter_for(config).project.modules_read,
            "diagnostics": dump_diagnostics(outcome.diagnostics),
        }
        session.cache.store(entry_key(session.fingerprints[index], path, content_digest(source)), payload)
    return outcome


def _cached_outcome(
    cache: Cache, fingerprint: str, path: str, data: bytes, project: Project, fix_mode: FixMode
) -> FileOutcome | None:
    entry = cache.load(entry_key(fingerprint, path, content_digest(data)))
    if entry is None:
        return None
    try:
        deps = entry["deps"]
        if not isinstance(deps, dict) or any(
            project.module_digest(module) != digest for module, digest in deps.items()
        ):
            return None  # a module the findings were drawn from has changed
        diagnostics = load_diagnostics(path, entry["diagnostics"])
    except (KeyError, TypeError, ValueError):
        return None  # malformed: lint again, and the fresh result replaces it
    if fix_mode is not FixMode.CHECK and any(d.fix for d in diagnostics):
        return None  # fixes are applied by linting
    return FileOutcome(path, diagnostics)


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


@dataclass
class RunResult:
    outcomes: list[FileOutcome]
    warnings: list[str] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted((d for o in self.outcomes for d in o.diagnostics), key=Diagnostic.sort_key)


# Below this much source, starting worker processes costs more than it saves.
SMALL_RUN_BYTES = 512 * 1024


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def cache_dir_for(options: Options, resolver: ConfigResolver | None = None) -> Path:
    """``--cache-dir``, else ``.designlint_cache`` in the project root (the root of the
    configuration that applies to the current directory)."""
    if options.cache_dir is not None:
        return options.cache_dir
    resolver = resolver or ConfigResolver(options)
    try:
        return resolver.for_path(resolver.cwd).root / CACHE_DIR_NAME
    except ConfigError:
        return resolver.cwd / CACHE_DIR_NAME


def lint_paths(paths: Iterable[str | Path], options: Options | None = None) -> RunResult:
    """Lint files and directories. Raises ``ConfigError`` for configuration problems."""
    options = options or Options()
    resolver = ConfigResolver(options)
    roots = [Path(p) for p in paths]
    configs: dict[Config, int] = {}
    tasks = [(configs.setdefault(config, len(configs)), str(f)) for f, config in _discover(roots, resolver)]
    config_list = list(configs)
    cache = None
    if options.use_cache:
        cache = open_cache(cache_dir_for(options, resolver), explicit=options.cache_dir is not None, linted=roots)
    outcomes: list[FileOutcome | None] = [None] * len(tasks)
    done = 0

    def finished(position: int, outcome: FileOutcome) -> None:
        nonlocal done
        outcomes[position] = outcome
        done += 1
        if options.progress is not None:
            options.progress(done, len(tasks))

    pending: list[int] = []
    pending_bytes = 0
    fingerprints = _fingerprints(config_list) if cache is not None else []
    projects: dict[Path, Project] = {}
    for position, (index, path) in enumerate(tasks):
        if cache is None:
            pending.append(position)
            pending_bytes += _size(path)
            continue
        try:
            data = _read_regular_file(path)  # never a blocking read of a FIFO, never a huge file
        except (OSError, _TooLarge):
            pending.append(position)  # the worker reports why it cannot be read
            continue
        config = config_list[index]
        project = projects.get(config.root) or projects.setdefault(config.root, Project.from_root(config.root))
        hit = _cached_outcome(cache, fingerprints[index], path, data, project, options.fix_mode)
        if hit is None:
            pending.append(position)
            pending_bytes += len(data)
        else:
            finished(position, hit)

    jobs = min(options.jobs or default_jobs(), len(pending))
    session_args = (
        config_list,
        options.fix_mode,
        options.unsafe_fixes,
        cache if cache is not None and cache.warning is None else None,
    )
    pending_tasks = [tasks[p] for p in pending]
    if pending and (jobs <= 1 or pending_bytes < SMALL_RUN_BYTES):
        global _session
        saved, _session = _session, None
        try:
            _start_session(*session_args)
            for position, task in zip(pending, pending_tasks):
                finished(position, _run_task(task))
        finally:
            _session = saved
    elif pending:
        chunksize = max(1, min(8, len(pending) // (jobs * 8)))
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=_pool_context(), initializer=_start_worker, initargs=session_args
        ) as pool:
            for position, outcome in zip(pending, pool.map(_run_task, pending_tasks, chunksize=chunksize)):
                finished(position, outcome)
    if cache is not None:
        cache.sweep()
    warnings = [cache.warning] if cache is not None and cache.warning else []
    return RunResult(outcomes, warnings)


def _pool_context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe and fastest: a process with no other thread (the CLI). With threads
    (a language server, an API caller that linted in-process and so started the parser thread),
    a fork may copy a lock some thread holds: workers start from a clean server instead."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def lint_stdin(source: bytes, filename: str | None, options: Options | None = None) -> RunResult:
    """Lint text read from standard input; ``filename`` decides config, ignores and the reported name."""
    options = options or Options()
    resolver = ConfigResolver(options)
    path = Path(filename) if filename else Path.cwd() / "-"
    config = resolver.for_path(path)
    if filename and options.force_exclude and _excluded(path, config):
        return RunResult([])
    # Standard input is never written back: with --fix the CLI prints the fixed source.
    return RunResult([lint_file(filename or "-", config, options.fix_mode, options.unsafe_fixes, source=source)])
