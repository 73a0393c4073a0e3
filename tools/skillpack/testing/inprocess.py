"""Run pytest in this process and collect per-test outcomes (demo, benchmarks).

Tools that must survive a broken connector run pytest in a subprocess instead;
this is for callers that trust the code under test and want no start-up cost.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


@dataclass
class TestOutcome:
    """One test's result."""

    nodeid: str
    outcome: str  # passed | failed | skipped
    duration: float
    message: str = ""


@dataclass
class RunSummary:
    """Counts and outcomes of one pytest run."""

    exit_code: int
    seconds: float
    outcomes: list[TestOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def passed(self) -> int:
        return self.count("passed")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def skipped(self) -> int:
        return self.count("skipped")


class _Collector:
    def __init__(self) -> None:
        self.outcomes: list[TestOutcome] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            message = ""
            if report.failed:
                message = str(report.longrepr).strip().splitlines()[-1][:300]
            elif report.skipped and isinstance(report.longrepr, tuple):
                message = str(report.longrepr[2])
            self.outcomes.append(
                TestOutcome(report.nodeid, report.outcome, report.duration, message)
            )


@contextlib.contextmanager
def _environ(overrides: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_pytest(args: list[str], *, env: dict[str, str] | None = None) -> RunSummary:
    """``pytest.main(args)`` with ``env`` applied for the run; returns the outcomes."""
    collector = _Collector()
    started = time.perf_counter()
    with _environ(env or {}):
        # skillpack itself is already imported here, so pytest cannot rewrite its asserts;
        # that is expected, not a problem worth a warning (which -W error would raise).
        quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
        code = pytest.main(["-p", "no:cacheprovider", *quiet, *args], plugins=[collector])
    return RunSummary(int(code), time.perf_counter() - started, collector.outcomes)
