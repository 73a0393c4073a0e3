"""Run a source's pytest suite in a subprocess with a hard timeout, and read back its events.

The subprocess is the point: a connector that crashes the interpreter, leaks threads or
never returns takes down its own process, not the tool. It runs with the tool's own
interpreter, in its own process group so a timeout kills everything it started, with the
events plugin (``_suite_plugin``) streaming results to a file as they happen.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skillpack.testing.config import CONFIG_PATH_ENV, MODE_ENV

_PLUGIN_SOURCE = Path(__file__).with_name("_plugin.py")
#: the name the plugin is imported under in the subprocess (unlikely to shadow anything)
_PLUGIN_MODULE = "_skillpack_suite_events"
_EVENTS_ENV = "SKILLPACK_SUITE_EVENTS"
_OFFLINE_ENV = "SKILLPACK_SUITE_OFFLINE"
_DUMP_ENV = "SKILLPACK_SUITE_DUMP"
#: how long to wait for a hung process to write its stack dump before it is killed
_DUMP_WAIT_S = 2.0
#: characters of the subprocess's own output kept for reports
_OUTPUT_TAIL = 3000
#: auto-loaded pytest plugins (by name) left out unless the test file mentions the word
_HEAVY_PLUGINS = {"hypothesispytest": "hypothesis"}


@dataclass
class RawRun:
    """What one pytest subprocess left behind: its events, exit status and output."""

    command: list[str]
    exit_code: int | None
    timed_out: bool
    seconds: float
    events: list[dict[str, Any]] = field(default_factory=list)
    #: every thread's stack at the moment of the timeout (faulthandler's text), if any
    stack_dump: str = ""
    output: str = ""


def pytest_command(test_file: Path, select: str | None, *, cwd: Path | None = None) -> list[str]:
    """The pytest command line for ``test_file`` (events plugin loaded, no cache written)."""
    shown = test_file
    if cwd is not None and cwd in test_file.parents:
        shown = test_file.relative_to(cwd)
    cmd = [sys.executable, "-m", "pytest", str(shown), "-p", "no:cacheprovider"]
    for plugin in _unneeded_plugins(test_file):
        cmd += ["-p", f"no:{plugin}"]
    cmd += ["-p", _PLUGIN_MODULE, "-q", "--no-header", "-rN"]
    if select:
        cmd += ["-k", select]
    return cmd


def _unneeded_plugins(test_file: Path) -> list[str]:
    """Auto-loaded plugins the suite does not use whose import dominates a short run."""
    try:
        text = test_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    # Hypothesis's pytest plugin imports all of hypothesis (about a second) at start-up;
    # a suite that does not mention it has no use for it.
    return [name for name, word in _HEAVY_PLUGINS.items() if word not in text]


def run_pytest_subprocess(
    test_file: Path,
    *,
    cwd: Path,
    mode: str,
    timeout_s: float,
    select: str | None = None,
    config_path: Path | None = None,
    offline: bool = False,
) -> RawRun:
    """Run the suite in ``test_file`` and return its events; kill it after ``timeout_s``.

    ``offline`` refuses every connection off the machine, whatever ``mode`` says."""
    with tempfile.TemporaryDirectory(prefix="skillpack-suite-") as tmp:
        scratch = Path(tmp)
        shutil.copyfile(_PLUGIN_SOURCE, scratch / f"{_PLUGIN_MODULE}.py")
        events_path, dump_path = scratch / "events.jsonl", scratch / "stack.txt"
        env = _environment(scratch, mode, events_path, dump_path, config_path)
        if offline:
            env[_OFFLINE_ENV] = "1"
        cmd = pytest_command(test_file, select, cwd=cwd)
        started = time.perf_counter()
        with open(scratch / "output.txt", "wb") as output:
            proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            timed_out = False
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                timed_out = True
                _dump_stacks(proc, dump_path)
                _kill_group(proc)
        seconds = time.perf_counter() - started
        return RawRun(
            command=_shown_command(cmd),
            exit_code=None if timed_out else proc.returncode,
            timed_out=timed_out,
            seconds=seconds,
            events=_read_events(events_path),
            stack_dump=_read_text(dump_path) if timed_out else "",
            output=_read_text(scratch / "output.txt")[-_OUTPUT_TAIL:],
        )


def _environment(
    scratch: Path, mode: str, events: Path, dump: Path, config_path: Path | None
) -> dict[str, str]:
    env = dict(os.environ)
    env[MODE_ENV] = mode
    env[_EVENTS_ENV] = str(events)
    env[_DUMP_ENV] = str(dump)
    # Bytecode caches would litter the user's workspace with __pycache__ folders.
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(scratch), env.get("PYTHONPATH", "")) if p)
    if config_path is not None:
        env[CONFIG_PATH_ENV] = str(config_path)
    return env


def _shown_command(cmd: list[str]) -> list[str]:
    """The command as a user would type it: ``python -m pytest ...`` without the plugin."""
    shown = ["python", *cmd[1:]]
    at = shown.index(_PLUGIN_MODULE)
    return shown[: at - 1] + shown[at + 1 :]


def _dump_stacks(proc: subprocess.Popen[bytes], dump_path: Path) -> None:
    """Ask the hung process for its thread stacks; give it a moment to write them."""
    if not hasattr(signal, "SIGUSR1") or proc.poll() is not None:
        return
    try:
        os.kill(proc.pid, signal.SIGUSR1)
    except OSError:
        return
    deadline = time.monotonic() + _DUMP_WAIT_S
    last = -1
    while time.monotonic() < deadline:
        size = dump_path.stat().st_size if dump_path.exists() else 0
        # faulthandler writes from its signal handler in one go: a non-empty file that
        # stopped growing is complete.
        if size and size == last:
            return
        last = size
        time.sleep(0.05)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - no process groups on this platform
            proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()


def _read_events(path: Path) -> list[dict[str, Any]]:
    events = []
    for line in _read_text(path).splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue  # the last line of a killed run may be cut short
        if isinstance(event, dict):
            events.append(event)
    return events


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ""
