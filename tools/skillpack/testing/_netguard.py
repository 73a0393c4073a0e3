"""Keep simulate runs offline: refuse socket connections a simulated run must not make.

While :func:`block_network` is active, connecting a socket to a non-loopback address, or
resolving a host name other than ``localhost``, raises :class:`NetworkBlocked` at once instead
of waiting for a timeout. Loopback stays open by default, because local services and the
spec-driven simulator listen on 127.0.0.1; a cassette replay closes it too, so nothing but the
cassette can answer. The error is an ``AssertionError`` (not an ``OSError``) on purpose: HTTP
clients retry ``OSError``s with backoff, and this must fail the test on the first attempt.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

from skillpack.testing._reads import SuiteFailure

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


class NetworkBlocked(SuiteFailure):
    """A simulated run tried to reach the network; the message says what to do instead."""

    def __init__(self, target: str, why: str) -> None:
        super().__init__(
            "simulator-miss",
            f"simulate mode is offline: a connection to {target} was refused ({why}); record a "
            "cassette with CONNECTOR_TEST_MODE=record, add the source's simulator_spec.yaml, "
            "or run against the real source with CONNECTOR_TEST_MODE=live",
        )
        self.target = target


def is_loopback(host: Any) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _target(address: Any) -> tuple[str, str]:
    """(host, "host:port") of a socket address; AF_UNIX paths have no host."""
    if isinstance(address, tuple) and address:
        host = str(address[0])
        port = address[1] if len(address) > 1 else "?"
        return host, f"{host}:{port}"
    return "", str(address)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def _patched(owner: Any, name: str, value: Any) -> Iterator[None]:
    """Set ``owner.name`` for the block, then put back exactly what was there."""
    had_own = name in vars(owner)
    original = vars(owner)[name] if had_own else None
    setattr(owner, name, value)
    try:
        yield
    finally:
        if had_own:
            setattr(owner, name, original)
        else:
            delattr(owner, name)


@contextlib.contextmanager
def block_network(*, allow_loopback: bool = True, why: str = "network blocked") -> Iterator[None]:
    """Refuse outgoing connections (but loopback, when allowed) for the duration of the block.

    Nested uses restore each other's guards in order.
    """
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex
    original_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return  # unix sockets and the like never leave the machine
        host, shown = _target(address)
        if allow_loopback and is_loopback(host):
            return
        raise NetworkBlocked(shown, why)

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        return original_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return original_connect_ex(sock, address)

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        # Refuse names before any DNS lookup, which could hang on an offline machine;
        # literal addresses need no lookup, and connect() decides about them.
        if name is not None and not is_loopback(name) and not _is_ip(str(name)):
            raise NetworkBlocked(f"{name}:{port}", why)
        return original_getaddrinfo(host, port, *args, **kwargs)

    with contextlib.ExitStack() as stack:
        stack.enter_context(_patched(socket.socket, "connect", connect))
        stack.enter_context(_patched(socket.socket, "connect_ex", connect_ex))
        stack.enter_context(_patched(socket, "getaddrinfo", getaddrinfo))
        yield
