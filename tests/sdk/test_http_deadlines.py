"""Deadlines that hold against a stalling body, and a cut-short body named as such.

The servers here are raw sockets on 127.0.0.1 so they can misbehave mid-body: send a few
bytes and stall (until the test ends), or close the connection early.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest

from skillpack.errors import SourceError
from skillpack.sdk.http import RestClient

BODY = b'{"data": [' + b'{"id": 1}, ' * 20 + b'{"id": 2}]}'


@contextlib.contextmanager
def misbehaving(send: int, then: str, chunked: bool = False) -> Iterator[tuple[str, list]]:
    """A server sending the headers and ``send`` body bytes, then `stall` or `close`."""
    done = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    served: list[int] = []

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                if done.is_set() or not conn.recv(65536):
                    return
                served.append(1)
                if chunked:
                    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    part = b"%x\r\n%s\r\n" % (send, BODY[:send])
                else:
                    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BODY)
                    part = BODY[:send]
                conn.sendall(head + part)
                if then == "stall":
                    done.wait(30)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", served
    finally:
        done.set()
        # wake the accept() so the thread sees `done` and ends
        with contextlib.suppress(OSError), socket.create_connection(listener.getsockname(), 1):
            pass
        thread.join(5)
        listener.close()


def test_a_stalling_body_stops_at_the_read_deadline_not_the_read_timeout():
    with misbehaving(7, "stall") as (url, served):
        # the per-read timeout alone (30 s) would wait until the server gives up
        client = RestClient(url, timeout=30, read_deadline=0.3, max_retries=0)
        with client, pytest.raises(SourceError) as info:
            client.get_json("/x")
    assert info.value.code == "deadline"
    assert "did not finish within its 0.3s deadline" in str(info.value)
    assert "7 bytes of the body had arrived" in str(info.value)
    assert "read_deadline" in info.value.hint
    assert len(served) == 1  # a deadline is not retried


def test_the_call_deadline_bounds_the_whole_call():
    with misbehaving(3, "stall") as (url, _served):
        client = RestClient(url, timeout=30, deadline=0.3, max_retries=3)
        with client, pytest.raises(SourceError) as info:
            client.get("/x")
    assert info.value.code == "deadline"
    assert "within its 0.3s deadline (3 bytes" in str(info.value)
    assert "`deadline`" in info.value.hint


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_cut_short_is_reported_as_truncated_not_unreachable(chunked):
    with misbehaving(5, "close", chunked=chunked) as (url, served):
        client = RestClient(url, timeout=5, max_retries=1, sleep=lambda _s: None)
        with client, pytest.raises(SourceError) as info:
            client.get_json("/x")
    message = str(info.value)
    assert info.value.code == "truncated"
    assert "could not connect" not in message
    assert "the server closed the connection after 5" in message
    if not chunked:
        assert f"after 5 of {len(BODY)} bytes" in message
    assert "after 2 attempt(s)" in message and len(served) == 2


def test_invalid_deadlines_are_refused():
    for bad in (0, -1, float("inf")):
        with pytest.raises(Exception) as info:
            RestClient("http://127.0.0.1:1", read_deadline=bad)
        assert getattr(info.value, "code", "") == "bad-timeout"
