"""The SDK loads with requests and pydantic only: nothing of the test or tool machinery."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import skillpack

SDK = Path(skillpack.__file__).parent / "sdk"
#: third-party top-level modules the SDK may load (requests and pydantic, with theirs)
ALLOWED = {
    "annotated_types",
    "certifi",
    "charset_normalizer",
    "idna",
    "pydantic",
    "pydantic_core",
    "requests",
    "typing_extensions",
    "typing_inspection",
    "urllib3",
    "skillpack",
}


def test_every_sdk_module_imports_without_tooling_dependencies():
    modules = sorted(f"skillpack.sdk.{p.stem}" for p in SDK.glob("*.py") if p.stem != "__init__")
    assert "skillpack.sdk.http" in modules
    code = (
        "import importlib, json, sys\n"
        "before = set(sys.modules)\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "tops = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(json.dumps(sorted(t for t in tops if t not in sys.stdlib_module_names)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    # Map modules to distributions; names no distribution provides are interpreter artefacts
    # (a compiled module's `cython_runtime`, `_sysconfigdata_*`).
    provided = metadata.packages_distributions()
    loaded = {t for t in json.loads(done.stdout) if t in provided or t == "skillpack"}
    assert {"skillpack", "requests", "pydantic"} <= loaded
    assert loaded <= ALLOWED, sorted(loaded - ALLOWED)
