"""Reading a response body against a deadline, and telling a cut-short body from the rest.

A socket timeout bounds each wait for bytes, not the transfer: a server sending one byte
a second never trips a two-second timeout. ``read_body`` reads what has arrived after each
wait (``read1``) and shrinks the socket's timeout to what is left of the deadline before
every wait, so the whole body takes at most the deadline (plus one scheduling slice).
"""

from __future__ import annotations

import http.client
import socket
import time
from typing import Any

import requests

# urllib3's exceptions, reached through requests so a merged single-file connector needs
# no more than requests installed
from requests.adapters import ProtocolError, ReadTimeoutError

#: bytes asked of the socket per read; a read returns as soon as any have arrived
CHUNK = 64 * 1024


class DeadlinePassed(Exception):
    """The body was still arriving when the deadline came."""

    def __init__(self, got: int) -> None:
        super().__init__(f"{got} bytes before the deadline")
        self.got = got


class Truncated(Exception):
    """The server closed the connection before the body was complete."""

    def __init__(self, got: int, expected: int | None) -> None:
        super().__init__(f"{got} of {expected} bytes")
        self.got = got
        self.expected = expected

    def describe(self) -> str:
        of = f" of {self.expected}" if self.expected is not None else ""
        return f"the server closed the connection after {self.got}{of} bytes of the body"


def _socket(raw: Any) -> socket.socket | None:
    conn = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
    sock = getattr(conn, "sock", None)
    return sock if hasattr(sock, "settimeout") else None


def _expected(resp: requests.Response) -> int | None:
    try:
        return int(resp.headers.get("Content-Length", ""))
    except ValueError:
        return None


def read_body(
    resp: requests.Response, *, deadline_at: float, read_timeout: float, limit: int | None = None
) -> bytes:
    """The body of a ``stream=True`` response, read before ``deadline_at`` (monotonic).

    ``limit`` stops after that many bytes (error bodies are only quoted). Raises
    ``DeadlinePassed``, ``Truncated``, or ``requests.ReadTimeout`` when one wait for bytes
    exceeds ``read_timeout`` with time still left.
    """
    if resp.raw is None or resp._content is not False:
        # Built in memory, not read off a socket: a replaying interceptor (such as a
        # source simulator patching ``Session.send``) or a test double. The body is all
        # there already; marking it consumed keeps ``close()`` off the missing stream.
        body = resp.content or b""
        resp._content_consumed = True
        return body if limit is None else body[:limit]
    raw = resp.raw
    sock = _socket(raw)
    chunks: list[bytes] = []
    size = 0
    try:
        while limit is None or size < limit:
            left = deadline_at - time.monotonic()
            if left <= 0:
                raise DeadlinePassed(raw.tell())
            if sock is not None:
                sock.settimeout(max(0.001, min(read_timeout, left)))
            try:
                chunk = raw.read1(CHUNK)
            except (ReadTimeoutError, TimeoutError):
                if time.monotonic() >= deadline_at - 0.001:
                    raise DeadlinePassed(raw.tell()) from None
                raise requests.ReadTimeout(f"no byte for {read_timeout}s") from None
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (ProtocolError, http.client.IncompleteRead) as exc:
        raise Truncated(raw.tell(), _expected(resp)) from exc
    body = b"".join(chunks)
    return body if limit is None else body[:limit]
