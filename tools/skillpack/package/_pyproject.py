"""The connector's ``pyproject.toml``: names, version checks and a merge that keeps user edits.

The file lives at ``sources/NAME/pyproject.toml``. The tool owns a few fields and rewrites
only those; everything else (comments, extra fields, tables of other tools) is kept as the
user left it:

- ``build-system``;
- ``project.name``, ``project.version``, ``project.requires-python``;
- ``project.dependencies``, merged: the detected ones are recorded under
  ``tool.skillpack.detected-dependencies``, and any entry of ``project.dependencies`` that is
  not exactly one of those is the user's and is kept (a user's entry for a distribution the
  tool also detects, e.g. ``requests>=2.32``, replaces the detected one);
- ``tool.hatch.build.targets.wheel.packages`` and ``tool.hatch.build.targets.sdist.include``;
- ``project.description`` only when it is missing.

Rendering the same inputs twice gives identical bytes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from tomlkit.items import Table

from skillpack.errors import InputError

DEFAULT_VERSION = "0.1.0"
REQUIRES_PYTHON = ">=3.10"
BUILD_REQUIRES = "hatchling>=1.21"
BUILD_BACKEND = "hatchling.build"
DIST_PREFIX = "lakeflow-connector-"
PACKAGE_PREFIX = "lakeflow_connector_"

_HEADER = """\
# Package metadata of the `{name}` connector, kept up to date by `skillpack package`.
# The tool rewrites only the fields it owns: build-system, project name, version,
# requires-python, the dependencies it detects and [tool.hatch.build]. Edit anything else;
# dependencies you add to project.dependencies are kept.
"""


def distribution_name(source: str) -> str:
    """The distribution name of a source's wheel, e.g. ``lakeflow-connector-my-api``."""
    return DIST_PREFIX + source.replace("_", "-")


def import_package(source: str) -> str:
    """The top-level package the wheel installs, e.g. ``lakeflow_connector_my_api``."""
    return PACKAGE_PREFIX + source


def check_version(version: str) -> str:
    """``version`` in its normal PEP 440 form; ``InputError`` when it is not a valid version."""
    try:
        return str(Version(version))
    except InvalidVersion:
        raise InputError(
            f"invalid version `{version}`",
            hint="use a PEP 440 version such as `0.1.0`, `1.2.3rc1` or `2.0.0.post1`",
            code="bad-version",
        ) from None


def requirement_name(spec: str) -> str | None:
    """Canonical distribution name of a requirement string, or None if it does not parse."""
    try:
        return canonicalize_name(Requirement(spec).name)
    except InvalidRequirement:
        return None


def merge_dependencies(
    existing: list[str], old_detected: list[str], detected: list[str]
) -> list[str]:
    """Detected requirements plus the user's own, never dropping one the user added.

    An entry of ``existing`` that is not exactly one of ``old_detected`` was added or edited
    by the user. It replaces a detected requirement naming the same distribution, and the
    remaining user entries follow the detected ones in their original order.
    """
    old = set(old_detected)
    user = [d for d in existing if d not in old]
    by_name = {requirement_name(d): d for d in user}
    merged: list[str] = []
    for spec in detected:
        merged.append(by_name.pop(requirement_name(spec), spec))
    used = set(merged)
    merged.extend(d for d in user if d not in used)
    return list(dict.fromkeys(merged))


def read_pyproject(path: Path) -> tomlkit.TOMLDocument | None:
    """The parsed file, ``None`` when it does not exist; ``InputError`` when it is not TOML."""
    if not path.is_file():
        return None
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except Exception as exc:  # tomlkit raises several unrelated types for bad TOML
        line = getattr(exc, "line", None)
        where = f" (line {line})" if line else ""
        raise InputError(
            f"`{path}` is not valid TOML{where}: {str(exc).splitlines()[0]}",
            hint="fix the file by hand, or delete it to have it generated again",
            code="bad-pyproject",
        ) from None


def current_version(doc: tomlkit.TOMLDocument | None) -> str | None:
    """``project.version`` of an existing file, if any."""
    if doc is None:
        return None
    value = doc.get("project", {}).get("version")
    return str(value) if value is not None else None


def _table(parent: Any, key: str) -> Table:
    if key not in parent:
        parent[key] = tomlkit.table()
    found = parent[key]
    if not isinstance(found, dict):
        raise InputError(
            f"`{key}` in pyproject.toml must be a table",
            hint=f"turn `{key}` back into a [table] or delete it",
            code="bad-pyproject",
        )
    return found  # type: ignore[return-value]


def _set(table: Any, key: str, value: Any) -> None:
    """Assign only when the value differs, so untouched fields keep their formatting."""
    current = table.get(key)
    plain = current.unwrap() if hasattr(current, "unwrap") else current
    if plain == value:
        return
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(value)
        if len(value) > 1 or (value and len(str(value[0])) > 40):
            array.multiline(True)
        table[key] = array
    else:
        table[key] = value


def _strings(value: Any, where: str) -> list[str]:
    plain = value.unwrap() if hasattr(value, "unwrap") else value
    if plain is None:
        return []
    if not isinstance(plain, list) or not all(isinstance(v, str) for v in plain):
        raise InputError(
            f"`{where}` in pyproject.toml must be a list of strings",
            hint='write it as e.g. ["requests>=2.31"]',
            code="bad-pyproject",
        )
    return plain


def render_pyproject(
    doc: tomlkit.TOMLDocument | None, *, source: str, version: str, detected: list[str]
) -> str:
    """The file's new text: ``doc`` (or a fresh file) with the owned fields brought up to date."""
    if doc is None:
        doc = tomlkit.parse(_HEADER.format(name=source))
    build = _table(doc, "build-system")
    _set(build, "requires", [BUILD_REQUIRES])
    _set(build, "build-backend", BUILD_BACKEND)

    project = _table(doc, "project")
    _set(project, "name", distribution_name(source))
    _set(project, "version", version)
    if "description" not in project:
        project["description"] = f"Lakeflow connector for the `{source}` source."
    _set(project, "requires-python", REQUIRES_PYTHON)

    tool = _table(doc, "tool")
    ours = _table(tool, "skillpack")
    old_detected = _strings(ours.get("detected-dependencies"), "tool.skillpack")
    existing = _strings(project.get("dependencies"), "project.dependencies")
    _set(project, "dependencies", merge_dependencies(existing, old_detected, detected))
    _set(ours, "detected-dependencies", detected)

    package = import_package(source)
    hatch_targets = _table(_table(_table(tool, "hatch"), "build"), "targets")
    _set(_table(hatch_targets, "wheel"), "packages", [package])
    _set(_table(hatch_targets, "sdist"), "include", [package])
    return tomlkit.dumps(doc)


def write_pyproject(path: Path, *, source: str, version: str, detected: list[str]) -> bool:
    """Bring ``path`` up to date; returns whether its bytes changed."""
    text = render_pyproject(read_pyproject(path), source=source, version=version, detected=detected)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def declared_dependencies(path: Path) -> list[str]:
    """``project.dependencies`` of the file as written."""
    doc = read_pyproject(path)
    deps = doc.get("project", {}).get("dependencies") if doc is not None else None
    return _strings(deps, "project.dependencies")
