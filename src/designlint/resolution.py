"""Which ``Config`` applies to a path: the nearest config file up from its directory (or the one
named, or none), with the command line's overrides on top. The same answer for the CLI, the
flake8 plugin and the language server."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designlint import rules
from designlint.config import Config, find_config_file, foreign_owner, key_error, load_config
from designlint.design.locate import locate_documents
from designlint.options import BadValue, display_key, references, whole_option
from designlint.project import LookupFailed, Project

if TYPE_CHECKING:
    from designlint.design.contract import Contract


class ConfigResolver:
    """The effective ``Config`` for each directory, memoised; flags applied on top.

    ``config_path`` names one file for all paths, ``isolated`` ignores config files;
    ``overrides`` maps ``Config`` fields to values from flags: ``select``, ``exclude`` and
    ``respect_gitignore`` replace, the other list fields extend. Raises ``ConfigError``.
    """

    def __init__(
        self,
        config_path: Path | None = None,
        isolated: bool = False,
        overrides: Mapping[str, Any] | None = None,
        cwd: Path | None = None,
    ):
        self.overrides = overrides or {}
        self.cwd = cwd or Path.cwd()
        self._by_file: dict[Path | None, Config] = {}
        self._by_dir: dict[Path, Config] = {}
        self._config_files: dict[Path, Path | None] = {}  # directory -> the config file that applies there
        self.warnings: list[str] = []  # for the user: config files in use that another user owns
        self._fixed = None
        self.isolated = isolated  # no config file, and no design document either: the zero-config run
        if isolated:
            self._fixed = self._finish(Config(root=self.cwd))
        elif config_path is not None:
            self._fixed = self._finish(load_config(config_path, rules.SCHEMA))

    def for_path(self, path: Path) -> Config:
        if self._fixed is not None:
            return self._fixed
        return self.for_directory(path if os.path.isdir(path) else path.parent)

    def for_directory(self, directory: Path) -> Config:
        """The config for the files directly in ``directory``."""
        if self._fixed is not None:
            return self._fixed
        directory = directory.absolute()
        config = self._by_dir.get(directory)
        if config is None:
            config_file = find_config_file(directory, self._config_files)
            if config_file not in self._by_file:
                owner = foreign_owner(config_file) if config_file else None
                if owner is not None:
                    self.warnings.append(
                        f"using {config_file}, which another user (uid {owner}) owns: whoever can write it decides what is checked"
                    )
                base = load_config(config_file, rules.SCHEMA) if config_file else Config(root=self.cwd)
                self._by_file[config_file] = self._finish(base)
            config = self._by_dir[directory] = self._by_file[config_file]
        return config

    def _finish(self, config: Config) -> Config:
        overrides = self.overrides
        updates: dict[str, Any] = {}  # tuples of different items, each for its own field
        for key in ("select", "exclude"):
            if overrides.get(key) is not None:
                updates[key] = tuple(overrides[key])
        if overrides.get("respect_gitignore") is not None:
            updates["respect_gitignore"] = overrides["respect_gitignore"]
        for key in ("ignore", "extend_select", "extend_exclude", "per_file_ignores"):
            if overrides.get(key):
                updates[key] = getattr(config, key) + tuple(overrides[key])
        config = replace(config, **updates)
        if not self.isolated:
            config = with_design(config)
        _check_cross_module(config)
        return config


def design_documents(config: Config) -> tuple[Path, ...]:
    """The engineering design documents in play for ``config``; a named one that is missing is
    a config error."""
    for path in config.design or ():
        if not path.is_file():
            shown = os.path.relpath(path, config.root)
            raise key_error(
                config,
                ("design",),
                f"the design document {shown!r} does not exist (paths are relative to the config file)",
            )
    return locate_documents(config.root, config.design)


def read_design(config: Config, unsaved: Mapping[Path, str] | None = None) -> Contract:
    """The contract of the documents in play, less what cannot be used, each a DL012 on its
    line: a value that does not fit the others or the config's (a stage of ``order.calls``
    missing from ``order.stages``, a required stage the document's order leaves out), or a
    name of a project object that does not resolve (the config's own must; the document's
    are only read). ``unsaved``: an editor's text of documents, by resolved path."""
    from designlint.design.contract import (
        Setting,
        apply_settings,
        read_contract,
    )  # Markdown's parser: only for documents
    from designlint.design.markdown import Problem

    contract = read_contract(design_documents(config), config.root, rules.SCHEMA.option_tables, unsaved)
    project = Project.from_root(config.root)
    problems = list(contract.problems)
    kept: list[Setting] = []
    for setting in contract.settings:  # in document order: the first value that does not fit is the one left out
        where = setting.sources[0]
        try:
            tables = apply_settings(config.tables, config.configured, (*kept, setting), rules.SCHEMA.option_tables)
        except BadValue as exc:
            problems.append(Problem(where.path, where.line, f"`{display_key(exc.key)}`: {exc.message}"))
            continue
        whole = whole_option(rules.SCHEMA.option_tables[setting.table]) is not None
        unresolved = _unresolved(project, tables, (setting.table,) if whole else (setting.table, setting.key))
        if unresolved:
            problems.append(Problem(where.path, where.line, f"`{setting.dotted}`: {unresolved}"))
            continue
        kept.append(setting)
    return replace(contract, settings=tuple(kept), problems=tuple(problems))


def _unresolved(project: Project, tables: tuple[object, ...], key: tuple[str, ...]) -> str:
    """Why a project object the option ``key`` (a whole table's: its name) names cannot be found, or nothing."""
    for reference in (r for options in tables for r in references(options)):
        if reference.key[: len(key)] == key:
            try:
                project.fact(reference.provider, reference.name)
            except LookupFailed as exc:
                return str(exc)
    return ""


def with_design(config: Config) -> Config:
    """``config`` with the options its design documents fill where it sets none itself."""
    if not design_documents(config):
        return config  # most projects: Markdown's parser is not even imported
    from designlint.design.contract import apply_settings

    contract = read_design(config)
    if not contract.digest:
        return config
    tables = apply_settings(config.tables, config.configured, contract.settings, rules.SCHEMA.option_tables)
    return replace(config, tables=tables, design_digest=contract.digest)


def _check_cross_module(config: Config) -> None:
    """Configured names that point into the project must resolve, or it is a config error."""
    project = Project.from_root(config.root)
    for reference in config.project_references():
        try:
            project.fact(reference.provider, reference.name)
        except LookupFailed as exc:
            raise key_error(config, reference.key, str(exc)) from None
