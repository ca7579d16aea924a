"""The command line: ``designlint check``, ``design show``/``design check``, ``init``, ``clean``, ``rule``,
``rules``, ``lsp``."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from click.core import ParameterSource

from designlint._version import __version__
from designlint.reporters.escape import printable, printable_diff

# Everything else is imported by the command that needs it: `designlint --version`, `rules`,
# `rule` and `clean` start as fast as the interpreter, and `check` imports the linter (LibCST,
# the rules) only when a file is not answered by the results cache.
if TYPE_CHECKING:
    from designlint.baseline import Applied, Baseline
    from designlint.cache import UnsafeCacheDir
    from designlint.reporters import ReportContext
    from designlint.runner import FixMode, Options, RunResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
OUTPUT_FORMATS = ("concise", "full", "json", "json-lines", "github", "gitlab", "sarif")


def _comma_separated(value: tuple[str, ...]) -> tuple[str, ...]:
    """A repeatable flag's values, each of which may hold several, comma-separated."""
    return tuple(part.strip() for item in value for part in item.split(",") if part.strip())


def _codes(ctx, param, value):
    from designlint.config import check_selector
    from designlint.rules import SCHEMA  # the catalogue, read when a flag names codes

    if not value:
        return None
    codes = _comma_separated(value)
    for code in codes:
        check_selector(code, SCHEMA.codes, lambda message: click.BadParameter(message, ctx, param))
    return codes


def _check_glob(pattern: str, ctx, param) -> None:
    from designlint.globs import GlobError, compile_glob

    try:
        compile_glob(pattern)
    except GlobError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None


def _globs(ctx, param, value):
    if not value:
        return None
    patterns = _comma_separated(value)
    for pattern in patterns:
        _check_glob(pattern, ctx, param)
    return patterns


def _per_file_ignores(ctx, param, value):
    pairs = []
    for item in value or ():
        pattern, sep, codes = item.rpartition(":")
        if not sep or not pattern:
            raise click.BadParameter(f"expected GLOB:CODES such as 'tests/*:DL501', got {item!r}", ctx, param)
        _check_glob(pattern, ctx, param)
        pairs.append((pattern, _codes(ctx, param, (codes,))))
    return tuple(pairs) or None


_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click 8.2+


class _Commands(click.Group):
    """Usage errors (a bad flag, a missing argument) in designlint's one error style,
    ``designlint: error: ...`` and exit 2, rather than click's usage box."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            code = super().main(*args, **kwargs)  # --help and --version return 0
        except _NO_ARGS_IS_HELP as exc:  # bare `designlint`: the help, as click shows it
            exc.show()
            sys.exit(EXIT_ERROR)
        except click.UsageError as exc:
            command = f"designlint {exc.ctx.info_name}" if exc.ctx is not None and exc.ctx.parent else "designlint"
            hint = f" (see '{command} --help')"
            _fail(f"{exc.format_message()}{hint}")
        except click.ClickException as exc:
            _fail(exc.format_message())
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except BrokenPipeError:  # the reader of our output went away (| head)
            sys.stdout = None
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else EXIT_CLEAN)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="designlint")
def main() -> None:
    """designlint: hold LLM agent tool-dispatcher code to its engineering design."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--output-format",
    type=click.Choice(OUTPUT_FORMATS),
    default="concise",
    show_default=True,
    help="How findings are printed.",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to a file instead of standard output.",
)
@click.option(
    "--select",
    multiple=True,
    callback=_codes,
    help="Rule codes or prefixes to enable (replaces the configured select).",
)
@click.option(
    "--extend-select", multiple=True, callback=_codes, help="Rule codes or prefixes to enable on top of select."
)
@click.option("--ignore", multiple=True, callback=_codes, help="Rule codes or prefixes to disable.")
@click.option(
    "--per-file-ignores",
    multiple=True,
    callback=_per_file_ignores,
    help="GLOB:CODES, e.g. 'tests/*:DL501'. Repeatable.",
)
@click.option(
    "--exclude", multiple=True, callback=_globs, help="Globs of paths to skip (replaces the configured exclude)."
)
@click.option("--extend-exclude", multiple=True, callback=_globs, help="Globs of paths to skip on top of exclude.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Use this (.)designlint.toml or pyproject.toml, nothing else.",
)
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option(
    "--respect-gitignore/--no-respect-gitignore",
    default=None,
    help="Skip (or do not skip) what .gitignore files ignore in the directories searched (default: respect-gitignore, true).",
)
@click.option("--force-exclude", is_flag=True, help="Apply excludes to paths given explicitly too (for pre-commit).")
@click.option("--stdin-filename", help="With '-': the path standard input stands for (config, ignores, reported name).")
@click.option("--fix", is_flag=True, help="Apply safe fixes.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff: apply unsafe fixes too.")
@click.option("--diff", is_flag=True, help="Print the changes --fix would make as a unified diff; write nothing.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("--statistics", is_flag=True, help="Print a count per rule instead of the findings.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: the CPU count).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the results cache.")
@click.option(
    "--cache-dir",
    envvar="DESIGNLINT_CACHE_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the results cache lives: a new or empty directory, or one designlint made"
    " (default: .designlint_cache in the project root; env DESIGNLINT_CACHE_DIR).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report only findings not recorded in this baseline file (default: the configured `baseline`).",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record today's findings in this baseline file and report none.",
)
@click.option("--baseline-prune", is_flag=True, help="Remove the baseline's entries that are no longer found.")
@click.option("--add-noqa", is_flag=True, help="Add a `# noqa: CODE` to every line with a finding; report none.")
@click.option(
    "--show-settings",
    type=click.Path(path_type=Path),
    help="Print the effective configuration for this file, and the file it came from; lint nothing.",
)
@click.option("--show-files", is_flag=True, help="Print the files that would be linted; lint nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings and errors, no summary.")
@click.option(
    "--fix-only", is_flag=True, help="Apply safe fixes and report nothing of what is left (exit 0); implies --fix."
)
@click.option("-w", "--watch", is_flag=True, help="Lint again whenever a file changes (Ctrl-C stops).")
@click.option("-v", "--verbose", is_flag=True, help="Print tracebacks of internal errors.")
def check(
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
):
    """Lint PATHS (default: the current directory); '-' reads standard input."""
    from designlint.baseline import apply_baseline
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
            _fail(f"{first} and {second} cannot be used together ({why})")
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
        raise click.UsageError("--add-noqa writes files: it cannot work on standard input")
    if watch and reads_stdin:
        raise click.UsageError("--watch lints files as they change: it cannot work on standard input")
    if stdin_filename is not None and not reads_stdin:
        raise click.UsageError("--stdin-filename names what '-' (standard input) stands for: pass '-' as the only path")

    def run() -> NoReturn:
        """One run, to its exit: once, or again on every change with --watch."""
        try:
            baseline = None if write_baseline else _baseline(baseline_file, options)
        except ConfigError as exc:
            _fail(str(exc))
        if baseline_prune and baseline is None:
            raise click.UsageError("--baseline-prune needs a baseline (--baseline FILE, or `baseline` in config)")
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
            _refuse_cache_dir(exc)
        except ConfigError as exc:
            _fail(str(exc))
        except Exception as exc:
            _internal_error(exc, verbose)

        diagnostics = result.diagnostics
        if write_baseline is not None:
            _write_baseline(write_baseline, diagnostics)
        applied = None
        if baseline is not None:
            applied = apply_baseline(baseline, diagnostics, (o.path for o in result.outcomes))
            diagnostics = applied.new
        if add_noqa:
            _add_noqa(diagnostics, options)
        for warning in result.warnings:
            _warn(warning)
        if verbose:
            for outcome in result.outcomes:
                for tb in outcome.internal_errors:
                    click.echo(f"{printable(outcome.path)}:", err=True)
                    _echo_traceback(tb)

        if stdin_text is not None and fix_mode is FixMode.FIX:
            fixed = result.outcomes[0].fixed_source if result.outcomes else None
            sys.stdout.buffer.write(stdin_text if fixed is None else fixed)
            if fix_only:
                _fixed_summary(result, quiet)
                sys.exit(EXIT_ERROR if _has_internal_error(diagnostics) else EXIT_CLEAN)
            if not quiet:
                _summary(result, diagnostics, fix_mode, unsafe_fixes)
            _baseline_summary(baseline, applied, baseline_prune, quiet)
            sys.exit(_exit_code(diagnostics, exit_zero))

        if fix_only:
            for outcome in result.outcomes:  # what is left is not reported, but a fix not written is
                if outcome.not_written:
                    click.echo(
                        f"designlint: warning: {printable(outcome.path)}: cannot write the fixed file: {outcome.not_written}",
                        err=True,
                    )
            _fixed_summary(result, quiet)
            sys.exit(EXIT_ERROR if _has_internal_error(diagnostics) else EXIT_CLEAN)

        context = ReportContext(read_lines=_line_reader(stdin_text), colour=output_file is None and _colour(sys.stdout))
        try:  # the whole report, before the output file is touched
            if fix_mode is FixMode.DIFF:
                text = "".join(o.diff for o in result.outcomes)
                if output_file is None:  # a terminal or a CI log acts on what the diff quotes; a file gets the patch
                    text, escaped = printable_diff(text)
                    if escaped:
                        click.echo(
                            f"designlint: warning: {escaped} line{'s' if escaped != 1 else ''} of the diff "
                            "shown with escapes (control or format characters); --output-file writes the exact patch",
                            err=True,
                        )
            elif statistics:
                text = _statistics(diagnostics, output_format)
            else:
                text = _render(output_format, diagnostics, context)
        except Exception as exc:
            _internal_error(exc, verbose)
        _emit(text, output_file)
        if not quiet:
            _summary(result, diagnostics, fix_mode, unsafe_fixes)
        _baseline_summary(baseline, applied, baseline_prune, quiet)
        if fix_mode is FixMode.DIFF:
            sys.exit(
                EXIT_ERROR
                if _has_internal_error(diagnostics)
                else EXIT_FINDINGS
                if text and not exit_zero
                else EXIT_CLEAN
            )
        sys.exit(_exit_code(diagnostics, exit_zero))

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
            click.clear()
            click.echo(f"[{time.strftime('%H:%M:%S')}] {message}", err=True)
            try:
                run()
            except SystemExit:  # a run ends as it would alone (an error included); the watch goes on
                pass
            sys.stdout.flush()
            click.echo("Watching for file changes (Ctrl-C to stop).", err=True)
            before = wait_for_change(lambda: snapshot(paths, also), before)
            message = "File change detected, linting again..."
    except KeyboardInterrupt:
        sys.exit(EXIT_CLEAN)


def _baseline(flag: Path | None, options: Options) -> Baseline | None:
    """The baseline named by ``--baseline``, else by the configuration that applies to the
    current directory (a missing file is then that configuration's error), else None."""
    from designlint.baseline import load_baseline
    from designlint.config import ConfigError, key_error
    from designlint.runner import resolver_for

    if flag is not None:
        return load_baseline(flag)
    config = resolver_for(options).for_path(Path.cwd())
    if config.baseline is None:
        return None
    try:
        return load_baseline(config.baseline)
    except ConfigError as exc:
        raise key_error(config, ("baseline",), str(exc)) from None


def _write_baseline(path: Path, diagnostics) -> None:
    from designlint.baseline import write_baseline
    from designlint.config import ConfigError

    try:
        written = write_baseline(path, diagnostics)
    except ConfigError as exc:
        _fail(str(exc))
    click.echo(
        f"Wrote {_count(written, 'finding')} to the baseline {printable(str(path))}; none are reported.", err=True
    )
    sys.exit(EXIT_ERROR if _has_internal_error(diagnostics) else EXIT_CLEAN)


def _show(settings_of: Path | None, files: bool, paths, options: Options) -> None:
    from designlint.config import ConfigError
    from designlint.runner import files_to_lint, resolver_for
    from designlint.settings import describe_settings

    try:
        if settings_of is not None:
            click.echo(describe_settings(settings_of, resolver_for(options).for_path(settings_of)), nl=False)
        if files:
            for path, _ in files_to_lint(paths or [Path(".")], options, warn=_warn):
                click.echo(printable(str(path)))
    except ConfigError as exc:
        _fail(str(exc))
    sys.exit(EXIT_CLEAN)


def _add_noqa(diagnostics, options: Options) -> None:
    from designlint.add_noqa import add_noqa as add_noqa_comments
    from designlint.runner import resolver_for

    resolver = resolver_for(options)
    added = add_noqa_comments(diagnostics, lambda path: resolver.for_path(Path(path)).root)
    for problem in added.problems:
        click.echo(f"designlint: warning: {printable(problem)}", err=True)
    click.echo(
        f"Added {_count(added.added, 'noqa directive')}"
        + (f" in {_count(added.files, 'file')}." if added.added else "."),
        err=True,
    )
    sys.exit(EXIT_ERROR if _has_internal_error(diagnostics) else EXIT_CLEAN)


def _baseline_summary(baseline: Baseline | None, applied: Applied | None, prune: bool, quiet: bool) -> None:
    from designlint.baseline import prune_baseline
    from designlint.config import ConfigError

    if baseline is None or applied is None:
        return
    if not quiet:
        shown = printable(str(baseline.path))
        click.echo(f"{_count(applied.baselined, 'finding')} in the baseline {shown} not shown.", err=True)
    if not applied.stale:
        return
    if not prune:
        if quiet:
            return
        click.echo(
            f"{_count(len(applied.stale), 'baseline entry', 'baseline entries')} no longer found (fixed since): "
            "--baseline-prune removes them.",
            err=True,
        )
        return
    try:
        prune_baseline(baseline, applied.stale)
    except ConfigError as exc:
        _fail(str(exc))
    for entry in applied.stale:
        stale = printable(f"{entry.path}: {entry.code} {entry.message}")
        click.echo(f"{stale} (no longer found: removed from the baseline)", err=True)
    removed = _count(len(applied.stale), "stale entry", "stale entries")
    click.echo(f"Removed {removed} from {printable(str(baseline.path))}.", err=True)


def _fixed_summary(result: RunResult, quiet: bool) -> None:
    if not quiet:
        fixed = sum(o.fixed for o in result.outcomes)
        click.echo(f"Fixed {_count(fixed, 'problem')}." if fixed else "Nothing to fix.", err=True)


def _colour(stream) -> bool:
    """ANSI colour for a terminal only, never a pipe or file; NO_COLOR (https://no-color.org) wins."""
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _render(output_format: str, diagnostics, context: ReportContext) -> str:
    from designlint.reporters import reporter

    render = reporter(output_format)
    if render is None:
        _fail(f"--output-format: {output_format!r} is not available in this version")
    return render(diagnostics, context)


def _line_reader(stdin_text: bytes | None):
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
    from designlint.fixes import fixable as is_fixable

    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if is_fixable(d, unsafe=False))  # what --fix would fix
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    records = [{"code": code, "name": name, "count": n, "fixable": fixable[code]} for (code, name), n in rows]
    if output_format == "json":
        return json.dumps(records, indent=2) + "\n"
    if output_format == "json-lines":
        return "".join(json.dumps(record) + "\n" for record in records)
    width = max((len(str(n)) for _, n in rows), default=1)
    return "".join(f"{n:>{width}}\t{code}\t{'[*] ' if fixable[code] else ''}{name}\n" for (code, name), n in rows)


def _emit(text: str, output_file: Path | None) -> None:
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
            _replace_file(Path(os.path.realpath(output_file)), data)
        else:  # -o /dev/stdout, a FIFO: nothing to rename over
            with open(output_file, "wb") as handle:
                handle.write(data)
    except OSError as exc:
        _fail(f"--output-file: cannot write {output_file}: {exc.strerror or exc}")


def _is_regular_or_missing(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return True


def _replace_file(path: Path, data: bytes) -> None:
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


def _summary(result: RunResult, diagnostics, fix_mode: FixMode, unsafe_fixes: bool) -> None:
    from designlint.fixes import fixable as is_fixable
    from designlint.runner import FixMode

    if not result.outcomes:
        return  # nothing was linted: the warning said so, and no check passed
    fixed = sum(o.fixed for o in result.outcomes)
    files = len({d.path for d in diagnostics})
    found = f"{_count(len(diagnostics), 'problem')} in {_count(files, 'file')}"
    if fix_mode is FixMode.DIFF:
        # Nothing was written: say what --fix would do and what it would leave.
        left = f"{found} would remain" if diagnostics else "no problems would remain"
        click.echo(f"--fix would fix {_count(fixed, 'problem')}; {left}. Nothing was written.", err=True)
    elif diagnostics:
        click.echo(f"Found {found}{f' ({fixed} fixed)' if fixed else ''}.", err=True)
    else:
        click.echo(f"All checks passed!{f' ({fixed} fixed)' if fixed else ''}", err=True)
    safe = sum(1 for d in diagnostics if is_fixable(d, unsafe=False))
    unsafe = sum(1 for d in diagnostics if d.fix is not None) - safe
    if unsafe_fixes and fix_mode is FixMode.CHECK:
        if safe + unsafe:
            click.echo(f"[*] {safe + unsafe} fixable with --fix --unsafe-fixes.", err=True)
        return
    hidden = _count(unsafe, "hidden fix", "hidden fixes") + " can be enabled with --unsafe-fixes"
    if safe:
        click.echo(f"[*] {safe} fixable with --fix{f' ({hidden})' if unsafe and not unsafe_fixes else ''}.", err=True)
    elif unsafe and not unsafe_fixes:
        click.echo(
            f"No fixes available ({hidden})." if fix_mode is FixMode.CHECK else f"{hidden[0].upper()}{hidden[1:]}.",
            err=True,
        )


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _has_internal_error(diagnostics) -> bool:
    from designlint.rules import INTERNAL_ERROR

    return any(d.code == INTERNAL_ERROR[0] for d in diagnostics)


def _exit_code(diagnostics, exit_zero: bool) -> int:
    if _has_internal_error(diagnostics):
        return EXIT_ERROR
    return EXIT_FINDINGS if diagnostics and not exit_zero else EXIT_CLEAN


def _internal_error(exc: Exception, verbose: bool) -> NoReturn:
    """designlint's own bug: say so, no traceback unless asked."""
    if verbose:
        _echo_traceback(traceback.format_exc())
    _fail(f"internal error: {type(exc).__name__}: {exc} (please report this bug; --verbose shows the traceback)")


def _echo_traceback(tb: str) -> None:
    """To standard error, each line printable: an exception's text may quote the linted code."""
    click.echo("".join(printable(line) + "\n" for line in tb.rstrip("\n").split("\n")), err=True, nl=False)


def _warn(message: str) -> None:
    click.echo(f"designlint: warning: {printable(message)}", err=True)


def _fail(message: str) -> NoReturn:
    # Messages name files and configuration keys, which may hold anything.
    click.echo(f"designlint: error: {printable(message)}", err=True)
    sys.exit(EXIT_ERROR)


@main.command()
@click.option(
    "--cache-dir",
    envvar="DESIGNLINT_CACHE_DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="The cache to delete (default: .designlint_cache in the project root; env DESIGNLINT_CACHE_DIR).",
)
def clean(cache_dir):
    """Delete the results cache (only the files designlint wrote)."""
    from designlint.cache import UnsafeCacheDir, some_names
    from designlint.cache import clean as clean_cache
    from designlint.config import ConfigError
    from designlint.runner import Options, cache_dir_for

    try:
        directory = cache_dir_for(Options(cache_dir=cache_dir))
        cleaned = clean_cache(directory, explicit=cache_dir is not None)
    except UnsafeCacheDir as exc:
        _refuse_cache_dir(exc)
    except ConfigError as exc:
        _fail(str(exc))
    if cleaned is None:
        click.echo(f"No cache at {printable(str(directory))}", err=True)
        return
    removed, left = cleaned
    if left:
        click.echo(
            printable(
                f"Removed {_count(removed, 'file')} designlint wrote in {directory}; left what it did not write:"
                f" {some_names(left)}"
            ),
            err=True,
        )
    else:
        click.echo(f"Removed {printable(str(directory))}", err=True)


def _refuse_cache_dir(exc: UnsafeCacheDir) -> NoReturn:
    """Exit 2, naming where the directory came from."""
    source = click.get_current_context().get_parameter_source("cache_dir")
    named_by = {ParameterSource.COMMANDLINE: "--cache-dir", ParameterSource.ENVIRONMENT: "DESIGNLINT_CACHE_DIR"}
    _fail(f"{named_by[source]}: {exc}" if source in named_by else str(exc))


@main.command()
@click.argument("root", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the document (default: docs/engineering-design.md in ROOT).",
)
@click.option("--force", is_flag=True, help="Replace the document if it exists.")
@click.option("--dry-run", is_flag=True, help="Print the document; write nothing.")
@click.option("--no-config", is_flag=True, help="Do not add `design = ...` to the configuration.")
def init(root, output, force, dry_run, no_config):
    """Write the engineering design from what the code holds today, and name it in the config."""
    from designlint.config import ConfigError
    from designlint.design.bootstrap import DEFAULT_DOCUMENT as DEFAULT_DESIGN
    from designlint.design.bootstrap import add_design_key, project_title, render_design
    from designlint.design.inventory import take_inventory

    document = output if output is not None else root / DEFAULT_DESIGN
    if not dry_run and not force and (document.exists() or document.is_symlink()):
        _fail(f"{document} exists: --force replaces it, --dry-run prints the new one")
    try:
        inventory = take_inventory(root)
    except ConfigError as exc:
        _fail(str(exc))
    text = render_design(inventory, project_title(root))
    if dry_run:
        _emit(text, None)
        return
    try:
        document.parent.mkdir(parents=True, exist_ok=True)
        _replace_file(Path(os.path.realpath(document)), text.encode("utf-8"))
    except OSError as exc:
        _fail(f"cannot write {document}: {exc.strerror or exc}")
    found = (
        f"{_count(len(inventory.hosts), 'host')}, {_count(len(inventory.adapters), 'adapter module')}, "
        f"{_count(len(inventory.error_codes), 'error code')}, {_count(len(inventory.sanitizers), 'sanitizer')}"
    )
    click.echo(printable(f"Wrote {document} ({found} inventoried from {_count(inventory.files, 'file')})."), err=True)
    if not inventory.files:
        click.echo(printable(f"designlint: warning: no Python files found in {root}: the tables are empty"), err=True)
    for place in inventory.unreadable:
        click.echo(printable(f"designlint: warning: {place.path}: not inventoried: it cannot be parsed"), err=True)
    if no_config:
        return
    if output is None and (root / ".specify").is_dir():
        click.echo(
            "designlint: warning: a spec-kit project: with `design` set, the features' specs/*/engineering-design.md"
            " are no longer read; `designlint init --output specs/<feature>/engineering-design.md --no-config`"
            " writes a feature's instead",
            err=True,
        )
    try:
        edit = add_design_key(root, document)
    except ConfigError as exc:
        _fail(f"{exc} (the document was written)")
    if edit.already is not None:
        click.echo(
            printable(f"designlint: warning: {edit.path} already sets design = {edit.already!r}; left as it is"),
            err=True,
        )
    else:
        click.echo(printable(f"{'Created' if edit.created else 'Updated'} {edit.path}: design names it."), err=True)
    click.echo("Review the inventoried tables, then run `designlint design check` and `designlint check`.", err=True)


@main.command()
@click.argument("code")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rule(code, output_format):
    """Explain one rule from the catalogue."""
    from designlint.catalogue import load_rule_doc

    doc = load_rule_doc(code.upper())
    if doc is None:
        _fail(f"unknown rule code {code!r} (run `designlint rules` for the list)")
    if output_format == "json":
        click.echo(json.dumps(_rule_json(doc), indent=2))
    else:
        click.echo(
            f"# {doc.code} {doc.name}\n\nCategory: {doc.category}\nFix: {doc.fix}\n\n{doc.summary}.\n\n{doc.body}",
            nl=False,
        )


@main.command()
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format):
    """List every rule."""
    from designlint.catalogue import load_catalogue

    docs = load_catalogue()
    if output_format == "json":
        click.echo(json.dumps([_rule_json(d) for d in docs.values()], indent=2))
        return
    for doc in docs.values():
        click.echo(f"{doc.code}  {doc.name:<36} {doc.summary}")


@main.group()
def design():
    """The engineering design document: what is read from it, and its checks (DL011-DL015)."""


_CONFIG_OPTION = click.option(
    "--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), help="Use exactly this config file."
)


@design.command("show")
@_CONFIG_OPTION
def design_show(config_path):
    """Print the contract in effect: each value and the file:line it came from."""
    from designlint.config import ConfigError
    from designlint.design.show import describe_contract
    from designlint.resolution import design_documents, read_design
    from designlint.runner import Options, resolver_for

    try:
        resolver = resolver_for(Options(config_path=config_path))
        config = resolver.for_path(resolver.cwd)
        text = describe_contract(config, read_design(config), design_documents(config), resolver.cwd)
    except ConfigError as exc:
        _fail(str(exc))
    click.echo("".join(printable(line) + "\n" for line in text.splitlines()), nl=False)


@design.command("check")
@_CONFIG_OPTION
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="concise", show_default=True)
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are reported.")
@click.option("-q", "--quiet", is_flag=True, help="Print the findings and errors, no summary.")
def design_check(config_path, output_format, output_file, exit_zero, quiet):
    """Check the design documents alone (DL011-DL015), as `designlint check` does beside the code."""
    from designlint.config import ConfigError
    from designlint.reporters import ReportContext
    from designlint.runner import FixMode, Options, lint_design

    try:
        result = lint_design(Options(config_path=config_path))
    except ConfigError as exc:
        _fail(str(exc))
    diagnostics = result.diagnostics
    for warning in result.warnings:
        click.echo(f"designlint: warning: {printable(warning)}", err=True)
    context = ReportContext(read_lines=_line_reader(None), colour=output_file is None and _colour(sys.stdout))
    _emit(_render(output_format, diagnostics, context), output_file)
    if not quiet:
        _summary(result, diagnostics, FixMode.CHECK, False)
    sys.exit(_exit_code(diagnostics, exit_zero))


@main.command()
def lsp():
    """Serve the Language Server Protocol over standard input and output."""
    from designlint.integrations.lsp import serve

    serve()


def _rule_json(doc) -> dict:
    return {
        "code": doc.code,
        "name": doc.name,
        "category": doc.category,
        "summary": doc.summary,
        "fix": doc.fix,
        "options": list(doc.options),
        "url": doc.url,
        "explanation": doc.body,
    }


if __name__ == "__main__":  # pragma: no cover
    main()
