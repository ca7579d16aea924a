"""The language server's own LSP transport and document store, in-process: framing
(``jsonrpc.FrameReader``), dispatch (``jsonrpc.Connection``), incremental edits in each
position encoding (``documents``), and the server's answers on in-memory streams."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from pathlib import Path

import pytest
from lsp_wire import answers, frame
from projects import TOOLS_PY, configured_project

from designlint.integrations import documents
from designlint.integrations.documents import UTF8, UTF16, UTF32, Documents, apply_change, uri_to_path
from designlint.integrations.jsonrpc import (
    INTERNAL_ERROR,
    INVALID_REQUEST,
    MAX_MESSAGE_BYTES,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    REQUEST_CANCELLED,
    Connection,
    FrameReader,
    Request,
    ResponseError,
)
from designlint.integrations.lsp import DesignlintServer


class Trickle(io.RawIOBase):
    """A pipe that hands over one byte per read, as a slow client's writes arrive."""

    def __init__(self, data: bytes):
        self.data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.data:
            return 0
        buffer[0] = self.data[0]
        self.data = self.data[1:]
        return 1


# -- framing


def test_bodies_are_read_whole_from_a_pipe_that_delivers_a_byte_at_a_time():
    first, second = {"jsonrpc": "2.0", "method": "a", "params": {"text": "naïve 😀"}}, {"jsonrpc": "2.0", "id": 1}
    reader = FrameReader(io.BufferedReader(Trickle(frame(first) + frame(second))))
    assert [json.loads(reader.next()), json.loads(reader.next()), reader.next()] == [first, second, None]


def test_other_headers_are_read_and_lines_that_are_no_header_are_skipped():
    stream = b"garbage line\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length:  2\r\n\r\n{}"
    assert FrameReader(io.BytesIO(stream)).next() == b"{}"


def test_a_body_cut_short_by_the_end_of_the_input_is_the_end():
    assert FrameReader(io.BytesIO(b"Content-Length: 10\r\n\r\n{}")).next() is None


def test_a_body_over_the_limit_is_refused_by_its_size_and_skipped_unread():
    stream = b"Content-Length: 100\r\n\r\n" + b"x" * 100 + frame({"jsonrpc": "2.0", "id": 1})
    reader = FrameReader(io.BytesIO(stream), limit=50)
    refused = reader.next()
    assert (refused.size, refused.head) == (100, b"x" * 100)
    assert json.loads(reader.next()) == {"jsonrpc": "2.0", "id": 1}


# -- dispatch


def exchange(
    *messages: dict | bytes, requests=None, notifications=None, limit: int = 1000
) -> tuple[list[dict], list[int]]:
    """What a ``Connection`` with these handlers answers to ``messages``, and the sizes it refused."""
    refused: list[int] = []
    stdin = io.BytesIO(b"".join(m if isinstance(m, bytes) else frame(m) for m in messages))
    stdout = io.BytesIO()
    connection = Connection(
        stdin, stdout, requests or {}, notifications or {}, lambda r: refused.append(r.size), limit=limit
    )
    connection.serve()
    return answers(stdout.getvalue()), refused


def test_an_unknown_request_is_answered_method_not_found_and_an_unknown_notification_ignored():
    seen = []
    messages, _ = exchange(
        {"jsonrpc": "2.0", "method": "designlint/unknown", "params": {}},
        {"jsonrpc": "2.0", "id": 7, "method": "designlint/unknown"},
        {"jsonrpc": "2.0", "method": "known", "params": [1]},
        notifications={"known": seen.append},
    )
    assert messages == [
        {
            "jsonrpc": "2.0",
            "id": 7,
            "error": {"code": METHOD_NOT_FOUND, "message": "method not found: designlint/unknown"},
        }
    ]
    assert seen == [[1]]


def test_malformed_messages_are_answered_with_a_null_id():
    messages, refused = exchange(
        b"Content-Length: 5\r\n\r\n{nope",
        {"jsonrpc": "1.0", "id": 3, "method": "x"},
        b"Content-Length: 2\r\n\r\n[]",
        b"Content-Length: 2000\r\n\r\n" + b" " * 2000,
    )
    assert [(m["id"], m["error"]["code"]) for m in messages] == [
        (None, PARSE_ERROR),
        (3, INVALID_REQUEST),
        (None, INVALID_REQUEST),
    ]
    assert refused == [2000]


def test_a_handler_answers_once_by_result_by_error_or_by_failing():
    def crash(request: Request) -> None:
        raise RuntimeError("boom")

    def refuse(request: Request) -> None:
        raise ResponseError(-32602, "bad params")

    def twice(request: Request) -> None:
        request.reply(1)
        request.reply(2)

    messages, _ = exchange(
        {"jsonrpc": "2.0", "id": 1, "method": "crash"},
        {"jsonrpc": "2.0", "id": 2, "method": "refuse"},
        {"jsonrpc": "2.0", "id": "three", "method": "twice"},
        requests={"crash": crash, "refuse": refuse, "twice": twice},
    )
    assert messages == [
        {"jsonrpc": "2.0", "id": 1, "error": {"code": INTERNAL_ERROR, "message": "crash failed: RuntimeError('boom')"}},
        {"jsonrpc": "2.0", "id": 2, "error": {"code": -32602, "message": "bad params"}},
        {"jsonrpc": "2.0", "id": "three", "result": 1},
    ]


def test_cancel_request_marks_an_open_request_and_ignores_others():
    later: list[Request] = []
    messages, _ = exchange(
        {"jsonrpc": "2.0", "id": 1, "method": "slow"},
        {"jsonrpc": "2.0", "id": 2, "method": "slow"},
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 1}},
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 99}},
        requests={"slow": later.append},
    )
    assert messages == [] and [r.cancelled for r in later] == [True, False]


def test_answers_to_the_server_s_requests_reach_their_callbacks():
    stdin, stdout = io.BytesIO(), io.BytesIO()
    connection = Connection(stdin, stdout, {}, {}, print)
    got = []
    connection.ask("workspace/configuration", {"items": []}, lambda result, error: got.append((result, error)))
    connection.ask("client/registerCapability", {}, lambda result, error: got.append((result, error)))
    asked = answers(stdout.getvalue())
    assert [m["method"] for m in asked] == ["workspace/configuration", "client/registerCapability"]
    error = {"code": -32601, "message": "no"}
    stdin.write(frame({"jsonrpc": "2.0", "id": asked[1]["id"], "error": error}))
    stdin.write(frame({"jsonrpc": "2.0", "id": asked[0]["id"], "result": [{"severity": "hint"}]}))
    stdin.write(frame({"jsonrpc": "2.0", "id": 12345, "result": None}))  # answers nothing we asked: ignored
    stdin.seek(0)
    connection.serve()
    assert got == [(None, error), ([{"severity": "hint"}], None)]


# -- documents


def change(start: tuple[int, int], end: tuple[int, int], text: str) -> dict:
    return {
        "range": {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}},
        "text": text,
    }


@pytest.mark.parametrize(("encoding", "after_emoji"), [(UTF16, 7), (UTF8, 9), (UTF32, 6)])
def test_an_edit_after_a_surrogate_pair_counts_in_the_negotiated_encoding(encoding: str, after_emoji: int):
    text = 'x = "😀"\ny = 1\n'  # the emoji: two utf-16 units, four utf-8 bytes, one character
    edited = apply_change(text, change((0, after_emoji), (1, 1), "!"), encoding)
    assert edited == 'x = "😀! = 1\n'


def test_a_position_inside_a_surrogate_pair_is_taken_as_after_it():
    assert apply_change("😀a", change((0, 1), (0, 1), "|"), UTF16) == "😀|a"


def test_edits_across_lines_with_every_line_ending_and_past_the_end():
    text = "one\r\ntwo\rthree\nfour"
    assert apply_change(text, change((0, 1), (2, 2), "-"), UTF16) == "o-ree\nfour"
    assert apply_change(text, change((3, 4), (3, 4), "!"), UTF16) == text + "!"
    assert apply_change(text, change((9, 0), (9, 0), "\nfive"), UTF16) == text + "\nfive"  # a line past the last
    assert apply_change(text, change((1, 99), (1, 99), "s"), UTF16) == "one\r\ntwos\rthree\nfour"
    assert apply_change(text, {"text": "whole"}, UTF16) == "whole"


def test_a_lone_surrogate_is_one_character_in_every_encoding():
    text = "a\ud800b"
    assert documents.code_units(text, UTF16) == 3 and documents.code_units(text, UTF8) == 5
    assert apply_change(text, change((0, 2), (0, 3), ""), UTF16) == "a\ud800"


@pytest.mark.parametrize("bad", [{"range": {"start": {}, "end": {}}, "text": ""}, {"range": None}, "text"])
def test_a_malformed_change_is_refused_and_leaves_the_document_as_it_was(bad):
    store = Documents()
    store.open("file:///a.py", "abc", 1)
    with pytest.raises(ValueError):
        store.change("file:///a.py", 2, [change((0, 0), (0, 1), ""), bad])
    document = store.get("file:///a.py")
    assert (document.text, document.version) == ("abc", 1)
    assert store.change("file:///b.py", 1, []) is None


def test_uris_become_paths_as_pygls_made_them():
    assert uri_to_path("file:///home/me/my%20project/app.py") == "/home/me/my project/app.py"
    assert uri_to_path("vscode-notebook-cell:/home/me/a.ipynb#W0sZmlsZQ%3D%3D") == "/home/me/a.ipynb"
    if Path("/").as_posix() == "/":
        assert uri_to_path("file:///C:/work/a.py") == "c:/work/a.py"
        assert uri_to_path("file://server/share/a.py") == "//server/share/a.py"


# -- the server, on in-memory streams


class Editor(io.BytesIO):
    """The server's output, as a pipe takes it (a long message in pieces); readable once the
    server closed it."""

    closed_by_server = False

    def write(self, data) -> int:
        for start in range(0, len(data), 4096):
            super().write(data[start : start + 4096])
            time.sleep(0)  # let the reading thread run
        return len(data)

    def close(self) -> None:
        self.closed_by_server = True


def run_server(server: DesignlintServer, *messages: dict) -> tuple[list[dict], int]:
    stdout = Editor()
    exit_code = server.run(io.BytesIO(b"".join(frame(m) for m in messages)), stdout)
    server.lint_thread.shutdown(wait=True)  # what it had queued is answered
    return answers(stdout.getvalue()), exit_code


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}


def test_requests_before_initialize_and_after_shutdown_are_refused_and_exit_says_whether_it_was_clean():
    code_action = {"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": {}}
    messages, exit_code = run_server(
        DesignlintServer(),
        code_action,
        INITIALIZE,
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
        {**code_action, "id": 4},
        {"jsonrpc": "2.0", "method": "exit"},
        {**code_action, "id": 5},  # never read
    )
    assert [(m["id"], m.get("error", {}).get("code")) for m in messages] == [
        (2, -32002),
        (1, None),
        (3, None),
        (4, -32600),
    ]
    assert exit_code == 0
    _, exit_code = run_server(DesignlintServer(), INITIALIZE, {"jsonrpc": "2.0", "method": "exit"})
    assert exit_code == 1


def test_unknown_requests_keep_the_lifecycle_and_initialize_is_answered_once():
    unknown = {"jsonrpc": "2.0", "id": 2, "method": "designlint/unknown"}
    messages, _ = run_server(
        DesignlintServer(),
        unknown,
        INITIALIZE,
        {**INITIALIZE, "id": 3},
        {**unknown, "id": 4},
        {"jsonrpc": "2.0", "id": 5, "method": "shutdown"},
        {**unknown, "id": 6},
        {"jsonrpc": "2.0", "method": "exit"},
    )
    assert [(m["id"], m.get("error", {}).get("code")) for m in messages] == [
        (2, -32002),
        (1, None),
        (3, -32600),
        (4, METHOD_NOT_FOUND),
        (5, None),
        (6, -32600),
    ]


def test_a_hostile_message_is_answered_and_the_session_goes_on():
    nested = b"[" * 100_000 + b"]" * 100_000  # json.loads raises RecursionError, not ValueError
    huge_length = b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n"  # int() refuses over 4,300 digits
    messages, _ = exchange(
        b"Content-Length: %d\r\n\r\n" % len(nested) + nested,
        huge_length,
        {"jsonrpc": "2.0", "id": {"a": 1}, "method": 7},  # an id no request may have: answered null
        {"jsonrpc": "2.0", "id": 1, "method": "slow"},
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": True}},  # true is not 1
        {"jsonrpc": "2.0", "id": 2, "method": "ping"},
        requests={"slow": lambda request: None, "ping": lambda request: request.reply("pong")},
        limit=len(nested),
    )
    assert [(m["id"], m.get("error", {}).get("code"), m.get("result")) for m in messages] == [
        (None, PARSE_ERROR, None),
        (None, PARSE_ERROR, None),
        (None, INVALID_REQUEST, None),
        (2, None, "pong"),
    ]


def test_an_edit_that_cannot_be_applied_drops_the_document_rather_than_lint_a_stale_text(tmp_path: Path):
    uri = (tmp_path / "tool.py").as_uri()
    opened = {"uri": uri, "languageId": "python", "version": 1, "text": "import requests\n"}
    bad = {
        "textDocument": {"uri": uri, "version": 2},
        "contentChanges": [{"range": {"start": {}, "end": {}}, "text": ""}],
    }
    action = {
        "textDocument": {"uri": uri},
        "range": change((0, 0), (0, 1), "")["range"],
        "context": {"diagnostics": []},
    }
    messages, _ = run_server(
        DesignlintServer(),
        INITIALIZE,
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": opened}},
        {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": bad},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/codeAction", "params": action},
        {"jsonrpc": "2.0", "id": 3, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    )
    shown = [m["params"]["message"] for m in messages if m.get("method") == "window/showMessage"]
    assert any("could not be applied" in message and "reopen" in message for message in shown)
    published = [m["params"] for m in messages if m.get("method") == "textDocument/publishDiagnostics"]
    assert published[-1] == {"uri": uri, "diagnostics": []}
    assert next(m for m in messages if m.get("id") == 2).get("result") in (None, [])


def test_a_closed_document_leaves_nothing_behind(tmp_path: Path):
    server = DesignlintServer()
    sessions = []
    for name in ("a.py", "b.py", "a.py"):  # reopened: a lint of its first opening never counts for it
        document = {"uri": (tmp_path / name).as_uri(), "languageId": "python", "version": 1, "text": "x = 1\n"}
        sessions.append({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}})
        sessions.append({"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": document}})
    run_server(server, INITIALIZE, *sessions, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    assert server._generations == {} and server._pulled == {}


def test_a_pull_cancelled_before_the_lint_thread_reaches_it_is_answered_cancelled(tmp_path: Path):
    server = DesignlintServer()
    gate = threading.Event()
    server.lint_thread.submit(gate.wait)  # the lint thread is busy until the client has cancelled
    uri = (tmp_path / "a.py").as_uri()
    pull = {"capabilities": {"textDocument": {"diagnostic": {}}}}
    messages = [
        {**INITIALIZE, "params": pull},
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "text": "x = 1\n", "version": 1}},
        },
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}},
        {"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 2}},
        {"jsonrpc": "2.0", "id": 3, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}},
    ]
    stdout = io.BytesIO()
    server.run(io.BytesIO(b"".join(frame(m) for m in messages)), stdout)
    gate.set()
    server.lint_thread.shutdown(wait=True)
    by_id = {m["id"]: m for m in answers(stdout.getvalue())}
    assert by_id[2]["error"]["code"] == REQUEST_CANCELLED
    assert by_id[3]["result"] == {"kind": "full", "resultId": "1", "items": []}


def test_a_request_whose_work_fails_on_the_lint_thread_is_answered_internal_error(tmp_path: Path):
    server = DesignlintServer()

    def broken(*args) -> None:
        raise RuntimeError("the linter broke")

    server.lint_thread.submit(lambda: setattr(server.findings, "diagnostics", broken))  # after the linter loads
    uri = (tmp_path / "a.py").as_uri()
    open_document = {"textDocument": {"uri": uri, "text": "x = 1\n", "version": 1}}
    messages, _ = run_server(
        server,
        {**INITIALIZE, "params": {"capabilities": {"textDocument": {"diagnostic": {}}}}},
        {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": open_document},
        {"jsonrpc": "2.0", "id": 2, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}},
    )
    (answer,) = [m for m in messages if m.get("id") == 2]
    assert answer["error"] == {
        "code": INTERNAL_ERROR,
        "message": "textDocument/diagnostic failed: RuntimeError('the linter broke')",
    }


# -- resynchronising after a broken frame

PING = {"jsonrpc": "2.0", "id": 9, "method": "ping"}


def served(*messages: dict | bytes) -> list[tuple]:
    """What a connection answering ``ping`` says to ``messages``: (id, error code, result) each."""
    answered, _ = exchange(*messages, requests={"ping": lambda request: request.reply("pong")}, limit=10**6)
    return [(m["id"], m.get("error", {}).get("code"), m.get("result")) for m in answered]


BODY = json.dumps({"jsonrpc": "2.0", "id": 5, "method": "ping"}).encode()


@pytest.mark.parametrize(
    "length",
    [b"twelve", b"-5", b"", b"1e3", b"9" * 19, b"9" * 5000, b"%d" % 2**40],
    ids=["words", "negative", "empty", "float", "19 digits", "5000 digits", "absurd"],
)
def test_a_bad_content_length_is_a_parse_error_and_the_message_after_its_body_is_served(length: bytes):
    broken = b"Content-Length: " + length + b"\r\n\r\n" + BODY  # the body runs into the next header
    assert served(broken, PING) == [(None, PARSE_ERROR, None), (9, None, "pong")]


def test_a_header_block_without_a_length_is_a_parse_error_and_the_next_message_is_served():
    broken = b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + BODY
    assert served(broken, PING) == [(None, PARSE_ERROR, None), (9, None, "pong")]


def test_a_length_shorter_than_its_body_loses_that_message_only():
    assert served(b"Content-Length: 10\r\n\r\n" + BODY, PING) == [(None, PARSE_ERROR, None), (9, None, "pong")]


def test_a_length_longer_than_its_body_loses_that_message_only():
    """The body read runs into the next message, whose header is found in it (the length is
    trusted, as every LSP reader trusts it: a body may arrive in pieces, slowly)."""
    broken = b"Content-Length: %d\r\n\r\n" % (len(BODY) + 30) + BODY
    assert served(broken, PING, PING) == [(None, PARSE_ERROR, None), (9, None, "pong"), (9, None, "pong")]


def test_a_header_split_across_two_reads_of_a_long_line_is_found():
    from designlint.integrations.jsonrpc import MAX_HEADER_LINE

    garbage = b"x" * (MAX_HEADER_LINE - 22)  # the header after it straddles the first read's end
    assert served(b"Content-Length: no\r\n\r\n" + garbage, PING) == [(None, PARSE_ERROR, None), (9, None, "pong")]


def test_resynchronising_in_a_broken_body_of_many_lines_reads_each_once():
    lines = b"\n" * 500_000  # each line was cut off the rest of the body, copying it
    assert served(b"Content-Length: %d\r\n\r\n" % len(lines) + lines, PING) == [
        (None, PARSE_ERROR, None),
        (9, None, "pong"),
    ]


def test_resynchronising_on_hostile_garbage_ends():
    garbage = b"Content-Length" * 200_000 + b"\r\n" * 1000  # no colon: no header
    assert served(b"Content-Length: no\r\n\r\n" + garbage, PING) == [(None, PARSE_ERROR, None), (9, None, "pong")]


# -- an edit too large to read


def code_action(id: int, uri: str) -> dict:
    params = {
        "textDocument": {"uri": uri},
        "range": change((0, 0), (0, 0), "")["range"],
        "context": {"diagnostics": []},
    }
    return {"jsonrpc": "2.0", "id": id, "method": "textDocument/codeAction", "params": params}


def open_document(uri: str) -> dict:
    document = {"uri": uri, "languageId": "python", "version": 1, "text": "import requests\n"}
    return {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}}


@pytest.mark.parametrize("uri_first", [True, False], ids=["its uri read", "its uri past the first bytes"])
def test_an_edit_too_large_to_read_drops_its_document_or_all_rather_than_lint_a_stale_text(
    tmp_path: Path, uri_first: bool
):
    """The editor applied the edit and the server could not: its copy is behind. Where the refused
    message does not say which document it edits (the uri after the new text), every one goes."""
    edited, other = (tmp_path / "a.py").as_uri(), (tmp_path / "b.py").as_uri()
    document = {"textDocument": {"uri": edited, "version": 2}}
    changes = {"contentChanges": [{"text": "x" * MAX_MESSAGE_BYTES}]}
    if uri_first:
        too_large = {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {**document, **changes}}
    else:
        too_large = {"jsonrpc": "2.0", "params": {**changes, **document}, "method": "textDocument/didChange"}
    messages, _ = run_server(
        DesignlintServer(),
        INITIALIZE,
        open_document(edited),
        open_document(other),
        too_large,
        code_action(2, edited),
        code_action(3, other),
    )
    by_id = {m["id"]: m for m in messages if "id" in m}
    assert by_id[None]["error"]["code"] == INVALID_REQUEST
    assert by_id[2]["result"] is None  # no fix offered on the stale copy
    published = [m["params"] for m in messages if m.get("method") == "textDocument/publishDiagnostics"]
    assert [p for p in published if p["uri"] == edited][-1] == {"uri": edited, "diagnostics": []}
    (shown,) = [m["params"]["message"] for m in messages if m.get("method") == "window/showMessage"]
    assert "refused" in shown and "reopen" in shown
    if uri_first:
        assert edited in shown and by_id[3]["result"] is not None  # the other document is still served
    else:
        assert by_id[3]["result"] is None
        assert [p for p in published if p["uri"] == other][-1] == {"uri": other, "diagnostics": []}


def test_a_refused_message_that_edits_no_document_drops_none(tmp_path: Path):
    uri = (tmp_path / "a.py").as_uri()
    huge = (tmp_path / "huge.py").as_uri()
    too_large = open_document(huge)
    too_large["params"]["textDocument"]["text"] = "x" * MAX_MESSAGE_BYTES
    messages, _ = run_server(DesignlintServer(), INITIALIZE, open_document(uri), too_large, code_action(2, uri))
    assert next(m for m in messages if m.get("id") == 2)["result"] is not None


@pytest.mark.parametrize(
    "head",
    [b'"uri" :  ' * 8000, b'"uri":"' + b"\\\\" * 30000, b'{"method": "' + b"\\" * 60000, b'"uri":"\\u12' * 6000],
    ids=["no value", "escapes", "unterminated method", "bad escapes"],
)
def test_reading_a_refused_message_s_first_bytes_takes_linear_time(head: bytes):
    from designlint.integrations.lsp import _METHOD, _edited_uri

    assert _edited_uri(head) is None or isinstance(_edited_uri(head), str)
    assert re.search(_METHOD, head) is None


# -- exit


class Script(io.RawIOBase):
    """A client's messages in parts, each sent once its event is set (if it has one): the
    server reads what has come, and waits, as on a pipe."""

    def __init__(self, *parts: tuple[threading.Event | None, bytes]):
        self.parts = list(parts)
        self.ended = threading.Event()  # the last part read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.parts:
            return 0
        gate, data = self.parts[0]
        if gate is not None:
            assert gate.wait(WAIT), "the server never got there"
        count = min(len(buffer), len(data))
        buffer[:count] = data[:count]
        self.parts[0] = (None, data[count:])
        if count == len(data):
            self.parts.pop(0)
            if not self.parts:
                self.ended.set()
        return count


WAIT = 20  # seconds: a loaded machine is slow, a hung server is not


@pytest.mark.parametrize("shut_down", [True, False], ids=["after shutdown", "without shutdown"])
def test_exit_lets_the_message_being_written_end_stops_the_lint_thread_and_closes_the_output(shut_down: bool):
    server = DesignlintServer()
    writing = threading.Event()
    goodbye = [{"jsonrpc": "2.0", "id": 2, "method": "shutdown"}] if shut_down else []
    client = Script(
        (None, frame(INITIALIZE) + b"".join(frame(m) for m in goodbye)),
        (writing, frame({"jsonrpc": "2.0", "method": "exit"})),
    )
    output = Editor()

    def publish_at_exit() -> None:
        writing.set()
        client.ended.wait(WAIT)
        server._connection.notify("window/logMessage", {"message": "x" * 100_000})

    server.lint_thread.submit(publish_at_exit)
    late = {"message": "too late"}  # queued, not started: dropped (due long after the exit, so never started first)
    server.lint_thread.submit(lambda: server._connection.notify("window/logMessage", late), delay=10 * WAIT)
    exit_code = server.run(io.BufferedReader(client), output)
    assert not server.lint_thread._thread.is_alive()
    assert output.closed_by_server
    messages = answers(output.getvalue())  # each whole
    assert messages[-1]["params"]["message"] == "x" * 100_000  # and nothing after: the queued job dropped
    assert exit_code == (0 if shut_down else 1)


# -- settings


class Published(Editor):
    """The server's output; ``first`` is set once a publishDiagnostics is out."""

    def __init__(self) -> None:
        super().__init__()
        self.first = threading.Event()

    def write(self, data) -> int:
        written = super().write(data)
        if b"textDocument/publishDiagnostics" in data:
            self.first.set()
        return written


@pytest.mark.parametrize(
    ("settings", "published_severities"),
    [({}, [[2]]), ({"severity": "warning", "other": 1}, [[2]]), ({"severity": "hint"}, [[2], [4]])],
    ids=["none", "the same severity", "a new severity"],
)
def test_the_editor_s_settings_relint_only_when_they_change_what_is_reported(
    tmp_path: Path, settings: dict, published_severities: list
):
    project = configured_project(tmp_path)
    uri = (project / "app" / "tools.py").as_uri()
    document = {"uri": uri, "languageId": "python", "version": 1, "text": TOOLS_PY}
    output = Published()
    client = Script(
        (
            None,
            frame({**INITIALIZE, "params": {"capabilities": {"workspace": {"configuration": True}}}})
            + frame({"jsonrpc": "2.0", "method": "initialized", "params": {}})
            + frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": document}}),
        ),
        # The answer to workspace/configuration (the server's first request) comes after the first lint.
        (output.first, frame({"jsonrpc": "2.0", "id": 1, "result": [settings]})),
    )
    server = DesignlintServer()
    server.run(io.BufferedReader(client), output)
    server.lint_thread.shutdown(wait=True)
    messages = answers(output.getvalue())
    assert next(m["method"] for m in messages if "method" in m) == "workspace/configuration"
    published = [m["params"]["diagnostics"] for m in messages if m.get("method") == "textDocument/publishDiagnostics"]
    assert [sorted({d["severity"] for d in diagnostics}) for diagnostics in published] == published_severities


def test_a_pulling_client_is_asked_to_pull_again_after_an_edit_too_large_and_gets_nothing(tmp_path: Path):
    uri = (tmp_path / "a.py").as_uri()
    pull = {"textDocument": {"diagnostic": {}}, "workspace": {"diagnostics": {"refreshSupport": True}}}
    too_large = {
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "x" * MAX_MESSAGE_BYTES}]},
    }
    pull_request = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "textDocument/diagnostic",
        "params": {"textDocument": {"uri": uri}},
    }
    messages, _ = run_server(
        DesignlintServer(),
        {**INITIALIZE, "params": {"capabilities": pull}},
        open_document(uri),
        too_large,
        pull_request,
    )
    assert "workspace/diagnostic/refresh" in [m.get("method") for m in messages]
    assert next(m for m in messages if m.get("id") == 2)["result"] == {"kind": "full", "items": []}


def test_a_long_line_that_is_no_header_is_logged_once(caplog: pytest.LogCaptureFixture):
    assert served(b"x" * 2**20 + b"\r\n", PING) == [(9, None, "pong")]
    assert [r.getMessage()[:30] for r in caplog.records] == ["ignored a line that is no head"]


def test_an_unreadable_message_that_may_be_an_edit_drops_what_it_may_have_edited(tmp_path: Path):
    """A frame lost to a bad length, or a body that is not JSON, may have been a didChange: the
    document it names is dropped, or, when nothing of it can be read, every open one."""
    edited, other = (tmp_path / "a.py").as_uri(), (tmp_path / "b.py").as_uri()
    change = {"textDocument": {"uri": edited, "version": 2}, "contentChanges": [{"text": "x = 2\n"}]}

    def cut_short(message: dict) -> bytes:  # a frame whose body is not JSON
        body = json.dumps(message).encode()[:-1]
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    not_json = cut_short({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": change})
    not_json_hover = cut_short(
        {"jsonrpc": "2.0", "method": "textDocument/hover", "params": {"textDocument": {"uri": other}}}
    )

    def session(*broken: bytes) -> dict:
        stdin = b"".join([frame(INITIALIZE), frame(open_document(edited)), frame(open_document(other)), *broken])
        stdin += frame(code_action(2, edited)) + frame(code_action(3, other))
        server, stdout = DesignlintServer(), Editor()
        server.run(io.BytesIO(stdin), stdout)
        server.lint_thread.shutdown(wait=True)
        return {m.get("id", m.get("method")): m for m in answers(stdout.getvalue())}

    answered = session(not_json)
    assert (answered[2]["result"], answered[3]["result"] is not None) == (None, True)
    assert "reopen" in answered["window/showMessage"]["params"]["message"]
    answered = session(b"Content-Length: 1e3\r\n\r\n" + not_json.partition(b"\r\n\r\n")[2])  # nothing read
    assert (answered[2]["result"], answered[3]["result"]) == (None, None)
    answered = session(not_json_hover)
    assert None not in (answered[2]["result"], answered[3]["result"])
    assert "window/showMessage" not in answered
