"""JSON-RPC 2.0 over a byte stream, framed as the Language Server Protocol frames it
(``Content-Length`` headers): what ``designlint lsp`` speaks, with no protocol library (one
costs more to import than LibCST). Messages are plain dicts, built by the server.

``Connection.serve`` reads and dispatches on the calling thread; replies, notifications and
requests of the server's own may be sent from any thread.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

log = logging.getLogger("designlint.lsp")

# Error codes: JSON-RPC's, then the LSP's own.
PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
SERVER_NOT_INITIALIZED = -32002
REQUEST_CANCELLED = -32800

# One message from the client: a 5 MB document (the lint limit) fits even escaped as \uXXXX.
MAX_MESSAGE_BYTES = 64 * 2**20
# A length beyond any a client can send (V8's strings end at 2^29 characters) is a broken frame,
# not a message to skip: skipping it would swallow the rest of the session.
MAX_PLAUSIBLE_LENGTH = 2**31
MAX_HEADER_LINE = 64 * 2**10
REFUSED_HEAD = 64 * 2**10  # of a refused body, the bytes kept: what names its document, usually
_SKIP_CHUNK = 2**20
_LENGTH_HEADER = b"content-length:"
_TOKEN = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # a header name's (RFC 9110)


class ResponseError(Exception):
    """Raised by a request's handler: the request is answered with this error."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class Refused:
    """A body over the limit: its declared size and its first bytes (the rest is skipped)."""

    __slots__ = ("head", "size")

    def __init__(self, size: int, head: bytes):
        self.size, self.head = size, head


class Unreadable:
    """A frame that could not be read (its header, or its body as JSON): why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        self.reason = reason


class FrameReader:
    """The bodies of the messages on ``stream``, each as its bytes. A body over ``limit`` bytes
    is never held: its size and first bytes are returned in its place, and the body is skipped
    as it streams by, before the next message is read (so a refusal is answered at once).
    ``Content-Length: 1000000000000`` once killed the server with MemoryError.

    A broken frame (a bad or missing length, or a body the caller found not to be JSON, see
    ``lost``) costs that message only: the reader then looks for the next ``Content-Length:``
    anywhere in what follows, at the start of a line or not (a body has no line end), in the
    broken body itself too (a length too long reads into the next message)."""

    def __init__(self, stream: BinaryIO, limit: int = MAX_MESSAGE_BYTES):
        self.stream, self.limit = stream, limit
        self._skipping = 0  # bytes of a refused body still to come
        self._unread = io.BytesIO()  # bytes to read again before the stream's (a broken body)
        self._carry = b""  # the end of a line cut in pieces, searched again with the next piece
        self._lost = False  # looking for the next header, in the middle of a line if need be

    def next(self) -> bytes | Refused | Unreadable | None:
        """The next body, a refused one, an unreadable frame, or None at the end of the input."""
        self._skip()
        length = self._headers()
        if length is None or isinstance(length, Unreadable):
            return length
        if length > self.limit:
            head = self._read(min(length, REFUSED_HEAD))
            self._skipping = length - len(head)
            return Refused(length, head)
        body = self._read(length)
        return body if len(body) == length else None  # cut short: the client went away

    def lost(self, body: bytes) -> None:
        """``body`` was no message: its length was wrong, so the next header may be in it, or in
        what follows it."""
        self._lost = True
        if self._unread.tell() >= len(body) and self._unread.read(1):  # it was read from there
            self._unread.seek(-len(body) - 1, io.SEEK_CUR)
        else:  # it ends in what the stream gave: nothing is left to read again
            self._unread = io.BytesIO(body)

    def _headers(self) -> int | Unreadable | None:
        """Read a header block; its Content-Length, why it has none, or None at the end of the
        input. Lines that are no header are skipped (logged), but searched for a length."""
        length: int | None = None
        headers = False
        while True:
            line = self._readline()
            if not line:
                return None
            if self._lost or not _is_header(line):
                found = line.lower().find(_LENGTH_HEADER)
                if found < 0:
                    self._keep_tail(line)
                    if not self._lost:  # logged once, not for each piece of a long line
                        log.warning("ignored a line that is no header: %r", line[:80])
                        self._lost = True
                    continue
                line, self._lost = line[found:], False
            if not line.strip():
                if length is not None:
                    return length
                if headers:
                    return self._broken("a header block without Content-Length")
                continue  # a blank line with no header before it: nothing to read
            headers = True
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                size = value.strip()
                # int() refuses over 4,300 digits with a ValueError; no real length has 19
                length = int(size) if size.isdigit() and len(size) <= 18 else None
                if length is None or length > MAX_PLAUSIBLE_LENGTH:
                    return self._broken(f"a bad Content-Length: {size[:80]!r}")

    def _broken(self, reason: str) -> Unreadable:
        log.warning("%s", reason)
        self._lost = True
        return Unreadable(reason)

    def _keep_tail(self, line: bytes) -> None:
        """A line cut at ``MAX_HEADER_LINE`` may end in the first bytes of a header: they are
        read again with the rest of it."""
        if len(line) == MAX_HEADER_LINE and not line.endswith(b"\n"):
            self._carry = line[-(len(_LENGTH_HEADER) - 1) :]

    def _readline(self) -> bytes:
        """A line, or a piece of a longer one (``MAX_HEADER_LINE`` bytes)."""
        line, self._carry = self._carry + self._unread.readline(MAX_HEADER_LINE - len(self._carry)), b""
        if not line.endswith(b"\n") and len(line) < MAX_HEADER_LINE:  # what was to be read again ran out
            line += self.stream.readline(MAX_HEADER_LINE - len(line))
        return line

    def _read(self, size: int) -> bytes:
        data = self._unread.read(size)
        return data + self.stream.read(size - len(data)) if len(data) < size else data

    def _skip(self) -> None:
        while self._skipping:
            chunk = self._read(min(self._skipping, _SKIP_CHUNK))
            self._skipping = self._skipping - len(chunk) if chunk else 0


def _is_header(line: bytes) -> bool:
    """Whether ``line`` is a header (``Name: value``) or the blank line ending a block."""
    name, colon, _ = line.partition(b":")
    name = name.strip()
    return not line.strip() or bool(colon and name and not name.translate(None, _TOKEN))


def _readable_id(message: Any) -> int | str | None:
    """A message's id if it is one JSON-RPC allows (a number or a string: ``true`` is neither,
    though Python counts it 1), else None, as the answer to an unreadable request says."""
    id = message.get("id") if isinstance(message, dict) else None
    return id if isinstance(id, (int, str)) and not isinstance(id, bool) else None


def method_not_found(request: Request) -> None:
    request.fail(METHOD_NOT_FOUND, f"method not found: {request.method}")


def frame(message: dict) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()  # ASCII: a lone surrogate is escaped
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


class Request:
    """A request from the client, answered once: by its handler at once, or later from another
    thread (``$/cancelRequest`` marks it ``cancelled`` meanwhile)."""

    def __init__(self, connection: Connection, id: int | str, method: str, params: Any):
        self.connection, self.id, self.method, self.params = connection, id, method, params
        self.cancelled = False
        self.answered = False

    def reply(self, result: Any) -> None:
        self._answer({"result": result})

    def fail(self, code: int, message: str) -> None:
        self._answer({"error": {"code": code, "message": message}})

    def _answer(self, outcome: dict) -> None:
        if self.connection._close_request(self):
            self.connection.send({"jsonrpc": "2.0", "id": self.id, **outcome})


RequestHandler = Callable[[Request], None]
NotificationHandler = Callable[[Any], None]
AnswerHandler = Callable[[Any, "dict | None"], None]  # (result, error)


class Connection:
    """One client, on ``reader`` and ``writer``. ``requests`` and ``notifications`` map a method
    to its handler; an unknown request goes to ``unknown`` (by default answered MethodNotFound),
    an unknown notification is ignored. A request handler answers through the ``Request`` it is given (or raises
    ``ResponseError``); one that raises anything else is answered InternalError."""

    def __init__(
        self,
        reader: BinaryIO,
        writer: BinaryIO,
        requests: dict[str, RequestHandler],
        notifications: dict[str, NotificationHandler],
        on_refused: Callable[[Refused], None],
        limit: int = MAX_MESSAGE_BYTES,
        unknown: RequestHandler | None = None,
        on_unreadable: Callable[[bytes | None], None] | None = None,
    ):
        self.frames = FrameReader(reader, limit)
        self.writer = writer
        self.requests, self.notifications, self.on_refused = requests, notifications, on_refused
        self.unknown = unknown or method_not_found
        self.on_unreadable = on_unreadable  # told the first bytes of a frame answered ParseError, if known
        self._lock = threading.Lock()  # one message written at a time; the tables below
        self._open: dict[int | str, Request] = {}  # the client's requests not answered yet
        self._asked: dict[int, AnswerHandler] = {}  # our requests, by id, and what to do with the answer
        self._next_id = 0
        self._stopped = False
        self._closed = False

    # -- sending (any thread)

    def send(self, message: dict) -> None:
        """Send ``message`` whole, unless the connection is closed (or the client has gone)."""
        data = frame(message)
        with self._lock:
            if self._closed:
                return
            try:
                self.writer.write(data)
                self.writer.flush()
            except OSError as exc:  # the client closed its end
                log.info("the client has gone: %s", exc)
                self._closed = True

    def close(self, timeout: float) -> None:
        """Send nothing more: once a message being written is whole (waiting for it up to
        ``timeout`` seconds), flush and close the output."""
        written = self._lock.acquire(timeout=timeout)
        self._closed = True
        if not written:  # a write that does not end: the client reads no more
            return
        try:
            self.writer.close()  # flushed first
        except OSError:
            pass
        finally:
            self._lock.release()

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def fail(self, id: int | str | None, code: int, message: str) -> None:
        """An error answer to a request that was never dispatched (its id may be unknown: null)."""
        self.send({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})

    def ask(self, method: str, params: Any, on_answer: AnswerHandler) -> None:
        """Send a request to the client; ``on_answer`` is called on the reading thread."""
        with self._lock:
            self._next_id += 1
            id = self._next_id
            self._asked[id] = on_answer
        message: dict = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def _close_request(self, request: Request) -> bool:
        """Whether ``request`` was still to be answered (it no longer is)."""
        with self._lock:
            if request.answered:
                return False
            request.answered = True
            self._open.pop(request.id, None)
            return True

    # -- receiving (the calling thread)

    def serve(self) -> None:
        """Read and dispatch messages until the input ends or a handler calls ``stop``."""
        while not self._stopped and (body := self.frames.next()) is not None:
            if isinstance(body, Refused):
                self.on_refused(body)
                continue
            if isinstance(body, Unreadable):
                self.fail(None, PARSE_ERROR, f"the message could not be read: {body.reason}")
                if self.on_unreadable is not None:
                    self.on_unreadable(None)
                continue
            try:
                message = json.loads(body)
            except (ValueError, RecursionError) as exc:  # UnicodeDecodeError included; deep nesting
                self.frames.lost(body)
                self.fail(None, PARSE_ERROR, f"the message is not JSON: {exc}")
                if self.on_unreadable is not None:
                    self.on_unreadable(body[:REFUSED_HEAD])
                continue
            self.dispatch(message)

    def stop(self) -> None:
        """Read nothing more once the message being handled is done."""
        self._stopped = True

    def dispatch(self, message: Any) -> None:
        if not isinstance(message, dict) or message.get("jsonrpc") != "2.0":
            self.fail(_readable_id(message), INVALID_REQUEST, "not a JSON-RPC 2.0 message")
            return
        method = message.get("method")
        if method is None:
            self._answered(message)
        elif not isinstance(method, str):
            self.fail(_readable_id(message), INVALID_REQUEST, "the method is not a string")
        elif "id" in message:
            self._request(message["id"], method, message.get("params"))
        else:
            self._notification(method, message.get("params"))

    def _request(self, id: Any, method: str, params: Any) -> None:
        if _readable_id({"id": id}) is None:
            self.fail(None, INVALID_REQUEST, f"a request's id must be a number or a string, not {id!r}")
            return
        handler = self.requests.get(method, self.unknown)
        request = Request(self, id, method, params)
        with self._lock:
            self._open[id] = request
        try:
            handler(request)
        except ResponseError as exc:
            request.fail(exc.code, exc.message)
        except Exception as exc:
            log.exception("the request %s failed", method)
            request.fail(INTERNAL_ERROR, f"{method} failed: {exc!r}")

    def _notification(self, method: str, params: Any) -> None:
        if method == "$/cancelRequest":
            id = _readable_id(params)
            with self._lock:
                request = self._open.get(id) if id is not None else None
            if request is not None:
                request.cancelled = True  # its handler, or the job it queued, answers RequestCancelled
            return
        handler = self.notifications.get(method)
        if handler is None:
            log.debug("ignored the notification %s", method)  # "$/..." ones may be ignored, says the spec
            return
        try:
            handler(params)
        except ResponseError as exc:  # a notification gets no answer: the complaint is logged
            log.warning("the notification %s was ignored: %s", method, exc.message)
        except Exception:
            log.exception("the notification %s failed", method)

    def _answered(self, message: dict) -> None:
        id = message.get("id")
        with self._lock:
            on_answer = self._asked.pop(id, None) if isinstance(id, int) and not isinstance(id, bool) else None
        if on_answer is None:
            log.warning("an answer to no request of ours: %r", id)
            return
        error = message.get("error")
        try:
            on_answer(message.get("result"), error if isinstance(error, dict) else None)
        except Exception:
            log.exception("handling the answer to request %s failed", id)
