"""The Kinto helper starts a seeded server, stops its whole process group, and explains
failures; without kinto it skips, or fails under CI=true."""

from __future__ import annotations

import os
import socket
import stat
import textwrap
from pathlib import Path

import pytest
import requests

from skillpack.errors import InputError, SourceError
from skillpack.examples.workspace.sources.kinto.kinto import KintoLakeflowConnect
from skillpack.testing.eventually import eventually
from skillpack.testing.kinto_server import (
    KINTO_BUCKET,
    find_kinto,
    kinto_service,
    require_kinto,
    run_kinto,
    start_kinto,
)


def _alive(pid: int) -> bool:
    """True while ``pid`` runs; a zombie waiting to be reaped counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _refuses(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _fake_kinto(tmp_path: Path, start_body: str) -> Path:
    """An executable standing in for kinto: `init` writes the ini, `start` runs the body."""
    script = tmp_path / "bin" / "kinto"
    script.parent.mkdir()
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            if [ "$1" = init ]; then touch "$3"; exit 0; fi
            {start_body}
            """
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.mark.e2e
def test_run_kinto_serves_the_seeded_bucket_and_stops_its_process_group():
    with run_kinto() as server:
        pid, port, workdir = server.process.pid, server.port, server.workdir
        assert requests.get(f"{server.url}/__heartbeat__", timeout=5).status_code == 200
        with server.client() as client:
            listed = client.get_json(f"buckets/{KINTO_BUCKET}/collections")["data"]
            by_id = {c["id"]: c for c in listed}
            records = client.get_json(
                f"buckets/{KINTO_BUCKET}/collections/tasks/records", params={"_since": 0}
            )["data"]
        wrong = requests.get(
            f"{server.url}/buckets/{KINTO_BUCKET}/collections",
            auth=(server.username, "not-the-password"),
            timeout=5,
        )
    assert sorted(by_id) == ["notes", "tasks"]
    assert "properties" in by_id["tasks"]["schema"] and "schema" not in by_id["notes"]
    assert sum(1 for r in records if r.get("deleted")) == 1
    assert sum(1 for r in records if not r.get("deleted")) == 12
    assert wrong.status_code == 401
    eventually(lambda: not _alive(pid), timeout=10, message="kinto process gone")
    assert _refuses(port)
    assert not workdir.exists()


def test_kinto_service_starts_nothing_in_simulate_mode():
    assert kinto_service("simulate") is None


@pytest.mark.e2e
def test_kinto_service_config_reaches_a_live_server():
    with kinto_service("live") as config:
        tables = KintoLakeflowConnect(config).list_tables()
    assert tables == ["collections", "notes", "tasks"]
    assert _refuses(int(config["base_url"].split(":")[2].split("/")[0]))


def test_missing_kinto_skips_with_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert find_kinto([tmp_path]) is None
    with pytest.raises(pytest.skip.Exception, match=r"connector-skillpack\[kinto\]"):
        require_kinto([tmp_path])


def test_missing_kinto_fails_under_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    # BaseException: a skip must turn this test red, not skip it.
    with pytest.raises(BaseException) as caught:
        require_kinto([tmp_path])
    assert isinstance(caught.value, InputError), f"got {caught.value!r}, not a failure"
    assert caught.value.code == "kinto-missing"
    assert "kinto" in caught.value.hint


def test_kinto_that_exits_at_start_reports_its_log(tmp_path):
    fake = _fake_kinto(tmp_path, 'echo "cannot bind: boom"; exit 3')
    with pytest.raises(SourceError) as caught:
        start_kinto(executable=fake, timeout=10)
    assert caught.value.code == "kinto-start"
    assert "exited with status 3" in str(caught.value)
    assert "cannot bind: boom" in str(caught.value)


def test_kinto_that_never_answers_is_killed_with_its_children(tmp_path):
    pids = tmp_path / "pids"
    # The child ignores SIGTERM, so only the final SIGKILL of the group stops it.
    child = "(trap '' TERM; exec sleep 600) &"
    fake = _fake_kinto(tmp_path, f'{child} echo $! > "{pids}"; echo $$ >> "{pids}"; exec sleep 600')
    with pytest.raises(SourceError, match="did not answer"):
        start_kinto(executable=fake, timeout=1)
    started = [int(p) for p in pids.read_text().split()]
    assert len(started) == 2
    for pid in started:
        eventually(lambda pid=pid: not _alive(pid), timeout=10, message=f"process {pid} gone")
