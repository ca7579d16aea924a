"""The language server's work on its lint thread: linting a document with the configuration the
CLI would use for its path, and turning findings and fixes into LSP diagnostics and code
actions (plain dicts). Imported on that thread as the server starts, with the engine: the
server's own module imports none of this, so it answers ``initialize`` at once."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from designlint.config import CONFIG_FILES, ConfigError
from designlint.diagnostics import Applicability, Diagnostic, Edit, Position
from designlint.discovery import discover, python_paths
from designlint.fixes import fix_text
from designlint.integrations.documents import code_units
from designlint.pages import DOCS_URL
from designlint.resolution import ConfigResolver, design_documents
from designlint.rules import INTERNAL_ERROR, PARSE_ERROR
from designlint.source import split_lines
from designlint.suppression import noqa_edit

if TYPE_CHECKING:
    from designlint.engine import Linter
    from designlint.pool import LinterPool

log = logging.getLogger("designlint.lsp")

QUICK_FIX = "quickfix"
FIX_ALL_KIND = "source.fixAll.designlint"
ERROR = 1  # DiagnosticSeverity
ENGINE_CODES = (PARSE_ERROR[0], INTERNAL_ERROR[0])  # always errors, never fixable or suppressible


# -- configuration per document path ---------------------------------------------------


def _config_stamp(directory: Path) -> tuple:
    """What the config files that could apply to ``directory`` look like on disk now: a
    change (edit, creation, deletion) anywhere up the tree gives a different stamp."""
    stamp: list[tuple[int, int] | None] = []
    for folder in (directory, *directory.parents):
        for name in CONFIG_FILES:
            try:
                status = os.stat(folder / name)
                stamp.append((status.st_mtime_ns, status.st_size))
            except OSError:
                stamp.append(None)
    return tuple(stamp)


class ProjectLinters:
    """A ``Linter`` per configuration, the configuration found as the CLI finds it.

    Used from the lint thread only. Everything is dropped when a config file changes, and
    the linters (whose ``Project`` keeps the modules it read) when a file is saved.
    """

    def __init__(self) -> None:
        self._drop_configs()

    def _drop_configs(self) -> None:
        self._resolver = ConfigResolver()
        self._stamps: dict[Path, tuple] = {}
        self._linters: LinterPool | None = None  # made on the lint thread, by the first lint

    def config_changed(self) -> None:
        self._drop_configs()

    def sources_changed(self) -> None:
        self._linters = None

    def linter_for(self, path: Path) -> Linter:
        """Raises ``ConfigError``."""
        directory = path.parent.absolute()
        stamp = _config_stamp(directory)
        if self._stamps.get(directory, stamp) != stamp:
            self._drop_configs()
        self._stamps[directory] = stamp
        config = self._resolver.for_path(path)
        while self._resolver.warnings:
            log.warning("%s", self._resolver.warnings.pop())
        if self._linters is None:
            from designlint.pool import LinterPool

            # The open documents' last modules: a keystroke parses only the statements it changed.
            self._linters = LinterPool(keep_parses=4)
        return self._linters.linter_for(config)

    def design_findings(self, path: Path, text: str | None = None) -> list[Diagnostic]:
        """DL011-DL015 on ``path`` (its editor's ``text`` when given, else as saved), when it is a
        design document in play or Markdown beside one (``tasks.md``: DL013); other Markdown is
        not designlint's. The code rules keep the saved document's contract until it is saved.
        Raises ``ConfigError``."""
        config = self._resolver.for_path(path)
        target = path.resolve()
        if target.parent not in {document.resolve().parent for document in design_documents(config)}:
            return []

        def python_files() -> list[Path]:
            found = discover(python_paths([config.root])[0], self._resolver)
            return [file for file, _, unlisted in found if unlisted is None]

        from designlint.design.check import design_diagnostics  # imports the rules: on the lint thread

        diagnostics, _ = design_diagnostics(config, python_files, unsaved={target: text} if text is not None else None)
        return [d for d in diagnostics if Path(d.path).resolve() == target]


def is_config_file(path: str) -> bool:
    return os.path.basename(path) in CONFIG_FILES


# -- positions -------------------------------------------------------------------------


def lsp_position(lines: list[str], position: Position, encoding: str) -> dict:
    """designlint's 1-based row and character column -> LSP's 0-based line and code units."""
    line = lines[position.row - 1] if position.row <= len(lines) else ""
    return {"line": position.row - 1, "character": code_units(line[: position.column - 1], encoding)}


def lsp_range(lines: list[str], start: Position, end: Position, encoding: str) -> dict:
    return {"start": lsp_position(lines, start, encoding), "end": lsp_position(lines, end, encoding)}


def _text_edits(lines: list[str], edits: tuple[Edit, ...] | list[Edit], encoding: str) -> list[dict]:
    return [{"range": lsp_range(lines, e.start, e.end, encoding), "newText": e.content} for e in edits]


# -- findings as LSP -------------------------------------------------------------------


class Severities:
    """The LSP severity of each rule code: ``default``, or the level of the longest code or
    prefix in ``levels``; the engine's own codes are always errors."""

    def __init__(self, default: int, levels: dict[str, int]):
        self.default, self.levels = default, levels

    def of(self, code: str) -> int:
        if code in ENGINE_CODES:
            return ERROR
        best = max((selector for selector in self.levels if code.startswith(selector)), key=len, default=None)
        return self.levels[best] if best else self.default


class Findings:
    """Lints documents and answers with LSP dicts; ``show_error`` is told of a broken
    configuration (and the answer is None). Used from the lint thread only."""

    def __init__(self, show_error: Callable[[str], None]):
        self.linters = ProjectLinters()
        self.show_error = show_error

    def _lint(self, path: str, text: str) -> list[Diagnostic]:
        if path.endswith(".md"):
            return self.linters.design_findings(Path(path), text)
        result = self.linters.linter_for(Path(path)).lint(text, path)
        return sorted(result.diagnostics, key=Diagnostic.sort_key)

    def diagnostics(self, path: str, text: str, encoding: str, severities: Severities) -> list[dict] | None:
        """The document's findings, or None when its configuration is broken (and said so)."""
        try:
            found = self._lint(path, text)
        except ConfigError as exc:
            self.show_error(f"designlint: {exc}")
            return None
        lines = split_lines(text)
        return [_lsp_diagnostic(lines, d, encoding, severities) for d in found]

    def code_actions(
        self, uri: str, path: str, text: str, params: dict, encoding: str, severities: Severities
    ) -> list[dict] | None:
        """The actions for ``params`` (``textDocument/codeAction``'s): each finding's fix and
        "suppress on this line" in its range, and a source action applying every safe fix."""
        if path.endswith(".md"):  # Markdown has no fixes and no suppression comments
            return None
        only = (params.get("context") or {}).get("only")

        def wanted(kind: str) -> bool:
            return only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)

        try:
            found = self._lint(path, text)
            fixed = self._fix_all(path, text) if wanted(FIX_ALL_KIND) and any(d.fix for d in found) else None
        except ConfigError as exc:
            self.show_error(f"designlint: {exc}")
            return None
        lines = split_lines(text)
        first, last = params["range"]["start"]["line"] + 1, params["range"]["end"]["line"] + 1
        actions: list[dict] = []
        if wanted(QUICK_FIX):
            suppressed: set[tuple[str, int]] = set()
            for diagnostic in found:
                if diagnostic.code in ENGINE_CODES or diagnostic.end.row < first or diagnostic.start.row > last:
                    continue
                related = [_lsp_diagnostic(lines, diagnostic, encoding, severities)]
                fix = diagnostic.fix
                if fix is not None:
                    safe = fix.applicability is Applicability.SAFE
                    title = f"{diagnostic.code}: {fix.message}" + ("" if safe else " (unsafe)")
                    edits = _text_edits(lines, fix.edits, encoding)
                    actions.append(_action(title, QUICK_FIX, uri, edits, related, preferred=safe))
                row = diagnostic.noqa_row or diagnostic.start.row
                if (diagnostic.code, row) in suppressed:
                    continue
                suppressed.add((diagnostic.code, row))
                edit = noqa_edit(text, lines, [diagnostic.code], row)
                if edit is not None:
                    edits = _text_edits(lines, [edit], encoding)
                    actions.append(_action(f"Suppress {diagnostic.code} on this line", QUICK_FIX, uri, edits, related))
        if fixed is not None and fixed != text:
            whole = {
                "start": {"line": 0, "character": 0},
                "end": lsp_position(lines, Position(len(lines), len(lines[-1]) + 1), encoding),
            }
            edits = [{"range": whole, "newText": fixed}]
            actions.append(_action("designlint: apply all safe fixes", FIX_ALL_KIND, uri, edits, None))
        return actions

    def _fix_all(self, path: str, text: str) -> str:
        linter = self.linters.linter_for(Path(path))
        fixed, _, _ = fix_text(text, lambda candidate: linter.lint(candidate, path).diagnostics)
        return fixed


def _lsp_diagnostic(lines: list[str], diagnostic: Diagnostic, encoding: str, severities: Severities) -> dict:
    start, end = diagnostic.start, diagnostic.end
    line = lines[start.row - 1] if start.row <= len(lines) else ""
    if start == end and start.column <= len(line):
        end = Position(start.row, start.column + 1)  # a point would be invisible in most editors
    return {
        "range": lsp_range(lines, start, end, encoding),
        "severity": severities.of(diagnostic.code),
        "code": diagnostic.code,
        "codeDescription": {"href": DOCS_URL.format(code=diagnostic.code)},
        "source": "designlint",
        "message": diagnostic.message,
    }


def _action(
    title: str, kind: str, uri: str, edits: list[dict], diagnostics: list[dict] | None, preferred: bool = False
) -> dict[str, Any]:
    action: dict[str, Any] = {"title": title, "kind": kind}
    if diagnostics is not None:
        action["diagnostics"] = diagnostics
    if preferred:
        action["isPreferred"] = True
    action["edit"] = {"changes": {uri: edits}}
    return action
