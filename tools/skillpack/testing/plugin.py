"""The pytest plugin (entry point ``pytest11: skillpack``).

It makes a workspace's connector importable from its test file: a test file at
``ROOT/tests/sources/NAME/test_NAME.py`` gets ``ROOT`` (and the test folder) on
``sys.path`` before it is imported, so it can write ``from sources.NAME.NAME import ...``.
The same holds for an upstream checkout (``ROOT/src`` and ``ROOT``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from skillpack.layout import workspace_for_test_file
from skillpack.testing.config import MODE_ENV, MODES


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("skillpack", "connector test suites")
    group.addoption(
        "--connector-mode",
        choices=MODES,
        default=None,
        help=f"test mode for connector suites (sets {MODE_ENV}; default simulate)",
    )


def pytest_configure(config: pytest.Config) -> None:
    mode = config.getoption("--connector-mode", default=None)
    if mode:
        os.environ[MODE_ENV] = mode
    for line in (
        "e2e: end-to-end tests against real local services",
        "live: tests that need a live source (a local server counts)",
    ):
        config.addinivalue_line("markers", line)


def _add_import_roots(path: Path) -> None:
    paths = workspace_for_test_file(path)
    if paths is None:
        return
    for root in reversed(paths.import_roots):
        entry = str(root)
        if entry not in sys.path:
            sys.path.insert(0, entry)


@pytest.hookimpl(tryfirst=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> None:
    if file_path.suffix == ".py" and file_path.name.startswith("test_"):
        _add_import_roots(file_path)
