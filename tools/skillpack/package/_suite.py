"""Run by ``package_connector`` in a subprocess: a source's tests against its single-file form.

    python _package_suite.py CONNECTOR_IMPORT MERGED_FILE TEST_FILE REPORT_JSON

The merged module is loaded under the connector's own dotted name (``sources.NAME.NAME``)
before pytest starts, so the test file's ``from sources.NAME.NAME import ...`` gets the merged
classes and the generic suite runs against them, in simulate mode. The report says how many
tests passed, failed and were skipped, and whether the suite really used the merged module.
A subprocess keeps a broken merged module, and pytest's global state, out of the caller.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

_CAUSE = re.compile(r"\[([a-z][a-z0-9-]*)\]")


class _Report:
    """Collects outcomes and the modules of the connector classes the tests were given."""

    def __init__(self) -> None:
        self.outcomes: list[tuple[str, str]] = []
        self.connector_modules: set[str] = set()

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            connector = getattr(getattr(item, "cls", None), "connector_class", None)
            if connector is not None:
                self.connector_modules.add(getattr(connector, "__module__", ""))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and not report.passed):
            # Only the test's name and the failure's cause code leave this process: a
            # message could quote whatever config the suite resolved.
            summary = ""
            if report.failed:
                found = _CAUSE.search(str(report.longrepr))
                name = report.nodeid.rpartition("::")[2]
                summary = f"{name} [{found.group(1)}]" if found else name
            self.outcomes.append((report.outcome, summary))


def main(argv: list[str]) -> int:
    name, merged, test_file, report_path = argv
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.util.spec_from_file_location(name, merged)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {merged}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    os.environ["CONNECTOR_TEST_MODE"] = "simulate"
    report = _Report()
    # The connector test file may sit under a project whose pytest settings differ; only
    # the outcomes matter here, so warnings are not errors and no cache is written.
    args = [test_file, "-q", "--no-header", "-p", "no:cacheprovider", "-W", "ignore"]
    code = pytest.main(args, plugins=[report])
    counts: dict[str, Any] = {
        kind: sum(1 for outcome, _ in report.outcomes if outcome == kind)
        for kind in ("passed", "failed", "skipped")
    }
    failures = [message for outcome, message in report.outcomes if outcome == "failed"]
    counts.update(
        exit_code=int(code),
        merged_in_use=report.connector_modules == {name} and sys.modules.get(name) is module,
        first_failure=failures[0] if failures else "",
    )
    Path(report_path).write_text(json.dumps(counts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
