"""Running a source's test suite and diagnosing each failure: ``run_suite``."""

from __future__ import annotations

from skillpack.suite.run import RunSuiteIn, RunSuiteOut, run_suite

__all__ = ["RunSuiteIn", "RunSuiteOut", "run_suite"]
