"""What the Spark tests need (pyspark, pyarrow, Java): skip without it, fail under CI=true.

CI installs the ``spark`` extra and has Java 17, so a missing piece there is a broken setup,
not a reason to skip.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from skillpack.testing.kinto_server import in_ci

SPARK_INSTALL_HINT = "pip install 'connector-skillpack[spark]' (or `make install EXTRAS=dev,spark`)"
JAVA_HINT = "install Java 17 (pyspark 4 needs it) and put `java` on PATH or set JAVA_HOME"


def require_pyspark(find_spec: Callable[[str], Any] = importlib.util.find_spec) -> None:
    """Return if pyspark and pyarrow import; else skip the module (fail under CI=true)."""
    missing = [name for name in ("pyspark", "pyarrow") if find_spec(name) is None]
    if missing:
        _unavailable(f"{' and '.join(missing)} not installed", SPARK_INSTALL_HINT)


def require_java(which: Callable[[str], str | None] = shutil.which) -> None:
    """Return if a ``java`` executable is found; else skip (fail under CI=true)."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return
    if which("java") is None:
        _unavailable("no Java runtime found", JAVA_HINT)


def _unavailable(what: str, hint: str) -> None:
    message = f"{what}, so the Spark tests cannot run"
    if in_ci():
        pytest.fail(f"{message} (CI=true): {hint}", pytrace=False)
    pytest.skip(f"{message}: {hint}", allow_module_level=True)
