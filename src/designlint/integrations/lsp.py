"""designlint's language server (``designlint lsp``): LSP over standard input and output, on
pygls 2.

- Diagnostics for open documents, from the editor's text: on open and save at once, on
  change after a pause (``DEBOUNCE_SECONDS``); cleared on close. Clients that pull
  (``textDocument/diagnostic``) get them only by pulling, the others only by push.
- Positions in the position encoding negotiated at initialisation (utf-16 unless the
  client offers utf-8 or utf-32 first).
- Code actions: a finding's fix, "suppress on this line" (adds or extends ``# noqa``),
  both recomputed from the document, and a source action applying every safe fix.
- Configuration is the one the CLI would use for the document's path, re-read when a
  config file changes (file-watch notifications, and an mtime check before each lint).
- Linting runs on one worker thread: the event loop keeps answering while it works, and
  the linters (which keep per-file state) are never used by two threads at once. Its first
  job, queued as the server starts, imports the linter (LibCST and the rules), so that it is
  done while the client is still initialising, not when the first document arrives.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from designlint._version import __version__
from designlint.config import CONFIG_FILES, ConfigError
from designlint.diagnostics import Applicability, Diagnostic, Edit, Position
from designlint.discovery import discover, python_paths
from designlint.fixes import fix_text
from designlint.pages import DOCS_URL
from designlint.resolution import ConfigResolver, design_documents
from designlint.rules import INTERNAL_ERROR, PARSE_ERROR, import_families
from designlint.source import split_lines
from designlint.suppression import noqa_edit

if TYPE_CHECKING:
    from designlint.engine import Linter
    from designlint.pool import LinterPool

log = logging.getLogger("designlint.lsp")

DEBOUNCE_SECONDS = 0.15
_IMPORT_FAMILIES_AFTER = 0.5  # seconds after the first lint: the rest of the rule families are imported
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.designlint"
SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
ENGINE_CODES = (PARSE_ERROR[0], INTERNAL_ERROR[0])  # always errors, never fixable or suppressible
# One message from the client: a 5 MB document (the lint limit) fits even escaped as \uXXXX.
MAX_MESSAGE_BYTES = 64 * 2**20
_MAX_HEADER_LINE = 64 * 2**10
MESSAGE_TOO_LARGE = "designlint/messageTooLarge"  # what the input puts in place of a message it refused


class BoundedInput:
    """Standard input as pygls reads it, with a bound on what one message makes it hold: a body
    over ``limit`` bytes is skipped as it streams by, never held, and a ``MESSAGE_TOO_LARGE``
    notification stands in for it (``Content-Length: 1000000000000`` killed the server with
    MemoryError). Header lines are cut at 64 kB."""

    def __init__(self, stream: BinaryIO, limit: int = MAX_MESSAGE_BYTES):
        self.stream, self.limit = stream, limit
        self._skipping = 0  # bytes of a refused body still to come

    def readline(self) -> bytes:
        self._skip()
        return self.stream.readline(_MAX_HEADER_LINE)

    def read(self, size: int) -> bytes:
        self._skip()
        if size <= self.limit:
            return self.stream.read(size)
        self._skipping = size  # after the stand-in is handled: it is answered before the body arrives
        return json.dumps({"jsonrpc": "2.0", "method": MESSAGE_TOO_LARGE, "params": {"size": size}}).encode()

    def _skip(self) -> None:
        while self._skipping:
            chunk = self.stream.read(min(self._skipping, 2**20))
            self._skipping = self._skipping - len(chunk) if chunk else 0


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


# -- positions -------------------------------------------------------------------------


def code_units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def lsp_position(lines: list[str], position: Position, encoding: str) -> types.Position:
    """designlint's 1-based row and character column -> LSP's 0-based line and code units."""
    line = lines[position.row - 1] if position.row <= len(lines) else ""
    return types.Position(line=position.row - 1, character=code_units(line[: position.column - 1], encoding))


def lsp_range(lines: list[str], start: Position, end: Position, encoding: str) -> types.Range:
    return types.Range(start=lsp_position(lines, start, encoding), end=lsp_position(lines, end, encoding))


def _text_edits(lines: list[str], edits: tuple[Edit, ...] | list[Edit], encoding: str) -> list[types.TextEdit]:
    return [types.TextEdit(range=lsp_range(lines, e.start, e.end, encoding), new_text=e.content) for e in edits]


# -- the server ------------------------------------------------------------------------


class DesignlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("designlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.linters = ProjectLinters()
        self.lint_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="designlint-lint")
        # The engine and LibCST, imported while the client initialises; the families a document
        # needs are imported as it is linted (see ``_lint``).
        self.lint_thread.submit(importlib.import_module, "designlint.pool")
        self._families_queued = False
        self.pull = False
        self.default_severity = types.DiagnosticSeverity.Warning
        self.severities: dict[str, types.DiagnosticSeverity] = {}
        self._pending: dict[str, asyncio.Task] = {}
        self._pulled: dict[str, tuple[str, list[types.Diagnostic]]] = {}  # uri -> (result id, items)
        self._results = 0
        self._shown_errors: set[str] = set()

        features: list[tuple[str, Callable, Any]] = [
            (types.INITIALIZE, self.on_initialize, None),
            (types.INITIALIZED, self.on_initialized, None),
            (types.TEXT_DOCUMENT_DID_OPEN, self.on_open, None),
            (types.TEXT_DOCUMENT_DID_CHANGE, self.on_change, None),
            (types.TEXT_DOCUMENT_DID_SAVE, self.on_save, None),
            (types.TEXT_DOCUMENT_DID_CLOSE, self.on_close, None),
            (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, self.on_watched_files, None),
            (types.WORKSPACE_DID_CHANGE_CONFIGURATION, self.on_settings_changed, None),
            (MESSAGE_TOO_LARGE, self.on_message_too_large, None),
            (
                types.TEXT_DOCUMENT_DIAGNOSTIC,
                self.on_pull,
                types.DiagnosticOptions(
                    identifier="designlint", inter_file_dependencies=False, workspace_diagnostics=False
                ),
            ),
            (
                types.TEXT_DOCUMENT_CODE_ACTION,
                self.on_code_action,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
            ),
        ]
        for method, handler, options in features:
            # pygls sets attributes on a handler, which a bound method cannot take: a partial can.
            self.feature(method, options)(functools.partial(handler))

    # -- lifecycle

    def on_initialize(self, params: types.InitializeParams) -> None:
        capabilities = params.capabilities
        self.pull = capabilities.text_document is not None and capabilities.text_document.diagnostic is not None
        options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
        self._read_severity(options.get("severity"), "initializationOptions")

    def _read_severity(self, value: Any, where: str) -> None:
        expected = f"expected one of {', '.join(SEVERITIES)}, or a table of rule code or prefix = level"
        if value is None:
            return
        if isinstance(value, str) and value in SEVERITIES:
            self.default_severity, self.severities = SEVERITIES[value], {}
        elif isinstance(value, dict) and all(isinstance(v, str) and v in SEVERITIES for v in value.values()):
            self.default_severity = types.DiagnosticSeverity.Warning
            self.severities = {code: SEVERITIES[level] for code, level in value.items()}
        else:
            self._show_error(f"designlint: {where} `severity`: {expected}, got {value!r}")

    # Settings may also come as the editor's own: the ``designlint`` section of its settings,
    # asked for at start (``workspace/configuration``) and whenever the editor says they changed;
    # where given, they override initializationOptions.

    async def on_settings_changed(self, params: types.DidChangeConfigurationParams) -> None:
        pushed = params.settings.get("designlint") if isinstance(params.settings, dict) else None
        settings = pushed if isinstance(pushed, dict) else await self._ask_settings()
        if settings is not None:
            self._read_severity(settings.get("severity"), "settings `designlint`")
            self._relint_open_documents()

    async def _ask_settings(self) -> dict | None:
        workspace = self.client_capabilities.workspace
        if not (workspace and workspace.configuration):
            return None
        try:
            answer = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="designlint")])
            )
        except Exception as exc:  # the client could not answer: keep what we have
            log.info("workspace/configuration failed: %s", exc)
            return None
        return answer[0] if answer and isinstance(answer[0], dict) else None

    async def on_initialized(self, params: types.InitializedParams) -> None:
        await self._watch_config_files()
        settings = await self._ask_settings()
        if settings is not None:
            self._read_severity(settings.get("severity"), "settings `designlint`")
            self._relint_open_documents()  # any opened while the editor was answering

    async def _watch_config_files(self) -> None:
        workspace = self.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if not (watched and watched.dynamic_registration):
            return  # the mtime check before each lint still notices config changes
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_FILES]
        registration = types.Registration(
            id="designlint-config-files",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )
        try:
            await self.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
        except Exception as exc:  # the client said no: fall back on the mtime check
            log.info("file watching not registered: %s", exc)

    def on_message_too_large(self, params: Any) -> None:
        size = getattr(params, "size", None)  # pygls gives a custom notification's params as an object
        size_text = f"{size:,} bytes" if isinstance(size, int) else "unknown size"
        message = f"designlint: a message of {size_text} was refused (the limit is {MAX_MESSAGE_BYTES:,} bytes); its content is skipped"
        # Its id was never read: JSON-RPC answers such a request with a null id, which pygls's own
        # response type would leave out.
        error = {"code": types.ErrorCodes.InvalidRequest.value, "message": message}
        self.protocol._send_data({"jsonrpc": "2.0", "id": None, "error": error})
        self._show_error(message)

    # -- documents

    def _document(self, uri: str) -> TextDocument | None:
        """The open document ``uri`` names. The workspace keys documents by their unquoted URI:
        asked with the client's (``%3D`` in a notebook cell's, ``%20`` for a space), a dict
        lookup found nothing, and such documents silently got no diagnostics."""
        return self.workspace.text_documents.get(unquote(uri))

    def on_open(self, params: types.DidOpenTextDocumentParams) -> None:
        self._schedule(params.text_document.uri, 0)

    def on_change(self, params: types.DidChangeTextDocumentParams) -> None:
        self._schedule(params.text_document.uri, DEBOUNCE_SECONDS)

    async def on_save(self, params: types.DidSaveTextDocumentParams) -> None:
        # The saved module may be one whose facts other files read (the error-code enum); a
        # saved Markdown file may be the design document, whose contract is configuration.
        saved_markdown = params.text_document.uri.endswith(".md")
        await self._in_lint_thread(self.linters.config_changed if saved_markdown else self.linters.sources_changed)
        self._relint_open_documents()

    def on_close(self, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = self._pending.pop(uri, None)
        if task:
            task.cancel()
        self._pulled.pop(uri, None)
        if not self.pull:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    async def on_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        if not any(Path(to_fs_path(change.uri) or change.uri).name in CONFIG_FILES for change in params.changes):
            return
        await self._in_lint_thread(self.linters.config_changed)
        self._shown_errors.clear()
        self._relint_open_documents()

    def _relint_open_documents(self) -> None:
        if not self.pull:
            for document in list(self.workspace.text_documents.values()):
                self._schedule(document.uri, 0)
        elif self._client_refreshes():
            self.workspace_diagnostic_refresh(None)

    def _client_refreshes(self) -> bool:
        workspace = self.client_capabilities.workspace
        return bool(workspace and workspace.diagnostics and workspace.diagnostics.refresh_support)

    # -- diagnostics

    def _schedule(self, uri: str, delay: float) -> None:
        """Publish the document's diagnostics after ``delay``; a newer request replaces it."""
        if self.pull:
            return
        previous = self._pending.pop(uri, None)
        if previous:
            previous.cancel()
        self._pending[uri] = asyncio.ensure_future(self._publish(uri, delay))

    async def _publish(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        document = self._document(uri)
        if document is None:
            return
        version, text = document.version, document.source
        diagnostics = await self._lint(document.path, text)
        if self._pending.get(uri) is not asyncio.current_task() or diagnostics is None:
            return  # superseded, closed, or the configuration is broken
        del self._pending[uri]
        items = self._to_lsp(text, diagnostics)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=items)
        )

    async def on_pull(self, params: types.DocumentDiagnosticParams) -> types.DocumentDiagnosticReport:
        uri = params.text_document.uri
        document = self._document(uri)
        if document is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        text = document.source
        diagnostics = await self._lint(document.path, text)
        items = self._to_lsp(text, diagnostics or [])
        previous = self._pulled.get(uri)
        if previous and previous[1] == items:
            if params.previous_result_id == previous[0]:
                return types.RelatedUnchangedDocumentDiagnosticReport(result_id=previous[0])
            return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=previous[0])
        self._results += 1
        result_id = str(self._results)
        self._pulled[uri] = (result_id, items)
        return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

    async def _lint(self, path: str, text: str) -> list[Diagnostic] | None:
        """The document's findings, or None when its configuration is broken (and said so)."""
        try:
            return await self._in_lint_thread(self._lint_now, path, text)
        except ConfigError as exc:
            self._show_error(f"designlint: {exc}")
            return None
        finally:
            if not self._families_queued:  # the first document imported only the families it needed
                self._families_queued = True
                # The others, once its diagnostics are out (not competing with them for the
                # interpreter), and before the next keystroke may need them.
                asyncio.get_running_loop().call_later(_IMPORT_FAMILIES_AFTER, self.lint_thread.submit, import_families)

    def _lint_now(self, path: str, text: str) -> list[Diagnostic]:
        if path.endswith(".md"):
            return self.linters.design_findings(Path(path), text)
        result = self.linters.linter_for(Path(path)).lint(text, path)
        return sorted(result.diagnostics, key=Diagnostic.sort_key)

    def _to_lsp(self, text: str, diagnostics: list[Diagnostic]) -> list[types.Diagnostic]:
        lines = split_lines(text)
        return [self._lsp_diagnostic(lines, d) for d in diagnostics]

    def _lsp_diagnostic(self, lines: list[str], diagnostic: Diagnostic) -> types.Diagnostic:
        start, end = diagnostic.start, diagnostic.end
        line = lines[start.row - 1] if start.row <= len(lines) else ""
        if start == end and start.column <= len(line):
            end = Position(start.row, start.column + 1)  # a point would be invisible in most editors
        return types.Diagnostic(
            range=lsp_range(lines, start, end, self._encoding),
            message=diagnostic.message,
            severity=self._severity(diagnostic.code),
            code=diagnostic.code,
            code_description=types.CodeDescription(href=DOCS_URL.format(code=diagnostic.code)),
            source="designlint",
        )

    def _severity(self, code: str) -> types.DiagnosticSeverity:
        if code in ENGINE_CODES:
            return types.DiagnosticSeverity.Error
        best = max((selector for selector in self.severities if code.startswith(selector)), key=len, default=None)
        return self.severities[best] if best else self.default_severity

    @property
    def _encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    # -- code actions

    async def on_code_action(self, params: types.CodeActionParams) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        document = self._document(uri)
        if document is None or document.path.endswith(".md"):  # no fixes, and no `# noqa`, in Markdown
            return None
        text, only = document.source, params.context.only

        def wanted(kind: str) -> bool:
            return only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)

        try:
            diagnostics, fixed = await self._in_lint_thread(
                self._lint_and_fix, document.path, text, wanted(FIX_ALL_KIND)
            )
        except ConfigError as exc:
            self._show_error(f"designlint: {exc}")
            return None
        lines = split_lines(text)
        first, last = params.range.start.line + 1, params.range.end.line + 1
        actions: list[types.CodeAction] = []
        if wanted(types.CodeActionKind.QuickFix):
            suppressed: set[tuple[str, int]] = set()
            for diagnostic in diagnostics:
                if diagnostic.code in ENGINE_CODES or diagnostic.end.row < first or diagnostic.start.row > last:
                    continue
                related = [self._lsp_diagnostic(lines, diagnostic)]
                fix = diagnostic.fix
                if fix is not None:
                    safe = fix.applicability is Applicability.SAFE
                    title = f"{diagnostic.code}: {fix.message}" + ("" if safe else " (unsafe)")
                    actions.append(
                        self._action(
                            title,
                            types.CodeActionKind.QuickFix,
                            uri,
                            _text_edits(lines, fix.edits, self._encoding),
                            related,
                            preferred=safe,
                        )
                    )
                row = diagnostic.noqa_row or diagnostic.start.row
                if (diagnostic.code, row) in suppressed:
                    continue
                suppressed.add((diagnostic.code, row))
                edit = noqa_edit(text, lines, [diagnostic.code], row)
                if edit is not None:
                    actions.append(
                        self._action(
                            f"Suppress {diagnostic.code} on this line",
                            types.CodeActionKind.QuickFix,
                            uri,
                            _text_edits(lines, [edit], self._encoding),
                            related,
                        )
                    )
        if fixed is not None and fixed != text:
            whole = types.Range(
                start=types.Position(line=0, character=0),
                end=lsp_position(lines, Position(len(lines), len(lines[-1]) + 1), self._encoding),
            )
            actions.append(
                self._action(
                    "designlint: apply all safe fixes",
                    FIX_ALL_KIND,
                    uri,
                    [types.TextEdit(range=whole, new_text=fixed)],
                    None,
                )
            )
        return actions

    def _lint_and_fix(self, path: str, text: str, fix_all: bool) -> tuple[list[Diagnostic], str | None]:
        diagnostics = self._lint_now(path, text)
        if not fix_all or not any(d.fix for d in diagnostics):
            return diagnostics, None
        linter = self.linters.linter_for(Path(path))
        fixed, _, _ = fix_text(text, lambda candidate: linter.lint(candidate, path).diagnostics)
        return diagnostics, fixed

    @staticmethod
    def _action(
        title: str,
        kind: str,
        uri: str,
        edits: list[types.TextEdit],
        diagnostics: list[types.Diagnostic] | None,
        preferred: bool = False,
    ) -> types.CodeAction:
        return types.CodeAction(
            title=title,
            kind=kind,
            diagnostics=diagnostics,
            is_preferred=preferred or None,
            edit=types.WorkspaceEdit(changes={uri: edits}),
        )

    # -- helpers

    async def _in_lint_thread(self, function: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.lint_thread, function, *args)

    def _show_error(self, message: str) -> None:
        log.error("%s", message)
        if message not in self._shown_errors:  # once, not on every keystroke
            self._shown_errors.add(message)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))


def serve() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="designlint lsp: %(levelname)s: %(message)s")
    stdin = BoundedInput(sys.stdin.buffer)
    DesignlintServer().start_io(stdin=stdin)  # type: ignore[arg-type]  # pygls only calls readline() and read(size)
