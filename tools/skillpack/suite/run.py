"""run_suite: run a source's test suite in a subprocess and diagnose every failure.

The suite runs in its own process with a hard timeout, so a broken or hanging connector
cannot take the caller down; results stream back from pytest's report hooks, and each
test that did not pass carries a diagnosis (cause, fix hint, file:line). Example::

    out = run_suite(RunSuiteIn(source="example", workspace="ws", mode="simulate"))
    if not out.passed:
        for t in out.tests:
            if t.diagnosis:
                print(t.name, t.diagnosis.cause, t.diagnosis.fix)
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field

from skillpack.errors import ConfigError, InputError, SkillpackError, known_values
from skillpack.implement._code import DIGEST_PREFIX
from skillpack.implement._files import is_unedited
from skillpack.inputs import ModeArgs, SourceArgs
from skillpack.layout import SourcePaths, list_sources
from skillpack.registry import tool
from skillpack.sdk.redaction import redact_text, secret_values
from skillpack.suite._results import (
    BLOCKING_SKIP,
    SuiteCounts,
    TestResult,
    assemble,
    is_benign_skip,
    signature,
)
from skillpack.suite._runner import run_pytest_subprocess
from skillpack.testing import config as _config

#: pytest exit statuses (``pytest.ExitCode``) that mean the arguments were wrong
_USAGE_ERROR, _NO_TESTS = 4, 5


class RunSuiteIn(SourceArgs, ModeArgs):
    """Input of ``run_suite``."""

    select: str | None = Field(
        None,
        description="pytest -k expression choosing the tests to run, e.g. "
        "`read_table and not deletes`; all tests when omitted.",
    )
    config_path: str | None = Field(
        None,
        description="JSON file with the connector config for this run (sets "
        "CONNECTOR_TEST_CONFIG_PATH); its secret values are masked in the result.",
    )


class RunSuiteOut(BaseModel):
    """The SuiteResult: counts, per-test outcomes and a diagnosis of every failure."""

    GATE: ClassVar[str] = "passed"

    source: str = Field(description="The source whose suite ran.")
    mode: str = Field(description="simulate, record or live.")
    test_file: str = Field(description="The test file run, relative to the workspace.")
    select: str | None = Field(None, description="The -k expression used, if any.")
    passed: bool = Field(
        description="Gate: every selected test ran and none failed, errored or timed out, "
        "and none was skipped for a missing config."
    )
    counts: SuiteCounts = Field(description="How many tests ended each way.")
    seconds: float = Field(description="Wall time of the run, start-up included.")
    timed_out: bool = Field(description="True when the run was stopped at timeout_s.")
    running: str | None = Field(
        None, description="The test running when the timeout stopped the run."
    )
    exit_code: int | None = Field(
        None, description="pytest's exit status; null when the run was stopped."
    )
    causes: list[str] = Field(
        default_factory=list, description="Distinct diagnosis causes, in order of first failure."
    )
    signature: str = Field(
        "",
        description="Fingerprint of the failures (test, cause, location); the same value on "
        "two runs means the fix made no progress. Empty when nothing failed.",
    )
    cassettes: list[str] = Field(
        default_factory=list, description="Cassette files written by this run (record mode)."
    )
    command: list[str] = Field(description="The pytest command, to rerun it by hand.")
    output_tail: str = Field(
        "", description="End of pytest's own output, when the run ended without test results."
    )
    tests: list[TestResult] = Field(description="Every selected test, in run order.")
    simulator_spec_origin: str = Field(
        "",
        description="What answered the connector: a recorded cassette, a simulator spec "
        "written by hand, one generated from the API doc, or the live source.",
    )
    spec_independent: bool | None = Field(
        None,
        description="True when what answered is independent of the doc the connector was "
        "generated from (a recording, a hand-written or curated spec, the live source); false "
        "for a spec generated from that same doc, which proves only that the connector reads "
        "the doc as written; null when nothing was found to answer.",
    )


@tool
def run_suite(inp: RunSuiteIn) -> RunSuiteOut:
    """Run a source's pytest suite (simulate, record or live) and diagnose each failure.

    Use it for the test-fix loop: run, read each failed test's `diagnosis` (cause, fix,
    file:line), fix the connector or the simulator spec, run again. `passed` is the gate;
    an unchanged `signature` between two runs means no progress. record mode needs
    credentials and rewrites the cassette; simulate mode never touches the network.
    """
    paths = _checked_paths(inp)
    config_path = _checked_config_path(inp.config_path)
    if config_path is None and inp.mode != "simulate":
        config_path = _upstream_dev_config(paths)
    if inp.mode == "record":
        _require_credentials(paths, config_path)
    secrets = _known_secrets(paths, config_path)
    cassettes_before = _cassette_stamps(paths)
    harness_mode, in_process = _harness_mode(paths, inp.mode)
    raw = run_pytest_subprocess(
        paths.test_file,
        cwd=paths.root,
        mode=harness_mode,
        timeout_s=inp.timeout_s,
        select=inp.select,
        config_path=config_path,
        offline=in_process,
    )
    if not raw.timed_out:
        _refuse_bad_arguments(raw.exit_code, raw.output, inp.select, paths, secrets)
    result = assemble(raw, paths, secrets)
    tests = result.tests
    counts = result.counts
    blocked = any(t.outcome == "skipped" and t.message.startswith(BLOCKING_SKIP) for t in tests)
    passed = (
        not raw.timed_out
        and result.pytest_exit == 0
        and counts.failed == counts.errors == counts.timed_out == counts.not_run == 0
        and not blocked
    )
    causes: list[str] = []
    for t in tests:
        if t.diagnosis and not is_benign_skip(t) and t.diagnosis.cause not in causes:
            causes.append(t.diagnosis.cause)
    ended_badly = raw.timed_out or (not tests and raw.exit_code != 0)
    return RunSuiteOut(
        source=paths.name,
        mode=inp.mode,
        test_file=_relative(paths.test_file, paths.root),
        select=inp.select,
        passed=passed,
        counts=counts,
        seconds=round(raw.seconds, 3),
        timed_out=raw.timed_out,
        running=result.running,
        exit_code=raw.exit_code,
        causes=causes,
        signature=signature(tests),
        cassettes=_written_cassettes(paths, cassettes_before) if inp.mode == "record" else [],
        command=[redact_text(part, secrets) for part in raw.command],
        output_tail=redact_text(raw.output, secrets) if ended_badly else "",
        tests=tests,
        **_spec_origin(paths, inp.mode, in_process),
    )


_SIMULATOR_SOURCE = re.compile(r"(?m)^\s+simulator_source\s*=")


def _harness_mode(paths: SourcePaths, mode: str) -> tuple[str, bool]:
    """The mode the suite's harness is given, and whether the run is held offline.

    Upstream's harness simulates only from a simulator spec (``simulator_source``); a test
    class naming none reads its source as it is, which offline means a source reached in
    process (a Python client). Such a run goes as the harness's own ``live`` with every
    connection off the machine refused, so simulate still never touches the network.
    """
    if mode != "simulate" or paths.layout != "upstream":
        return mode, False
    try:
        text = paths.test_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return mode, False
    if _SIMULATOR_SOURCE.search(text):
        return mode, False
    return "live", True


def _spec_origin(paths: SourcePaths, mode: str, in_process: bool = False) -> dict[str, Any]:
    """Which answers the run met, and whether they are independent of the connector's doc."""
    if in_process:
        return {
            "simulator_spec_origin": "the source's own in-process client (network refused)",
            "spec_independent": True,
        }
    if mode != "simulate":
        return {"simulator_spec_origin": f"the live source ({mode})", "spec_independent": True}
    folder = paths.cassettes_dir
    if folder.is_dir() and any(folder.glob("*.yaml")):
        return {
            "simulator_spec_origin": f"cassettes recorded from the live source ({folder.name}/)",
            "spec_independent": True,
        }
    spec = paths.simulator_spec
    if not spec.is_file():
        return {"simulator_spec_origin": "none found", "spec_independent": None}
    text = spec.read_text(encoding="utf-8")
    if text.startswith(DIGEST_PREFIX):
        edited = "" if is_unedited(text) else ", edited since"
        return {
            "simulator_spec_origin": f"{spec.name} generated from the API doc by "
            f"implement_connector{edited}: derived from the same doc, not independent",
            "spec_independent": False,
        }
    return {
        "simulator_spec_origin": f"{spec.name} written by hand or curated: independent",
        "spec_independent": True,
    }


def _checked_paths(inp: RunSuiteIn) -> SourcePaths:
    paths = inp.paths()
    if not paths.root.is_dir():
        raise InputError(
            f"workspace `{inp.workspace}` does not exist", hint="pass the workspace root folder"
        )
    if not paths.source_dir.is_dir():
        known = list_sources(paths.root)
        raise InputError(
            known_values("source", paths.name, known)
            if known
            else f"no source `{paths.name}` in workspace `{paths.root}`",
            hint="check `source` and `workspace` (the folder holding sources/ and tests/)",
            code="unknown-source",
        )
    if not paths.test_file.is_file():
        raise InputError(
            f"no test file for `{paths.name}`: expected `{_relative(paths.test_file, paths.root)}`",
            hint="write the test file first (a class subclassing LakeflowConnectTests)",
            code="no-test-file",
        )
    return paths


def _checked_config_path(raw: str | None) -> Path | None:
    if raw is None:
        return None
    path = Path(raw).expanduser().resolve()
    if not path.is_file():
        raise ConfigError(
            f"config file `{raw}` does not exist", hint="pass the path of a JSON config file"
        )
    return path


def _require_credentials(paths: SourcePaths, config_path: Path | None) -> None:
    """record mode talks to the real source: refuse to start without a way to log in."""
    if config_path or os.environ.get(_config.CONFIG_JSON_ENV):
        return
    if os.environ.get(_config.CONFIG_PATH_ENV):
        return
    if any(p.is_file() for p in _dev_configs(paths)):
        return
    if _declares_local_service(paths.test_file):
        return  # the test class starts its own service and hands out its credentials
    raise ConfigError(
        f"record mode needs credentials for `{paths.name}`, and none were found",
        hint=f"set {_config.CONFIG_JSON_ENV} or {_config.CONFIG_PATH_ENV}, pass `config_path`, "
        f"or write {_relative(paths.dev_config, paths.root)} (0600)",
        code="no-credentials",
    )


def _upstream_dev_config(paths: SourcePaths) -> Path | None:
    """An upstream checkout's dev config, handed to its harness the way it reads one.

    The checkout's suite reads live credentials only from CONNECTOR_TEST_CONFIG_JSON or
    CONNECTOR_TEST_CONFIG_PATH (never from a file beside the test), so without either set
    the dev config the auth step wrote is passed as the path.
    """
    if paths.layout != "upstream" or not paths.dev_config.is_file():
        return None
    if os.environ.get(_config.CONFIG_JSON_ENV) or os.environ.get(_config.CONFIG_PATH_ENV):
        return None
    return paths.dev_config


def _dev_configs(paths: SourcePaths) -> list[Path]:
    # The suite also looks beside the test file (upstream's place for configs).
    return list(dict.fromkeys([paths.dev_config, paths.tests_dir / "configs" / "dev_config.json"]))


def _declares_local_service(test_file: Path) -> bool:
    try:
        tree = ast.parse(test_file.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError):
        return True  # the run itself reports the broken file better than a guess here
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = stmt.targets if isinstance(stmt, ast.Assign) else []
                if isinstance(stmt, ast.AnnAssign):
                    targets = [stmt.target]
                if any(isinstance(t, ast.Name) and t.id == "local_service" for t in targets):
                    return True
    return False


def _known_secrets(paths: SourcePaths, config_path: Path | None) -> frozenset[str]:
    """Secret values of every config the run may use, to mask them in the result."""
    found: set[str] = set()
    sources = [p for p in (config_path, *_dev_configs(paths), paths.replay_config) if p]
    try:
        from_env = _config.config_from_env()
    except SkillpackError:
        from_env = None  # the run reports the bad variable; its value must not be guessed at
    if from_env is not None:
        found |= secret_values(from_env[0])
    for path in sources:
        if path.is_file():
            try:
                found |= secret_values(_config.read_json_file(path, "config"))
            except SkillpackError:
                continue  # unreadable: the suite's own error names it
    return frozenset(found)


def _refuse_bad_arguments(
    exit_code: int | None, output: str, select: str | None, paths: SourcePaths, secrets
) -> None:
    if exit_code == _USAGE_ERROR:
        lines = [line for line in output.strip().splitlines() if line.strip()]
        detail = redact_text(lines[-1] if lines else "usage error", secrets)
        raise InputError(
            f"pytest refused the arguments: {detail}",
            hint="check `select`: a pytest -k expression such as `read_table and not deletes`",
            code="bad-select",
        )
    if exit_code == _NO_TESTS:
        if select:
            raise InputError(
                f"`select` `{select}` matched none of the tests in "
                f"`{_relative(paths.test_file, paths.root)}`",
                hint="use part of a test name, e.g. `read_table`, or leave `select` out",
                code="nothing-selected",
            )
        raise InputError(
            f"`{_relative(paths.test_file, paths.root)}` holds no tests",
            hint="name the class Test... and subclass LakeflowConnectTests",
            code="no-tests",
        )


def _cassette_stamps(paths: SourcePaths) -> dict[Path, int]:
    folder = paths.cassettes_dir
    if not folder.is_dir():
        return {}
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _written_cassettes(paths: SourcePaths, before: dict[Path, int]) -> list[str]:
    """Cassette files that are new or changed since ``before`` was taken."""
    after = _cassette_stamps(paths)
    return sorted(_relative(p, paths.root) for p, stamp in after.items() if before.get(p) != stamp)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
