"""The command line: ``designlint check``, ``design show``/``design check``, ``init``, ``clean``, ``rule``,
``rules``, ``lsp``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from designlint._version import __version__
from designlint.check_args import CACHE_DIR_VARIABLE, codes_of, globs_of, per_file_ignores_of
from designlint.commands import (
    EXIT_CLEAN,
    EXIT_ERROR,
    OUTPUT_FORMATS,
    UsageError,
    colour,
    count,
    emit,
    exit_code,
    fail,
    line_reader,
    refuse_cache_dir,
    render,
    replace_file,
    summary,
)
from designlint.reporters.escape import printable

# Everything else is imported by the command that needs it: `designlint --version`, `rules`,
# `rule` and `clean` start as fast as the interpreter, and `check` imports the linter (LibCST,
# the rules) only when a file is not answered by the results cache. A `check` command line that
# `designlint.launch` can read alone does not come here (nor import click).


def _codes(ctx, param, value):
    return codes_of(value, lambda message: click.BadParameter(message, ctx, param))


def _globs(ctx, param, value):
    return globs_of(value, lambda message: click.BadParameter(message, ctx, param))


def _per_file_ignores(ctx, param, value):
    return per_file_ignores_of(value or (), lambda message: click.BadParameter(message, ctx, param))


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
        except UsageError as exc:  # raised by check, after its flags were read
            fail(f"{exc} (see 'designlint check --help')")
        except click.UsageError as exc:
            command = f"designlint {exc.ctx.info_name}" if exc.ctx is not None and exc.ctx.parent else "designlint"
            hint = f" (see '{command} --help')"
            fail(f"{exc.format_message()}{hint}")
        except click.ClickException as exc:
            fail(exc.format_message())
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
    envvar=CACHE_DIR_VARIABLE,
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
def check(**params):
    """Lint PATHS (default: the current directory); '-' reads standard input."""
    from designlint.commands import check as run_check

    run_check(**params, cache_dir_named_by=_cache_dir_named_by())


def _cache_dir_named_by() -> str | None:
    """Where the command's ``cache_dir`` came from, to name it in an error."""
    source = click.get_current_context().get_parameter_source("cache_dir")
    if source is ParameterSource.COMMANDLINE:
        return "--cache-dir"
    return CACHE_DIR_VARIABLE if source is ParameterSource.ENVIRONMENT else None


@main.command()
@click.option(
    "--cache-dir",
    envvar=CACHE_DIR_VARIABLE,
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
        refuse_cache_dir(exc, _cache_dir_named_by())
    except ConfigError as exc:
        fail(str(exc))
    if cleaned is None:
        click.echo(f"No cache at {printable(str(directory))}", err=True)
        return
    removed, left = cleaned
    if left:
        click.echo(
            printable(
                f"Removed {count(removed, 'file')} designlint wrote in {directory}; left what it did not write:"
                f" {some_names(left)}"
            ),
            err=True,
        )
    else:
        click.echo(f"Removed {printable(str(directory))}", err=True)


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
        fail(f"{document} exists: --force replaces it, --dry-run prints the new one")
    try:
        inventory = take_inventory(root)
    except ConfigError as exc:
        fail(str(exc))
    text = render_design(inventory, project_title(root))
    if dry_run:
        emit(text, None)
        return
    try:
        document.parent.mkdir(parents=True, exist_ok=True)
        replace_file(Path(os.path.realpath(document)), text.encode("utf-8"))
    except OSError as exc:
        fail(f"cannot write {document}: {exc.strerror or exc}")
    found = (
        f"{count(len(inventory.hosts), 'host')}, {count(len(inventory.adapters), 'adapter module')}, "
        f"{count(len(inventory.error_codes), 'error code')}, {count(len(inventory.sanitizers), 'sanitizer')}"
    )
    click.echo(printable(f"Wrote {document} ({found} inventoried from {count(inventory.files, 'file')})."), err=True)
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
        fail(f"{exc} (the document was written)")
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
        fail(f"unknown rule code {code!r} (run `designlint rules` for the list)")
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
        fail(str(exc))
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
        fail(str(exc))
    diagnostics = result.diagnostics
    for warning in result.warnings:
        click.echo(f"designlint: warning: {printable(warning)}", err=True)
    context = ReportContext(read_lines=line_reader(None), colour=output_file is None and colour(sys.stdout))
    emit(render(output_format, diagnostics, context), output_file)
    if not quiet:
        summary(result, diagnostics, FixMode.CHECK, False)
    sys.exit(exit_code(diagnostics, exit_zero))


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
