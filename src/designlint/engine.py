"""Lint one source text, with no I/O: decode -> the stdlib's parse (a guard, and a first
tree) -> LibCST's parse (once) -> one walk for all rules -> suppression -> diagnostics with fixes.

Speed matters here: a rule whose ``prefilter`` does not match the text, or whose
``could_fire`` rules the file out from the stdlib's tree, is not run; a file no rule needs is
not parsed by LibCST; metadata is resolved only for the rules that run; positions are
computed only when something was reported.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import os
import traceback
import typing
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper

from designlint.analysis.modules import imported_modules, module_name_for
from designlint.analysis.names import NameResolver
from designlint.config import Config
from designlint.diagnostics import Diagnostic, Edit, Fix, Position
from designlint.globs import glob_matches
from designlint.parsing import ParseRefused, nesting_budget, nesting_cost, parse_module, stdlib_verdict
from designlint.positions import Positions
from designlint.project import Project
from designlint.rules import ALL_RULES, INTERNAL_ERROR, PARSE_ERROR
from designlint.rules.base import AddImport, NodeFix, Replace, Rule
from designlint.source import Decoded, DecodeError, decode
from designlint.suppression import Suppressions, parse_suppressions


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic]
    decoded: Decoded | None = None  # None when the file could not be decoded
    internal_errors: list[str] = field(default_factory=list)  # tracebacks, for --verbose


@dataclass(frozen=True)
class FileFacts:
    """What is known of a file before LibCST parses it (see ``Rule.could_fire``)."""

    relpath: str  # posix, relative to the config's root
    module_name: str | None
    text: str
    tree: ast.Module | None
    # The directories above the module's top package when no project root anchors its name
    # (an unpacked wheel): namespace packages, or where it was unpacked (``Project.unanchored_parents``).
    module_parents: tuple[str, ...] = ()  # the stdlib parser's; None when the running Python cannot parse the file

    @cached_property
    def imports(self) -> frozenset[str] | None:
        """The modules the file's import statements may bring in (``imported_modules``), worked
        out once for all rules; None without a tree."""
        return None if self.tree is None else frozenset(imported_modules(self.tree))


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
    positions: Positions
    metadata: dict = field(default_factory=dict)
    pending: list[tuple[Rule, cst.CSTNode, str, NodeFix | None, tuple[cst.CSTNode, ...]]] = field(default_factory=list)
    module_parents: tuple[str, ...] = ()  # as in FileFacts

    def report(self, rule: Rule, node: cst.CSTNode, message: str, fix: NodeFix | None) -> None:
        # The enclosing nodes tell the positions which statement to generate the code of.
        self.pending.append((rule, node, message, fix, tuple(self.ancestors)))

    def line_of(self, node: cst.CSTNode) -> int:
        """The 1-based line where ``node`` starts, for messages that point elsewhere in the file."""
        return self.positions.of(node, self.ancestors).start.line


# Node types the walk does not descend into: white space, comments, punctuation.
_SKIP_TYPES: frozenset[type] = frozenset(
    cls
    for cls in vars(cst).values()
    if isinstance(cls, type)
    and issubclass(cls, cst.CSTNode)
    and (
        issubclass(
            cls, (cst.BaseParenthesizableWhitespace, cst.EmptyLine, cst.TrailingWhitespace, cst.Comment, cst.Newline)
        )
        or cls in (cst.LeftParen, cst.RightParen, cst.Comma, cst.Semicolon, cst.Colon, cst.Dot, cst.AssignEqual)
    )
)
_CHILDLESS_FIELDS = (
    "lpar",
    "rpar",
    "leading_lines",
    "lines_after_decorators",
    "header",
    "footer",
    "trailing_whitespace",
    "comma",
    "semicolon",
    "newline",
)
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_BINDINGS = (cst.Assign, cst.AnnAssign, cst.WithItem, cst.Import, cst.ImportFrom, cst.For)


@dataclass(frozen=True)
class _NodeKind:
    """What the walk needs to know about a node type, worked out once per type: every
    ``isinstance`` against LibCST's classes goes through ``ABCMeta``, which is slow."""

    name: str
    fields: tuple[str, ...]  # the fields that can hold child nodes
    walked: bool  # a node the walk visits (not white space, comments, punctuation)
    scope: bool
    binding: bool


_KINDS: dict[type, _NodeKind] = {}


def _kind(cls: type) -> _NodeKind:
    kind = _KINDS.get(cls)
    if kind is None:
        is_node = issubclass(cls, cst.CSTNode)
        fields = tuple(f.name for f in dataclasses.fields(cls) if _may_hold_nodes(f)) if is_node else ()
        kind = _KINDS[cls] = _NodeKind(
            cls.__name__,
            fields,
            is_node and cls not in _SKIP_TYPES,
            issubclass(cls, _SCOPES),
            issubclass(cls, _BINDINGS),
        )
    return kind


def _may_hold_nodes(field: dataclasses.Field) -> bool:
    """Not white space, punctuation, or text (``Name.value``, ``Arg.star``)."""
    if field.name.startswith("whitespace") or field.name in _CHILDLESS_FIELDS:
        return False
    return field.type not in (str, int, bool) and typing.get_origin(field.type) is not typing.Literal


def _children(node: cst.CSTNode, hooked: Container[str]) -> list[cst.CSTNode]:
    """The walked nodes directly under ``node``, in source order. A node that never has
    children (a name, a string, an operator) is left out unless a rule hooks its type: it is
    nearly half the tree, and nothing else looks at it during the walk."""
    out: list[cst.CSTNode] = []
    kinds = _KINDS
    for name in (kinds.get(type(node)) or _kind(type(node))).fields:
        value = getattr(node, name)
        value_type = type(value)
        if value_type is tuple or value_type is list:
            for item in value:
                kind = kinds.get(type(item)) or _kind(type(item))
                if kind.walked and (kind.fields or kind.name in hooked):
                    out.append(item)
        else:
            kind = kinds.get(value_type) or _kind(value_type)
            if kind.walked and (kind.fields or kind.name in hooked):
                out.append(value)
            elif isinstance(value, (tuple, list)):
                out.extend(item for item in value if _kind(type(item)).walked)
    return out


_HOOKS: dict[type, tuple[tuple[str, str], ...]] = {}


def _hooks(rule_class: type) -> tuple[tuple[str, str], ...]:
    """A rule class's ("visit"/"leave", node type name) methods."""
    hooks = _HOOKS.get(rule_class)
    if hooks is None:
        hooks = _HOOKS[rule_class] = tuple(
            (attr[:5], attr[6:]) for attr in dir(rule_class) if attr.startswith(("visit_", "leave_"))
        )
    return hooks


# Generated files beyond this (a dozen times the largest hand-written module in the corpus of
# agent frameworks) would take minutes and gigabytes to parse: they are reported, not linted.
MAX_SOURCE_SIZE = 5 * 2**20


class Linter:
    """Rules built once for a configuration, then used for any number of files."""

    def __init__(
        self,
        config: Config | None = None,
        rules: Iterable[type[Rule]] | None = None,
        project: Project | None = None,
        *,
        noqa: bool = True,
    ):
        self.config = config or Config()
        self.project = project
        self.noqa = noqa  # False: a host (flake8) applies its own ``# noqa``
        self.rules: list[Rule] = []
        # Rules whose construction raised (a bug, perhaps for this config only): DL002 on every
        # file they would have linted, with the traceback for --verbose; the other rules run.
        self.unbuilt: list[tuple[type[Rule], Exception, str]] = []
        for rule_class in ALL_RULES if rules is None else rules:
            if self.config.is_enabled(rule_class.code):
                try:
                    self.rules.append(rule_class(self.config))
                except Exception as exc:
                    self.unbuilt.append((rule_class, exc, traceback.format_exc()))

    def lint(self, source: bytes | str, path: str) -> FileResult:
        if len(source) > MAX_SOURCE_SIZE:
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, too_large_message(len(source)), 1, 1)])
        try:
            decoded = (
                decode(source)
                if isinstance(source, bytes)
                else Decoded(source.removeprefix("\ufeff"), "utf-8", source.startswith("\ufeff"))
            )
        except DecodeError as exc:
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, str(exc), exc.row, exc.column)])
        relpath = _relpath(path, self.config)
        ignored = self._ignored_codes(relpath)
        rules = self._rules_for(ignored, decoded.text)
        # The stdlib parser, several times faster than LibCST's, goes first: it rejects what no
        # Python accepts (nesting beyond its limits would crash or stall LibCST), and when no
        # rule can fire it alone confirms that the file parses. (When it refuses for another
        # reason, LibCST decides below: it knows syntax newer than the running Python.)
        verdict = stdlib_verdict(decoded.text)
        if verdict.refused is not None:
            message = f"cannot parse: {verdict.refused}"
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, message, verdict.refused.row, 1)], decoded)
        result = FileResult(path, [], decoded)
        for rule_class, exc, trace in self.unbuilt:
            if not _ignored(rule_class.code, ignored):
                _internal_error(f"rule {rule_class.code} ({rule_class.name})", exc, result, trace)
        facts = self._facts(path, relpath, decoded.text, verdict.tree)
        rules = [rule for rule in rules if _could_fire(rule, facts, result)]
        if not rules and verdict.compiles:
            return result
        if verdict.tree is not None:
            nesting = nesting_cost(verdict.tree)
            budget = nesting_budget(nesting.nodes)
            if nesting.cost > budget:
                message = f"cannot parse in reasonable time: expressions nested too deeply (nesting cost {nesting.cost:,}; the limit for this file is {budget:,})"
                return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, message, nesting.line, 1)], decoded)
        try:
            module = parse_module(decoded.text)
        except cst.ParserSyntaxError as exc:
            # LibCST's native parser may place the error a line late; Python's parser, when it
            # refused the text too, said where (1-based row and character column) and what.
            python_error = verdict.syntax_error
            if python_error is not None:
                message, row, column = (
                    f"cannot parse: {python_error.msg}",
                    python_error.lineno,
                    python_error.offset or 1,
                )
            else:
                message, row, column = f"cannot parse: {exc.message}", exc.editor_line, exc.editor_column
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, message, row, column)], decoded)
        except ParseRefused as exc:
            return FileResult(
                path, [_engine_diagnostic(path, PARSE_ERROR, f"cannot parse: {exc}", exc.row, 1)], decoded
            )
        if not rules:
            return result
        try:
            return self._analyse(module, facts, rules, result)
        except RecursionError:
            # LibCST's metadata (and any recursive analysis) on a tree deeper than Python's
            # recursion limit, e.g. a chain of 10,000 `and`s that the parser accepts.
            message = "cannot analyse: the code is nested too deeply"
            return FileResult(path, [_engine_diagnostic(path, PARSE_ERROR, message, 1, 1)], decoded)

    def _facts(self, path: str, relpath: str, text: str, tree: ast.Module | None) -> FileFacts:
        """The module's name comes from the package structure where the project can see it (never
        from the working directory), else from the path relative to the configuration's root."""
        module_name = self.project.module_name_of(path) if self.project is not None else None
        if module_name is None:
            return FileFacts(relpath, module_name_for(relpath), text, tree)
        return FileFacts(relpath, module_name, text, tree, self.project.unanchored_parents(path))

    def _analyse(self, module: cst.Module, facts: FileFacts, rules: list[Rule], result: FileResult) -> FileResult:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        names = NameResolver(
            module, facts.module_name, is_package=facts.relpath.rsplit("/", 1)[-1] in ("__init__.py", "__init__.pyi")
        )
        context = FileContext(
            result.path,
            facts.relpath,
            facts.module_name,
            module,
            facts.text,
            self.config,
            self.project,
            names,
            [],
            Positions(wrapper, facts.tree),
            module_parents=facts.module_parents,
        )
        providers = {provider for rule in rules for provider in rule.METADATA_DEPENDENCIES}
        if providers:
            context.metadata.update(wrapper.resolve_many(providers))
        self._walk(module, rules, context, result)
        if context.pending:
            result.diagnostics.extend(self._diagnostics(context, result))
        return result

    def _ignored_codes(self, relpath: str) -> tuple[str, ...]:
        """The codes (or prefixes, or ``ALL``) ``per-file-ignores`` turns off for this file."""
        return tuple(
            code for pattern, codes in self.config.per_file_ignores if glob_matches(pattern, relpath) for code in codes
        )

    def _rules_for(self, ignored: tuple[str, ...], text: str) -> list[Rule]:
        found: dict[object, bool] = {}  # rules of one family share a prefilter: searched once

        def passes(prefilter) -> bool:
            if prefilter is None:
                return True
            if prefilter not in found:
                found[prefilter] = bool(prefilter.search(text))
            return found[prefilter]

        return [rule for rule in self.rules if not _ignored(rule.code, ignored) and passes(rule.prefilter)]

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
            for hook, node_type in _hooks(type(rule)):
                (visits if hook == "visit" else leaves).setdefault(node_type, []).append(
                    getattr(rule, f"{hook}_{node_type}")
                )

        analysis_failed = False

        def track_names(hook: Callable, node: cst.CSTNode) -> None:
            """A bug in the name analysis: DL002 once for the file, whose walk goes on (the
            binding is lost; ``enter_scope`` has entered the scope even when it fails)."""
            nonlocal analysis_failed
            try:
                hook(node)
            except RecursionError:
                raise
            except Exception as exc:
                if not analysis_failed:
                    analysis_failed = True
                    _internal_error("the name analysis (designlint.analysis.names)", exc, result)

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
        kinds = _KINDS
        hooked = visits.keys() | leaves.keys()
        # An explicit stack, not recursion: deeply nested code must not overflow ours. A node
        # is pushed as itself to be visited and as a 1-tuple to be left.
        stack: list = [module]
        while stack:
            entry = stack.pop()
            if type(entry) is tuple:
                node = entry[0]
                kind = kinds[type(node)]
                ancestors.pop()
            else:
                node = entry
                kind = kinds.get(type(node)) or _kind(type(node))
                if kind.binding:
                    track_names(names.record, node)
                callbacks = visits.get(kind.name)
                if callbacks:
                    call(callbacks, node)
                if kind.scope:
                    track_names(names.enter_scope, node)
                children = _children(node, hooked)
                if children:
                    ancestors.append(node)
                    stack.append((node,))
                    children.reverse()
                    stack.extend(children)
                    continue
                # A leaf is left at once, with no stack entry of its own: nothing can look at
                # the ancestors between its visit and its leave.
            if kind.scope:
                names.leave_scope()
            callbacks = leaves.get(kind.name)
            if callbacks:
                call(callbacks, node)

    def _diagnostics(self, context: FileContext, result: FileResult) -> list[Diagnostic]:
        suppressions = parse_suppressions(context.text) if self.noqa else Suppressions()
        out = []
        seen = set()
        failed: set[Rule] = set()
        for rule, node, message, node_fix, path in context.pending:
            if rule in failed:
                continue
            try:
                code_range = context.positions.of(node, path)
                fix = (
                    _text_fix(node_fix, context.module, functools.partial(context.positions.of, path=path))
                    if node_fix
                    else None
                )
            except RecursionError:
                raise  # the input's depth (positions of a very deep statement): the whole file is reported
            except Exception as exc:  # a node (or fix) that is not in this file's tree
                _rule_failed(rule, exc, result, failed)
                continue
            start, end = _span(code_range)
            if suppressions.suppresses(rule.code, start.row) or (rule.code, start, message) in seen:
                continue
            seen.add((rule.code, start, message))
            out.append(Diagnostic(context.path, rule.code, rule.name, message, start, end, fix, noqa_row=start.row))
        return out


def _ignored(code: str, ignored: tuple[str, ...]) -> bool:
    return any(code.startswith(c) or c == "ALL" for c in ignored)


def _could_fire(rule: Rule, facts: FileFacts, result: FileResult) -> bool:
    try:
        return rule.could_fire(facts)
    except RecursionError:
        return True  # the input's depth: the walk decides, and reports it
    except Exception as exc:
        _rule_failed(rule, exc, result, set())
        return False


def too_large_message(size: int) -> str:
    return f"the file is too large to lint ({size / 2**20:.1f} MB; the limit is {MAX_SOURCE_SIZE // 2**20} MB)"


def _rule_failed(rule: Rule, exc: Exception, result: FileResult, failed: set[Rule]) -> None:
    """A bug in a rule: DL002 for this file; the rule stops here."""
    failed.add(rule)
    _internal_error(f"rule {rule.code} ({rule.name})", exc, result)


def _internal_error(where: str, exc: Exception, result: FileResult, trace: str | None = None) -> None:
    """A bug in designlint: DL002 for this file (traceback kept for --verbose)."""
    result.internal_errors.append(trace or traceback.format_exc())
    detail = " ".join(str(exc).split())  # one line, however the exception prints
    detail = detail if len(detail) <= 200 else detail[:199] + "…"
    message = f"internal error in {where}: {type(exc).__name__}: {detail}; please report this as a bug"
    result.diagnostics.append(_engine_diagnostic(result.path, INTERNAL_ERROR, message, 1, 1))


def _text_fix(node_fix: NodeFix, module: cst.Module, range_of: Callable[[cst.CSTNode], CodeRange]) -> Fix:
    edits = []
    for change in node_fix.changes:
        if isinstance(change, Replace):
            content = (
                change.replacement if isinstance(change.replacement, str) else module.code_for_node(change.replacement)
            )
            edits.append(Edit(content, *_span(range_of(change.node))))
        elif isinstance(change, AddImport):
            row, before = _import_insertion_point(module, range_of)
            # Joins an import block as one more line; before other code, PEP 8's blank lines follow.
            spacing = (
                0
                if isinstance(before, (cst.Import, cst.ImportFrom))
                else 2
                if isinstance(before, (cst.FunctionDef, cst.ClassDef))
                else 1
                if before
                else 0
            )
            edits.append(
                Edit(change.statement + module.default_newline * (1 + spacing), Position(row, 1), Position(row, 1))
            )
    return Fix(node_fix.message, tuple(sorted(edits, key=lambda e: (e.start, e.end))), node_fix.applicability)


def _span(code_range: CodeRange) -> tuple[Position, Position]:
    """LibCST's range (0-based columns) as designlint's start and end (1-based columns)."""
    return Position(code_range.start.line, code_range.start.column + 1), Position(
        code_range.end.line, code_range.end.column + 1
    )


def _import_insertion_point(
    module: cst.Module, range_of: Callable[[cst.CSTNode], CodeRange]
) -> tuple[int, cst.CSTNode | None]:
    """Where a new import goes: the row after the docstring and ``__future__`` imports, and the
    statement it lands before (an import, a def or class, other code, or None at the end)."""
    row = 1
    for index, statement in enumerate(module.body):
        first = statement.body[0] if isinstance(statement, cst.SimpleStatementLine) and statement.body else None
        is_docstring = (
            index == 0
            and isinstance(first, cst.Expr)
            and isinstance(first.value, (cst.SimpleString, cst.ConcatenatedString))
        )
        is_future = (
            isinstance(first, cst.ImportFrom)
            and isinstance(first.module, cst.Name)
            and first.module.value == "__future__"
        )
        if not (is_docstring or is_future):
            decorators = getattr(statement, "decorators", ())  # a def's range starts at `def`, after them
            return range_of(decorators[0] if decorators else statement).start.line, first or statement
        row = range_of(statement).end.line + 1
    return row, None


def _engine_diagnostic(path: str, rule: tuple[str, str], message: str, row: int, column: int) -> Diagnostic:
    position = Position(max(row, 1), max(column, 1))
    return Diagnostic(path, rule[0], rule[1], message, position, position, noqa_row=position.row)


def _relpath(path: str, config: Config) -> str:
    relative = os.path.relpath(os.path.abspath(path), config.root)
    return relative.replace(os.sep, "/")


def lint_source(
    source: bytes | str, path: str = "<stdin>", config: Config | None = None, project: Project | None = None
) -> list[Diagnostic]:
    """Lint one source text. No I/O: cross-module facts come only from ``project``, if given."""
    result = Linter(config, project=project).lint(source, path)
    return sorted(result.diagnostics, key=Diagnostic.sort_key)
