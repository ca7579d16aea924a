"""Lint one source text, with no I/O: decode -> parse (once) -> one walk for all rules
-> suppression -> diagnostics with fixes.

Speed matters here: a rule whose ``prefilter`` does not match the text is not run, a
file no rule needs is not parsed, metadata is resolved only for the rules that run, and
positions are computed only when something was reported.
"""

from __future__ import annotations

import dataclasses
import os
import traceback
from dataclasses import dataclass, field
from typing import Callable, Iterable

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from designlint.analysis.modules import module_name_for
from designlint.analysis.names import NameResolver
from designlint.config import Config
from designlint.diagnostics import Diagnostic, Edit, Fix, Position
from designlint.globs import glob_matches
from designlint.parsing import ParseRefused, parse_module, stdlib_verdict
from designlint.project import Project
from designlint.rules import ALL_RULES, INTERNAL_ERROR, PARSE_ERROR
from designlint.rules.base import AddImport, NodeFix, Replace, Rule
from designlint.source import DecodeError, Decoded, decode
from designlint.suppression import parse_suppressions


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic]
    decoded: Decoded | None = None  # None when the file could not be decoded
    internal_errors: list[str] = field(default_factory=list)  # tracebacks, for --verbose


@dataclass
class FileContext:
    """What a rule knows about the file it is looking at."""

    path: str
    relpath: str  # posix, relative to the config's root
    module_name: str | None
    module: cst.Module
    text: str
    config: Config
    project: Project | None
    names: NameResolver
    ancestors: list[cst.CSTNode]  # the nodes enclosing the one being visited, outermost first
    metadata: dict = field(default_factory=dict)
    pending: list[tuple[Rule, cst.CSTNode, str, NodeFix | None]] = field(default_factory=list)

    def report(self, rule: Rule, node: cst.CSTNode, message: str, fix: NodeFix | None) -> None:
        self.pending.append((rule, node, message, fix))


# Node types the walk does not descend into: white space, comments, punctuation.
_SKIP_TYPES: frozenset[type] = frozenset(
    cls
    for cls in vars(cst).values()
    if isinstance(cls, type)
    and issubclass(cls, cst.CSTNode)
    and (
        issubclass(cls, (cst.BaseParenthesizableWhitespace, cst.EmptyLine, cst.TrailingWhitespace, cst.Comment, cst.Newline))
        or cls in (cst.LeftParen, cst.RightParen, cst.Comma, cst.Semicolon, cst.Colon, cst.Dot, cst.AssignEqual)
    )
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if not f.name.startswith("whitespace") and f.name not in ("lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer", "trailing_whitespace", "comma", "semicolon", "newline")
        )
        _FIELDS[cls] = names
    return names


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    for name in _child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            if type(value) not in _SKIP_TYPES:
                out.append(value)
        elif isinstance(value, (tuple, list)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode) and type(v) not in _SKIP_TYPES)
    return out


# Generated files beyond this (a dozen times the largest hand-written module in the corpus of
# agent frameworks) would take minutes and gigabytes to parse: they are reported, not linted.
MAX_SOURCE_SIZE = 5 * 2**20

_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_BINDINGS = (cst.Assign, cst.AnnAssign, cst.WithItem, cst.Import, cst.ImportFrom)


class Linter:
    """Rules built once for a configuration, then used for any number of files."""

    def __init__(self, config: Config | None = None, rules: Iterable[type[Rule]] | None = None, project: Project | None = None):
        self.config = config or Config()
        self.project = project
        self.rules = [rule(self.config) for rule in (ALL_RULES if rules is None else rules) if self.config.is_enabled(rule.code)]

    def lint(self, source: bytes | str, path: str) -> FileResult:
        if len(source) > MAX_SOURCE_SIZE:
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, too_large_message(len(source)), 1, 1)])
        try:
            decoded = decode(source) if isinstance(source, bytes) else Decoded(source.removeprefix("\ufeff"), "utf-8", source.startswith("\ufeff"))
        except DecodeError as exc:
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, str(exc), exc.row, exc.column)])
        relpath = _relpath(path, self.config)
        rules = self._rules_for(relpath, decoded.text)
        # The stdlib parser, several times faster than LibCST's, goes first: it rejects what no
        # Python accepts (nesting beyond its limits would crash or stall LibCST), and when no
        # rule can fire it alone confirms that the file parses. (When it refuses for another
        # reason, LibCST decides below: it knows syntax newer than the running Python.)
        verdict = stdlib_verdict(decoded.text)
        if verdict.refused is not None:
            message = f"cannot parse: {verdict.refused}"
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, message, verdict.refused.row, 1)], decoded)
        if not rules and verdict.compiles:
            return FileResult(path, [], decoded)
        try:
            module = parse_module(decoded.text)
        except cst.ParserSyntaxError as exc:
            message = f"cannot parse: {exc.message}"
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, message, exc.editor_line, exc.editor_column)], decoded)
        except ParseRefused as exc:
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, f"cannot parse: {exc}", exc.row, 1)], decoded)
        if not rules:
            return FileResult(path, [], decoded)
        try:
            return self._analyse(path, relpath, module, decoded, rules)
        except RecursionError:
            # LibCST's metadata (and any recursive analysis) on a tree deeper than Python's
            # recursion limit, e.g. a chain of 10,000 `and`s that the parser accepts.
            message = "cannot analyse: the code is nested too deeply"
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, message, 1, 1)], decoded)

    def _analyse(self, path: str, relpath: str, module: cst.Module, decoded: Decoded, rules: list[Rule]) -> FileResult:
        module_name = module_name_for(relpath)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        context = FileContext(path, relpath, module_name, module, decoded.text, self.config, self.project, NameResolver(module, module_name), [])
        providers = {provider for rule in rules for provider in rule.METADATA_DEPENDENCIES}
        if providers:
            context.metadata.update(wrapper.resolve_many(providers))
        result = FileResult(path, [], decoded)
        self._walk(module, rules, context, result)
        if context.pending:
            result.diagnostics.extend(self._diagnostics(context, wrapper, result))
        return result

    def _rules_for(self, relpath: str, text: str) -> list[Rule]:
        ignored = tuple(code for pattern, codes in self.config.per_file_ignores if glob_matches(pattern, relpath) for code in codes)
        return [
            rule
            for rule in self.rules
            if not (ignored and any(rule.code.startswith(c) or c == "ALL" for c in ignored))
            and (rule.prefilter is None or rule.prefilter.search(text))
        ]

    def _walk(self, module: cst.Module, rules: list[Rule], context: FileContext, result: FileResult) -> None:
        visits: dict[str, list[Callable]] = {}
        leaves: dict[str, list[Callable]] = {}
        failed: set[Rule] = set()
        for rule in rules:
            rule.context = context
            try:
                rule.setup()
            except RecursionError:
                raise
            except Exception as exc:
                _rule_failed(rule, exc, result, failed)
                continue
            for attr in dir(type(rule)):
                if attr.startswith("visit_"):
                    visits.setdefault(attr[6:], []).append(getattr(rule, attr))
                elif attr.startswith("leave_"):
                    leaves.setdefault(attr[6:], []).append(getattr(rule, attr))

        def call(callbacks: list[Callable], node: cst.CSTNode) -> None:
            for callback in callbacks:
                rule = callback.__self__
                if rule in failed:
                    continue
                try:
                    callback(node)
                except RecursionError:
                    raise  # the input's depth, not a bug in the rule: the whole file is reported
                except Exception as exc:  # a bug in a rule must not stop the other rules
                    _rule_failed(rule, exc, result, failed)

        names = context.names
        ancestors = context.ancestors
        # An explicit stack, not recursion: deeply nested code must not overflow ours.
        stack: list[tuple[cst.CSTNode, bool]] = [(module, False)]
        while stack:
            node, leaving = stack.pop()
            kind = type(node).__name__
            if leaving:
                ancestors.pop()
                if isinstance(node, _SCOPES):
                    names.leave_scope()
                if kind in leaves:
                    call(leaves[kind], node)
                continue
            if isinstance(node, _BINDINGS):
                names.record(node)
            if kind in visits:
                call(visits[kind], node)
            if isinstance(node, _SCOPES):
                names.enter_scope(node)
            ancestors.append(node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(_children(node)))

    def _diagnostics(self, context: FileContext, wrapper: MetadataWrapper, result: FileResult) -> list[Diagnostic]:
        positions = wrapper.resolve(PositionProvider)
        suppressions = parse_suppressions(context.text)
        out = []
        seen = set()
        failed: set[Rule] = set()
        for rule, node, message, node_fix in context.pending:
            if rule in failed:
                continue
            try:
                code_range = positions[node]
                fix = _text_fix(node_fix, context.module, positions) if node_fix else None
            except Exception as exc:  # a node (or fix) that is not in this file's tree
                _rule_failed(rule, exc, result, failed)
                continue
            start = Position(code_range.start.line, code_range.start.column + 1)
            end = Position(code_range.end.line, code_range.end.column + 1)
            if suppressions.suppresses(rule.code, start.row) or (rule.code, start, message) in seen:
                continue
            seen.add((rule.code, start, message))
            out.append(Diagnostic(context.path, rule.code, rule.name, message, start, end, fix, noqa_row=start.row))
        return out


def too_large_message(size: int) -> str:
    return f"the file is too large to lint ({size / 2**20:.1f} MB; the limit is {MAX_SOURCE_SIZE // 2**20} MB)"


def _rule_failed(rule: Rule, exc: Exception, result: FileResult, failed: set[Rule]) -> None:
    """A bug in a rule: DL002 for this file (traceback kept for --verbose); the rule stops here."""
    failed.add(rule)
    result.internal_errors.append(traceback.format_exc())
    detail = " ".join(str(exc).split())  # one line, however the exception prints
    detail = detail if len(detail) <= 200 else detail[:199] + "…"
    message = f"internal error in rule {rule.code} ({rule.name}): {type(exc).__name__}: {detail}; please report this as a bug"
    result.diagnostics.append(_engine_diagnostic(result.path, INTERNAL_ERROR, message, 1, 1))


def _text_fix(node_fix: NodeFix, module: cst.Module, positions) -> Fix:
    edits = []
    for change in node_fix.changes:
        if isinstance(change, Replace):
            code_range = positions[change.node]
            content = change.replacement if isinstance(change.replacement, str) else module.code_for_node(change.replacement)
            edits.append(Edit(content, Position(code_range.start.line, code_range.start.column + 1), Position(code_range.end.line, code_range.end.column + 1)))
        elif isinstance(change, AddImport):
            row = _import_insertion_row(module, positions)
            edits.append(Edit(change.statement + module.default_newline, Position(row, 1), Position(row, 1)))
    return Fix(node_fix.message, tuple(sorted(edits, key=lambda e: (e.start, e.end))), node_fix.applicability)


def _import_insertion_row(module: cst.Module, positions) -> int:
    """The row before which a new import goes: after the docstring and ``__future__`` imports."""
    row = 1
    for index, statement in enumerate(module.body):
        first = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and statement.body else None
        is_docstring = index == 0 and isinstance(first, cst.Expr) and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString))
        is_future = isinstance(first, cst.ImportFrom) and isinstance(first.module, cst.Name) and first.module.value == "__future__"
        if not (is_docstring or is_future):
            return positions[statement].start.line
        row = positions[statement].end.line + 1
    return row


def _engine_diagnostic(path: str, rule: tuple[str, str], message: str, row: int, column: int) -> Diagnostic:
    position = Position(max(row, 1), max(column, 1))
    return Diagnostic(path, rule[0], rule[1], message, position, position, noqa_row=position.row)


def _relpath(path: str, config: Config) -> str:
    relative = os.path.relpath(os.path.abspath(path), config.root)
    return relative.replace(os.sep, "/")


def lint_source(source: bytes | str, path: str = "<stdin>", config: Config | None = None, project: Project | None = None) -> list[Diagnostic]:
    """Lint one source text. No I/O: cross-module facts come only from ``project``, if given."""
    result = Linter(config, project=project).lint(source, path)
    return sorted(result.diagnostics, key=Diagnostic.sort_key)
