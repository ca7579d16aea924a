"""designlint's language server (``designlint lsp``): LSP over standard input and output, spoken
by designlint itself (``jsonrpc.py``, ``documents.py``): a protocol library costs more to import
than LibCST, and the server's first diagnostics are meant to cost little more than LibCST.

- Diagnostics for open documents, from the editor's text: on open and save at once, on
  change after a pause (``DEBOUNCE_SECONDS``); cleared on close. Clients that pull
  (``textDocument/diagnostic``) get them only by pulling, the others only by push.
- Positions in the position encoding negotiated at initialisation (utf-16 unless the
  client offers utf-8 or utf-32 first).
- Code actions: a finding's fix, "suppress on this line" (adds or extends ``# noqa``),
  both recomputed from the document, and a source action applying every safe fix.
- Configuration is the one the CLI would use for the document's path, re-read when a
  config file changes (file-watch notifications, and an mtime check before each lint).
- The main thread reads the client's messages and keeps the documents; everything that
  touches the linter runs on one lint thread (``LintThread``), so the server keeps answering
  while it works, and the linters (which keep per-file state) are never used by two threads
  at once. Its first job, queued as the server starts, imports the linter (LibCST, the engine,
  ``lsp_findings``), so that it is done while the client is still initialising, not when the
  first document arrives; this module imports none of it.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from designlint._version import __version__
from designlint.collector import collect_less_often
from designlint.integrations import documents
from designlint.integrations.jsonrpc import (
    INTERNAL_ERROR,
    INVALID_PARAMS,
    INVALID_REQUEST,
    MAX_MESSAGE_BYTES,
    REQUEST_CANCELLED,
    SERVER_NOT_INITIALIZED,
    Connection,
    Refused,
    Request,
    ResponseError,
    method_not_found,
)

if TYPE_CHECKING:
    from designlint.integrations.lsp_findings import Findings, Severities

__all__ = ["MAX_MESSAGE_BYTES", "DesignlintServer", "serve"]

log = logging.getLogger("designlint.lsp")

DEBOUNCE_SECONDS = 0.15
EXIT_WAIT_SECONDS = 5.0  # on exit, for the lint running and the message being written
_IMPORT_FAMILIES_AFTER = 0.5  # seconds after the first lint: the rest of the rule families are imported
FIX_ALL_KIND = "source.fixAll.designlint"
SEVERITIES = {"error": 1, "warning": 2, "information": 3, "hint": 4}  # LSP's DiagnosticSeverity
WARNING = SEVERITIES["warning"]
MESSAGE_ERROR = 1  # LSP's MessageType


class LintThread:
    """One daemon thread running jobs in the order they fall due (``submit``'s ``delay``), those
    due together in the order given. A job that raises is logged; the next runs."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Callable[[], Any] | None]] = []
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="designlint-lint", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], Any], delay: float = 0.0) -> None:
        self._push(job, delay)

    def shutdown(self, wait: bool = True) -> None:
        """Stop once the jobs due by now have run (later ones are dropped)."""
        self._push(None, 0.0)
        if wait:
            self._thread.join()

    def stop(self, timeout: float) -> bool:
        """Stop once the job running now has ended, waiting for it up to ``timeout`` seconds (the
        others are dropped); whether the thread has ended."""
        with self._wake:
            self._due = [(-math.inf, next(self._order), None)]
            self._wake.notify()
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _push(self, job: Callable[[], Any] | None, delay: float) -> None:
        with self._wake:
            heapq.heappush(self._due, (time.monotonic() + delay, next(self._order), job))
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while True:
                    wait = self._due[0][0] - time.monotonic() if self._due else None
                    if wait is not None and wait <= 0:
                        break
                    self._wake.wait(wait)
                job = heapq.heappop(self._due)[2]
            if job is None:
                return
            try:
                job()
            except Exception:
                log.exception("a job on the lint thread failed")


# In the first bytes of a refused message: its method, and the uri a didChange names. Inside a
# JSON string every quote is escaped, so neither matches a document's text. Compiled when first
# used (by re's cache): most sessions refuse nothing.
_METHOD = rb'"method"\s*:\s*"([^"\\]*)"'
_URI = rb'"uri"\s*:\s*("(?:[^"\\]|\\.)*")'


def _edited_uri(head: bytes) -> str | None:
    found = re.search(_URI, head)
    if found is None:
        return None
    try:
        uri = json.loads(found.group(1))
    except ValueError:  # a bad escape
        return None
    return uri if isinstance(uri, str) else None


def _get(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...`` through dicts, or None where a level is missing (or not a dict)."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _text_document(params: Any) -> dict:
    """The ``textDocument`` of a request's or notification's params; raises ``ResponseError``
    (InvalidParams) when there is none with a string ``uri``."""
    document = _get(params, "textDocument")
    if not isinstance(document, dict) or not isinstance(document.get("uri"), str):
        raise ResponseError(INVALID_PARAMS, "params.textDocument.uri is missing")
    return document


class DesignlintServer:
    def __init__(self) -> None:
        self.lint_thread = LintThread()
        # The engine and LibCST, imported while the client initialises; the families a document
        # needs are imported as it is linted (see ``_after_first_lint``).
        self.findings: Findings | None = None  # set by the lint thread's first job
        self.lint_thread.submit(self._load_linter)
        self._families_queued = False
        self.documents = documents.Documents()
        self.capabilities: dict = {}
        self.pull = False
        self.initialized = False
        self.shutting_down = False
        self.severities: tuple[int, dict[str, int]] = (WARNING, {})  # the default, and by code or prefix
        self._lock = threading.Lock()  # the tables below, used from both threads
        self._generations: dict[str, int] = {}  # open uri -> the latest lint wanted for it (push)
        self._generation_count = 0  # one count for all documents: a reopened one never reuses a number
        self._pulled: dict[str, tuple[str, list[dict]]] = {}  # uri -> (result id, items)
        self._results = 0
        self._shown_errors: set[str] = set()
        self.connection: Connection | None = None
        self.exit_code: int | None = None

    def _load_linter(self) -> None:
        from designlint.integrations.lsp_findings import Findings

        self.findings = Findings(self._show_error)
        import designlint.pool  # noqa: F401  # the engine and LibCST

    # -- the connection

    def run(self, stdin: BinaryIO, stdout: BinaryIO) -> int:
        """Serve the client on these streams until it says ``exit`` or the input ends; the exit
        code (0, or 1 for an exit without shutdown first)."""
        requests: dict[str, Callable[[Request], None]] = {
            "initialize": self.on_initialize,
            "shutdown": self.on_shutdown,
            "textDocument/diagnostic": self.on_pull,
            "textDocument/codeAction": self.on_code_action,
        }
        notifications: dict[str, Callable[[Any], None]] = {
            "initialized": self.on_initialized,
            "exit": self.on_exit,
            "textDocument/didOpen": self.on_open,
            "textDocument/didChange": self.on_change,
            "textDocument/didSave": self.on_save,
            "textDocument/didClose": self.on_close,
            "workspace/didChangeWatchedFiles": self.on_watched_files,
            "workspace/didChangeConfiguration": self.on_settings_changed,
        }
        requests = {method: self._guarded(handler) for method, handler in requests.items()}
        notifications = {method: self._guarded_notification(method, h) for method, h in notifications.items()}
        self.connection = Connection(
            stdin,
            stdout,
            requests,
            notifications,
            self.on_message_too_large,
            unknown=self._guarded(method_not_found),
            on_unreadable=self.on_unreadable,
        )
        self.connection.serve()
        if self.exit_code is not None:
            self.close()
        return 0 if self.exit_code is None else self.exit_code

    def close(self) -> bool:
        """Stop the lint thread (its jobs not started are dropped; the one running has
        ``EXIT_WAIT_SECONDS`` to end), then the connection, once the message being written is
        whole; whether the lint thread has ended."""
        ended = self.lint_thread.stop(EXIT_WAIT_SECONDS)
        if self.connection is not None:
            self.connection.close(EXIT_WAIT_SECONDS)
        return ended

    def _guarded(self, handler: Callable[[Request], None]) -> Callable[[Request], None]:
        """As the spec asks: before ``initialize``, requests are answered ServerNotInitialized;
        after ``shutdown``, InvalidRequest."""

        def guarded(request: Request) -> None:
            if self.shutting_down:
                request.fail(INVALID_REQUEST, "the server is shutting down")
            elif not self.initialized and request.method != "initialize":
                request.fail(SERVER_NOT_INITIALIZED, "the server is not initialised yet")
            elif self.initialized and request.method == "initialize":
                request.fail(INVALID_REQUEST, "the server is initialised already")
            else:
                handler(request)

        return guarded

    def _guarded_notification(self, method: str, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """Before ``initialize`` and after ``shutdown``, notifications other than ``exit`` are dropped."""

        def guarded(params: Any) -> None:
            if method == "exit" or (self.initialized and not self.shutting_down):
                handler(params)

        return guarded

    @property
    def _connection(self) -> Connection:
        assert self.connection is not None, "the server is not running"
        return self.connection

    # -- lifecycle

    def on_initialize(self, request: Request) -> None:
        params = request.params if isinstance(request.params, dict) else {}
        capabilities = params.get("capabilities")
        self.capabilities = capabilities if isinstance(capabilities, dict) else {}
        self.pull = _get(self.capabilities, "textDocument", "diagnostic") is not None
        encoding = documents.choose_encoding(_get(self.capabilities, "general", "positionEncodings"))
        self.documents.encoding = encoding
        options = params.get("initializationOptions")
        self._read_severity(_get(options, "severity"), "initializationOptions")
        self.initialized = True
        request.reply(
            {
                "capabilities": {
                    "positionEncoding": encoding,
                    "textDocumentSync": {"openClose": True, "change": 2, "save": True},  # 2: incremental
                    "codeActionProvider": {"codeActionKinds": ["quickfix", FIX_ALL_KIND]},
                    "diagnosticProvider": {
                        "identifier": "designlint",
                        "interFileDependencies": False,
                        "workspaceDiagnostics": False,
                    },
                },
                "serverInfo": {"name": "designlint", "version": __version__},
            }
        )

    def on_shutdown(self, request: Request) -> None:
        self.shutting_down = True
        request.reply(None)

    def on_exit(self, params: Any) -> None:
        self.exit_code = 0 if self.shutting_down else 1
        self._connection.stop()

    def _read_severity(self, value: Any, where: str) -> None:
        expected = f"expected one of {', '.join(SEVERITIES)}, or a table of rule code or prefix = level"
        if value is None:
            return
        if isinstance(value, str) and value in SEVERITIES:
            self.severities = (SEVERITIES[value], {})
        elif isinstance(value, dict) and all(isinstance(v, str) and v in SEVERITIES for v in value.values()):
            self.severities = (WARNING, {code: SEVERITIES[level] for code, level in value.items()})
        else:
            self._show_error(f"designlint: {where} `severity`: {expected}, got {value!r}")

    # Settings may also come as the editor's own: the ``designlint`` section of its settings,
    # asked for at start (``workspace/configuration``) and whenever the editor says they changed;
    # where given, they override initializationOptions.

    def on_settings_changed(self, params: Any) -> None:
        pushed = _get(params, "settings", "designlint")
        if isinstance(pushed, dict):
            self._apply_settings(pushed)
        else:
            self._ask_settings(self._apply_settings)

    def _apply_settings(self, settings: dict | None) -> None:
        if settings is None:
            return
        before = self.severities
        self._read_severity(settings.get("severity"), "settings `designlint`")
        # Lints read the severities as they run: one done before the answer is out of date only
        # if they changed (re-linting every time linted each document twice at start).
        if self.severities != before:
            self._relint_open_documents()

    def _ask_settings(self, then: Callable[[dict | None], None]) -> None:
        """Ask the editor for its ``designlint`` settings; ``then`` gets them, or None when it
        cannot answer (we keep what we have)."""
        if not _get(self.capabilities, "workspace", "configuration"):
            then(None)
            return

        def answered(result: Any, error: dict | None) -> None:
            if error is not None:
                log.info("workspace/configuration failed: %s", error.get("message"))
            ok = error is None and isinstance(result, list) and result and isinstance(result[0], dict)
            then(result[0] if ok else None)

        self._connection.ask("workspace/configuration", {"items": [{"section": "designlint"}]}, answered)

    def on_initialized(self, params: Any) -> None:
        self._watch_config_files(then=lambda: self._ask_settings(self._apply_settings))

    def _watch_config_files(self, then: Callable[[], None]) -> None:
        if not _get(self.capabilities, "workspace", "didChangeWatchedFiles", "dynamicRegistration"):
            then()  # the mtime check before each lint still notices config changes
            return
        from designlint.config import CONFIG_FILES  # light, and imported by the lint thread by now

        registration = {
            "id": "designlint-config-files",
            "method": "workspace/didChangeWatchedFiles",
            "registerOptions": {"watchers": [{"globPattern": f"**/{name}"} for name in CONFIG_FILES]},
        }

        def answered(result: Any, error: dict | None) -> None:
            if error is not None:  # the client said no: fall back on the mtime check
                log.info("file watching not registered: %s", error.get("message"))
            then()

        self._connection.ask("client/registerCapability", {"registrations": [registration]}, answered)

    def on_message_too_large(self, refused: Refused) -> None:
        message = f"designlint: a message of {refused.size:,} bytes was refused (the limit is {MAX_MESSAGE_BYTES:,} bytes); its content is skipped"
        # Its id was never read: JSON-RPC answers such a request with a null id.
        self._connection.fail(None, INVALID_REQUEST, message)
        self._show_error(message + self._drop_if_an_edit(refused.head))

    def on_unreadable(self, head: bytes | None) -> None:
        dropped = self._drop_if_an_edit(head)
        if dropped:  # else the ParseError answer says enough
            self._show_error(f"designlint: a message could not be read{dropped}")

    def _drop_if_an_edit(self, head: bytes | None) -> str:
        """A message refused or unreadable may be an edit the editor made and we could not read:
        our copy is then behind the editor's. Drops the document that ``head`` (the message's
        first bytes; None when unknown) names, or every open one when it names none, unless it
        is another method's; what to tell the user ("" when nothing was dropped)."""
        method = re.search(_METHOD, head) if head is not None else None
        if method is not None and method.group(1) != b"textDocument/didChange":
            return ""
        uri = _edited_uri(head) if head is not None else None
        stale = [uri] if uri is not None else [document.uri for document in self.documents.all()]
        stale = [uri for uri in stale if self.documents.get(uri) is not None]
        if not stale:
            return ""
        self._drop_stale(stale)
        which = stale[0] if uri is not None else "the open files"
        return f"; designlint's copy of {which} is now behind the editor's: close and reopen to lint again"

    # -- documents

    def on_open(self, params: Any) -> None:
        document = _text_document(params)
        text = document.get("text")
        if not isinstance(text, str):
            raise ResponseError(INVALID_PARAMS, "params.textDocument.text is missing")
        self.documents.open(document["uri"], text, document.get("version"))
        self._schedule(document["uri"], 0)

    def on_change(self, params: Any) -> None:
        document = _text_document(params)
        changes = params.get("contentChanges")
        if not isinstance(changes, list):
            raise ResponseError(INVALID_PARAMS, "params.contentChanges is missing")
        try:
            changed = self.documents.change(document["uri"], document.get("version"), changes)
        except ValueError as exc:
            self._drop_stale([document["uri"]])
            self._show_error(
                f"designlint: an edit of {document['uri']} could not be applied ({exc});"
                " close and reopen the file to lint it again"
            )
            raise ResponseError(INVALID_PARAMS, f"the change was not applied: {exc}") from None
        if changed is not None:
            self._schedule(document["uri"], DEBOUNCE_SECONDS)

    def on_save(self, params: Any) -> None:
        # The saved module may be one whose facts other files read (the error-code enum); a
        # saved Markdown file may be the design document, whose contract is configuration.
        saved_markdown = _text_document(params)["uri"].endswith(".md")
        self.lint_thread.submit(
            lambda: (
                self._findings.linters.config_changed() if saved_markdown else self._findings.linters.sources_changed()
            )
        )
        self._relint_open_documents()

    def on_close(self, params: Any) -> None:
        self._forget(_text_document(params)["uri"])

    def _forget(self, uri: str) -> None:
        self.documents.close(uri)
        with self._lock:
            self._generations.pop(uri, None)  # a lint under way is dropped
            self._pulled.pop(uri, None)
            if not self.pull:  # under the lock: no lint's diagnostics can follow these
                self._connection.notify("textDocument/publishDiagnostics", {"uri": uri, "diagnostics": []})

    def _drop_stale(self, uris: list[str]) -> None:
        """The client applied an edit to these documents and we could not: our text is no longer
        the user's, and a fix computed on it would write the wrong lines. Dropped until reopened
        (a pull client pulls nothing for them from now on)."""
        for uri in uris:
            self._forget(uri)
        if self.pull and _get(self.capabilities, "workspace", "diagnostics", "refreshSupport"):
            self._connection.ask("workspace/diagnostic/refresh", None, lambda result, error: None)

    def on_watched_files(self, params: Any) -> None:
        changes = _get(params, "changes")
        uris = [_get(change, "uri") for change in changes] if isinstance(changes, list) else []
        paths = [documents.uri_to_path(uri) for uri in uris if isinstance(uri, str)]

        def reread_if_config_changed() -> None:
            from designlint.integrations.lsp_findings import is_config_file

            if any(is_config_file(path) for path in paths):
                self._findings.linters.config_changed()
                with self._lock:
                    self._shown_errors.clear()
                self._relint_open_documents()

        self.lint_thread.submit(reread_if_config_changed)

    def _relint_open_documents(self) -> None:
        if not self.pull:
            for document in self.documents.all():
                self._schedule(document.uri, 0)
        elif _get(self.capabilities, "workspace", "diagnostics", "refreshSupport"):
            self._connection.ask("workspace/diagnostic/refresh", None, lambda result, error: None)

    # -- diagnostics

    def _schedule(self, uri: str, delay: float) -> None:
        """Publish the document's diagnostics after ``delay``; a newer request replaces it."""
        if self.pull:
            return
        with self._lock:
            self._generation_count += 1
            generation = self._generations[uri] = self._generation_count
        self.lint_thread.submit(lambda: self._publish(uri, generation), delay)

    def _publish(self, uri: str, generation: int) -> None:
        """On the lint thread."""
        if self._generations.get(uri) != generation:
            return  # superseded or closed
        document = self.documents.get(uri)
        if document is None:
            return
        items = self._lint(document)
        with self._lock:
            if self._generations.get(uri) != generation or items is None:
                return  # superseded, closed, or the configuration is broken
            params = {"uri": uri, "version": document.version, "diagnostics": items}
            self._connection.notify("textDocument/publishDiagnostics", params)

    def on_pull(self, request: Request) -> None:
        uri = _text_document(request.params)["uri"]
        previous_id = _get(request.params, "previousResultId")
        document = self.documents.get(uri)
        if document is None:
            request.reply({"kind": "full", "items": []})
            return

        def pull() -> dict:
            items = self._lint(document) or []
            with self._lock:
                previous = self._pulled.get(uri)
                if previous and previous[1] == items:
                    if previous_id == previous[0]:
                        return {"kind": "unchanged", "resultId": previous[0]}
                    return {"kind": "full", "resultId": previous[0], "items": items}
                self._results += 1
                result_id = str(self._results)
                if self.documents.get(uri) is not None:  # not closed meanwhile: kept for the next pull
                    self._pulled[uri] = (result_id, items)
            return {"kind": "full", "resultId": result_id, "items": items}

        self._answer_on_lint_thread(request, pull)

    def _answer_on_lint_thread(self, request: Request, answer: Callable[[], Any]) -> None:
        """Answer ``request`` with what ``answer`` returns, computed on the lint thread; unless the
        client cancelled it meanwhile, or ``answer`` failed (InternalError)."""

        def job() -> None:
            if request.cancelled:
                request.fail(REQUEST_CANCELLED, f"{request.method} was cancelled")
                return
            try:
                result = answer()
            except Exception as exc:
                log.exception("the request %s failed", request.method)
                request.fail(INTERNAL_ERROR, f"{request.method} failed: {exc!r}")
                return
            request.reply(result)

        self.lint_thread.submit(job)

    def _lint(self, document: documents.TextDocument) -> list[dict] | None:
        """On the lint thread: the document's LSP diagnostics, or None when its configuration is
        broken (and said so)."""
        try:
            return self._findings.diagnostics(document.path, document.text, self.documents.encoding, self._severities())
        finally:
            self._after_first_lint()

    def _after_first_lint(self) -> None:
        if not self._families_queued:  # the first document imported only the families it needed
            self._families_queued = True
            from designlint.rules import import_families

            # The others, once its diagnostics are out (not competing with them for the
            # interpreter), and before the next keystroke may need them.
            self.lint_thread.submit(import_families, _IMPORT_FAMILIES_AFTER)

    def _severities(self) -> Severities:
        from designlint.integrations.lsp_findings import Severities

        default, levels = self.severities
        return Severities(default, levels)

    @property
    def _findings(self) -> Findings:
        assert self.findings is not None, "the lint thread's first job makes it"
        return self.findings

    # -- code actions

    def on_code_action(self, request: Request) -> None:
        params = request.params
        uri = _text_document(params)["uri"]
        if not isinstance(_get(params, "range", "start", "line"), int) or not isinstance(
            _get(params, "range", "end", "line"), int
        ):
            raise ResponseError(INVALID_PARAMS, "params.range is missing")
        document = self.documents.get(uri)
        if document is None:
            request.reply(None)
            return

        def actions() -> list[dict] | None:
            encoding, severities = self.documents.encoding, self._severities()
            return self._findings.code_actions(uri, document.path, document.text, params, encoding, severities)

        self._answer_on_lint_thread(request, actions)

    # -- helpers

    def _show_error(self, message: str) -> None:
        log.error("%s", message)
        with self._lock:
            if message in self._shown_errors:  # once, not on every keystroke
                return
            self._shown_errors.add(message)
        self._connection.notify("window/showMessage", {"type": MESSAGE_ERROR, "message": message})


def serve() -> None:
    collect_less_often()  # before the engine's import and the first lint, which it would slow
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="designlint lsp: %(levelname)s: %(message)s")
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print() must not corrupt the protocol's stream
    server = DesignlintServer()
    exit_code = server.run(stdin, stdout)
    if not server.close():  # (again, after exit) the input ended, or a lint will not end
        # The interpreter's exit would stop the lint thread wherever it is, and abort if that is
        # inside a write: leave at once instead, what we wrote flushed.
        sys.stderr.flush()
        os._exit(exit_code)
    sys.exit(exit_code)
