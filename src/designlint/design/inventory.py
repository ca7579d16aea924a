"""What a project's code holds today, for ``designlint init`` to write the design from: read
(parsed, never imported) through the rules' own findings where a rule sees it, and a light walk
of the stdlib's tree for what no rule reports (sanitizers, by their name).

The rules run in this process with the project's configuration minus the contracts that would
hide the inventory (no egress allowlist, no adapter module, no span or metric declared), so
DL201 names every host, DL301 every framework import, DL401 every prompt fed untagged content,
DL501 every raw error code, DL901 every span and DL902 every metric.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from designlint.analysis.enums import ENUM_CLASSES
from designlint.analysis.error_codes import CODE_LIKE
from designlint.analysis.modules import module_glob_matches, module_name_for
from designlint.analysis.untrusted import DEFAULT_SANITIZERS
from designlint.analysis.urls import UrlHost
from designlint.config import Config
from designlint.design.contract import Where
from designlint.diagnostics import Diagnostic
from designlint.discovery import discover
from designlint.parsing import stdlib_verdict
from designlint.pool import LinterPool
from designlint.project import LookupFailed, Project
from designlint.reading import MAX_SOURCE_SIZE, TooLarge, read_regular_file
from designlint.resolution import ConfigResolver
from designlint.rules.adapters import ADAPTER_PACKAGES
from designlint.rules.egress import EgressOptions, host_allowed
from designlint.rules.errors import ErrorsOptions
from designlint.rules.order import OrderOptions
from designlint.rules.telemetry import TelemetryOptions
from designlint.tables.adapters import AdaptersOptions
from designlint.tables.authz import AuthzOptions
from designlint.tables.trust import TrustOptions

INVENTORY_RULES = ("DL201", "DL301", "DL401", "DL501", "DL901", "DL902")

# What the findings name, in the words of the rules' messages.
_HOST = re.compile(r'^outbound HTTP to "([^"]+)"')
_FRAMEWORK_IMPORT = re.compile(r"^framework module `[^`]+` .*?\(in `([^`]+)`\): keep (\S+) behind an adapter")
_RAW_CODE = re.compile(r'^raw error code "([^"]*)"')
_PROMPT = re.compile(r"^(.+?) from line \d+(?: \(returned by .*?\))? enters (.+) untagged")
_QUOTED = r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"  # a Python repr of a str
_SPAN = re.compile(rf"^span name {_QUOTED} matches no declared span")
_METRIC = re.compile(rf"^metric {_QUOTED} is not declared")


@dataclass(frozen=True)
class Found:
    """One thing the code holds and where: the first place, and how many places in all."""

    name: str
    first: Where | None  # None: named by the contract (an enum member) but used nowhere raw
    count: int


@dataclass(frozen=True)
class AdapterModule:
    """A module (or a conventional adapter package, as a glob) importing frameworks."""

    module_glob: str
    frameworks: tuple[str, ...]


@dataclass(frozen=True)
class PromptSink:
    """Where untrusted content enters a prompt untagged today (a DL401 finding)."""

    place: Where
    content: str  # "HTTP response body"
    sink: str  # "the system prompt"


@dataclass(frozen=True)
class Inventory:
    hosts: tuple[Found, ...]
    adapters: tuple[AdapterModule, ...]
    error_codes: tuple[Found, ...]
    error_enum: str | None  # the configured ``errors.codes`` enum, whose members are the codes
    # The execution order in force (``[tool.designlint.order]``, else the default): each stage
    # with its configured calls (none: the built-in spellings).
    stages: tuple[tuple[str, tuple[str, ...]], ...]
    authz: AuthzOptions  # the words configured on top of the built-in lists
    sanitizers: tuple[str, ...]
    prompt_sinks: tuple[PromptSink, ...]
    spans: tuple[Found, ...]  # a dynamic part of a name shown as ``{...}``, as declared spans write it
    metrics: tuple[Found, ...]
    metric_units: tuple[tuple[str, str], ...]  # (metric, unit) as the configuration declares them
    files: int
    unreadable: tuple[Where, ...]  # files that could not be read or parsed (DL001)


def inventory_config(config: Config) -> Config:
    """``config`` running only the inventory's rules, with no allowlist, no adapter module and
    no span or metric declared; every other option (extra frameworks, trust sources and sinks,
    the error enum) kept."""
    overridden = (EgressOptions, AdaptersOptions, TelemetryOptions)
    tables = [options for options in config.tables if type(options) not in overridden]
    tables.append(replace(config.options(EgressOptions), allow=None))
    tables.append(replace(config.options(AdaptersOptions), modules=()))  # no adapter: every framework import reported
    tables.append(replace(config.options(TelemetryOptions), spans=(), metrics=()))
    return replace(
        config,
        select=INVENTORY_RULES,
        ignore=(),
        extend_select=(),
        per_file_ignores=(),
        baseline=None,
        tables=tuple(tables),
    )


def take_inventory(root: Path) -> Inventory:
    """The inventory of the Python files under ``root`` that ``designlint check`` would lint
    there (its excludes apply). Raises ``ConfigError`` for a broken configuration."""
    collector = _Collector(root)
    linters = LinterPool(noqa=False)  # a suppressed finding is still something the code does
    # Resolved from ``root``, not the working directory: a project without a config has its root there.
    files = [
        (path, config)
        for path, config, unlisted in discover([root], ConfigResolver(cwd=root.absolute()))
        if unlisted is None
    ]
    for path, config in files:
        collector.note_config(config)
        place = collector.relative(path)
        try:
            source = read_regular_file(path, MAX_SOURCE_SIZE)
        except (OSError, TooLarge):
            collector.unreadable.append(Where(place, 1))
            continue
        linter = linters.linter_for(inventory_config(config))
        result = linter.lint(source, str(path))
        for diagnostic in result.diagnostics:
            collector.add_finding(place, diagnostic, config)
        tree = stdlib_verdict(result.decoded.text).tree if result.decoded is not None else None
        if tree is not None:
            project = linter.project
            module = project.module_name_of(str(path)) if project is not None else None
            collector.walk(module or module_name_for(place), tree)
    return collector.inventory(len(files))


class _Collector:
    def __init__(self, root: Path):
        self.root = root.absolute()
        self.hosts: dict[str, list[Where]] = defaultdict(list)
        self.codes: dict[str, list[Where]] = defaultdict(list)
        self.frameworks: dict[str, set[str]] = defaultdict(set)  # module glob -> frameworks
        self.sinks: list[PromptSink] = []
        self.sanitizers: dict[str, None] = {}
        self.spans: dict[str, list[Where]] = defaultdict(list)
        self.metrics: dict[str, list[Where]] = defaultdict(list)
        self.metric_units: dict[str, str] = {}
        self.unreadable: list[Where] = []
        self.enum: str | None = None
        self.stages: tuple[tuple[str, tuple[str, ...]], ...] = ()
        self.authz: AuthzOptions | None = None
        self.enum_codes: tuple[str, ...] = ()

    def relative(self, path: Path) -> str:
        try:
            return path.absolute().relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def note_config(self, config: Config) -> None:
        """What the configuration already says: its sanitizers, declared spans and metrics, and
        its error enum's members."""
        self.sanitizers.update(dict.fromkeys(config.options(TrustOptions).sanitizers))
        if self.authz is None:
            self.authz = config.options(AuthzOptions)
        if not self.stages:
            order = config.options(OrderOptions)
            calls = dict(order.calls)
            self.stages = tuple((stage, calls.get(stage, ())) for stage in order.stages)
        telemetry = config.options(TelemetryOptions)
        for span in telemetry.spans or ():
            self.spans.setdefault(span, [])
        for metric, declaration in telemetry.metrics or ():
            self.metrics.setdefault(metric, [])
            if declaration.unit:
                self.metric_units[metric] = declaration.unit
        enum = config.options(ErrorsOptions).codes
        if enum is None or self.enum is not None:
            return
        try:
            members = Project.from_root(config.root).fact(ENUM_CLASSES, enum).members
        except LookupFailed:
            return  # the configuration check reports it
        self.enum = enum
        self.enum_codes = tuple(
            value if isinstance(value, str) and CODE_LIKE.fullmatch(value) else name for name, value in members
        )

    def add_finding(self, path: str, diagnostic: Diagnostic, config: Config) -> None:
        """What a finding names. Where the configuration already has a contract (an allowlist,
        adapter globs), what breaks it is a violation for ``designlint check`` to report, not
        part of the inventory."""
        place = Where(path, diagnostic.start.row)
        message = diagnostic.message
        if diagnostic.code == "DL001":
            self.unreadable.append(place)
        elif diagnostic.code == "DL201" and (match := _HOST.match(message)):
            allow = config.options(EgressOptions).allow
            if allow is None or host_allowed(_url_host(match.group(1)), allow):
                self.hosts[match.group(1)].append(place)
        elif diagnostic.code == "DL301" and (match := _FRAMEWORK_IMPORT.match(message)):
            glob = _adapter_glob(match.group(1), config.options(AdaptersOptions).modules)
            if glob is not None:
                self.frameworks[glob].add(match.group(2))
        elif diagnostic.code == "DL501" and (match := _RAW_CODE.match(message)):
            if CODE_LIKE.fullmatch(match.group(1)):  # the design's codes are UPPER_SNAKE
                self.codes[match.group(1)].append(place)
        elif diagnostic.code == "DL401" and (match := _PROMPT.match(message)):
            self.sinks.append(PromptSink(place, match.group(1), match.group(2)))
        elif diagnostic.code == "DL901" and (match := _SPAN.match(message)):
            telemetry = config.options(TelemetryOptions)
            if telemetry.spans is None:
                self.spans[ast.literal_eval(match.group(1))].append(place)
        elif diagnostic.code == "DL902" and (match := _METRIC.match(message)):
            telemetry = config.options(TelemetryOptions)
            if telemetry.metrics is None:
                self.metrics[ast.literal_eval(match.group(1))].append(place)

    def walk(self, module: str | None, tree: ast.Module) -> None:
        """What no rule reports: the module's functions named as sanitizers (as DL401 takes them)."""
        for statement in tree.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and DEFAULT_SANITIZERS.fullmatch(
                statement.name
            ):
                self.sanitizers.setdefault(f"{module}.{statement.name}" if module else statement.name, None)

    def inventory(self, files: int) -> Inventory:
        # The enum's members in their order, with the raw uses of each; else the raw codes found.
        codes = (
            [(code, self.codes.get(code, [])) for code in self.enum_codes] if self.enum else sorted(self.codes.items())
        )
        return Inventory(
            hosts=_found(self.hosts),
            adapters=tuple(
                AdapterModule(glob, tuple(sorted(names))) for glob, names in sorted(self.frameworks.items())
            ),
            error_codes=tuple(Found(code, places[0] if places else None, len(places)) for code, places in codes),
            error_enum=self.enum,
            stages=self.stages,
            authz=self.authz or AuthzOptions(),
            sanitizers=tuple(self.sanitizers),
            prompt_sinks=tuple(self.sinks),
            spans=_found(self.spans),
            metrics=_found(self.metrics),
            metric_units=tuple(sorted(self.metric_units.items())),
            files=files,
            unreadable=tuple(self.unreadable),
        )


def _found(uses: dict[str, list[Where]]) -> tuple[Found, ...]:
    """Each thing with its first place (None: declared by the configuration, found nowhere)."""
    return tuple(Found(name, places[0] if places else None, len(places)) for name, places in sorted(uses.items()))


def _adapter_glob(module: str, configured: tuple[str, ...] | None) -> str | None:
    """The configured glob ``module`` is under (None: outside them all, a violation). Without
    globs, a module inside a conventional adapter package stands for the whole package
    (``app.adapters.openai_chat`` -> ``app.adapters.*``); any other module for itself."""
    if configured is not None:
        return next((glob for glob in configured if module_glob_matches((glob,), module)), None)
    parts = module.split(".")
    for index, part in enumerate(parts[:-1]):
        if part in ADAPTER_PACKAGES:
            return ".".join(parts[: index + 1]) + ".*"
    return module


def _url_host(text: str) -> UrlHost:
    """The host as DL201's message names it (``*.example.net``, ``api.example.com:8443``)."""
    name, _, port = text.rpartition(":")
    if not (port.isdigit() and name and ":" not in name):
        name, port = text, ""
    exact = not name.startswith("*.")
    return UrlHost(name if exact else name[2:], exact, int(port) if port else None)
