"""LSP messages on the wire, as the tests write them to a server and read its answers."""

from __future__ import annotations

import json
import re


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def answers(output: bytes) -> list[dict]:
    """The messages in the server's output (each with exactly one Content-Length header)."""
    messages = []
    while output:
        header, _, rest = output.partition(b"\r\n\r\n")
        match = re.fullmatch(rb"Content-Length: (\d+)", header)
        assert match, header
        length = int(match.group(1))
        messages.append(json.loads(rest[:length]))
        output = rest[length:]
    return messages
