"""Deadlines that hold: how long a read against a slow-drip server takes vs its deadline.

A local server sends a body one byte every 50 ms (10 s for the whole body); the client's
``read_deadline`` is 1 s. The figure is the worst wall time over several reads divided by
the deadline (goal: at most 1.2x). A ``Retry-After: 100000`` answer is timed the same way
(goal: given up at once rather than waited for).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

from skillpack.errors import SourceError
from skillpack.sdk.http import RestClient

DEADLINE_S = 1.0
READS = 5
DRIP_S = 0.05
BODY = b'{"data": "' + b"x" * 190 + b'"}'


@contextlib.contextmanager
def _server(reply: str) -> Iterator[str]:
    stop = threading.Event()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def answer(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            if reply == "retry-after":
                conn.sendall(
                    b"HTTP/1.1 429 Too Many\r\nRetry-After: 100000\r\nContent-Length: 0\r\n\r\n"
                )
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BODY))
            for i in range(len(BODY)):
                if stop.wait(DRIP_S):
                    return
                conn.sendall(BODY[i : i + 1])

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        with contextlib.suppress(OSError), socket.create_connection(listener.getsockname(), 1):
            pass
        thread.join(5)
        listener.close()


def _timed(client: RestClient) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        client.get("/x")
        code = "ok"
    except SourceError as exc:
        code = exc.code
    return time.perf_counter() - started, code


def run() -> list[str]:
    with (
        _server("drip") as url,
        RestClient(url, timeout=30, read_deadline=DEADLINE_S, max_retries=0) as client,
    ):
        times, codes = zip(*(_timed(client) for _ in range(READS)), strict=True)
    worst = max(times)
    whole = len(BODY) * DRIP_S
    with _server("retry-after") as url, RestClient(url, timeout=30) as client:
        waited, code = _timed(client)
    return [
        f"slow-drip read ({len(BODY)} bytes at 1 per {DRIP_S * 1000:.0f} ms, {whole:.0f}s in "
        f"all): worst {worst:.2f}s over {READS} reads vs its {DEADLINE_S:.1f}s deadline = "
        f"{worst / DEADLINE_S:.2f}x (goal <= 1.2x); stopped with `{codes[0]}`",
        f"Retry-After: 100000 answered: gave up after {waited:.2f}s with `{code}` "
        f"(cap {client.max_retry_after:g}s; before the cap: about 300 s)",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
