"""Packaging a connector of an upstream checkout with the checkout's own per-source project.

In a Lakeflow Community Connectors checkout the source folder's ``pyproject.toml`` (written by
the implement step in the checkout's convention) is the package's metadata: a setuptools
project whose one package is ``databricks.labs.community_connector.sources.NAME``, depending
on the checkout's own ``lakeflow-community-connectors``. Packaging keeps that file as it is
(only ``version`` changes, when one is asked for), builds a wheel and an sdist from a copy of
the folder (so the build leaves nothing behind in it), and checks the wheel's contents,
metadata and run-time dependencies.

The wheel is not imported in a fresh venv here: its package lives inside the checkout's
package, which only an install of the checkout itself provides. The check says so.
"""

from __future__ import annotations

import email
import importlib.util
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import tomlkit

from skillpack.errors import InputError, SkillpackError
from skillpack.layout import UPSTREAM_PACKAGE, SourcePaths
from skillpack.package._deps import TOOLING_DISTRIBUTIONS, closure
from skillpack.package._pyproject import declared_dependencies, read_pyproject
from skillpack.package._verify import PackageCheck, _metadata_problems, check

#: the checkout's own distribution, which every source package depends on
CHECKOUT_DISTRIBUTION = "lakeflow-community-connectors"


def project_fields(paths: SourcePaths) -> tuple[Path, str, str]:
    """The per-source ``pyproject.toml``, its distribution name and version."""
    pyproject = paths.package_pyproject
    doc = read_pyproject(pyproject)
    if doc is None:
        raise InputError(
            f"no `{pyproject}`",
            hint=f"run `skillpack tool implement_connector` for `{paths.name}`: it writes the "
            "source's pyproject.toml as the checkout's connectors have it",
            code="no-pyproject",
        )
    project = doc.get("project", {})
    return pyproject, str(project.get("name", "")), str(project.get("version", ""))


def set_version(pyproject: Path, version: str) -> bool:
    """Write ``version`` into ``project.version``, keeping the rest; whether it changed."""
    doc = read_pyproject(pyproject)
    assert doc is not None
    if str(doc["project"].get("version")) == version:  # type: ignore[union-attr]
        return False
    doc["project"]["version"] = version  # type: ignore[index]
    pyproject.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return True


def _backend_here() -> bool:
    return all(importlib.util.find_spec(m) for m in ("setuptools", "wheel"))


def build(paths: SourcePaths, files: list[Path], work: Path, timeout_s: float) -> list[Path]:
    """Build the sdist and wheel from a copy of the source folder; the artifacts."""
    stage = work / "stage"
    for path in [*files, paths.package_pyproject]:
        dest = stage / path.relative_to(paths.source_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    out = work / "out"
    cmd = [sys.executable, "-m", "build", "--outdir", str(out)]
    if _backend_here():
        cmd.append("--no-isolation")
    cmd.append(str(stage))
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise SkillpackError(
            f"building `{paths.name}` took longer than {timeout_s:g}s",
            hint="raise `timeout_s`, or check that setuptools can be installed",
            code="build-timeout",
        ) from None
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-8:]
        raise SkillpackError(
            f"building `{paths.name}` failed: {tail[-1] if tail else 'no output'}",
            hint="the build log's last lines:\n  " + "\n  ".join(tail),
            code="build-failed",
        )
    return sorted(p for p in out.iterdir() if p.suffix == ".whl" or p.name.endswith(".tar.gz"))


def wheel_files(paths: SourcePaths, files: list[Path]) -> list[str]:
    """Where the source's files sit in the wheel (the package path, POSIX form)."""
    base = f"{UPSTREAM_PACKAGE}.{paths.name}".replace(".", "/")
    kept = (".py", ".json", ".md", ".yaml")
    return sorted(
        f"{base}/{p.relative_to(paths.source_dir).as_posix()}" for p in files if p.suffix in kept
    )


def checks(
    wheel: Path,
    expected: list[str],
    *,
    name: str,
    version: str,
    requires: list[str],
    metadata_requires: list[str],
) -> list[PackageCheck]:
    """Contents, metadata, run-time dependencies; and why the import check is skipped."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta_name = next((n for n in names if n.endswith(".dist-info/METADATA")), None)
        meta = email.message_from_bytes(zf.read(meta_name)) if meta_name else None
    missing = [f for f in expected if f not in names]
    found = [
        check(
            "wheel_contents",
            not missing,
            f"missing from the wheel: {', '.join(missing)}"
            if missing
            else f"{len(expected)} files under {expected[0].rsplit('/', 1)[0]}",
        )
    ]
    problems = (
        ["no METADATA"]
        if meta is None
        else _metadata_problems(meta, name, version, metadata_requires)
    )
    found.append(
        check(
            "metadata",
            not problems,
            "; ".join(problems) or f"{name} {version}; requires {', '.join(requires)}",
        )
    )
    dists, _ = closure(requires, skip=[CHECKOUT_DISTRIBUTION])
    tooling = sorted(d.name for d in dists if d.name.lower() in TOOLING_DISTRIBUTIONS)
    found.append(
        check(
            "runtime_dependencies",
            not tooling,
            f"besides {CHECKOUT_DISTRIBUTION}: {', '.join(sorted(d.name for d in dists))}"
            + (f"; tool dependencies: {', '.join(tooling)}" if tooling else ""),
        )
    )
    found.append(
        PackageCheck(
            name="venv_import",
            status="skipped",
            detail=f"the package lives inside {CHECKOUT_DISTRIBUTION}'s; importing it needs an "
            "install of the checkout itself, which verification does not build",
        )
    )
    return found


def requirements(pyproject: Path) -> list[str]:
    """The project's declared dependencies."""
    return declared_dependencies(pyproject)


def metadata_requirements(pyproject: Path) -> list[str]:
    """``Requires-Dist`` as the wheel must carry it: dependencies, then each extra's."""
    doc = read_pyproject(pyproject)
    assert doc is not None
    extras = doc.get("project", {}).get("optional-dependencies", {}) or {}
    marked = [f'{dep}; extra == "{extra}"' for extra, deps in extras.items() for dep in deps]
    return [*declared_dependencies(pyproject), *marked]
