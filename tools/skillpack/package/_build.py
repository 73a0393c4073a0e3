"""Staging a source as a package, and building wheels and sdists with ``build`` (PEP 517).

The wheel installs the source's folder as the top-level package ``lakeflow_connector_NAME``:
the folder's files are copied to a staging tree, with ``sources.NAME.`` (and the upstream
``databricks.labs.community_connector.sources.NAME.``) in Python files rewritten to the
package name, beside the generated ``pyproject.toml``. ``build`` then makes the sdist and,
from that sdist, the wheel, so a wheel that builds proves the sdist is complete.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.version import Version

import skillpack
from skillpack.errors import InputError, SkillpackError
from skillpack.layout import UPSTREAM_PACKAGE, SourcePaths
from skillpack.package._pyproject import BUILD_REQUIRES

#: lines of the build log quoted when a build fails
LOG_TAIL = 12
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Failed)\b.*:")


def rewrite_imports(text: str, source: str, package: str) -> str:
    """``text`` with the workspace's dotted names for the source replaced by ``package``."""
    for prefix in (f"sources.{source}", f"{UPSTREAM_PACKAGE}.{source}"):
        text = re.sub(rf"(?<![\w.]){re.escape(prefix)}(?!\w)", package, text)
    return text


def _init_text(source: str, package: str) -> str:
    return (
        f'"""The `{source}` connector as a package: the connector class is in '
        f'`{package}.{source}`."""\n'
    )


def stage(
    paths: SourcePaths, files: list[Path], pyproject: Path, package: str, target: Path
) -> list[str]:
    """Copy the source into ``target`` as a buildable project; returns the package's files.

    Paths are relative to ``target``, in POSIX form, sorted; a generated ``__init__.py`` is
    among them when the source folder has none.
    """
    shutil.copyfile(pyproject, target / "pyproject.toml")
    root = target / package
    root.mkdir(parents=True)
    staged: list[str] = []
    for path in files:
        rel = path.relative_to(paths.source_dir)
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".py":
            text = path.read_text(encoding="utf-8")
            dest.write_text(rewrite_imports(text, paths.name, package), encoding="utf-8")
        else:
            shutil.copyfile(path, dest)
        staged.append(f"{package}/{rel.as_posix()}")
    init = root / "__init__.py"
    if not init.exists():
        init.write_text(_init_text(paths.name, package), encoding="utf-8")
        staged.append(f"{package}/__init__.py")
    return sorted(staged)


def _backend_here() -> bool:
    """True when this interpreter has the build backend, so the build needs no network."""
    if importlib.util.find_spec("hatchling") is None:
        return False
    wanted = BUILD_REQUIRES.split(">=")[1]
    try:
        return Version(metadata.version("hatchling")) >= Version(wanted)
    except metadata.PackageNotFoundError:
        return False


def _log_tail(log: str) -> list[str]:
    """The log's last lines without traceback frames: what failed, not where in the backend."""
    kept: list[str] = []
    in_traceback = False
    for line in log.splitlines():
        if line.startswith("Traceback (most recent call last)"):
            in_traceback = True
            continue
        if in_traceback and (line.startswith(" ") or not line.strip()):
            continue
        in_traceback = False
        # `build` ends a failure with a generic debugging tip; it says nothing about the cause.
        if line.strip() and not line.startswith("TIP "):
            kept.append(line.rstrip())
    return kept[-LOG_TAIL:]


def _reason(tail: list[str]) -> str:
    for line in reversed(tail):
        if _EXCEPTION_LINE.match(line.strip()):
            return line.strip()
    return tail[-1].removeprefix("ERROR ").strip() if tail else "no output"


def run_build(
    project: Path, out_dir: Path, *, what: str, timeout_s: float, wheel_only: bool = False
) -> list[Path]:
    """``python -m build`` on ``project`` into ``out_dir``; the artifacts, or ``SkillpackError``.

    Without flags ``build`` makes the sdist and then the wheel from it. ``--no-isolation``
    is used when the backend is installed here: no download, and much faster.
    """
    cmd = [sys.executable, "-m", "build", "--outdir", str(out_dir)]
    if wheel_only:
        cmd.append("--wheel")
    if _backend_here():
        cmd.append("--no-isolation")
    cmd.append(str(project))
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout_s, check=False, cwd=project
        )
    except subprocess.TimeoutExpired:
        raise SkillpackError(
            f"building {what} took longer than {timeout_s:g}s",
            hint="raise `timeout_s`, or check that the build backend can be installed",
            code="build-timeout",
        ) from None
    if done.returncode != 0:
        tail = _log_tail(done.stdout + "\n" + done.stderr)
        raise SkillpackError(
            f"building {what} failed: {_reason(tail)}",
            hint="the build log's last lines:\n  " + "\n  ".join(tail),
            code="build-failed",
        )
    return sorted(p for p in out_dir.iterdir() if p.suffix == ".whl" or p.name.endswith(".tar.gz"))


# --- the pack's own wheel, for verification -----------------------------------------------

_PACK_WHEELS: dict[str, Path] = {}


def pack_source_root() -> Path | None:
    """The source tree the running pack was installed from (editable), if there is one."""
    root = Path(skillpack.__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file() or not (root / "tools" / "skillpack").is_dir():
        return None
    if 'name = "connector-skillpack"' not in pyproject.read_text(encoding="utf-8"):
        return None
    return root


def _fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    for folder in ("tools/skillpack", "skills", "agents"):
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    for name in ("pyproject.toml", "README.md"):
        path = root / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def pack_wheel(timeout_s: float) -> Path:
    """A wheel of the running pack, built once per process (and per source-tree state)."""
    root = pack_source_root()
    if root is None:
        raise InputError(
            "this connector-skillpack is not installed from a source tree, so its wheel "
            "cannot be built for verification",
            hint="pass `sdk_wheel` (a connector-skillpack wheel), or `verify: false`",
            code="no-pack-source",
        )
    key = _fingerprint(root)
    found = _PACK_WHEELS.get(key)
    if found is not None and found.is_file():
        return found
    out = Path(tempfile.mkdtemp(prefix="skillpack-pack-wheel-"))
    atexit.register(shutil.rmtree, out, True)
    wheels = run_build(
        root, out, what="the connector-skillpack wheel", timeout_s=timeout_s, wheel_only=True
    )
    _PACK_WHEELS[key] = wheels[0]
    return wheels[0]
