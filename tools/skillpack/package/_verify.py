"""Checks on built artifacts: contents, metadata, and an install into a fresh venv.

The install check creates a venv without pip (``python -m venv --without-pip``) and installs
the connector wheel and a wheel of the pack into it with this interpreter's pip
(``pip --python VENV install --no-deps --no-index``): nothing is downloaded. The pack is not
published, so its wheel is built locally. Third-party dependencies are not downloaded either:
the venv gets a ``.pth`` file naming a folder of links to exactly the installed distributions
the wheels need (their dependency closure, read from this environment), so an import that
works there proves the declared dependencies are enough. The probe then imports the
connector in the venv with ``python -I`` and runs ``list_tables()`` with stand-in options.
"""

from __future__ import annotations

import email
import importlib.util
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from pydantic import BaseModel, Field

from skillpack.errors import SkillpackError
from skillpack.layout import SourcePaths
from skillpack.package._deps import PACK_DISTRIBUTION, closure, link_installed
from skillpack.sdk.redaction import redact_text, secret_values

PROBE = Path(__file__).with_name("_probe.py")
_DEPS_PTH = "_skillpack_verify_deps.pth"
_STAND_IN_URL = "http://127.0.0.1:9"

Status = Literal["passed", "failed", "skipped"]


class PackageCheck(BaseModel):
    """One verification step and how it went."""

    name: str = Field(description="What was checked, e.g. `wheel_contents` or `venv_import`.")
    status: Status = Field(description="passed, failed, or skipped (with the reason in detail).")
    detail: str = Field("", description="What was found, or why it failed or was skipped.")


def check(name: str, ok: bool, detail: str) -> PackageCheck:
    """A passed or failed check."""
    return PackageCheck(name=name, status="passed" if ok else "failed", detail=detail)


# --- contents and metadata ----------------------------------------------------------------


def wheel_contents(wheel: Path, staged: list[str]) -> PackageCheck:
    """Every staged file (modules, subpackages, data files) is in the wheel."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    missing = [f for f in staged if f not in names]
    packages = packages_of(staged)
    data = [f for f in staged if not f.endswith(".py")]
    if missing:
        return check("wheel_contents", False, f"missing from the wheel: {', '.join(missing)}")
    return check(
        "wheel_contents",
        True,
        f"{len(staged)} files: packages {', '.join(packages)}"
        + (f"; data files {', '.join(data)}" if data else "; no data files"),
    )


def packages_of(staged: list[str]) -> list[str]:
    """Dotted names of the folders holding Python modules: the package and its subpackages."""
    found = {str(PurePosixPath(f).parent).replace("/", ".") for f in staged if f.endswith(".py")}
    return sorted(found)


def _metadata_problems(
    meta: email.message.Message, name: str, version: str, requires: list[str]
) -> list[str]:
    problems = []
    if not meta.get("Metadata-Version"):
        problems.append("no Metadata-Version")
    if canonicalize_name(meta.get("Name", "")) != canonicalize_name(name):
        problems.append(f"Name is `{meta.get('Name')}`, expected `{name}`")
    try:
        if Version(meta.get("Version", "")) != Version(version):
            problems.append(f"Version is `{meta.get('Version')}`, expected `{version}`")
    except ValueError:
        problems.append(f"Version `{meta.get('Version')}` is not a valid version")
    if not meta.get("Requires-Python"):
        problems.append("no Requires-Python")
    declared = {str(Requirement(r)) for r in meta.get_all("Requires-Dist") or []}
    wanted = {str(Requirement(r)) for r in requires}
    if declared != wanted:
        problems.append(f"Requires-Dist is {sorted(declared)}, expected {sorted(wanted)}")
    return problems


def artifact_metadata(
    wheel: Path, sdist: Path, *, name: str, version: str, requires: list[str], staged: list[str]
) -> PackageCheck:
    """METADATA of the wheel and PKG-INFO of the sdist carry the right fields and contents."""
    problems: list[str] = []
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next((n for n in zf.namelist() if n.endswith(".dist-info/METADATA")), None)
        if meta_name is None:
            problems.append("wheel: no METADATA")
        else:
            meta = email.message_from_bytes(zf.read(meta_name))
            problems += [f"wheel: {p}" for p in _metadata_problems(meta, name, version, requires)]
    with tarfile.open(sdist) as tf:
        members = {PurePosixPath(m.name) for m in tf.getmembers()}
        top = next(iter(members)).parts[0] if members else ""
        info = (
            tf.extractfile(f"{top}/PKG-INFO") if PurePosixPath(top, "PKG-INFO") in members else None
        )
        if info is None:
            problems.append("sdist: no PKG-INFO")
        else:
            meta = email.message_from_bytes(info.read())
            problems += [f"sdist: {p}" for p in _metadata_problems(meta, name, version, requires)]
        missing = [f for f in [*staged, "pyproject.toml"] if PurePosixPath(top, f) not in members]
        if missing:
            problems.append(f"sdist: missing {', '.join(missing)}")
    if problems:
        return check("metadata", False, "; ".join(problems))
    return check("metadata", True, f"{name} {version}; requires {', '.join(requires) or 'nothing'}")


def requires_of(wheel: Path) -> list[str]:
    """``Requires-Dist`` of a wheel."""
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = email.message_from_bytes(zf.read(meta_name))
    return list(meta.get_all("Requires-Dist") or [])


# --- stand-in options -----------------------------------------------------------------------


def stand_in_config(paths: SourcePaths) -> tuple[dict[str, Any], str]:
    """Options good enough to build the connector offline, and where they came from.

    In order: the tests' ``configs/replay_config.json`` (stand-in credentials for offline
    runs), ``simulator_spec.yaml`` (its ``config`` plus a local base URL), the required
    parameters of ``connector_spec.yaml`` with placeholder values; else no options.
    """
    if paths.replay_config.is_file():
        data = json.loads(paths.replay_config.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data, "replay_config.json"
    if paths.simulator_spec.is_file():
        spec = yaml.safe_load(paths.simulator_spec.read_text(encoding="utf-8")) or {}
        if isinstance(spec, dict):
            config = dict(spec.get("config") or {})
            base_path = "/" + str(spec.get("base_path") or "").strip("/")
            config[str(spec.get("base_url_option") or "base_url")] = (
                _STAND_IN_URL + base_path.rstrip("/")
            )
            return config, "simulator_spec.yaml"
    if paths.connector_spec.is_file():
        spec = yaml.safe_load(paths.connector_spec.read_text(encoding="utf-8")) or {}
        params = (spec.get("connection") or {}).get("parameters") or []
        placeholders = {"integer": 1, "number": 1.0, "boolean": False}
        config = {
            p["name"]: (
                _STAND_IN_URL if "url" in p["name"] else placeholders.get(p.get("type"), "stand-in")
            )
            for p in params
            if isinstance(p, dict) and p.get("required")
        }
        return config, "connector_spec.yaml"
    return {}, "none"


# --- running the probe --------------------------------------------------------------------


def _run(cmd: list[str], timeout_s: float, what: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise SkillpackError(
            f"{what} took longer than {timeout_s:g}s",
            hint="raise `timeout_s`; a connector that connects on import cannot be verified",
            code="verify-timeout",
        ) from None


def run_probe(
    python: list[str], request: dict[str, Any], work: Path, timeout_s: float
) -> dict[str, Any]:
    """Run the probe with ``python`` (interpreter and flags); its JSON answer."""
    request_file = work / "probe_request.json"
    request_file.write_text(json.dumps(request), encoding="utf-8")
    done = _run([*python, str(PROBE), str(request_file)], timeout_s, "the import check")
    secrets = secret_values(request.get("config") or {})
    lines = done.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        answer = {"imported": False, "list_tables": "skipped", "detail": " | ".join(tail)}
    answer["detail"] = redact_text(str(answer.get("detail", "")), secrets)
    return answer


def probe_checks(prefix: str, answer: dict[str, Any], import_name: str) -> list[PackageCheck]:
    """The import check and the list_tables check from one probe answer."""
    detail = str(answer.get("detail", ""))
    if not (answer.get("imported") and "connector_class" in answer):
        return [
            check(f"{prefix}_import", False, detail),
            PackageCheck(
                name=f"{prefix}_list_tables", status="skipped", detail="the import failed"
            ),
        ]
    status = answer.get("list_tables", "skipped")
    if status == "passed":
        detail = f"tables: {', '.join(answer.get('tables', []))}"
    imported = f"{import_name} imports; connector class {answer['connector_class']}"
    return [
        check(f"{prefix}_import", True, imported),
        PackageCheck(name=f"{prefix}_list_tables", status=status, detail=detail),
    ]


def _deps_folder(requirements: list[str], skip: list[str], target: Path) -> list[str]:
    """Link the dependency closure into ``target``; returns the missing distributions."""
    dists, missing = closure(requirements, skip=skip)
    link_installed(dists, target)
    return missing


def _purelib(python: Path, timeout_s: float) -> Path:
    done = _run(
        [str(python), "-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        timeout_s,
        "reading the venv's site folder",
    )
    return Path(done.stdout.strip())


def _venv_python(venv: Path) -> Path:
    if sys.platform == "win32":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def venv_checks(
    wheels: list[Path],
    *,
    import_name: str,
    config: dict[str, Any],
    work: Path,
    timeout_s: float,
    pack: Literal["absent", "installed"] = "absent",
) -> list[PackageCheck]:
    """Install ``wheels`` into a fresh venv and import ``import_name`` there.

    ``pack`` says whether connector-skillpack is among ``wheels``; when it is not, the probe
    also proves the connector imports without it.
    """
    work.mkdir(parents=True, exist_ok=True)
    venv = work / "venv"
    has_pip = importlib.util.find_spec("pip") is not None
    # Without pip here, the venv needs its own (slower: ensurepip installs it).
    without_pip = ["--without-pip"] if has_pip else []
    made = _run(
        [sys.executable, "-m", "venv", *without_pip, str(venv)], timeout_s, "creating a venv"
    )
    if made.returncode != 0:
        return [check("venv_install", False, f"could not create a venv: {made.stderr.strip()}")]
    python = _venv_python(venv)
    pip = (
        [sys.executable, "-m", "pip", "--python", str(python)]
        if has_pip
        else [str(python), "-m", "pip"]
    )
    quiet = ["--no-deps", "--no-index", "--no-compile", "--disable-pip-version-check", "-q"]
    installed = _run([*pip, "install", *quiet, *map(str, wheels)], timeout_s, "pip install")
    if installed.returncode != 0:
        tail = " | ".join(installed.stderr.strip().splitlines()[-3:])
        return [check("venv_install", False, f"pip install failed: {tail}")]
    requirements = [r for w in wheels for r in requires_of(w)]
    deps = work / "deps"
    missing = _deps_folder(requirements, [PACK_DISTRIBUTION], deps)
    site = _purelib(python, timeout_s)
    (site / _DEPS_PTH).write_text(str(deps) + "\n", encoding="utf-8")
    checks = [
        check(
            "venv_install",
            not missing,
            f"installed {', '.join(w.name for w in wheels)} into a fresh venv"
            + (f"; not installed here: {', '.join(missing)}" if missing else ""),
        )
    ]
    expect = f"under:{site}" if pack == "installed" else "absent"
    request = {"module": import_name, "config": config, "skillpack": expect}
    answer = run_probe([str(python), "-I", "-B"], request, work, timeout_s)
    return checks + probe_checks("venv", answer, import_name)


def single_file_checks(
    merged: Path, requirements: list[str], *, config: dict[str, Any], work: Path, timeout_s: float
) -> list[PackageCheck]:
    """Import the merged module with no site folder and no pack: only its requirements."""
    work.mkdir(parents=True, exist_ok=True)
    deps = work / "single_deps"
    missing = _deps_folder(requirements, [], deps)
    if missing:
        return [check("single_file_import", False, f"not installed here: {', '.join(missing)}")]
    request = {
        "file": str(merged),
        "path": [str(merged.parent), str(deps)],
        "config": config,
        "skillpack": "absent",
    }
    answer = run_probe([sys.executable, "-I", "-S", "-B"], request, work, timeout_s)
    name = f"{merged.name} (with {', '.join(requirements) or 'the standard library'} only)"
    return probe_checks("single_file", answer, name)
