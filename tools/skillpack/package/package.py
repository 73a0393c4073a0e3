"""package_connector: build, and prove, an installable package of one source connector.

The package layout: the wheel ``lakeflow-connector-NAME`` installs the source's folder as the
top-level package ``lakeflow_connector_NAME`` (``sources.NAME.`` imports inside it rewritten),
so the connector imports as ``lakeflow_connector_NAME.NAME``. The SDK modules the connector
uses travel inside it as ``lakeflow_connector_NAME._skillpack`` (see ``skillpack.package._vendor``),
so it depends only on what the connector and those modules import at run time: requests and
pydantic, plus the connector's own libraries; never on the tool pack.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from skillpack.errors import InputError
from skillpack.inputs import OutDir, SourceArgs, TimeoutS
from skillpack.layout import UPSTREAM_PACKAGE, SourcePaths
from skillpack.limits import contained
from skillpack.package import _upstream as upstream
from skillpack.package._build import run_build, stage
from skillpack.package._deps import (
    TOOLING_DISTRIBUTIONS,
    closure,
    detect,
    local_prefixes,
    package_files,
    parse_python,
    scan_imports,
)
from skillpack.package._merge import merge_connector, module_name_for
from skillpack.package._pyproject import (
    DEFAULT_VERSION,
    check_version,
    current_version,
    declared_dependencies,
    distribution_name,
    import_package,
    read_pyproject,
    write_pyproject,
)
from skillpack.package._vendor import (
    VendorPlan,
    plan_vendoring,
    rewrite_pack_imports,
    write_vendored,
)
from skillpack.package._verify import (
    PackageCheck,
    artifact_metadata,
    check,
    packages_of,
    single_file_checks,
    stand_in_config,
    venv_checks,
    wheel_contents,
)
from skillpack.registry import tool
from skillpack.scratch import scratch_dir

SUITE_BOOT = Path(__file__).with_name("_suite.py")


class PackageConnectorIn(SourceArgs):
    """Input of ``package_connector``: which source, which version, and what to check."""

    version: Annotated[
        str | None,
        Field(
            description="PEP 440 version, e.g. `0.1.0`; default: the version already in "
            "sources/NAME/pyproject.toml, else 0.1.0."
        ),
    ] = None
    out_dir: OutDir = None
    single_file: bool = Field(
        False,
        description="Also write NAME_connector.py: the connector, its helpers and the SDK parts "
        "it uses in one module, checked without the pack installed.",
    )
    verify: bool = Field(
        True, description="Install the wheel into a fresh venv and import the connector there."
    )
    sdk_wheel: str | None = Field(
        None,
        description="A connector-skillpack wheel to install beside the connector's during "
        "verification, for a connector that imports the pack lazily; default: none (the "
        "wheel carries the SDK parts it uses).",
    )
    timeout_s: TimeoutS = 300.0


class PackageArtifact(BaseModel):
    """A file the tool wrote."""

    kind: Literal["wheel", "sdist", "single_file"] = Field(description="What the file is.")
    path: str = Field(description="Where it is.")
    sha256: str = Field(description="SHA-256 of its bytes.")
    size: int = Field(description="Size in bytes.")


class PackageConnectorOut(BaseModel):
    """What was built, what it depends on, and every check; ``passed`` is the gate."""

    GATE: ClassVar[str] = "passed"

    source: str = Field(description="Source name.")
    distribution: str = Field(description="Distribution name, e.g. `lakeflow-connector-github`.")
    version: str = Field(description="Version built, in normal PEP 440 form.")
    import_package: str = Field(description="Top-level package the wheel installs.")
    connector_import: str = Field(description="Dotted module to import the connector from.")
    pyproject_path: str = Field(description="The generated sources/NAME/pyproject.toml.")
    pyproject_changed: bool = Field(description="Whether pyproject.toml's bytes changed.")
    dependencies: list[str] = Field(description="Run-time dependencies declared in the package.")
    detected_dependencies: list[str] = Field(
        description="Dependencies found in the connector's imports (user-added ones are kept "
        "besides these)."
    )
    unresolved_imports: list[str] = Field(
        default_factory=list,
        description="Top-level modules imported at run time that no installed distribution "
        "provides; add their distributions to pyproject.toml yourself.",
    )
    optional_imports: list[str] = Field(
        default_factory=list,
        description="Modules imported only lazily or guarded (e.g. pyspark); not declared.",
    )
    packages: list[str] = Field(description="The package and subpackages in the wheel.")
    data_files: list[str] = Field(description="Non-Python files in the wheel.")
    artifacts: list[PackageArtifact] = Field(description="Files written, wheel and sdist first.")
    single_file_requires: list[str] = Field(
        default_factory=list,
        description="Distributions the single-file form needs besides the standard library.",
    )
    checks: list[PackageCheck] = Field(description="Every verification step and its status.")
    passed: bool = Field(description="Gate: true when no check failed.")
    notes: list[str] = Field(default_factory=list, description="How verification was done.")


def _artifact(kind: Literal["wheel", "sdist", "single_file"], path: Path) -> PackageArtifact:
    data = path.read_bytes()
    return PackageArtifact(
        kind=kind, path=str(path), sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )


def _python_sources(files: list[Path]) -> list[tuple[str, str]]:
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in files if p.suffix == ".py"]
    for filename, text in texts:
        parse_python(text, filename)  # a syntax error names its file and line
    return texts


def _scan(paths: SourcePaths, sources: list[tuple[str, str]], plan: VendorPlan) -> Any:
    """What the connector and the SDK modules it carries import at run time."""
    carried = [(str(f), f.read_text(encoding="utf-8")) for _, f in plan.files()]
    uses = []
    for filename, text in [*sources, *carried]:
        uses += scan_imports(parse_python(text, filename), filename)
    local_tops = {"skillpack"} if plan.needed else set()
    return detect(uses, local_prefixes(paths, import_package(paths.name)), local_tops)


def _carry_sdk(plan: VendorPlan, stage_dir: Path, package: str) -> list[str]:
    """Point the staged modules at the carried SDK and write it; the files it added."""
    if not plan.needed:
        return []
    for path in sorted((stage_dir / package).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        new = rewrite_pack_imports(text, str(path), package)
        if new != text:
            path.write_text(new, encoding="utf-8")
    return write_vendored(plan, stage_dir / package, package)


def _runtime_check(requirements: list[str]) -> PackageCheck:
    """The distributions an install of the wheel pulls in, as installed here: no tooling."""
    dists, missing = closure(requirements)
    names = sorted(d.name for d in dists)
    tooling = sorted(n for n in names if n.lower() in TOOLING_DISTRIBUTIONS)
    detail = f"{len(names) + 1} distributions with the connector's own: {', '.join(names)}"
    if missing:
        detail += f"; not installed here: {', '.join(missing)}"
    if tooling:
        return check(
            "runtime_dependencies",
            False,
            f"tool dependencies at run time: {', '.join(tooling)} ({detail})",
        )
    return check("runtime_dependencies", True, detail)


def _publish(built: list[Path], out_dir: Path) -> tuple[Path, Path]:
    """Move the new wheel and sdist into ``out_dir`` (replacing same-named files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    moved = []
    for path in built:
        target = out_dir / path.name
        shutil.move(str(path), target)
        moved.append(target)
    wheel = next(p for p in moved if p.suffix == ".whl")
    sdist = next(p for p in moved if p.name.endswith(".tar.gz"))
    return wheel, sdist


def _verify(
    wheel: Path,
    sdk_wheel: Path | None,
    *,
    import_name: str,
    stand_in: tuple[dict[str, Any], str],
    work: Path,
    timeout_s: float,
) -> tuple[list[PackageCheck], list[str]]:
    """Install ``wheel`` (and ``sdk_wheel`` if given) in a fresh venv; the checks and notes."""
    wheels = [wheel, sdk_wheel] if sdk_wheel else [wheel]
    config, config_source = stand_in
    notes = [
        "verification installed the connector's wheel alone into a fresh venv, with --no-deps "
        "and no package index, and imported it there without connector-skillpack"
        if sdk_wheel is None
        else f"verification installed the given {sdk_wheel.name} beside the connector's wheel.",
        "third-party dependencies were not downloaded: the venv saw links to exactly the "
        "installed distributions the wheel requires (their dependency closure).",
        f"list_tables() ran offline with stand-in options from {config_source}."
        if config_source != "none"
        else "list_tables() ran offline with no options: the source has no replay_config.json, "
        "simulator_spec.yaml or connector_spec.yaml to take stand-in options from.",
    ]
    checks = venv_checks(
        wheels,
        import_name=import_name,
        config=config,
        work=work,
        timeout_s=timeout_s,
        pack="installed" if sdk_wheel else "absent",
    )
    return checks, notes


def _suite_check(paths: SourcePaths, merged: Path, timeout_s: float) -> PackageCheck:
    """The source's own test file, in simulate mode, with the merged module as its connector."""
    if not paths.test_file.is_file():
        return PackageCheck(
            name="single_file_suite", status="skipped", detail=f"no test file {paths.test_file}"
        )
    with scratch_dir(paths.root, "suite") as tmp:
        report = tmp / "report.json"
        cmd = [
            sys.executable,
            "-B",
            str(SUITE_BOOT),
            paths.connector_import,
            str(merged),
            str(paths.test_file),
            str(report),
        ]
        try:
            done = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout_s, cwd=paths.root, check=False
            )
        except subprocess.TimeoutExpired:
            return check("single_file_suite", False, f"the suite took longer than {timeout_s:g}s")
        if not report.is_file():
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            return check("single_file_suite", False, f"the suite did not run: {tail}")
        result = json.loads(report.read_text(encoding="utf-8"))
    counts = f"{result['passed']} passed, {result['failed']} failed, {result['skipped']} skipped"
    if not result["merged_in_use"]:
        return check("single_file_suite", False, f"{counts}, but not against the merged module")
    detail = f"generic suite against {merged.name} (simulate): {counts}"
    if result["failed"]:
        detail += f"; first failure: {result['first_failure']} (run the suite for details)"
    return check("single_file_suite", result["failed"] == 0 and result["passed"] > 0, detail)


def _single_file(
    paths: SourcePaths, out_dir: Path, config: dict[str, Any], work: Path, timeout_s: float
) -> tuple[Path, list[str], list[PackageCheck], list[str]]:
    # With pyspark at hand the file carries the Spark adapter too (register, the data source),
    # so a pipeline needs only this file; pyspark stays an optional import inside it.
    merged = merge_connector(paths, with_spark=importlib.util.find_spec("pyspark") is not None)
    target = out_dir / f"{module_name_for(paths.name)}.py"
    out_dir.mkdir(parents=True, exist_ok=True)
    if not (target.is_file() and target.read_text(encoding="utf-8") == merged.text):
        target.write_text(merged.text, encoding="utf-8")
    detection = detect(scan_imports(parse_python(merged.text, str(target)), str(target)))
    requires = detection.requirements
    checks = single_file_checks(target, requires, config=config, work=work, timeout_s=timeout_s)
    checks.append(_suite_check(paths, target, timeout_s))
    notes = []
    data = [f for f in package_files(paths.source_dir, skip=[out_dir]) if f.suffix != ".py"]
    if data:
        names = ", ".join(str(f.relative_to(paths.source_dir)) for f in data)
        notes.append(f"the single-file form holds Python code only; not in it: {names}")
    return target, requires, checks, notes


def _package_upstream(inp: PackageConnectorIn, paths: SourcePaths) -> PackageConnectorOut:
    """An upstream checkout: build with the source's own project file, as the checkout does."""
    pyproject, dist, current = upstream.project_fields(paths)
    version = check_version(inp.version or current or DEFAULT_VERSION)
    changed = upstream.set_version(pyproject, version) if inp.version else False
    out_dir = Path(inp.out_dir).expanduser().resolve() if inp.out_dir else paths.source_dir / "dist"
    files = package_files(paths.source_dir, skip=[out_dir])
    sources = _python_sources(files)
    detection = _scan(paths, sources, plan_vendoring([]))
    declared = upstream.requirements(pyproject)
    with scratch_dir(paths.root, "package") as tmp:
        built = upstream.build(paths, files, Path(tmp), inp.timeout_s)
        wheel, sdist = _publish(built, out_dir)
    expected = upstream.wheel_files(paths, files)
    package = f"{UPSTREAM_PACKAGE}.{paths.name}"
    checks = upstream.checks(
        wheel,
        expected,
        name=dist,
        version=version,
        requires=declared,
        metadata_requires=upstream.metadata_requirements(pyproject),
    )
    return PackageConnectorOut(
        source=paths.name,
        distribution=dist,
        version=version,
        import_package=package,
        connector_import=f"{package}.{paths.name}",
        pyproject_path=str(pyproject),
        pyproject_changed=changed,
        dependencies=declared,
        detected_dependencies=detection.requirements,
        unresolved_imports=detection.unresolved,
        optional_imports=detection.optional,
        packages=[package],
        data_files=[f for f in expected if not f.endswith(".py")],
        artifacts=[_artifact("wheel", wheel), _artifact("sdist", sdist)],
        checks=checks,
        passed=all(c.status != "failed" for c in checks),
        notes=[
            "built with the source's own pyproject.toml (the checkout's convention), from a "
            "copy of the source folder; the file is left as it was, but for the version."
        ],
    )


@tool
def package_connector(inp: PackageConnectorIn) -> PackageConnectorOut:
    """Build a wheel and sdist of one connector and prove they install and import.

    Writes sources/NAME/pyproject.toml (user edits kept), builds into sources/NAME/dist,
    checks the wheel's contents and metadata, installs it into a fresh venv beside a local
    wheel of connector-skillpack and imports the connector there. With ``single_file`` it
    also writes NAME_connector.py and checks it without the pack. Run it after the review
    passes; publishing (twine upload) is left to the user. Gate: ``passed``.
    """
    paths = inp.paths()
    if not paths.connector_module.is_file():
        raise InputError(
            f"no connector module `{paths.connector_module}`",
            hint=f"write the connector as {paths.connector_module.name} in {paths.source_dir}, "
            "or check `source` and `workspace`",
            code="no-connector",
        )
    if paths.layout == "upstream":
        return _package_upstream(inp, paths)
    pyproject = paths.package_pyproject
    version = check_version(
        inp.version or current_version(read_pyproject(pyproject)) or DEFAULT_VERSION
    )
    out_dir = (
        contained(inp.out_dir, paths.root, "out_dir") if inp.out_dir else paths.source_dir / "dist"
    )
    sdk_wheel = Path(inp.sdk_wheel).expanduser().resolve() if inp.sdk_wheel else None
    if sdk_wheel is not None and not sdk_wheel.is_file():
        raise InputError(f"`sdk_wheel` `{inp.sdk_wheel}` not found", hint="pass a .whl file's path")
    package, dist = import_package(paths.name), distribution_name(paths.name)
    files = package_files(paths.source_dir, skip=[out_dir])
    sources = _python_sources(files)
    plan = plan_vendoring(sources)
    detection = _scan(paths, sources, plan)
    changed = write_pyproject(
        pyproject, source=paths.name, version=version, detected=detection.requirements
    )
    declared = declared_dependencies(pyproject)
    stand_in = stand_in_config(paths)
    notes: list[str] = []
    # under the workspace, swept by the next run if this one is killed
    with scratch_dir(paths.root, "package") as work:
        (work / "stage").mkdir()
        (work / "out").mkdir()
        staged = stage(paths, files, pyproject, package, work / "stage")
        staged = sorted(staged + _carry_sdk(plan, work / "stage", package))
        built = run_build(work / "stage", work / "out", what=f"`{dist}`", timeout_s=inp.timeout_s)
        wheel, sdist = _publish(built, out_dir)
        checks = [
            wheel_contents(wheel, staged),
            artifact_metadata(
                wheel, sdist, name=dist, version=version, requires=declared, staged=staged
            ),
            _runtime_check(declared),
        ]
        if inp.verify:
            more, more_notes = _verify(
                wheel,
                sdk_wheel,
                import_name=f"{package}.{paths.name}",
                stand_in=stand_in,
                work=work / "verify",
                timeout_s=inp.timeout_s,
            )
            checks += more
            notes += more_notes
        artifacts = [_artifact("wheel", wheel), _artifact("sdist", sdist)]
        single_requires: list[str] = []
        if inp.single_file:
            (work / "single").mkdir()
            target, single_requires, more, more_notes = _single_file(
                paths, out_dir, stand_in[0], work / "single", inp.timeout_s
            )
            checks += more
            notes += more_notes
            artifacts.append(_artifact("single_file", target))
    return PackageConnectorOut(
        source=paths.name,
        distribution=dist,
        version=version,
        import_package=package,
        connector_import=f"{package}.{paths.name}",
        pyproject_path=str(pyproject),
        pyproject_changed=changed,
        dependencies=declared,
        detected_dependencies=detection.requirements,
        unresolved_imports=detection.unresolved,
        optional_imports=detection.optional,
        packages=packages_of(staged),
        data_files=[f for f in staged if not f.endswith(".py")],
        artifacts=artifacts,
        single_file_requires=single_requires,
        checks=checks,
        passed=all(c.status != "failed" for c in checks),
        notes=notes,
    )
