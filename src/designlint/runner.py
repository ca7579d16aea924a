"""Lint many paths: the files found (``discovery``), each with its config (``resolution``),
answered from the results cache or linted, in this process or a process pool (a ``LinterPool``
per session, built once per process), and fixes written back."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, cast

from designlint.cache import (
    CACHE_DIR_NAME,
    Cache,
    code_fingerprint,
    config_fingerprint,
    content_digest,
    dump_diagnostics,
    entry_key,
    load_diagnostics,
    open_cache,
)
from designlint.collector import collect_less_often
from designlint.config import Config, ConfigError
from designlint.diagnostics import Diagnostic, Position
from designlint.digest_memo import DigestMemo
from designlint.discovery import discover, excluded, python_paths
from designlint.project import LookupFailed, Project
from designlint.reading import MAX_SOURCE_SIZE, TooLarge, read_regular_file
from designlint.resolution import ConfigResolver, design_documents
from designlint.results import FileResult, parse_error, too_large_message
from designlint.rules import INTERNAL_ERROR, import_families

if TYPE_CHECKING:
    import multiprocessing.context

    from designlint.engine import Linter
    from designlint.pool import LinterPool


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


def resolver_for(options: Options) -> ConfigResolver:
    return ConfigResolver(options.config_path, options.isolated, options.overrides)


def files_to_lint(
    paths: Iterable[str | Path], options: Options, warn: Callable[[str], object] = lambda message: None
) -> list[tuple[Path, Config]]:
    """What ``lint_paths`` would lint, each file with its configuration (``--show-files``)."""
    found = discover(python_paths(paths)[0], resolver_for(options), options.force_exclude, warn)
    return [(path, config) for path, config, unlisted in found if unlisted is None]


# -- linting one file (in this process or a worker) ------------------------------------


def _read_or_report(path: str) -> bytes | FileOutcome:
    """The file's bytes, or the outcome that reports why it cannot be linted."""
    try:
        return read_regular_file(path, MAX_SOURCE_SIZE)
    except TooLarge as exc:
        return FileOutcome(path, [parse_error(path, too_large_message(exc.size))])
    except OSError as exc:
        return FileOutcome(path, [parse_error(path, f"cannot read the file: {exc.strerror or exc}")])


def _lint_bytes(
    path: str, source: bytes, linter: Linter, fix_mode: FixMode, unsafe_fixes: bool, write_back: bool
) -> FileOutcome:
    result: FileResult = linter.lint(source, path)
    outcome = FileOutcome(path, result.diagnostics, internal_errors=result.internal_errors)
    if fix_mode is FixMode.CHECK or result.decoded is None or not any(d.fix for d in result.diagnostics):
        return outcome
    from designlint.fixes import NotWritten, fix_text, unified_diff, write_fixed_file  # a warm run needs none

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
            write_fixed_file(Path(path), source, decoded.encode(fixed_text), linter.config.root)
        except NotWritten as exc:  # the file is as it was: its findings stand, none fixed
            outcome.not_written = str(exc)
            outcome.diagnostics = [*result.diagnostics, parse_error(path, f"cannot write the fixed file: {exc}")]
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
    linters: LinterPool  # this session's only: a project module read is not kept for the next run


_session: _Session | None = None


def _linter_pool(cache: Cache | None = None) -> LinterPool:
    """The engine, the rules and LibCST are imported here, when there is a file to lint: a run
    answered by the cache, ``--show-files`` or ``designlint rules`` never import them."""
    from designlint.pool import LinterPool

    return LinterPool(cache)


def _fingerprints(configs: list[Config]) -> list[str]:
    return [config_fingerprint(config) for config in configs]


def _start_session(configs: list[Config], fix_mode: FixMode, unsafe_fixes: bool, cache: Cache | None) -> None:
    """Configs, rules and the cache, built once per process."""
    global _session
    fingerprints = _fingerprints(configs) if cache is not None else []
    _session = _Session(configs, fix_mode, unsafe_fixes, cache, fingerprints, _linter_pool(cache))
    for config in configs:
        _session.linters.linter_for(config)


def _start_worker(*session_args) -> None:
    """Pool initializer. Parsing allocates millions of short-lived objects, freed by
    reference counting; the cyclic collector scanning the long-lived ones (modules,
    rules) over and over costs about a tenth of the run, so they are frozen out of its
    sight and it runs less often. Ctrl-C, which a terminal sends to every process of the
    group, is the parent's to handle (it cancels what is queued): a worker goes on with its
    file rather than dying with a traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _start_session(*session_args)
    gc.collect()
    gc.freeze()
    collect_less_often()


def _run_task(task: tuple[int, str]) -> FileOutcome:
    index, path = task
    session = _session
    assert session is not None, "_start_session runs before any task"
    linter = session.linters.linter_for(session.configs[index])
    source = _read_or_report(path)
    if isinstance(source, FileOutcome):
        return source
    outcome = _lint_bytes(path, source, linter, session.fix_mode, session.unsafe_fixes, write_back=True)
    # Stored: what this content yields, unless a rule crashed (a bug, to show again with
    # --verbose), a fix rewrote the file (its new content is linted on the next run) or could
    # not (why is no finding of the content).
    if session.cache is not None and not outcome.internal_errors and not outcome.fixed and not outcome.not_written:
        assert linter.project is not None, "a LinterPool gives each linter its project"
        payload = {
            "module": module_identity(linter.project, path),
            "deps": linter.project.modules_read,  # what this file's lint drew on
            "diagnostics": dump_diagnostics(outcome.diagnostics),
        }
        session.cache.store(entry_key(session.fingerprints[index], path, content_digest(source)), payload)
    return outcome


def _cached_outcome(
    cache: Cache, fingerprint: str, path: str, digest: str, project: Project, fix_mode: FixMode
) -> FileOutcome | None:
    """The findings stored for the file at ``path`` with content of ``digest`` (``content_digest``),
    when the modules they were drawn from are unchanged."""
    entry = cache.load(entry_key(fingerprint, path, digest))
    if entry is None:
        return None
    try:
        if entry["module"] != module_identity(project, path):
            return None  # an __init__.py added or removed: the module's name, and what it resolves, changed
        deps = entry["deps"]
        if not isinstance(deps, dict):
            return None
        if not project.unchanged(path, deps):
            return None  # a module the findings were drawn from has changed
        diagnostics = load_diagnostics(path, entry["diagnostics"])
    except (KeyError, TypeError, ValueError, LookupFailed):
        return None  # malformed, or a module it depends on is now unusable: lint again
    if fix_mode is not FixMode.CHECK and any(d.fix for d in diagnostics):
        return None  # fixes are applied by linting
    return FileOutcome(path, diagnostics)


def module_identity(project: Project, path: str) -> list:
    """What the package structure on disk says of the file at ``path``: its module's name and the
    directories above its top package (see ``Project.module_name_of``); findings depend on it
    (relative imports, adapter modules), and it changes without the file changing."""
    return [project.module_name_of(path), list(project.unanchored_parents(path))]


@dataclass
class RunResult:
    outcomes: list[FileOutcome]
    warnings: list[str] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return sorted((d for o in self.outcomes for d in o.diagnostics), key=Diagnostic.sort_key)


_BYTES = "bytes"  # the digest memo's kind for a linted file's content (``content_digest``)

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
    resolver = resolver or resolver_for(options)
    try:
        return resolver.for_path(resolver.cwd).root / CACHE_DIR_NAME
    except ConfigError:
        return resolver.cwd / CACHE_DIR_NAME


def lint_paths(paths: Iterable[str | Path], options: Options | None = None) -> RunResult:
    """Lint files and directories. Raises ``ConfigError`` for configuration problems."""
    options = options or Options()
    resolver = resolver_for(options)
    roots = [Path(p) for p in paths]
    configs: dict[Config, int] = {}
    paths, skipped = python_paths(roots)
    found = list(discover(paths, resolver, options.force_exclude, skipped.append))
    tasks = [(configs.setdefault(config, len(configs)), str(f)) for f, config, _ in found]
    if not tasks:
        skipped.append(f"no Python files found to lint in {', '.join(map(str, roots))}")
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
    memo = DigestMemo.load(cache, code_fingerprint()) if cache is not None else DigestMemo({})
    projects: dict[Path, Project] = {}
    for position, (index, path) in enumerate(tasks):
        unlisted = found[position][2]
        if unlisted is not None:
            finished(
                position, FileOutcome(path, [parse_error(path, f"cannot list the directory: {unlisted.strerror}")])
            )
            continue
        if cache is None:
            pending.append(position)
            pending_bytes += _size(path)
            continue
        digest = memo.known(path, _BYTES)
        if digest is None:
            try:
                data = read_regular_file(path, MAX_SOURCE_SIZE)  # never a blocking read of a FIFO, never a huge file
            except (OSError, TooLarge):
                pending.append(position)  # the worker reports why it cannot be read
                continue
            digest = content_digest(data)
            memo.remember(path, _BYTES, digest)
        config = config_list[index]
        project = projects.get(config.root) or projects.setdefault(
            config.root, Project.from_root(config.root, memo=memo)
        )
        hit = _cached_outcome(cache, fingerprints[index], path, digest, project, options.fix_mode)
        if hit is None:
            pending.append(position)
            pending_bytes += _size(path)
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
        _linter_pool()  # imported before the workers fork, once for all of them, with every family
        import_families()
        # Closed at once if this loop is left by an exception (Ctrl-C), which cancels the queue.
        with contextlib.closing(_in_pool(pending_tasks, jobs, session_args)) as results:
            for index, outcome in results:
                finished(pending[index], outcome)
    if cache is not None:
        memo.save(cache, code_fingerprint())
        cache.sweep()
    documents = _design_outcomes([*config_list, *(resolver.for_path(r) for r in roots if r.is_dir())], resolver)
    warnings = [*resolver.warnings, *skipped, *([cache.warning] if cache is not None and cache.warning else [])]
    return RunResult([*cast("list[FileOutcome]", outcomes), *documents], warnings)  # every position was finished above


def lint_design(options: Options | None = None) -> RunResult:
    """DL011-DL015 alone, on the design documents in play for the current directory."""
    options = options or Options()
    resolver = resolver_for(options)
    config = resolver.for_path(resolver.cwd)
    outcomes = _design_outcomes([config], resolver)
    warnings = [*resolver.warnings, *([] if design_documents(config) else ["no engineering design document found"])]
    return RunResult(outcomes, warnings)


def _design_outcomes(configs: Iterable[Config], resolver: ConfigResolver) -> list[FileOutcome]:
    """DL011-DL015 on the design documents in play, once per set of documents."""
    if resolver.isolated:
        return []
    by_path: dict[str, FileOutcome] = {}
    checked: set[tuple[Path, ...]] = set()
    for config in configs:
        documents = design_documents(config)
        if not documents or documents in checked:
            continue
        checked.add(documents)
        from designlint.design.check import design_diagnostics  # the document rules: only with documents

        def python_files(root: Path = config.root) -> list[Path]:
            return [path for path, _, unlisted in discover(python_paths([root])[0], resolver) if unlisted is None]

        diagnostics, crashes = design_diagnostics(config, python_files, resolver.cwd)
        for diagnostic in diagnostics:
            by_path.setdefault(diagnostic.path, FileOutcome(diagnostic.path, [])).diagnostics.append(diagnostic)
        if crashes:
            first = by_path.setdefault(diagnostics[0].path, FileOutcome(diagnostics[0].path, []))
            first.internal_errors.extend(crashes)
    return list(by_path.values())


def _in_pool(
    tasks: list[tuple[int, str]], jobs: int, session_args: tuple
) -> Generator[tuple[int, FileOutcome], None, None]:
    """(index, outcome) of each task, from a pool of ``jobs`` workers, sent in runs of
    neighbouring files (``_runs``). A worker that dies (a crash in native code, the kernel's
    out-of-memory killer) breaks the pool and every run in flight: the files of those runs are
    linted again one at a time in one worker, where the next death is the file being linted.
    That file gets DL002; the others are linted."""
    from concurrent.futures import ProcessPoolExecutor  # with multiprocessing: only for a run this large
    from concurrent.futures.process import BrokenProcessPool

    remaining = list(range(len(tasks)))
    suspects: list[int] = []  # after a death: the files of the runs in flight, one at a time
    while remaining:
        runs = [[index] for index in suspects] if suspects else _runs(remaining, jobs)
        done: set[int] = set()
        with ProcessPoolExecutor(
            max_workers=1 if suspects else jobs,
            mp_context=_pool_context(),
            initializer=_start_worker,
            initargs=session_args,
        ) as pool:
            try:
                futures = [(run, pool.submit(_run_tasks, [tasks[index] for index in run])) for run in runs]
                for run, future in futures:
                    try:
                        outcomes = future.result()
                    except BrokenProcessPool:
                        if suspects:  # one worker runs its tasks in order: this one killed it
                            done.add(run[0])
                            yield run[0], _died(tasks[run[0]][1])
                        break
                    done.update(run)
                    yield from zip(run, outcomes)
                else:
                    suspects = []
                    remaining = [index for index in remaining if index not in done]
                    continue
                for run, future in futures:  # finished by other workers before the death
                    if run[0] not in done and future.done() and future.exception() is None:
                        done.update(run)
                        yield from zip(run, future.result())
            except BaseException:
                # Ctrl-C, or the caller stopped: only the files in flight are finished. (Leaving the
                # `with` alone would lint every queued file first.)
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        remaining = [index for index in remaining if index not in done]
        # The pool hands out runs in order, at most one running in each worker and one more
        # queued for each and one: the first unfinished runs were in flight. After a round of
        # suspects, the rest go back to the pool.
        unfinished = [run for run, _ in futures if run[0] not in done]
        suspects = [] if suspects else [i for run in unfinished[: 2 * jobs + 1] for i in run if i not in done]


def _runs(indexes: list[int], jobs: int) -> list[list[int]]:
    """``indexes`` cut into runs of neighbouring files, each a quarter of what is left per worker
    (large first, a file at the end, so that no worker waits long for the last). A worker works
    out the cross-module facts of a module once for all its files: files of the same package
    in one run share them (one task per file had each worker read most modules of the project)."""
    runs: list[list[int]] = []
    start = 0
    while start < len(indexes):
        size = max(1, (len(indexes) - start) // (4 * jobs))
        runs.append(indexes[start : start + size])
        start += size
    return runs


def _run_tasks(tasks: list[tuple[int, str]]) -> list[FileOutcome]:
    return [_run_task(task) for task in tasks]


def _died(path: str) -> FileOutcome:
    message = (
        "internal error: the process linting this file died (a crash in native code, or out of memory);"
        " please report this as a bug"
    )
    diagnostic = Diagnostic(path, INTERNAL_ERROR[0], INTERNAL_ERROR[1], message, Position(1, 1), Position(1, 1))
    return FileOutcome(path, [diagnostic], internal_errors=[f"{path}: the worker process died\n"])


def _pool_context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe and fastest: a process with no other thread (the CLI). With threads
    (a language server, an API caller that linted in-process and so started the parser thread),
    a fork may copy a lock some thread holds: workers start from a clean server instead."""
    import multiprocessing

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
    path = Path(filename) if filename else Path.cwd() / "-"
    resolver = resolver_for(options)
    config = resolver.for_path(path)
    if filename and options.force_exclude and excluded(path, config):
        return RunResult([])
    # Standard input is never written back: with --fix the CLI prints the fixed source.
    linter = _linter_pool().linter_for(config)
    outcome = _lint_bytes(filename or "-", source, linter, options.fix_mode, options.unsafe_fixes, write_back=False)
    return RunResult([outcome], resolver.warnings)
