"""A real Kinto server for tests: start it, seed it, stop it without leaking a process.

Kinto (``pip install 'connector-skillpack[kinto]'``) is a JSON storage HTTP server. Three
front doors, all backed by :func:`run_kinto`:

- ``kinto_service`` is the suite's ``local_service`` hook: in ``live`` and ``record`` mode it
  starts a seeded Kinto for the test class and hands its config to the connector; in
  ``simulate`` mode it returns ``None`` so the recorded cassette answers instead;
- ``kinto_server`` is a pytest fixture yielding a running, seeded :class:`KintoServer`;
- ``run_kinto()`` is the context manager both use::

      with run_kinto() as server:
          connector = KintoLakeflowConnect(server.config())

Each server runs in its own process group on a free 127.0.0.1 port with the memory backend,
so it starts empty and leaves nothing behind. When the ``kinto`` executable is missing, the
hooks skip with a reason, except under ``CI=true``, where they fail: CI installs the extra.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from skillpack.errors import InputError, SourceError
from skillpack.sdk.auth import BasicAuth
from skillpack.sdk.http import RestClient
from skillpack.testing.eventually import EventuallyTimeout, eventually

#: bucket and account the seeded server uses (the replay config names the same bucket)
KINTO_BUCKET = "skillpack"
KINTO_USERNAME = "admin"
#: records per page in the config handed to connectors, small so paging is exercised
KINTO_PAGE_SIZE = 5
HEARTBEAT_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
INSTALL_HINT = "pip install 'connector-skillpack[kinto]' (or `make install EXTRAS=dev,kinto`)"

#: A collection with a JSON schema: the connector maps the schema to the table's columns.
TASKS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "done": {"type": "boolean"},
        "priority": {"type": "integer"},
        "estimate": {"type": "number"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}

#: Seed records by collection; ``notes`` has no JSON schema, so its columns are inferred.
SEED_RECORDS: dict[str, list[dict[str, Any]]] = {
    "tasks": [
        {
            "title": f"Task {i}",
            "done": i % 3 == 0,
            "priority": i % 5 + 1,
            "estimate": round(0.5 * i + 0.25, 2),
            "tags": ["seed", f"group-{i % 2}"],
        }
        for i in range(1, 13)
    ],
    "notes": [
        {"title": f"Note {i}", "body": f"Body of note {i}", "words": 10 * i, "pinned": i == 1}
        for i in range(1, 9)
    ],
}
SEED_SCHEMAS: dict[str, dict[str, Any] | None] = {"tasks": TASKS_SCHEMA, "notes": None}

_START_ATTEMPTS = 3

# Servers still running, stopped at interpreter exit if a caller forgot to.
_RUNNING: set[KintoServer] = set()


@dataclass(eq=False)
class KintoServer:
    """A running Kinto process and what a client needs to talk to it."""

    port: int
    password: str = field(repr=False)
    process: subprocess.Popen = field(repr=False)
    workdir: Path
    username: str = KINTO_USERNAME
    bucket: str = KINTO_BUCKET

    @property
    def url(self) -> str:
        """Base URL of the HTTP API, ending in ``/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def log_path(self) -> Path:
        """Where the server's stdout and stderr go."""
        return self.workdir / "kinto.log"

    @property
    def running(self) -> bool:
        """True while the server process is alive."""
        return self.process.poll() is None

    def config(self) -> dict[str, Any]:
        """Connector options for this server (the Kinto connector's ``options``)."""
        return {
            "base_url": self.url,
            "bucket": self.bucket,
            "username": self.username,
            "password": self.password,
            "page_size": str(KINTO_PAGE_SIZE),
        }

    def client(self) -> RestClient:
        """A REST client authenticated as the admin account."""
        return RestClient(self.url, auth=BasicAuth(self.username, self.password), timeout=10.0)

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines of the server log, with the password masked."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]).replace(self.password, "***")

    def stop(self) -> None:
        """Stop the process group (SIGTERM, then SIGKILL) and remove the work folder."""
        _stop_process(self.process)
        _RUNNING.discard(self)
        shutil.rmtree(self.workdir, ignore_errors=True)


def find_kinto(search_dirs: Sequence[Path] | None = None) -> Path | None:
    """The ``kinto`` executable: next to ``sys.executable`` (the venv) first, then on PATH."""
    if search_dirs is None:
        search_dirs = [Path(sys.executable).parent]
        path = os.environ.get("PATH", "")
        search_dirs += [Path(p) for p in path.split(os.pathsep) if p]
    for folder in search_dirs:
        candidate = folder / "kinto"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def in_ci() -> bool:
    """True when the ``CI`` environment variable says this is a CI run."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_kinto(search_dirs: Sequence[Path] | None = None) -> Path:
    """The ``kinto`` executable; skips the calling test without it, or fails under CI."""
    found = find_kinto(search_dirs)
    if found is not None:
        return found
    message = "kinto is not installed, so the live Kinto tests cannot run"
    if in_ci():
        # CI installs the kinto extra; a missing executable there is a broken setup.
        raise InputError(f"{message} (CI=true)", hint=INSTALL_HINT, code="kinto-missing")
    pytest.skip(f"{message}: {INSTALL_HINT}")


@contextlib.contextmanager
def run_kinto(
    *,
    executable: Path | None = None,
    seed: bool = True,
    timeout: float = HEARTBEAT_TIMEOUT_S,
) -> Iterator[KintoServer]:
    """Run a Kinto server for the block; with ``seed``, create the account, bucket and data."""
    server = start_kinto(executable=executable, timeout=timeout)
    try:
        if seed:
            seed_kinto(server)
        yield server
    finally:
        server.stop()


def start_kinto(
    *, executable: Path | None = None, timeout: float = HEARTBEAT_TIMEOUT_S
) -> KintoServer:
    """Start Kinto on a free port and wait for its heartbeat; the caller must ``stop()`` it."""
    kinto = executable or require_kinto()
    workdir = Path(tempfile.mkdtemp(prefix="skillpack-kinto-"))
    try:
        ini = _write_config(kinto, workdir)
        attempt = 0
        while True:
            attempt += 1
            server = _launch(kinto, ini, workdir)
            # A free port can be taken between the probe and the bind: then try another.
            if _wait_until_ready(server, timeout, retry=attempt < _START_ATTEMPTS):
                return server
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


def seed_kinto(server: KintoServer) -> None:
    """Create the admin account, the bucket, two collections, records and one tombstone each.

    ``tasks`` carries a JSON schema and ``notes`` does not, so both schema paths of the
    connector are exercised. Everything goes through Kinto's HTTP API.
    """
    with RestClient(server.url, timeout=10.0, max_retries=0) as anonymous:
        # Anyone may create an account; only account:admin may create buckets.
        anonymous.put(f"accounts/{server.username}", json={"data": {"password": server.password}})
    with server.client() as client:
        client.put(f"buckets/{server.bucket}", json={"data": {}})
        for name, records in SEED_RECORDS.items():
            schema = SEED_SCHEMAS.get(name)
            body = {"data": {"schema": schema}} if schema else {"data": {}}
            client.put(f"buckets/{server.bucket}/collections/{name}", json=body)
            path = f"buckets/{server.bucket}/collections/{name}/records"
            for record in records:
                client.post(path, json={"data": record})
            # One record created and deleted leaves a tombstone for the delete feed.
            gone = client.post(path, json={"data": {**records[0], "title": "Deleted"}})
            client.delete(f"{path}/{gone.json()['data']['id']}")


def kinto_service(mode: str) -> contextlib.AbstractContextManager[dict[str, Any]] | None:
    """``local_service`` hook: a seeded Kinto in live/record mode, nothing in simulate mode."""
    if mode not in ("live", "record"):
        return None
    return _service_config()


@contextlib.contextmanager
def _service_config() -> Iterator[dict[str, Any]]:
    with run_kinto() as server:
        yield server.config()


@pytest.fixture
def kinto_server() -> Iterator[KintoServer]:
    """A running, seeded Kinto for one test; skipped without kinto (failed under CI=true)."""
    with run_kinto() as server:
        yield server


# ----------------------------------------------------------------------------- process


def _write_config(kinto: Path, workdir: Path) -> Path:
    ini = workdir / "kinto.ini"
    # Without --cache-backend `kinto init` prompts; stdin is closed so it fails instead.
    command = [
        str(kinto),
        "init",
        "--ini",
        str(ini),
        "--backend",
        "memory",
        "--cache-backend",
        "memory",
        "--host",
        "127.0.0.1",
    ]
    done = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=workdir,
    )
    if done.returncode != 0 or not ini.exists():
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-10:])
        raise SourceError(
            f"`kinto init` failed with exit status {done.returncode}: {tail}",
            hint=f"check the kinto installation ({INSTALL_HINT})",
            code="kinto-start",
        )
    return ini


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _launch(kinto: Path, ini: Path, workdir: Path) -> KintoServer:
    port = _free_port()
    with open(workdir / "kinto.log", "ab") as log:
        process = subprocess.Popen(
            [str(kinto), "start", "--ini", str(ini), "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            # Its own process group, so teardown can kill it and anything it spawned.
            start_new_session=True,
        )
    server = KintoServer(
        port=port, password=secrets.token_urlsafe(18), process=process, workdir=workdir
    )
    _RUNNING.add(server)
    return server


class _Exited(Exception):
    """The server process ended while we waited for its heartbeat."""


def _wait_until_ready(server: KintoServer, timeout: float, *, retry: bool) -> bool:
    """True once the heartbeat answers; False if the process died early (and may be retried)."""
    heartbeat = f"{server.url}/__heartbeat__"

    def answers() -> bool:
        if not server.running:
            raise _Exited()
        try:
            response = requests.get(heartbeat, timeout=1.0)
        except requests.RequestException as exc:
            raise AssertionError(f"heartbeat not answering yet ({type(exc).__name__})") from None
        assert response.status_code == 200, f"heartbeat answered {response.status_code}"
        return True

    try:
        eventually(answers, timeout=timeout, interval=0.05, max_interval=0.25, message="heartbeat")
        return True
    except _Exited:
        if retry:
            _stop_process(server.process)
            _RUNNING.discard(server)
            return False
        reason = f"the Kinto process exited with status {server.process.returncode}"
    except EventuallyTimeout:
        reason = f"Kinto did not answer {heartbeat} within {timeout:g}s"
    tail = server.log_tail()
    server.stop()
    raise SourceError(
        f"{reason}; last lines of its log:\n{tail}",
        hint=f"check that kinto starts by hand: kinto start --ini FILE ({INSTALL_HINT})",
        code="kinto-start",
    )


def _stop_process(process: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it if it lingers, and reap the leader."""
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT_S)
    # Children that outlived the leader still carry its group id.
    _signal_group(process.pid, signal.SIGKILL)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


@atexit.register
def _stop_all() -> None:
    for server in list(_RUNNING):
        server.stop()
