"""The workspace lock's fallback for systems without flock: O_EXCL plus a liveness check."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from skillpack.create.lock import WorkspaceBusy, _exclusive_file, lock_holder, workspace_lock


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def test_the_fallback_refuses_a_live_holder_and_names_it(tmp_path):
    path = tmp_path / "lock"
    with _exclusive_file(tmp_path, path, "first"):
        with pytest.raises(WorkspaceBusy) as info, _exclusive_file(tmp_path, path, "second"):
            pass
        assert f"pid {os.getpid()}" in str(info.value) and "`first`" in str(info.value)
    assert not path.exists()


def test_the_fallback_takes_over_the_lock_of_a_dead_process(tmp_path):
    path = tmp_path / "lock"
    stale = {"pid": _dead_pid(), "host": socket.gethostname(), "command": "killed run"}
    path.write_text(json.dumps(stale))
    with _exclusive_file(tmp_path, path, "next run"):
        assert json.loads(path.read_text())["command"] == "next run"


def test_a_lock_of_a_process_on_another_host_is_left_alone(tmp_path):
    path = tmp_path / "lock"
    path.write_text(json.dumps({"pid": _dead_pid(), "host": "elsewhere", "command": "x"}))
    with pytest.raises(WorkspaceBusy), _exclusive_file(tmp_path, path, "mine"):
        pass


def test_the_lock_file_says_who_holds_it_and_is_emptied_after(tmp_path):
    with workspace_lock(tmp_path, "skillpack create shop"):
        holder = lock_holder(tmp_path)
        assert holder["pid"] == os.getpid() and holder["command"] == "skillpack create shop"
    assert lock_holder(tmp_path) == {}


@pytest.mark.skipif(sys.platform == "win32", reason="flock only")
def test_a_refused_writer_names_a_holder_that_has_not_yet_written_its_details(tmp_path):
    """The holder writes who it is just after taking the lock; a contender waits to read it."""
    import fcntl
    import threading

    path = tmp_path / ".skillpack" / "lock"
    path.parent.mkdir()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # locked, still empty: the moment the race hits

    def say_who() -> None:
        os.write(
            fd, json.dumps({"pid": 4242, "host": "h", "command": "skillpack create a"}).encode()
        )

    timer = threading.Timer(0.3, say_who)
    timer.start()
    try:
        with pytest.raises(WorkspaceBusy) as info, workspace_lock(tmp_path, "skillpack create b"):
            pass
    finally:
        timer.join()
        os.close(fd)
    assert "`skillpack create a` (pid 4242" in str(info.value)
