"""``designlint check``'s command line read without click, as click reads it, for what a
pre-commit hook, an editor or a script passes: paths, flags, and options whose values are
checked as click checks them (a choice, a number, a look at the file system, the codes and
globs of the selection flags). Anything else (help, a short option with its value attached,
``-qv``, a value click would refuse) is declined: ``read_check_args`` returns None and the
click CLI reads the line, with click's error if it has one. ``tests/test_check_args.py``
compares the two readings on many command lines."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from designlint.commands import OUTPUT_FORMATS

CACHE_DIR_VARIABLE = "DESIGNLINT_CACHE_DIR"

# Each flag and the parameter it sets to True (--no-respect-gitignore sets one to False).
_FLAGS = {
    "--isolated": "isolated",
    "--force-exclude": "force_exclude",
    "--fix": "fix",
    "--unsafe-fixes": "unsafe_fixes",
    "--diff": "diff",
    "--exit-zero": "exit_zero",
    "--statistics": "statistics",
    "--no-cache": "no_cache",
    "--baseline-prune": "baseline_prune",
    "--add-noqa": "add_noqa",
    "--show-files": "show_files",
    "-q": "quiet",
    "--quiet": "quiet",
    "--fix-only": "fix_only",
    "-w": "watch",
    "--watch": "watch",
    "-v": "verbose",
    "--verbose": "verbose",
}
_GITIGNORE_FLAGS = {"--respect-gitignore": True, "--no-respect-gitignore": False}
# Each option taking a value, and its parameter; the repeatable ones collect every value.
_OPTIONS = {
    "--output-format": "output_format",
    "-o": "output_file",
    "--output-file": "output_file",
    "--config": "config_path",
    "--stdin-filename": "stdin_filename",
    "-j": "jobs",
    "--jobs": "jobs",
    "--cache-dir": "cache_dir",
    "--baseline": "baseline_file",
    "--write-baseline": "write_baseline",
    "--show-settings": "show_settings",
}
_REPEATABLE = {
    "--select": "select",
    "--extend-select": "extend_select",
    "--ignore": "ignore",
    "--per-file-ignores": "per_file_ignores",
    "--exclude": "exclude",
    "--extend-exclude": "extend_exclude",
}


class _Declined(Exception):
    """The line is left to click."""


def read_check_args(args: Sequence[str], environ: Mapping[str, str]) -> dict | None:
    """The parameters click would pass to ``designlint check`` for ``args`` (what follows
    ``check``), with ``cache_dir_named_by``; None when click must read them."""
    try:
        return _read(list(args), environ)
    except _Declined:
        return None


def _read(args: list[str], environ: Mapping[str, str]) -> dict:
    flags = dict.fromkeys(_FLAGS.values(), False)
    respect_gitignore = None
    given: dict[str, str] = {}
    repeated: dict[str, list[str]] = {name: [] for name in _REPEATABLE.values()}
    paths: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--":  # the rest are paths, whatever they look like
            paths.extend(rest)
            break
        if arg == "-" or not arg.startswith("-"):
            paths.append(arg)  # click reads options and paths in any order
            continue
        if arg in _FLAGS:
            flags[_FLAGS[arg]] = True
            continue
        if arg in _GITIGNORE_FLAGS:
            respect_gitignore = _GITIGNORE_FLAGS[arg]  # the last one wins, as click has it
            continue
        name, equals, attached = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in _OPTIONS and name not in _REPEATABLE:
            raise _Declined  # help, an unknown option, `-j2`, `-qv`, `--fix=yes`
        value = attached if equals else next(rest, None)  # the next argument, even `-x`, as click takes it
        if value is None:
            raise _Declined  # the value is missing
        if name in _OPTIONS:
            given[_OPTIONS[name]] = value  # the last one wins
        else:
            repeated[_REPEATABLE[name]].append(value)
    cache_dir, cache_dir_named_by = given.get("cache_dir"), "--cache-dir"
    if cache_dir is None:
        cache_dir = environ.get(CACHE_DIR_VARIABLE) or None  # click ignores an empty variable
        cache_dir_named_by = CACHE_DIR_VARIABLE
    output_format = given.get("output_format", "concise")
    if output_format not in OUTPUT_FORMATS:
        raise _Declined
    return {
        "paths": tuple(_path(path) for path in paths),
        "output_format": output_format,
        "output_file": _optional_path(given.get("output_file"), dir_okay=False),
        "select": codes_of(repeated["select"], _Declined),
        "extend_select": codes_of(repeated["extend_select"], _Declined),
        "ignore": codes_of(repeated["ignore"], _Declined),
        "per_file_ignores": per_file_ignores_of(repeated["per_file_ignores"], _Declined),
        "exclude": globs_of(repeated["exclude"], _Declined),
        "extend_exclude": globs_of(repeated["extend_exclude"], _Declined),
        "config_path": _optional_path(given.get("config_path"), exists=True, dir_okay=False),
        "respect_gitignore": respect_gitignore,
        "stdin_filename": given.get("stdin_filename"),
        "jobs": _jobs(given.get("jobs")),
        "cache_dir": _optional_path(cache_dir, file_okay=False),
        "baseline_file": _optional_path(given.get("baseline_file"), dir_okay=False),
        "write_baseline": _optional_path(given.get("write_baseline"), dir_okay=False),
        "show_settings": _optional_path(given.get("show_settings")),
        **flags,
        "cache_dir_named_by": cache_dir_named_by if cache_dir is not None else None,
    }


def _jobs(value: str | None) -> int | None:
    """click's ``IntRange(min=1)`` for plain digits; anything else (a sign, spaces) is click's."""
    if value is None:
        return None
    # int() refuses over 4,300 digits (click says "not a valid integer"): such a value is click's
    if not (value.isascii() and value.isdigit()) or len(value) > 18 or int(value) < 1:
        raise _Declined
    return int(value)


def _optional_path(value: str | None, **checks: bool) -> Path | None:
    return None if value is None else _path(value, **checks)


def _path(value: str, exists: bool = False, file_okay: bool = True, dir_okay: bool = True) -> Path:
    """``click.Path(..., path_type=Path)``: what it would refuse is declined."""
    try:
        mode = os.stat(value).st_mode
    except OSError:
        if exists:
            raise _Declined from None
        return Path(value)
    if (not file_okay and stat.S_ISREG(mode)) or (not dir_okay and stat.S_ISDIR(mode)) or not os.access(value, os.R_OK):
        raise _Declined
    return Path(value)


# The selection flags' values, for click's callbacks (``error`` is click's BadParameter) and
# for the reading above (``_Declined``).


def comma_separated(values: Sequence[str]) -> tuple[str, ...]:
    """A repeatable flag's values, each of which may hold several, comma-separated."""
    return tuple(part.strip() for item in values for part in item.split(",") if part.strip())


def codes_of(values: Sequence[str], error: Callable[[str], Exception]) -> tuple[str, ...] | None:
    """``--select``, ``--extend-select``, ``--ignore``: each a code or prefix the catalogue has."""
    if not values:
        return None
    from designlint.config import check_selector
    from designlint.rules import SCHEMA  # the catalogue, read when a flag names codes

    codes = comma_separated(values)
    for code in codes:
        check_selector(code, SCHEMA.codes, error)
    return codes


def globs_of(values: Sequence[str], error: Callable[[str], Exception]) -> tuple[str, ...] | None:
    if not values:
        return None
    patterns = comma_separated(values)
    for pattern in patterns:
        _check_glob(pattern, error)
    return patterns


def per_file_ignores_of(
    values: Sequence[str], error: Callable[[str], Exception]
) -> tuple[tuple[str, tuple[str, ...] | None], ...] | None:
    pairs = []
    for item in values:
        pattern, sep, codes = item.rpartition(":")
        if not sep or not pattern:
            raise error(f"expected GLOB:CODES such as 'tests/*:DL501', got {item!r}")
        _check_glob(pattern, error)
        pairs.append((pattern, codes_of((codes,), error)))
    return tuple(pairs) or None


def _check_glob(pattern: str, error: Callable[[str], Exception]) -> None:
    from designlint.globs import GlobError, compile_glob

    try:
        compile_glob(pattern)
    except GlobError as exc:
        raise error(str(exc)) from None
