"""A packaged connector installs lean: pip, a fresh venv, and the wheel's own requirements.

Unlike package verification (which links the dependencies already installed here), this test
lets pip resolve the wheel's requirements from the configured package index, as a user's
install would, and then reads what landed in the venv.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from skillpack.create.demo import copy_bundled_workspace
from skillpack.tools import PackageConnectorIn, package_connector

#: the tool pack's own machinery; a running connector needs none of it
TOOLING = {"connector-skillpack", "pytest", "mcp", "libcst", "gitpython", "vcrpy", "build"}
#: pip's own distributions, present in any venv before anything is installed
VENV_BASELINE = {"pip", "setuptools"}
MOST_DISTRIBUTIONS = 12


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The example's wheel installed with its dependencies into a fresh venv; the venv's dists."""
    base = tmp_path_factory.mktemp("runtime")
    workspace = copy_bundled_workspace(base / "ws")
    out = package_connector(
        PackageConnectorIn(source="example", workspace=str(workspace), verify=False)
    )
    wheel = next(a.path for a in out.artifacts if a.kind == "wheel")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    done = _pip("--python", str(python), "install", "-q", "--only-binary", ":all:", wheel)
    assert done.returncode == 0, done.stderr[-2000:]
    listed = _pip("--python", str(python), "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr[-2000:]
    names = sorted(canonicalize_name(d["name"]) for d in json.loads(listed.stdout))
    return python, [n for n in names if n not in VENV_BASELINE]


def test_the_wheel_pulls_at_most_a_dozen_distributions_and_no_tooling(installed):
    _, names = installed
    assert "lakeflow-connector-example" in names
    assert len(names) <= MOST_DISTRIBUTIONS, names
    assert not TOOLING & set(names), sorted(TOOLING & set(names))
    assert {"requests", "pydantic"} <= set(names)


def test_the_installed_connector_imports_without_the_pack(installed):
    python, _ = installed
    code = (
        "import importlib.util, sys\n"
        "from lakeflow_connector_example.example import ExampleLakeflowConnect\n"
        "assert importlib.util.find_spec('skillpack') is None\n"
        "options = {'base_url': 'http://127.0.0.1:9', 'api_key': 'stand-in'}\n"
        "print(sorted(ExampleLakeflowConnect(options).list_tables()))\n"
    )
    done = subprocess.run(
        [str(python), "-I", "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['customers', 'events', 'orders', 'products']"
