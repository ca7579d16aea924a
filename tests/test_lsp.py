"""The language server, run as a subprocess (``designlint lsp``) and driven by pytest-lsp
with the captured capabilities of real editors: VS Code 1.65 and Emacs 29 (push
diagnostics; utf-16 and utf-32), Neovim 0.7 (push; utf-16 only, no workspace configuration
or file watching), Neovim 0.10 and 0.11 (pull diagnostics; utf-16 and utf-8)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import re
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
import pytest_lsp
from lsp_wire import answers, frame
from lsprotocol import types
from projects import write_tree
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from designlint.integrations.jsonrpc import MAX_PLAUSIBLE_LENGTH
from designlint.integrations.lsp import MAX_MESSAGE_BYTES
from designlint.pages import DOCS_URL

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "designlint", "lsp"])
# Neovim 0.7 is Debian's (0.7.2): no pull diagnostics, no position encodings offered (utf-16).
PROFILES = ["visual-studio-code@v1.65.2", "neovim@v0.7.0", "neovim@v0.10.0", "neovim@v0.11.0", "emacs@v29.1"]
WAIT = 20  # seconds; a loaded machine is slow, a hung server is not

ERRORS = textwrap.dedent(
    """\
    from enum import Enum


    class ErrorCode(str, Enum):
        RATE_LIMITED = "RATE_LIMITED"
        UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"


    class ToolError(Exception):
        pass
    """
)
TOOLS = textwrap.dedent(
    """\
    from app.errors import ErrorCode, ToolError


    def charge(principal, tool):
        if principal.over_limit:
            raise ToolError("RATE_LIMITED")
        if principal.late:
            raise ToolError("UPSTREAM_TIMEOUT")  # noqa: E501
        return ErrorCode
    """
)
CONFIG = '[tool.designlint]\n\n[tool.designlint.errors]\ncodes = "app.errors.ErrorCode"\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(
        tmp_path, {"pyproject.toml": CONFIG, "app/__init__.py": "", "app/errors.py": ERRORS, "app/tools.py": TOOLS}
    )


def initialize_params(profile: str, project: Path, options: dict | None = None) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=client_capabilities(profile),
        root_uri=from_fs_path(str(project)),
        workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(project)), name="project")],
        initialization_options=options,
    )


def accept_registrations(client: LanguageClient) -> None:
    """Answer ``client/registerCapability`` as an editor does, keeping what was registered."""
    client.registrations = []

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)


@pytest_lsp.fixture(config=SERVER, params=PROFILES)
async def client(lsp_client: LanguageClient, request, project: Path):
    accept_registrations(lsp_client)
    result = await lsp_client.initialize_session(initialize_params(request.param, project))
    lsp_client.encoding = result.capabilities.position_encoding
    yield
    await lsp_client.shutdown_session()


class Editor:
    """What an editor does with a document, and how it learns the diagnostics: by pulling
    when its capabilities say it can, otherwise from what the server publishes."""

    def __init__(self, client: LanguageClient, path: Path, uri: str | None = None, text: str | None = None):
        self.client, self.uri = client, uri or from_fs_path(str(path))
        self.pull = client.capabilities.text_document.diagnostic is not None
        self.version = 1
        self.text = path.read_text() if text is None else text

    def open(self) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=self.uri, language_id="python", version=self.version, text=self.text
                )
            )
        )

    def edit(self, row: int, old: str, new: str) -> None:
        """Replace ``old`` on 0-based line ``row``, as an incremental change (ASCII lines only)."""
        lines = self.text.split("\n")
        start = lines[row].index(old)
        assert lines[row].isascii()
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                start=types.Position(line=row, character=start),
                end=types.Position(line=row, character=start + len(old)),
            ),
            text=new,
        )
        lines[row] = lines[row][:start] + new + lines[row][start + len(old) :]
        self.text = "\n".join(lines)
        self._send([change])

    def replace(self, text: str) -> None:
        self.text = text
        self._send([types.TextDocumentContentChangeWholeDocument(text=text)])

    def _send(self, changes: list) -> None:
        self.version += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=changes,
            )
        )

    def close(self) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=self.uri))
        )

    async def diagnostics(self) -> list[types.Diagnostic]:
        if self.pull:
            params = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=self.uri))
            report = await asyncio.wait_for(self.client.text_document_diagnostic_async(params), WAIT)
            return list(report.items)
        while True:
            published = await asyncio.wait_for(
                self.client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), WAIT
            )
            if published.uri == self.uri:
                return list(published.diagnostics)

    async def code_actions(self, row: int, only: list[str] | None = None) -> list[types.CodeAction]:
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri),
            range=types.Range(start=types.Position(line=row, character=0), end=types.Position(line=row, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
        return list(await asyncio.wait_for(self.client.text_document_code_action_async(params), WAIT) or [])

    def assert_never_pushed_when_pulling(self) -> None:
        if self.pull:
            assert self.client.diagnostics == {}, "a pulling client was also sent diagnostics"


def summary(diagnostics: list[types.Diagnostic]) -> list[tuple[str, int, int, int]]:
    return [(d.code, d.range.start.line, d.range.start.character, d.range.end.character) for d in diagnostics]


@pytest.mark.asyncio
async def test_diagnostics_on_open_after_edits_and_on_close(client: LanguageClient, project: Path):
    editor = Editor(client, project / "app" / "tools.py")
    editor.open()
    diagnostics = await editor.diagnostics()
    # "RATE_LIMITED" (with its quotes) spans characters 24..38 of line 5; line 7's finding
    # is not suppressed by a noqa for another code.
    assert summary(diagnostics) == [("DL501", 5, 24, 38), ("DL501", 7, 24, 42)]
    first = diagnostics[0]
    assert first.source == "designlint"
    assert first.message == 'raw error code "RATE_LIMITED": use ErrorCode.RATE_LIMITED'
    assert first.code_description.href == DOCS_URL.format(code="DL501")
    assert first.severity == types.DiagnosticSeverity.Warning

    editor.edit(5, '"RATE_LIMITED"', "ErrorCode.RATE_LIMITED")
    assert summary(await editor.diagnostics()) == [("DL501", 7, 24, 42)]

    # Half-way through typing a new line: the file does not parse.
    editor.edit(6, "if principal.late:", "if principal.late(:")
    broken = await editor.diagnostics()
    assert [(d.code, d.range.start.line, d.severity) for d in broken] == [("DL001", 6, types.DiagnosticSeverity.Error)]
    assert broken[0].message.startswith("cannot parse")

    editor.edit(6, "if principal.late(:", "if principal.late():")
    assert summary(await editor.diagnostics()) == [("DL501", 7, 24, 42)]

    editor.close()
    assert await editor.diagnostics() == []
    editor.assert_never_pushed_when_pulling()


@pytest.mark.asyncio
async def test_positions_are_in_the_negotiated_encoding(client: LanguageClient, project: Path):
    path = project / "app" / "render.py"
    line = '    return {"naïve 😀": 1, "error": {"code": "RATE_LIMITED", "message": "x"}}'
    path.write_text(f"def render(err):\n{line}\n")
    # 44 characters come before the literal: "ï" is 2 bytes in utf-8, "😀" 4 bytes, 2 utf-16 units.
    assert line.index('"RATE_LIMITED"') == 44
    expected = {"utf-32": 44, "utf-16": 45, "utf-8": 48}[client.encoding]
    offered = client.capabilities.general.position_encodings if client.capabilities.general else None
    assert client.encoding == (offered[0] if offered else "utf-16")

    editor = Editor(client, path)
    editor.open()
    assert summary(await editor.diagnostics()) == [("DL501", 1, expected, expected + 14)]
    editor.assert_never_pushed_when_pulling()


@pytest.mark.asyncio
async def test_a_pull_for_an_unchanged_document_is_answered_unchanged(client: LanguageClient, project: Path):
    editor = Editor(client, project / "app" / "tools.py")
    if not editor.pull:
        pytest.skip("only pulling clients send result ids")
    editor.open()
    identifier = types.TextDocumentIdentifier(uri=editor.uri)
    first = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(text_document=identifier))
    assert first.kind == "full" and len(first.items) == 2 and first.result_id
    again = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=identifier, previous_result_id=first.result_id)
    )
    assert again.kind == "unchanged" and again.result_id == first.result_id
    editor.edit(5, '"RATE_LIMITED"', "ErrorCode.RATE_LIMITED")
    changed = await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=identifier, previous_result_id=first.result_id)
    )
    assert changed.kind == "full" and len(changed.items) == 1 and changed.result_id != first.result_id


def apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP text edits to an ASCII text (where every encoding counts alike)."""
    assert text.isascii()
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        return min(starts[position.line] + position.character, len(text))

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.changes is not None
    return list(action.edit.changes[uri])


@pytest.mark.asyncio
async def test_code_actions_fix_suppress_and_fix_all(client: LanguageClient, project: Path):
    editor = Editor(client, project / "app" / "tools.py")
    editor.open()
    await editor.diagnostics()

    actions = {a.title: a for a in await editor.code_actions(5)}
    # Without `only`, every kind: the finding's two quick fixes and the source action.
    assert set(actions) == {
        "DL501: Replace with ErrorCode.RATE_LIMITED",
        "Suppress DL501 on this line",
        "designlint: apply all safe fixes",
    }
    fix = actions["DL501: Replace with ErrorCode.RATE_LIMITED"]
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert fix.diagnostics[0].code == "DL501"
    fixed = apply(TOOLS, edits_of(fix, editor.uri))
    assert fixed == TOOLS.replace('ToolError("RATE_LIMITED")', "ToolError(ErrorCode.RATE_LIMITED)")
    suppressed = apply(TOOLS, edits_of(actions["Suppress DL501 on this line"], editor.uri))
    assert suppressed == TOOLS.replace(
        'raise ToolError("RATE_LIMITED")', 'raise ToolError("RATE_LIMITED")  # noqa: DL501'
    )

    # A noqa for other codes is extended, not duplicated.
    actions = {a.title: a for a in await editor.code_actions(7, only=[types.CodeActionKind.QuickFix])}
    assert set(actions) == {"DL501: Replace with ErrorCode.UPSTREAM_TIMEOUT", "Suppress DL501 on this line"}
    extended = apply(TOOLS, edits_of(actions["Suppress DL501 on this line"], editor.uri))
    assert extended == TOOLS.replace("# noqa: E501", "# noqa: E501, DL501")

    # The suppressed text, sent back to the server, no longer has that finding.
    editor.replace(extended)
    assert summary(await editor.diagnostics()) == [("DL501", 5, 24, 38)]

    editor.replace(TOOLS)
    await editor.diagnostics()
    (fix_all,) = await editor.code_actions(0, only=[types.CodeActionKind.SourceFixAll])
    assert fix_all.kind == "source.fixAll.designlint"
    assert apply(TOOLS, edits_of(fix_all, editor.uri)) == TOOLS.replace(
        'ToolError("RATE_LIMITED")', "ToolError(ErrorCode.RATE_LIMITED)"
    ).replace('ToolError("UPSTREAM_TIMEOUT")', "ToolError(ErrorCode.UPSTREAM_TIMEOUT)")
    assert await editor.code_actions(0, only=[types.CodeActionKind.Refactor]) == []
    editor.assert_never_pushed_when_pulling()


@pytest.mark.asyncio
async def test_configuration_is_re_read_when_it_changes(client: LanguageClient, project: Path):
    editor = Editor(client, project / "app" / "tools.py")
    editor.open()
    assert len(await editor.diagnostics()) == 2

    watched = client.capabilities.workspace.did_change_watched_files
    if watched and watched.dynamic_registration:
        assert [r.method for r in client.registrations] == [types.WORKSPACE_DID_CHANGE_WATCHED_FILES]

    # Told by the client's file watcher.
    (project / "pyproject.toml").write_text(
        CONFIG.replace("[tool.designlint]\n", '[tool.designlint]\nignore = ["DL501"]\n')
    )
    change = types.FileEvent(uri=from_fs_path(str(project / "pyproject.toml")), type=types.FileChangeType.Changed)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[change]))
    assert await editor.diagnostics() == []

    # Not told (a client without file watching): the mtime check before the next lint notices.
    (project / "pyproject.toml").write_text(CONFIG)
    editor.edit(8, "return ErrorCode", "return  ErrorCode")
    assert len(await editor.diagnostics()) == 2
    editor.assert_never_pushed_when_pulling()


@pytest.mark.asyncio
async def test_saving_the_error_enum_updates_the_files_that_use_it(client: LanguageClient, project: Path):
    tools = Editor(client, project / "app" / "tools.py")
    tools.open()
    await tools.diagnostics()
    tools.edit(5, '"RATE_LIMITED"', '"QUOTA_EXCEEDED"')
    messages = [d.message for d in await tools.diagnostics()]
    assert (
        'error code "QUOTA_EXCEEDED" is not a member of ErrorCode (app.errors.ErrorCode): a misspelt code breaks the error-code contract'
        in messages
    )

    errors_path = project / "app" / "errors.py"
    errors_path.write_text(
        ERRORS.replace(
            '    RATE_LIMITED = "RATE_LIMITED"\n',
            '    RATE_LIMITED = "RATE_LIMITED"\n    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"\n',
        )
    )
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=from_fs_path(str(errors_path))))
    )
    messages = [d.message for d in await tools.diagnostics()]
    assert 'raw error code "QUOTA_EXCEEDED": use ErrorCode.QUOTA_EXCEEDED' in messages
    tools.assert_never_pushed_when_pulling()


@pytest.mark.asyncio
async def test_rapid_edits_are_linted_once_after_the_pause(client: LanguageClient, project: Path):
    editor = Editor(client, project / "app" / "tools.py")
    if editor.pull:
        pytest.skip("a pulling client decides when to ask")
    editor.open()
    await editor.diagnostics()
    for _ in range(5):
        editor.edit(8, "return ErrorCode", "return  ErrorCode")
        editor.edit(8, "return  ErrorCode", "return ErrorCode")
    published = await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), WAIT)
    assert published.version == editor.version == 11
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 1)


@contextlib.asynccontextmanager
async def session(project: Path, profile: str, options: dict | None):
    client = await SERVER.start()
    accept_registrations(client)
    try:
        await client.initialize_session(initialize_params(profile, project, options))
        yield client
        await client.shutdown_session()
    finally:
        await client.stop()


@pytest.mark.asyncio
async def test_severity_is_configurable(project: Path):
    async with session(project, "visual-studio-code", {"severity": {"DL": "information", "DL501": "hint"}}) as client:
        editor = Editor(client, project / "app" / "tools.py")
        editor.open()
        assert {d.severity for d in await editor.diagnostics()} == {types.DiagnosticSeverity.Hint}


async def severities_become(editor: Editor, wanted: set) -> None:
    """Wait until the document's diagnostics have the ``wanted`` severities: settings arrive
    while the editor works, and a re-lint on a settings change is published at once (a push
    client reads the last published diagnostics, not the next: that one may be out already)."""
    diagnostics: list[types.Diagnostic] = []
    for _ in range(WAIT * 10):
        diagnostics = await editor.diagnostics() if editor.pull else list(editor.client.diagnostics.get(editor.uri, []))
        if diagnostics and {d.severity for d in diagnostics} == wanted:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"severities stayed {[d.severity for d in diagnostics]}, wanted {wanted}")


@pytest.mark.asyncio
@pytest.mark.parametrize("profile", ["visual-studio-code@v1.65.2", "neovim@v0.11.0"])
async def test_settings_come_from_the_editor_and_follow_its_changes(project: Path, profile: str):
    client = await SERVER.start()
    accept_registrations(client)
    client.set_configuration({"severity": "hint"}, section="designlint")
    try:
        await client.initialize_session(initialize_params(profile, project, {"severity": "error"}))
        editor = Editor(client, project / "app" / "tools.py")
        editor.open()
        await severities_become(editor, {types.DiagnosticSeverity.Hint})  # the editor's settings win
        # Pushed with the notification (VS Code's older style)...
        client.workspace_did_change_configuration(
            types.DidChangeConfigurationParams(settings={"designlint": {"severity": {"DL5": "information"}}})
        )
        await severities_become(editor, {types.DiagnosticSeverity.Information})
        # ...or only announced, and asked for (the style of most clients now).
        client.set_configuration({"severity": "error"}, section="designlint")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
        await severities_become(editor, {types.DiagnosticSeverity.Error})
    finally:
        with contextlib.suppress(Exception):  # a failed step must not leave the server running
            await asyncio.wait_for(client.shutdown_session(), WAIT)
        await client.stop()


@pytest.mark.asyncio
async def test_bad_settings_and_a_broken_config_are_reported_and_the_server_keeps_going(project: Path):
    (project / "pyproject.toml").write_text('[tool.designlint]\nselect = ["XX1"]\n')
    async with session(project, "visual-studio-code", {"severity": "loud"}) as client:
        editor = Editor(client, project / "app" / "tools.py")
        editor.open()
        # Nothing is published for a broken configuration: the error comes as a message.
        for _ in range(WAIT * 10):
            messages = [m.message for m in client.messages]
            if any("XX1" in m for m in messages):
                break
            await asyncio.sleep(0.1)
        assert any("`severity`" in m and "'loud'" in m for m in messages), messages
        assert any(
            "pyproject.toml:2: `tool.designlint.select`: unknown rule code or prefix 'XX1'" in m for m in messages
        ), messages
        assert client.diagnostics == {}

        (project / "pyproject.toml").write_text(CONFIG)
        editor.edit(8, "return ErrorCode", "return  ErrorCode")
        assert len(await editor.diagnostics()) == 2


def test_the_server_needs_neither_pygls_nor_lsprotocol(project: Path):
    """The server speaks LSP itself: with both libraries made unimportable it still answers."""
    program = (
        "import sys; sys.modules['pygls'] = sys.modules['lsprotocol'] = None; "
        "from designlint.launch import main; main(['lsp'])"
    )
    exchange = frame(INITIALIZE) + frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    exchange += frame({"jsonrpc": "2.0", "method": "exit"})
    result = subprocess.run(
        [sys.executable, "-c", program], input=exchange, capture_output=True, timeout=60, cwd=project
    )
    assert (result.returncode, result.stderr) == (0, b"")
    messages = answers(result.stdout)
    assert messages[0]["id"] == 1 and messages[0]["result"]["serverInfo"]["name"] == "designlint"
    assert {"jsonrpc": "2.0", "id": 2, "result": None} in messages


@pytest.mark.asyncio
@pytest.mark.parametrize("profile", ["visual-studio-code@v1.65.2", "neovim@v0.11.0"])
async def test_a_notebook_cell_is_linted_with_the_notebook_s_configuration(project: Path, profile: str):
    notebook = project / "app" / "analysis.ipynb"
    async with session(project, profile, None) as client:
        cell = Editor(client, notebook, f"vscode-notebook-cell:{notebook}#W0sZmlsZQ%3D%3D", TOOLS)
        cell.open()
        assert summary(await cell.diagnostics()) == [("DL501", 5, 24, 38), ("DL501", 7, 24, 42)]


@pytest.mark.asyncio
@pytest.mark.parametrize("profile", ["visual-studio-code@v1.65.2", "neovim@v0.11.0"])
async def test_a_document_whose_uri_is_percent_encoded_is_linted(tmp_path: Path, profile: str):
    project = write_tree(
        tmp_path / "my project", {"pyproject.toml": CONFIG, "app/errors.py": ERRORS, "app/tools.py": TOOLS}
    )
    async with session(project, profile, None) as client:
        editor = Editor(client, project / "app" / "tools.py")
        assert "%20" in editor.uri
        editor.open()
        assert summary(await editor.diagnostics()) == [("DL501", 5, 24, 38), ("DL501", 7, 24, 42)]


@pytest.mark.asyncio
@pytest.mark.parametrize("profile", ["visual-studio-code@v1.65.2", "neovim@v0.11.0"])
async def test_a_config_nested_too_deeply_is_a_message_not_a_failed_request(project: Path, profile: str):
    (project / "pyproject.toml").write_text("[tool.designlint]\nselect = " + "[" * 5_000 + "]" * 5_000 + "\n")
    async with session(project, profile, None) as client:
        editor = Editor(client, project / "app" / "tools.py")
        editor.open()
        if editor.pull:
            assert await editor.diagnostics() == []  # was a -32603 internal error
        assert await editor.code_actions(5) == []
        expected = f"designlint: {project / 'pyproject.toml'}:2: `tool.designlint.select`: invalid TOML: arrays or inline tables nested too deeply"
        for _ in range(WAIT * 10):
            if expected in [m.message for m in client.messages]:
                break
            await asyncio.sleep(0.1)
        assert expected in [m.message for m in client.messages]
        assert client.diagnostics == {}


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
TOO_LARGE = f"designlint: a message of {{size:,}} bytes was refused (the limit is {MAX_MESSAGE_BYTES:,} bytes); its content is skipped"


@pytest.mark.parametrize(
    "size",
    [MAX_PLAUSIBLE_LENGTH, MAX_MESSAGE_BYTES + 1],
    ids=["a length of 2 GiB and a short body", "a body one byte over the limit"],
)
def test_an_oversized_message_is_refused_with_an_error_and_the_server_goes_on(project: Path, size: int):
    oversized = b"Content-Length: %d\r\n\r\n" % size + b"x" * min(size, MAX_MESSAGE_BYTES + 1)
    exchange = frame(INITIALIZE) + oversized
    if size == MAX_MESSAGE_BYTES + 1:  # framing intact: what follows is read
        exchange += frame({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    result = subprocess.run(
        [sys.executable, "-m", "designlint", "lsp"], input=exchange, capture_output=True, timeout=120, cwd=project
    )
    assert result.returncode == 0 and b"Traceback" not in result.stderr and b"MemoryError" not in result.stderr
    messages = answers(result.stdout)
    error = {"code": types.ErrorCodes.InvalidRequest, "message": TOO_LARGE.format(size=size)}
    assert {"id": None, "jsonrpc": "2.0", "error": error} in messages
    shown = [m["params"]["message"] for m in messages if m.get("method") == "window/showMessage"]
    assert shown == [TOO_LARGE.format(size=size)]
    if size == MAX_MESSAGE_BYTES + 1:
        assert {"id": 2, "jsonrpc": "2.0", "result": None} in messages


def read_messages(stream, into: queue.SimpleQueue) -> None:
    """Each message the server writes to ``stream``, until it closes."""
    while header := stream.readline():
        length = int(re.match(rb"Content-Length: (\d+)", header).group(1))
        while stream.readline().strip():
            pass
        into.put(json.loads(stream.read(length)))


def test_a_lone_surrogate_in_a_document_is_reported_on_its_line(project: Path):
    """A client's JSON can hold "\\ud800" (pytest-lsp's client cannot send it, so this one speaks
    the protocol itself); it was reported as null bytes, on the wrong line."""
    text = TOOLS.replace("tool):", "tool):  # \ud800")
    uri = from_fs_path(str(project / "app" / "tools.py"))
    pull = {"capabilities": {"textDocument": {"diagnostic": {}}}}
    server = subprocess.Popen(
        [sys.executable, "-m", "designlint", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=project
    )
    received: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=read_messages, args=(server.stdout, received), daemon=True).start()
    try:
        for message in [
            {**INITIALIZE, "params": pull},
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
            },
            {"jsonrpc": "2.0", "id": 2, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}},
        ]:
            server.stdin.write(frame(message))
        server.stdin.flush()
        while (answer := received.get(timeout=WAIT)).get("id") != 2:
            pass
        found = [(d["code"], d["range"]["start"], d["message"]) for d in answer["result"]["items"]]
        message = "the text holds a lone surrogate (U+D800), which is not Unicode"
        assert found == [("DL001", {"line": 3, "character": 32}, message)]
    finally:
        server.kill()
        server.wait()


_DESIGN = "# Engineering design: tools\n\n## 7. Egress allowlist\n\n- `api.example.com`\n"


@pytest.mark.asyncio
async def test_an_open_design_document_is_linted_from_the_editors_text_not_the_saved_file(
    client: LanguageClient, project: Path
):
    path = project / "engineering-design.md"
    path.write_text(_DESIGN)
    editor = Editor(client, path)
    editor.open()
    saved = await editor.diagnostics()
    assert ("DL014", 4) in {(d.code, d.range.start.line) for d in saved}  # nothing contacts the host
    # Typed, not saved: the unclosed fence and the stale allowlist entry are the buffer's.
    editor.replace(_DESIGN.replace("- `api.example.com`\n", "```mermaid\nstateDiagram-v2\n"))
    typed = {(d.code, d.range.start.line) for d in await editor.diagnostics()}
    assert ("DL012", 4) in typed and ("DL014", 4) not in typed
    assert path.read_text() == _DESIGN
