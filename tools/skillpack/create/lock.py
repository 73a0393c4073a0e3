"""One writer per workspace: the lock ``skillpack create`` holds while it runs.

The lock is ``.skillpack/lock`` in the workspace. Where the OS offers ``flock`` (Linux,
macOS) the file is locked with it, so a killed holder's lock is released by the kernel and
a stale lock cannot exist; the file's content (pid, host, start time, command) only says
who holds it. Elsewhere the file is created with ``O_EXCL`` and a lock whose process is no
longer alive on this host is taken over.

    with workspace_lock(root, "skillpack create example"):
        ...  # nobody else writes to root meanwhile

A second writer gets ``WorkspaceBusy`` (exit 2) naming the holder.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from skillpack.errors import InputError

try:  # pragma: no cover - the platform decides
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "lock"


class WorkspaceBusy(InputError):
    """Another process is writing to the workspace."""

    default_code = "workspace-busy"


def _holder_text(info: dict[str, Any]) -> str:
    if not info:
        return "another process"
    return (
        f"`{info.get('command', 'a process')}` (pid {info.get('pid')} on "
        f"{info.get('host')}, since {info.get('started')})"
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _busy(root: Path, info: dict[str, Any]) -> WorkspaceBusy:
    return WorkspaceBusy(
        f"workspace `{root}` is in use by {_holder_text(info)}",
        hint="wait for that run to finish (or stop it), then run the command again",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


def _me(command: str) -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": command,
    }


# How long a refused writer waits for the holder to say who it is. The holder writes its
# details just after it takes the lock and empties them just before it lets go, so a
# contender can see an empty file for a moment; it should still name the holder.
_HOLDER_WAIT_S = 2.0


def _take_flock(root: Path, path: Path, fd: int) -> None:
    deadline = time.monotonic() + _HOLDER_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            info = _read(path)
            if info or time.monotonic() >= deadline:
                raise _busy(root, info) from None
        time.sleep(0.02)


@contextlib.contextmanager
def _flock(root: Path, path: Path, command: str) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _take_flock(root, path, fd)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(_me(command)).encode())
        try:
            yield
        finally:
            # Emptied, not removed: removing a flock file lets two later runs lock two
            # different files of the same name.
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing releases the flock


@contextlib.contextmanager
def _exclusive_file(root: Path, path: Path, command: str) -> Iterator[None]:
    me = _me(command)
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            info = _read(path)
            pid = info.get("pid")
            if info.get("host") == me["host"] and isinstance(pid, int) and not _alive(pid):
                # stale: its process is gone; remove it and try once more
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            raise _busy(root, info) from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(me, f)
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return
    raise _busy(root, _read(path))


@contextlib.contextmanager
def workspace_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the workspace's writer lock for the ``with`` block; ``WorkspaceBusy`` if taken."""
    folder = root / ".skillpack"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot write to workspace `{root}`: {exc.strerror}",
            hint="pass a folder you can write to with --workspace",
            code="bad-workspace",
        ) from None
    path = folder / LOCK_NAME
    take = _flock if fcntl is not None else _exclusive_file
    with take(root, path, command):
        yield


def lock_holder(root: Path) -> dict[str, Any]:
    """Who holds (or last held) the workspace lock, as written in the lock file."""
    return _read(root / ".skillpack" / LOCK_NAME)
