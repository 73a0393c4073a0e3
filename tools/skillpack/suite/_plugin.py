"""A pytest plugin that streams each test's result to a JSON-lines file as it happens.

``run_suite`` copies this file next to the run's other scratch files and loads it into the
pytest subprocess with ``-p``. It imports nothing from ``skillpack``, so a broken
workspace or a slow package import cannot stop it from reporting, and it writes one line
per event and flushes at once, so a run killed at the timeout still leaves every result
reached so far plus the test that was running. Events (``"event"`` key):

- ``session``: ``rootdir`` (what relative paths in pytest's report text are relative to)
- ``collected``: ``nodeids`` in run order
- ``collect-error``: ``nodeid``, ``text`` (pytest's report, e.g. an import error)
- ``start``: ``nodeid`` (the test about to run)
- ``report``: ``nodeid``, ``when``, ``outcome``, ``duration``, ``message``,
  ``exc_type``, ``frames`` (``[path, line, function]``, innermost last) and ``text``
- ``finish``: ``exitstatus``

``SIGUSR1`` makes the process dump every thread's stack to the file named by
``SKILLPACK_SUITE_DUMP``, which is how a hang is located before the process is killed.

``SKILLPACK_SUITE_OFFLINE`` set refuses every connection off the machine for the run: the
one case where the plugin imports ``skillpack`` (its network guard), since a run that must
stay offline is better stopped than let through.
"""

from __future__ import annotations

import json
import os
import signal
import traceback
from typing import Any

import pytest

EVENTS_ENV = "SKILLPACK_SUITE_EVENTS"
DUMP_ENV = "SKILLPACK_SUITE_DUMP"
OFFLINE_ENV = "SKILLPACK_SUITE_OFFLINE"
#: bounds on what one event carries, so a huge failure cannot flood the file
_MAX_TEXT = 8000
_MAX_FRAMES = 80

_stream: Any = None
_dump: Any = None
_guard: Any = None


def _emit(event: dict[str, Any]) -> None:
    if _stream is not None:
        _stream.write(json.dumps(event, default=str) + "\n")
        _stream.flush()


def pytest_configure(config: pytest.Config) -> None:
    global _stream, _dump, _guard
    if os.environ.get(OFFLINE_ENV) and _guard is None:
        from skillpack.testing._netguard import block_network

        _guard = block_network(why="this run stays offline")
        _guard.__enter__()
    path = os.environ.get(EVENTS_ENV)
    if path and _stream is None:
        _stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
    dump_path = os.environ.get(DUMP_ENV)
    if dump_path and _dump is None and hasattr(signal, "SIGUSR1"):
        import faulthandler

        _dump = open(dump_path, "w", encoding="utf-8")  # noqa: SIM115 - held until exit
        faulthandler.register(signal.SIGUSR1, file=_dump, all_threads=True)
    _emit({"event": "session", "rootdir": str(config.rootpath)})


def pytest_collection_finish(session: pytest.Session) -> None:
    _emit({"event": "collected", "nodeids": [item.nodeid for item in session.items]})


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _emit({"event": "collect-error", "nodeid": report.nodeid, "text": _text(report)})


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    _emit({"event": "start", "nodeid": nodeid})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    event: dict[str, Any] = {
        "event": "report",
        "nodeid": report.nodeid,
        "when": report.when,
        "outcome": report.outcome,
        "duration": report.duration,
        "message": "",
        "exc_type": None,
        "frames": [],
        "text": "",
    }
    if report.skipped and isinstance(report.longrepr, tuple):
        event["message"] = str(report.longrepr[2])
    elif report.failed:
        exc = call.excinfo.value if call.excinfo is not None else None
        if exc is not None:
            event["exc_type"] = type(exc).__name__
            event["message"] = _exc_message(exc)
            event["frames"] = _frames(exc)
        event["text"] = _text(report)
        if not event["message"]:
            event["message"] = event["text"]
    _emit(event)
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _emit({"event": "finish", "exitstatus": int(exitstatus)})


def pytest_unconfigure(config: pytest.Config) -> None:
    global _guard
    if _guard is not None:
        _guard.__exit__(None, None, None)
        _guard = None


def _text(report: Any) -> str:
    try:
        text = report.longreprtext
    except Exception:  # a report type without text must not break the run
        text = str(report.longrepr or "")
    return text[-_MAX_TEXT:]


def _exc_message(exc: BaseException) -> str:
    # pytest.fail() keeps its text in ``msg``; str() of any other exception is its message.
    text = getattr(exc, "msg", None)
    if not isinstance(text, str):
        text = str(exc)
    return text[:_MAX_TEXT]


def _frames(exc: BaseException) -> list[list[Any]]:
    """Frames of ``exc`` and the exceptions it was raised from, innermost last."""
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    frames: list[list[Any]] = []
    for item in reversed(chain):
        for frame in traceback.extract_tb(item.__traceback__):
            frames.append([frame.filename, frame.lineno, frame.name])
        where = getattr(item, "filename", None)
        line = getattr(item, "lineno", None)
        if isinstance(item, SyntaxError) and isinstance(where, str) and isinstance(line, int):
            # A syntax error is not a frame: the bad line only lives on the exception.
            frames.append([where, line, "<syntax>"])
    return frames[-_MAX_FRAMES:]
