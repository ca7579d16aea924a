"""What ``designlint check`` does once its arguments are read, and the output helpers every
command shares, without click: ``designlint.launch`` reads a simple ``check`` command line
itself (``designlint.check_args``) and comes here directly, so linting a file or a warm run
does not pay for click's import; ``designlint.cli`` comes here for everything else."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from designlint.collector import collect_less_often
from designlint.reporters.escape import printable, printable_diff

if TYPE_CHECKING:
    from designlint.baseline import Applied, Baseline
    from designlint.cache import UnsafeCacheDir
    from designlint.reporters import ReportContext
    from designlint.runner import FixMode, Options, RunResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = ("concise", "full", "json", "json-lines", "github", "gitlab", "sarif")


class UsageError(Exception):
    """A command line that cannot run (flags that contradict each other, say): reported as click
    reports its own usage errors, ``designlint: error: ... (see 'designlint check --help')``."""


def echo(message: str, err: bool = False, nl: bool = True) -> None:
    """What ``click.echo`` does with designlint's messages: the text and a newline, flushed;
    nothing once the stream is gone (a closed pipe). The messages are escaped by ``printable``,
    so there are no ANSI codes for click to strip."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    stream.write(message + "\n" if nl else message)
    stream.flush()


def clear() -> None:
    """``click.clear``: the terminal cleared, the cursor at its top left; nothing for a pipe."""
    try:
        terminal = sys.stdout.isatty()
    except Exception:  # no standard output, or one that cannot tell: as click
        terminal = False
    if terminal:
        echo("\033[2J\033[1;1H", nl=False)


def run_check(params: dict) -> NoReturn:
    """``check`` with the parameters ``designlint.check_args`` read, its errors ending the run
    as ``designlint.cli`` ends it (click's handling of an interrupt included)."""
    try:
        check(**params)
    except UsageError as exc:
        fail(f"{exc} (see 'designlint check --help')")
    except (EOFError, KeyboardInterrupt):
        echo("", err=True)
        echo("Aborted!", err=True)
        sys.exit(1)
    except BrokenPipeError:  # the reader of our output went away (| head)
        sys.stdout = None
        sys.exit(1)


def check(
    *,
    paths,
    output_format,
    output_file,
    select,
    extend_select,
    ignore,
    per_file_ignores,
    exclude,
    extend_exclude,
    config_path,
    isolated,
    respect_gitignore,
    force_exclude,
    stdin_filename,
    fix,
    unsafe_fixes,
    diff,
    exit_zero,
    statistics,
    jobs,
    no_cache,
    cache_dir,
    baseline_file,
    write_baseline,
    baseline_prune,
    add_noqa,
    show_settings,
    show_files,
    quiet,
    fix_only,
    watch,
    verbose,
    cache_dir_named_by: str | None,
) -> NoReturn:
    """``designlint check``, given its parameters as click passes them (``cache_dir_named_by``:
    the flag or environment variable ``cache_dir`` came from, None for the default)."""
    collect_less_often()
    from designlint.cache import UnsafeCacheDir
    from designlint.config import ConfigError
    from designlint.progress import ProgressBar
    from designlint.reporters import ReportContext
    from designlint.runner import FixMode, Options, lint_paths, lint_stdin

    for first, second, why in (
        (fix and "--fix", diff and "--diff", "--diff shows what --fix would write"),
        (isolated and "--isolated", config_path and "--config", "--isolated ignores every configuration file"),
        (diff and "--diff", statistics and "--statistics", "--diff prints a diff, not findings"),
        (write_baseline and "--write-baseline", fix and "--fix", "the baseline records findings, fixed or not"),
        (write_baseline and "--write-baseline", diff and "--diff", "the baseline records findings, not a diff"),
        (write_baseline and "--write-baseline", baseline_file and "--baseline", "it records every finding"),
        (write_baseline and "--write-baseline", baseline_prune and "--baseline-prune", "it records every finding"),
        (add_noqa and "--add-noqa", fix and "--fix", "fix first, then suppress what is left"),
        (add_noqa and "--add-noqa", diff and "--diff", "--add-noqa writes the files"),
        (add_noqa and "--add-noqa", write_baseline and "--write-baseline", "choose one way to adopt"),
        (fix_only and "--fix-only", diff and "--diff", "--fix-only writes the fixes"),
        (fix_only and "--fix-only", statistics and "--statistics", "--fix-only reports nothing"),
        (fix_only and "--fix-only", add_noqa and "--add-noqa", "fix first, then suppress what is left"),
        (
            fix_only and "--fix-only",
            write_baseline and "--write-baseline",
            "the baseline records findings, fixed or not",
        ),
        (watch and "--watch", write_baseline and "--write-baseline", "the baseline is recorded once"),
        (watch and "--watch", add_noqa and "--add-noqa", "the directives are added once"),
        (watch and "--watch", baseline_prune and "--baseline-prune", "the baseline is pruned once"),
        (
            watch and "--watch",
            (show_settings is not None or show_files) and "--show-settings/--show-files",
            "they lint nothing",
        ),
    ):
        if first and second:
            fail(f"{first} and {second} cannot be used together ({why})")
    fix_mode = FixMode.DIFF if diff else FixMode.FIX if fix or fix_only else FixMode.CHECK
    options = Options(
        config_path=config_path,
        isolated=isolated,
        overrides={
            "select": select,
            "extend_select": extend_select,
            "ignore": ignore,
            "per_file_ignores": per_file_ignores,
            "exclude": exclude,
            "extend_exclude": extend_exclude,
            "respect_gitignore": respect_gitignore,
        },
        force_exclude=force_exclude,
        jobs=jobs,
        fix_mode=fix_mode,
        unsafe_fixes=unsafe_fixes,
        use_cache=not no_cache,
        cache_dir=cache_dir,
    )
    reads_stdin = tuple(str(p) for p in paths) == ("-",)
    if show_settings is not None or show_files:
        _show(show_settings, show_files, paths, options)
    if add_noqa and reads_stdin:
        raise UsageError("--add-noqa writes files: it cannot work on standard input")
    if watch and reads_stdin:
        raise UsageError("--watch lints files as they change: it cannot work on standard input")
    if stdin_filename is not None and not reads_stdin:
        raise UsageError("--stdin-filename names what '-' (standard input) stands for: pass '-' as the only path")

    def run() -> NoReturn:
        """One run, to its exit: once, or again on every change with --watch."""
        try:
            baseline = None if write_baseline else _baseline(baseline_file, options)
        except ConfigError as exc:
            fail(str(exc))
        if baseline_prune and baseline is None:
            raise UsageError("--baseline-prune needs a baseline (--baseline FILE, or `baseline` in config)")
        stdin_text = None
        try:
            if reads_stdin:
                stdin_text = sys.stdin.buffer.read()
                result = lint_stdin(stdin_text, stdin_filename, options)
            else:
                with ProgressBar.for_stderr() as progress:
                    result = lint_paths(
                        paths or [Path(".")], replace(options, progress=progress.update if progress else None)
                    )
        except UnsafeCacheDir as exc:
            refuse_cache_dir(exc, cache_dir_named_by)
        except ConfigError as exc:
            fail(str(exc))
        except Exception as exc:
            _internal_error(exc, verbose)

        diagnostics = result.diagnostics
        if write_baseline is not None:
            _write_baseline(write_baseline, diagnostics)
        applied = None
        if baseline is not None:
            from designlint.baseline import apply_baseline  # with a baseline only (tempfile, shutil)

            applied = apply_baseline(baseline, diagnostics, (o.path for o in result.outcomes))
            diagnostics = applied.new
        if add_noqa:
            _add_noqa(diagnostics, options)
        for warning in result.warnings:
            warn(warning)
        if verbose:
            for outcome in result.outcomes:
                for tb in outcome.internal_errors:
                    echo(f"{printable(outcome.path)}:", err=True)
                    _echo_traceback(tb)

        if stdin_text is not None and fix_mode is FixMode.FIX:
            fixed = result.outcomes[0].fixed_source if result.outcomes else None
            sys.stdout.buffer.write(stdin_text if fixed is None else fixed)
            if fix_only:
                _fixed_summary(result, quiet)
                sys.exit(EXIT_ERROR if _has_internal_error(diagnostics) else EXIT_CLEAN)
            if not quiet:
                summary(result, diagnostics, fix_mode, unsafe_fixes)
            _baseline_summary(baseline, applied, baseline_prune, quiet)
            sys.exit(exit_code(diagnostics, exit_zero))

        if fix_only:
            for outcome in result.outcomes:  # what is left is not reported, but a fix not written is
                if outcome.not_written:
                    echo(
                        f"designlint: warning: {printable(outcome.path)}: cannot write the fixed file: {outcome.not_written}",
                        err=True,
                    )
            _fixed_summary(result, quiet)
            sys.exit(EXIT_ERROR if _has_internal_error(diagnostics) else EXIT_CLEAN)

        context = ReportContext(read_lines=line_reader(stdin_text), colour=output_file is None and colour(sys.stdout))
        try:  # the whole report, before the output file is touched
            if fix_mode is FixMode.DIFF:
                text = "".join(o.diff for o in result.outcomes)
                if output_file is None:  # a terminal or a CI log acts on what the diff quotes; a file gets the patch
                    text, escaped = printable_diff(text)
                    if escaped:
                        echo(
                            f"designlint: warning: {escaped} line{'s' if escaped != 1 else ''} of the diff "
                            "shown with escapes (control or format characters); --output-file writes the exact patch",
                            err=True,
                        )
            elif statistics:
                text = _statistics(diagnostics, output_format)
            else:
                text = render(output_format, diagnostics, context)
        except Exception as exc:
            _internal_error(exc, verbose)
        emit(text, output_file)
        if not quiet:
            summary(result, diagnostics, fix_mode, unsafe_fixes)
        _baseline_summary(baseline, applied, baseline_prune, quiet)
        if fix_mode is FixMode.DIFF:
            sys.exit(
                EXIT_ERROR
                if _has_internal_error(diagnostics)
                else EXIT_FINDINGS
                if text and not exit_zero
                else EXIT_CLEAN
            )
        sys.exit(exit_code(diagnostics, exit_zero))

    if watch:
        _watch(run, paths or [Path(".")], [p for p in (config_path, baseline_file) if p is not None])
    run()


def _watch(run: Callable[[], NoReturn], paths: list[Path], also: list[Path]) -> NoReturn:
    """Run, then run again after every change, until Ctrl-C (exit 0). Each run starts on a
    cleared terminal (a pipe gets no escape codes: the time stamp line separates the runs)."""
    from designlint.watch import snapshot, wait_for_change

    try:
        before = snapshot(paths, also)
        message = "Starting linter in watch mode..."
        while True:
            clear()
            echo(f"[{time.strftime('%H:%M:%S')}] {message}", err=True)
            try:
                run()
            except SystemExit:  # a run ends as it would alone (an error included); the watch goes on
                pass
            sys.stdout.flush()
            echo("Watching for file changes (Ctrl-C to stop).", err=True)
            before = wait_for_change(lambda: snapshot(paths, also), before)
            message = "File change detected, linting again..."
    except KeyboardInterrupt:
        sys.exit(EXIT_CLEAN)


def _baseline(flag: Path | None, options: Options) -> Baseline | None:
    """The baseline named by ``--baseline``, else by the configuration that applies to the
    current directory (a missing file is then that configuration's error), else None."""
    from designlint.config import ConfigError, key_error
    from designlint.runner import resolver_for

    if flag is not None:
        return _load_baseline(flag)
    config = resolver_for(options).for_path(Path.cwd())
    if config.baseline is None:
        return None
    try:
        return _load_baseline(config.baseline)
    except ConfigError as exc:
        raise key_error(config, ("baseline",), str(exc)) from None


def _load_baseline(path: Path) -> Baseline:
    from designlint.baseline import load_baseline  # only with a baseline: it imports tempfile

    return load_baseline(path)


def _write_baseline(path: Path, diagnostics) -> None:
    from designlint.baseline import write_baseline
    from designlint.config import ConfigError

    try:
        written = write_baseline(path, diagnostics)
    except ConfigError as exc:
        fail(str(exc))
    echo(f"Wrote {count(written, 'finding')} to the baseline {printable(str(path))}; none are reported.", err=True)
    sys.exit(EXIT_ERROR if _has_internal_error(diagnostics) else EXIT_CLEAN)


def _show(settings_of: Path | None, files: bool, paths, options: Options) -> None:
    from designlint.config import ConfigError
    from designlint.runner import files_to_lint, resolver_for
    from designlint.settings import describe_settings

    try:
        if settings_of is not None:
            import click  # its echo strips ANSI codes from the path shown, unescaped, for a pipe

            click.echo(describe_settings(settings_of, resolver_for(options).for_path(settings_of)), nl=False)
        if files:
            for path, _ in files_to_lint(paths or [Path(".")], options, warn=warn):
                echo(printable(str(path)))
    except ConfigError as exc:
        fail(str(exc))
    sys.exit(EXIT_CLEAN)


def _add_noqa(diagnostics, options: Options) -> None:
    from designlint.add_noqa import add_noqa as add_noqa_comments
    from designlint.runner import resolver_for

    resolver = resolver_for(options)
    added = add_noqa_comments(diagnostics, lambda path: resolver.for_path(Path(path)).root)
    for problem in added.problems:
        echo(f"designlint: warning: {printable(problem)}", err=True)
    echo(
        f"Added {count(added.added, 'noqa directive')}"
        + (f" in {count(added.files, 'file')}." if added.added else "."),
        err=True,
    )
    sys.exit(EXIT_ERROR if _has_internal_error(diagnostics) else EXIT_CLEAN)


def _baseline_summary(baseline: Baseline | None, applied: Applied | None, prune: bool, quiet: bool) -> None:
    if baseline is None or applied is None:
        return
    from designlint.baseline import prune_baseline
    from designlint.config import ConfigError

    if not quiet:
        shown = printable(str(baseline.path))
        echo(f"{count(applied.baselined, 'finding')} in the baseline {shown} not shown.", err=True)
    if not applied.stale:
        return
    if not prune:
        if quiet:
            return
        echo(
            f"{count(len(applied.stale), 'baseline entry', 'baseline entries')} no longer found (fixed since): "
            "--baseline-prune removes them.",
            err=True,
        )
        return
    try:
        prune_baseline(baseline, applied.stale)
    except ConfigError as exc:
        fail(str(exc))
    for entry in applied.stale:
        stale = printable(f"{entry.path}: {entry.code} {entry.message}")
        echo(f"{stale} (no longer found: removed from the baseline)", err=True)
    removed = count(len(applied.stale), "stale entry", "stale entries")
    echo(f"Removed {removed} from {printable(str(baseline.path))}.", err=True)


def _fixed_summary(result: RunResult, quiet: bool) -> None:
    if not quiet:
        fixed = sum(o.fixed for o in result.outcomes)
        echo(f"Fixed {count(fixed, 'problem')}." if fixed else "Nothing to fix.", err=True)


def colour(stream) -> bool:
    """ANSI colour for a terminal only, never a pipe or file; NO_COLOR (https://no-color.org) wins."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def render(output_format: str, diagnostics, context: ReportContext) -> str:
    from designlint.reporters import reporter

    render = reporter(output_format)
    if render is None:
        fail(f"--output-format: {output_format!r} is not available in this version")
    return render(diagnostics, context)


def line_reader(stdin_text: bytes | None):
    from designlint.reading import MAX_SOURCE_SIZE, TooLarge, read_regular_file
    from designlint.source import DecodeError, decode, split_lines

    cache: dict[str, list[str]] = {}

    def read(path: str) -> list[str]:
        if path not in cache:
            try:
                raw = stdin_text if stdin_text is not None else read_regular_file(path, MAX_SOURCE_SIZE)
                # Quoted as the linter read it: the coding line and BOM decide the encoding.
                cache[path] = split_lines(decode(raw).text)
            except DecodeError:
                cache[path] = split_lines(raw.decode("utf-8", errors="replace"))
            except (OSError, TooLarge):  # a file reported as too large is not read to quote it
                cache[path] = []
        return cache[path]

    return read


def _statistics(diagnostics, output_format: str) -> str:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.applicable_fix(unsafe=False))  # what --fix would fix
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    records = [{"code": code, "name": name, "count": n, "fixable": fixable[code]} for (code, name), n in rows]
    if output_format == "json":
        return json.dumps(records, indent=2) + "\n"
    if output_format == "json-lines":
        return "".join(json.dumps(record) + "\n" for record in records)
    width = max((len(str(n)) for _, n in rows), default=1)
    return "".join(f"{n:>{width}}\t{code}\t{'[*] ' if fixable[code] else ''}{name}\n" for (code, name), n in rows)


def emit(text: str, output_file: Path | None) -> None:
    """The report as UTF-8, to standard output or to ``output_file``, which is replaced whole
    (the report is complete before the file is touched) or, if anything fails, left as it was.
    A diff's file names are written as the bytes they are (surrogate escapes)."""
    data = text.encode("utf-8", "surrogateescape")
    if output_file is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        if _is_regular_or_missing(output_file):
            # Through a symlink to the file it names, as opening it would.
            replace_file(Path(os.path.realpath(output_file)), data)
        else:  # -o /dev/stdout, a FIFO: nothing to rename over
            with open(output_file, "wb") as handle:
                handle.write(data)
    except OSError as exc:
        fail(f"--output-file: cannot write {output_file}: {exc.strerror or exc}")


def _is_regular_or_missing(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def replace_file(path: Path, data: bytes) -> None:
    """Write a temporary file beside ``path``, then rename it over ``path``: readers see the
    old report or the new one, whole. A replaced file keeps its mode; a new one gets the mode
    ``open`` would give it (the umask applies)."""
    import secrets

    from designlint.fixes import TEMPORARY_SUFFIX

    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    temporary = path.parent / f".{secrets.token_hex(8)}{TEMPORARY_SUFFIX}"  # short: path's own name may be long
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def summary(result: RunResult, diagnostics, fix_mode: FixMode, unsafe_fixes: bool) -> None:
    from designlint.runner import FixMode

    if not result.outcomes:
        return  # nothing was linted: the warning said so, and no check passed
    fixed = sum(o.fixed for o in result.outcomes)
    files = len({d.path for d in diagnostics})
    found = f"{count(len(diagnostics), 'problem')} in {count(files, 'file')}"
    if fix_mode is FixMode.DIFF:
        # Nothing was written: say what --fix would do and what it would leave.
        left = f"{found} would remain" if diagnostics else "no problems would remain"
        echo(f"--fix would fix {count(fixed, 'problem')}; {left}. Nothing was written.", err=True)
    elif diagnostics:
        echo(f"Found {found}{f' ({fixed} fixed)' if fixed else ''}.", err=True)
    else:
        echo(f"All checks passed!{f' ({fixed} fixed)' if fixed else ''}", err=True)
    safe = sum(1 for d in diagnostics if d.applicable_fix(unsafe=False))
    unsafe = sum(1 for d in diagnostics if d.fix is not None) - safe
    if unsafe_fixes and fix_mode is FixMode.CHECK:
        if safe + unsafe:
            echo(f"[*] {safe + unsafe} fixable with --fix --unsafe-fixes.", err=True)
        return
    hidden = count(unsafe, "hidden fix", "hidden fixes") + " can be enabled with --unsafe-fixes"
    if safe:
        echo(f"[*] {safe} fixable with --fix{f' ({hidden})' if unsafe and not unsafe_fixes else ''}.", err=True)
    elif unsafe and not unsafe_fixes:
        echo(
            f"No fixes available ({hidden})." if fix_mode is FixMode.CHECK else f"{hidden[0].upper()}{hidden[1:]}.",
            err=True,
        )


def count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _has_internal_error(diagnostics) -> bool:
    from designlint.rules import INTERNAL_ERROR

    return any(d.code == INTERNAL_ERROR[0] for d in diagnostics)


def exit_code(diagnostics, exit_zero: bool) -> int:
    if _has_internal_error(diagnostics):
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN


def _internal_error(exc: Exception, verbose: bool) -> NoReturn:
    """designlint's own bug: say so, no traceback unless asked."""
    if verbose:
        import traceback  # with linecache and tokenize: a run without a bug needs none of them

        _echo_traceback(traceback.format_exc())
    fail(f"internal error: {type(exc).__name__}: {exc} (please report this bug; --verbose shows the traceback)")


def _echo_traceback(tb: str) -> None:
    """To standard error, each line printable: an exception's text may quote the linted code."""
    echo("".join(printable(line) + "\n" for line in tb.rstrip("\n").split("\n")), err=True, nl=False)


def warn(message: str) -> None:
    echo(f"designlint: warning: {printable(message)}", err=True)


def fail(message: str) -> NoReturn:
    # Messages name files and configuration keys, which may hold anything.
    echo(f"designlint: error: {printable(message)}", err=True)
    sys.exit(EXIT_ERROR)


def refuse_cache_dir(exc: UnsafeCacheDir, named_by: str | None) -> NoReturn:
    """Exit 2, naming where the directory came from (``--cache-dir``, ``DESIGNLINT_CACHE_DIR``)."""
    fail(f"{named_by}: {exc}" if named_by is not None else str(exc))
