"""Lint one source text, with no I/O: decode -> the stdlib's parse (a guard, and a first
tree) -> LibCST's parse (once) -> one walk for all rules (``designlint.walk``) -> suppression
-> diagnostics with fixes (``designlint.fixes``).

Speed matters here: a rule whose ``prefilter`` does not match the text, or whose
``could_fire`` rules the file out from the stdlib's tree, is not run; a file no rule needs is
not parsed by LibCST; metadata is resolved only for the rules that run; positions are
computed only when something was reported. A ``Linter`` built without a list of rules holds
the families' declared gates (``designlint.gates``) and imports a family, building its rules,
only for the first file on which one of them passes.
"""

from __future__ import annotations

import ast
import functools
import os
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper

from designlint import rules as registry
from designlint.analysis.memo import StatementMemo
from designlint.analysis.modules import module_name_for
from designlint.analysis.names import NameResolver
from designlint.config import Config
from designlint.context import FileContext, FileFacts
from designlint.diagnostics import Diagnostic, span_fingerprint
from designlint.fixes import span, text_fix
from designlint.gates import Gate
from designlint.globs import glob_matches
from designlint.parsing import MAX_NODES, ParseRefused, nesting_budget, nesting_cost, parse_module, stdlib_verdict
from designlint.positions import Positions
from designlint.project import Project
from designlint.results import MAX_SOURCE_SIZE, FileResult, parse_error, rule_label, too_large_message
from designlint.rules import INTERNAL_ERROR, PARSE_ERROR, family_names, family_rules
from designlint.rules.base import Rule
from designlint.rules.noqa import UnusedNoqa, unused_noqa_finding
from designlint.source import (
    DecodeError,
    as_python_reads_names,
    decode,
    decode_text,
    line_starts,
    offset_of,
    split_lines,
)
from designlint.suppression import MAY_NAME_DL_CODES, Suppressions, parse_suppressions, unused_codes
from designlint.walk import walk

if TYPE_CHECKING:
    from designlint.reparse import Reparser


@dataclass(frozen=True, eq=False)
class _PendingGates:
    """Gates of rules whose family is not imported yet, with the codes enabled of those rules."""

    gate: Gate
    family: str
    codes: tuple[str, ...]


class Linter:
    """Rules built once for a configuration, then used for any number of files."""

    def __init__(
        self,
        config: Config | None = None,
        rules: Iterable[type[Rule]] | None = None,
        project: Project | None = None,
        *,
        noqa: bool = True,
        keep_parses: int = 0,
    ):
        self.config = config or Config()
        self.project = project
        self.noqa = noqa  # False: a host (flake8) applies its own noqa comments
        self.reports_unused_noqa = noqa and self.config.is_enabled(UnusedNoqa.code)
        # An editor lints the same few paths again and again: their last LibCST modules are
        # kept, and an edit parses only the statements it changed. (A run lints each file once,
        # and does not import the reparser.)
        self.reparser: Reparser | None = None
        if keep_parses:
            from designlint.reparse import Reparser

            self.reparser = Reparser(keep_parses)
        self.rules: list[Rule] = []
        # Rules whose construction raised (a bug, perhaps for this config only): DL002 on every
        # file they would have linted, with the traceback for --verbose; the other rules run.
        self.unbuilt: list[tuple[type[Rule], Exception, str]] = []
        # Without ``rules``: the gates of the families not imported yet. A gate that passes on a
        # file imports its family, and its rules take its place.
        self.gates: list[_PendingGates] = []
        if rules is not None:
            self._build(rules)
        else:
            self._build_gates()

    def _build(self, rule_classes: Iterable[type[Rule]]) -> list[Rule]:
        built = []
        for rule_class in rule_classes:
            if self.config.is_enabled(rule_class.code):
                try:
                    built.append(rule_class(self.config))
                except Exception as exc:
                    self.unbuilt.append((rule_class, exc, traceback.format_exc()))
        self.rules.extend(built)
        return built

    def _build_gates(self) -> None:
        declared = registry.GATES
        for family in family_names():
            if family not in declared:  # its gates need the family itself
                self._build(family_rules(family).values())
                continue
            for gate_class in declared[family].gates:
                codes = tuple(code for code in gate_class.codes if self.config.is_enabled(code))
                if not codes:
                    continue
                try:
                    gate = gate_class(self.config)
                except Exception:
                    self._build(family_rules(family)[code] for code in codes)  # the rules say what failed
                else:
                    self.gates.append(_PendingGates(gate, family, codes))
        self.rules.sort(key=lambda rule: rule.code)

    def lint(self, source: bytes | str, path: str) -> FileResult:
        if self.project is not None:
            with self.project.linting(path):  # the file's imports are looked up as it means them
                result = self._lint(source, path)
        else:
            result = self._lint(source, path)
        if self.reports_unused_noqa and result.decoded is not None:
            self._report_unused_noqa(result, result.decoded.text)
        return result

    def _lint(self, source: bytes | str, path: str) -> FileResult:
        if len(source) > MAX_SOURCE_SIZE:
            return FileResult(path, [parse_error(path, too_large_message(len(source)))])
        try:
            decoded = decode(source) if isinstance(source, bytes) else decode_text(source)
        except DecodeError as exc:
            return FileResult(path, [parse_error(path, str(exc), exc.row, exc.column)])
        relpath = _relpath(path, self.config)
        ignored = self._ignored_codes(relpath)
        # What is analysed: the names as Python reads them (``decoded`` keeps the text as written,
        # which fixes edit; every position is the same in both).
        text = as_python_reads_names(decoded.text)
        rules, gates = self._passing(ignored, text)
        # The stdlib parser, several times faster than LibCST's, goes first: it rejects what no
        # Python accepts (nesting beyond its limits would crash or stall LibCST), and when no
        # rule can fire it alone confirms that the file parses. (When it refuses for another
        # reason, LibCST decides below: it knows syntax newer than the running Python.)
        reparser = self.reparser
        verdict = stdlib_verdict(text) if reparser is None else reparser.verdict(path, text)
        if verdict.refused is not None:
            message = f"cannot parse: {verdict.refused}"
            return FileResult(path, [parse_error(path, message, verdict.refused.row)], decoded)
        result = FileResult(path, [], decoded)
        statements = None if reparser is None else reparser.statements(path)
        facts = self._facts(path, relpath, text, verdict.tree, statements)
        if gates:
            rules = self._with_rules_of(gates, facts, ignored, rules)
        for rule_class, error, trace in self.unbuilt:
            if not _ignored(rule_class.code, ignored):
                result.internal_error(rule_label(rule_class.code, rule_class.name), error, trace)
        rules = [rule for rule in rules if _could_fire(rule, facts, result)]
        if not rules and verdict.compiles:
            return result
        if verdict.tree is not None:
            nesting = nesting_cost(verdict.tree, statements)
            budget = nesting_budget(nesting.nodes)
            if nesting.nodes > MAX_NODES:
                message = f"the file is too large to analyse ({nesting.nodes:,} syntax nodes; the limit is {MAX_NODES:,}: LibCST's tree takes about 5 kB a node)"
                return FileResult(path, [parse_error(path, message)], decoded)
            if nesting.cost > budget:
                message = f"cannot parse in reasonable time: expressions nested too deeply (nesting cost {nesting.cost:,}; the limit for this file is {budget:,})"
                return FileResult(path, [parse_error(path, message, nesting.line)], decoded)
        try:
            module = parse_module(text) if reparser is None else reparser.parse(path, text, verdict.tree)
        except cst.ParserSyntaxError as exc:
            # LibCST's native parser may place the error a line late; Python's parser, when it
            # refused the text too, said where (1-based row and character column) and what.
            python_error = verdict.syntax_error
            if python_error is not None:
                message, row, column = (
                    f"cannot parse: {python_error.msg}",
                    python_error.lineno or 1,  # always given: stdlib_verdict keeps only errors that say where
                    python_error.offset or 1,
                )
            else:
                message, row, column = f"cannot parse: {exc.message}", exc.editor_line, exc.editor_column
            return FileResult(path, [parse_error(path, message, row, column)], decoded)
        except ParseRefused as exc:
            return FileResult(path, [parse_error(path, f"cannot parse: {exc}", exc.row)], decoded)
        if not rules:
            return result
        try:
            return self._analyse(module, facts, rules, result)
        except RecursionError:
            # LibCST's metadata (and any recursive analysis) on a tree deeper than Python's
            # recursion limit, e.g. a chain of 10,000 `and`s that the parser accepts.
            message = "cannot analyse: the code is nested too deeply"
            return FileResult(path, [parse_error(path, message)], decoded)

    def _facts(
        self, path: str, relpath: str, text: str, tree: ast.Module | None, statements: StatementMemo | None
    ) -> FileFacts:
        """The module's name comes from the package structure where the project can see it (never
        from the working directory), else from the path relative to the configuration's root."""
        project = self.project
        module_name = project.module_name_of(path) if project is not None else None
        if project is None or module_name is None:
            return FileFacts(relpath, module_name_for(relpath), text, tree, statements=statements, project=project)
        return FileFacts(relpath, module_name, text, tree, project.unanchored_parents(path), statements, project)

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
            tree=facts.tree,
        )
        providers = {provider for rule in rules for provider in rule.METADATA_DEPENDENCIES}
        if providers:
            context.metadata.update(wrapper.resolve_many(providers))
        walk(module, rules, context, result)
        if context.reports:
            suppressions = parse_suppressions(context.text) if self.noqa else Suppressions()
            result.diagnostics.extend(self._diagnostics(context, result, suppressions))
            return replace(result, suppressions=suppressions)  # with what each directive suppressed, for DL003
        return result

    def _report_unused_noqa(self, result: FileResult, text: str) -> None:
        """DL003 for the codes of ``# noqa`` directives that suppressed nothing. Not when the
        file could not be parsed or a rule crashed on it: their findings are unknown."""
        if any(d.code in (PARSE_ERROR[0], INTERNAL_ERROR[0]) for d in result.diagnostics):
            return
        ignored = self._ignored_codes(_relpath(result.path, self.config))
        if result.suppressions is None and not MAY_NAME_DL_CODES.search(text):
            return  # most files: no directive to check, and no need to tokenize them
        suppressions = result.suppressions or parse_suppressions(text)
        if _ignored(UnusedNoqa.code, ignored) or not suppressions.directives:
            return

        def checked(code: str) -> bool:
            """designlint's codes, of rules enabled for this file or of no rule at all."""
            if not code.startswith("DL") or UnusedNoqa.code.startswith(code):
                return False
            rules = [known for known in registry.CODES if known.startswith(code)]
            return not rules or any(self.config.is_enabled(k) and not _ignored(k, ignored) for k in rules)

        for unused in unused_codes(suppressions, split_lines(text), checked):
            if suppressions.suppresses(UnusedNoqa.code, unused.start.row):
                continue
            message, fix = unused_noqa_finding(unused, lambda code: any(k.startswith(code) for k in registry.CODES))
            fingerprint = span_fingerprint(UnusedNoqa.code, (), unused.directive.comment)
            result.diagnostics.append(
                Diagnostic(
                    result.path,
                    UnusedNoqa.code,
                    UnusedNoqa.name,
                    message,
                    unused.start,
                    unused.end,
                    fix,
                    noqa_row=unused.start.row,
                    fingerprint=fingerprint,
                )
            )

    def _ignored_codes(self, relpath: str) -> tuple[str, ...]:
        """The codes (or prefixes, or ``ALL``) ``per-file-ignores`` turns off for this file."""
        return tuple(
            code for pattern, codes in self.config.per_file_ignores if glob_matches(pattern, relpath) for code in codes
        )

    def _passing(self, ignored: tuple[str, ...], text: str) -> tuple[list[Rule], list[_PendingGates]]:
        """The rules, and the gates of families not imported yet, whose prefilter matches."""
        found: dict[object, bool] = {}  # rules of one family share a prefilter: searched once

        def passes(prefilter) -> bool:
            if prefilter is None:
                return True
            if prefilter not in found:
                found[prefilter] = bool(prefilter.search(text))
            return found[prefilter]

        rules = [rule for rule in self.rules if not _ignored(rule.code, ignored) and passes(rule.prefilter)]
        gates = [
            pending
            for pending in self.gates
            if not all(_ignored(code, ignored) for code in pending.codes) and passes(pending.gate.prefilter)
        ]
        return rules, gates

    def _with_rules_of(
        self, gates: list[_PendingGates], facts: FileFacts, ignored: tuple[str, ...], rules: list[Rule]
    ) -> list[Rule]:
        """``rules`` and the rules of the ``gates`` that could fire on the file, their families
        imported now (the gates give way to them for good), in the order of ``self.rules``. The
        rules' own ``could_fire`` is still to be asked: it may narrow their gates'."""
        chosen = set(rules)
        for pending in gates:
            if _gate_could_fire(pending.gate, facts):
                self.gates.remove(pending)
                rules_of = family_rules(pending.family)
                chosen.update(rule for rule in self._build(rules_of[code] for code in pending.codes))
                self.rules.sort(key=lambda rule: rule.code)
        return [rule for rule in self.rules if rule in chosen and not _ignored(rule.code, ignored)]

    def _diagnostics(self, context: FileContext, result: FileResult, suppressions: Suppressions) -> list[Diagnostic]:
        out = []
        seen = set()
        failed: set[str] = set()  # codes of the rules whose reports could not be placed
        starts = line_starts(context.text)
        for report in context.reports:
            code = report.code
            if code in failed:
                continue
            range_of = functools.partial(context.positions.of, path=report.ancestors)
            try:
                code_range = range_of(report.node)
                fix = text_fix(report.fix, context.module, range_of) if report.fix else None
            except RecursionError:
                # A statement too deep for LibCST to generate its code (a prompt of 600 parts):
                # the finding is placed at the start of the statement, without a fix.
                line = context.positions.statement_line(report.ancestors)
                code_range, fix = CodeRange(CodePosition(line, 0), CodePosition(line, 0)), None
            except Exception as exc:  # a node (or fix) that is not in this file's tree
                failed.add(code)
                result.internal_error(rule_label(code, report.name), exc)
                continue
            start, end = span(code_range)
            if suppressions.suppresses(code, start.row) or (code, start, report.message) in seen:
                continue
            seen.add((code, start, report.message))
            scope = tuple(n.name.value for n in report.ancestors if isinstance(n, (cst.FunctionDef, cst.ClassDef)))
            text = context.text[offset_of(starts, start.row, start.column) : offset_of(starts, end.row, end.column)]
            out.append(
                Diagnostic(
                    context.path,
                    code,
                    report.name,
                    report.message,
                    start,
                    end,
                    fix,
                    noqa_row=start.row,
                    fingerprint=span_fingerprint(code, scope, text),
                )
            )
        return out


def _ignored(code: str, ignored: tuple[str, ...]) -> bool:
    return any(code.startswith(c) or c == "ALL" for c in ignored)


def _gate_could_fire(gate: Gate, facts: FileFacts) -> bool:
    try:
        return gate.could_fire(facts)
    except Exception:  # RecursionError included: the family's rules ask again, and say what failed
        return True


def _could_fire(rule: Rule, facts: FileFacts, result: FileResult) -> bool:
    try:
        return rule.could_fire(facts)
    except RecursionError:
        return True  # the input's depth: the walk decides, and reports it
    except Exception as exc:
        result.internal_error(rule_label(rule.code, rule.name), exc)
        return False


def _relpath(path: str, config: Config) -> str:
    relative = os.path.relpath(os.path.abspath(path), config.root)
    return relative.replace(os.sep, "/")


def lint_source(
    source: bytes | str, path: str = "<stdin>", config: Config | None = None, project: Project | None = None
) -> list[Diagnostic]:
    """Lint one source text. No I/O: cross-module facts come only from ``project``, if given."""
    result = Linter(config, project=project).lint(source, path)
    return sorted(result.diagnostics, key=Diagnostic.sort_key)
