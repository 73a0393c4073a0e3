"""Turn the events of one pytest subprocess into per-test results, each failure diagnosed."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from skillpack.layout import SourcePaths
from skillpack.sdk.redaction import redact_text
from skillpack.suite._diagnose import Diagnosis, Failure, diagnose
from skillpack.suite._runner import RawRun

Outcome = Literal["passed", "failed", "error", "skipped", "timeout", "not-run"]
Phase = Literal["collect", "setup", "call", "teardown", "session"]

_MESSAGE_WIDTH = 2000
_SKIP_PREFIX = "Skipped: "
#: a skip with this cause means the suite could not run at all, so it counts against the gate
BLOCKING_SKIP = "[config-missing]"
_E_LINE = re.compile(r"^E\s+(.*)$", re.M)
_EXC_NAME = re.compile(r"^([A-Z][A-Za-z0-9_.]*(?:Error|Exception|Exit|Interrupt))\b")


class TestResult(BaseModel):
    """One test's outcome, with the diagnosis of its failure."""

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str = Field(description="pytest's id of the test.")
    name: str = Field(description="The test's short name, e.g. `test_read_table`.")
    outcome: Outcome = Field(
        description="passed, failed, error (setup/teardown/import), skipped, timeout (running "
        "when the run was stopped) or not-run (never reached)."
    )
    duration_s: float = Field(0.0, description="Seconds spent in setup, call and teardown.")
    phase: Phase | None = Field(None, description="Where it failed: collect, setup, call ...")
    message: str = Field("", description="The failure or skip message, secrets masked.")
    exception_type: str | None = Field(None, description="Type name of the exception raised.")
    diagnosis: Diagnosis | None = Field(
        None, description="Cause, fix and location; set for every test that did not pass."
    )


class SuiteCounts(BaseModel):
    """How many tests ended each way."""

    passed: int = Field(0, description="Tests that passed.")
    failed: int = Field(0, description="Tests whose call failed.")
    errors: int = Field(0, description="Tests that errored in setup, teardown or import.")
    skipped: int = Field(0, description="Tests skipped (e.g. write tests outside live mode).")
    timed_out: int = Field(0, description="Tests running when the timeout stopped the run.")
    not_run: int = Field(0, description="Tests never reached because the run was stopped.")
    total: int = Field(0, description="All tests selected.")


@dataclass
class _Acc:
    nodeid: str
    outcome: str = "not-run"
    started: bool = False
    done: bool = False
    duration: float = 0.0
    phase: str | None = None
    message: str = ""
    exc_type: str | None = None
    frames: list[Any] = field(default_factory=list)
    text: str = ""

    def add(self, e: dict[str, Any]) -> None:
        when, outcome = e.get("when"), e.get("outcome")
        self.duration += float(e.get("duration") or 0.0)
        if when == "teardown":
            self.done = True
        if outcome == "failed":
            if self.outcome in ("failed", "error"):
                return  # the first failure is the cause; a teardown error follows from it
            self.outcome = "failed" if when == "call" else "error"
            self.phase = when
            self.message, self.exc_type = e.get("message") or "", e.get("exc_type")
            self.frames, self.text = e.get("frames") or [], e.get("text") or ""
        elif outcome == "skipped" and self.outcome not in ("failed", "error"):
            self.outcome = "skipped"
            self.message = (e.get("message") or "").removeprefix(_SKIP_PREFIX)
        elif outcome == "passed" and when == "call":
            self.outcome = "passed"


@dataclass
class Assembled:
    """Per-test results and the facts about the run that go with them."""

    tests: list[TestResult]
    counts: SuiteCounts
    running: str | None
    pytest_exit: int | None
    rootdir: Path | None


def assemble(raw: RawRun, paths: SourcePaths, secrets: frozenset[str]) -> Assembled:
    """Results for every selected test, in run order, failures diagnosed."""
    accs: dict[str, _Acc] = {}
    rootdir: Path | None = None
    exitstatus: int | None = None
    for e in raw.events:
        kind = e.get("event")
        if kind == "session":
            rootdir = Path(e["rootdir"])
        elif kind == "collected":
            for nodeid in e.get("nodeids", []):
                accs.setdefault(nodeid, _Acc(nodeid))
        elif kind == "collect-error":
            acc = accs.setdefault(e["nodeid"], _Acc(e["nodeid"]))
            acc.outcome, acc.phase, acc.done, acc.text = "error", "collect", True, e["text"]
            acc.message = _exception_line(e["text"])
            acc.exc_type = _exc_name(acc.message)
        elif kind == "start":
            acc = accs.setdefault(e["nodeid"], _Acc(e["nodeid"]))
            acc.started = True
        elif kind == "report":
            accs.setdefault(e["nodeid"], _Acc(e["nodeid"])).add(e)
        elif kind == "finish":
            exitstatus = int(e["exitstatus"])
    running = None
    for acc in accs.values():
        if acc.started and not acc.done:
            running = running or acc.nodeid
            if acc.outcome not in ("failed", "error"):
                acc.outcome = "timeout" if raw.timed_out else "error"
                acc.phase = acc.phase or "call"
                if not raw.timed_out:
                    acc.message = f"the test process exited while this test ran ({raw.exit_code})"
    if not accs and not raw.timed_out and raw.exit_code not in (0, 5):
        accs["<session>"] = _session_error(raw)
    tests = [_result(acc, raw, paths, secrets, rootdir) for acc in accs.values()]
    pytest_exit = raw.exit_code if exitstatus is None else exitstatus
    return Assembled(tests, _count(tests), running, pytest_exit, rootdir)


def signature(tests: list[TestResult]) -> str:
    """A short fingerprint of what failed, why and where: equal across runs = no progress."""
    parts = sorted(
        f"{t.nodeid}|{t.diagnosis.cause}|{t.diagnosis.location}"
        for t in tests
        if t.diagnosis is not None and not is_benign_skip(t)
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12] if parts else ""


def is_benign_skip(t: TestResult) -> bool:
    """A skip that is not a problem (e.g. write tests outside live mode)."""
    return t.outcome == "skipped" and not t.message.startswith(BLOCKING_SKIP)


def _result(
    acc: _Acc, raw: RawRun, paths: SourcePaths, secrets: frozenset[str], rootdir: Path | None
) -> TestResult:
    message = redact_text(acc.message.strip(), secrets)
    if len(message) > _MESSAGE_WIDTH:
        message = message[:_MESSAGE_WIDTH] + "..."
    diagnosis = None
    if acc.outcome in ("failed", "error", "timeout") or (
        acc.outcome == "skipped" and acc.message.startswith(BLOCKING_SKIP)
    ):
        failure = Failure(
            nodeid=acc.nodeid,
            outcome=acc.outcome,
            message=acc.message,
            exc_type=acc.exc_type,
            frames=acc.frames,
            text=acc.text,
            stack_dump=raw.stack_dump if acc.outcome == "timeout" else "",
            base=rootdir,
        )
        diagnosis = diagnose(failure, paths, secrets)
    return TestResult(
        nodeid=acc.nodeid,
        name=acc.nodeid.rsplit("::", 1)[-1].rsplit("/", 1)[-1],
        outcome=acc.outcome,  # type: ignore[arg-type]
        duration_s=round(acc.duration, 4),
        phase=acc.phase,  # type: ignore[arg-type]
        message=message,
        exception_type=acc.exc_type,
        diagnosis=diagnosis,
    )


def _session_error(raw: RawRun) -> _Acc:
    """A run that died before any test: pytest's own output is the only evidence."""
    acc = _Acc("<session>", outcome="error", phase="session", done=True, text=raw.output)
    acc.message = _exception_line(raw.output) or (
        raw.output.strip().splitlines()[-1] if raw.output.strip() else "pytest failed to start"
    )
    acc.exc_type = _exc_name(acc.message)
    return acc


def _exception_line(text: str) -> str:
    """The exception line of pytest's report text (the last ``E`` line naming an exception)."""
    lines = [m.group(1).strip() for m in _E_LINE.finditer(text or "")]
    named = [line for line in lines if _EXC_NAME.match(line)]
    if named:
        return named[-1]
    return lines[-1] if lines else ""


def _exc_name(line: str) -> str | None:
    m = _EXC_NAME.match(line or "")
    return m.group(1).rsplit(".", 1)[-1] if m else None


def _count(tests: list[TestResult]) -> SuiteCounts:
    counts = SuiteCounts(total=len(tests))
    keys = {
        "passed": "passed",
        "failed": "failed",
        "error": "errors",
        "skipped": "skipped",
        "timeout": "timed_out",
        "not-run": "not_run",
    }
    for t in tests:
        key = keys[t.outcome]
        setattr(counts, key, getattr(counts, key) + 1)
    return counts
