"""Compatibility check against a Lakeflow Community Connectors checkout.

``make compat UPSTREAM=DIR`` (mode ``suites``): copies the checkout twice into a temp
folder and runs each connector's test folder in simulate mode in both copies: once as is
(the checkout's own suites) and once with only the suite import lines pointed at
``skillpack.testing``. One row per connector, then::

    compat: N/M same outcome, time ratio R

Same outcome means: the tests both runs share (the checkout's own test names) give the same
passed and failed counts, test by test. Tests only our suite has are counted apart (``+extra``).
The time ratio is our total CPU time over theirs, each connector's the least of ``--repeat``
alternating runs (default 3); the wall-clock ratio is printed beside it (on a shared machine
it moves with other load).

``make compat-tools UPSTREAM=DIR`` (mode ``tools``): runs every tool once on each connector of
the checkout (see ``compat_tools.py``) and prints crashes and the review's score per connector.

The Python that runs the tests must have both the checkout and this pack installed
(``PYTHON=/path/to/venv/bin/python``).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

SOURCES = Path("src/databricks/labs/community_connector/sources")
TESTS = Path("tests/unit/sources")
#: the checkout's suite modules; only import lines naming these are rewritten
SUITE_MODULES = ("test_suite", "test_partition_suite", "test_write_back_suite")
_SUITE_IMPORT = re.compile(
    r"^(\s*from\s+)tests\.unit\.sources\.(?:" + "|".join(SUITE_MODULES) + r")(\s+import\b)",
    re.MULTILINE,
)
OUTCOMES = ("passed", "failed", "skipped", "error")


@dataclass
class Run:
    """One pytest run of one connector's test folder."""

    outcomes: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: CPU seconds of the pytest process: unlike wall time, barely moved by other load
    cpu: float = 0.0
    note: str = ""

    def count(self, outcome: str, ids: set[str] | None = None) -> int:
        return sum(
            1 for k, v in self.outcomes.items() if v == outcome and (ids is None or k in ids)
        )


def connectors(root: Path) -> list[str]:
    """Connector names of the checkout: source folders that have a test folder."""
    base = root / SOURCES
    return sorted(
        p.name
        for p in base.iterdir()
        if p.is_dir() and (p / f"{p.name}.py").is_file() and (root / TESTS / p.name).is_dir()
    )


def rewrite_suite_imports(test_dir: Path) -> int:
    """Point the suite import lines of every test module under ``test_dir`` at our suites."""
    changed = 0
    for path in test_dir.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        new = _SUITE_IMPORT.sub(r"\1skillpack.testing\2", text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def copy_checkout(src: Path, dest: Path) -> Path:
    shutil.copytree(
        src,
        dest,
        ignore=shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache", "*.egg-info"),
        symlinks=True,
    )
    return dest


def run_tests(python: str, root: Path, name: str, timeout: float) -> Run:
    """Run ``tests/unit/sources/NAME`` in ``root`` in simulate mode; outcomes from JUnit XML."""
    report = root / f".compat-{name}.xml"
    env = dict(os.environ)
    # The checkout's convention: no CONNECTOR_TEST_MODE, so classes with a simulator spec
    # run simulated and the rest follow their own default.
    env.update(
        PYTHONPATH=os.pathsep.join([str(root / "src"), str(root)]),
        PYTHONDONTWRITEBYTECODE="1",
    )
    for key in ("CONNECTOR_TEST_MODE", "CONNECTOR_TEST_CONFIG_JSON", "CONNECTOR_TEST_CONFIG_PATH"):
        env.pop(key, None)
    cmd = [python, "-m", "pytest", str(TESTS / name), "-q", "-p", "no:cacheprovider"]
    cmd += [f"--junitxml={report}", "-o", "addopts=", "-o", "junit_family=xunit1"]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run(
            cmd, cwd=root, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return Run(seconds=time.perf_counter() - started, note=f"timeout {timeout:g}s")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    run = Run(seconds=time.perf_counter() - started, cpu=cpu)
    if not report.is_file():
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-1:]
        run.note = "no report: " + (tail[0][:80] if tail else f"exit {proc.returncode}")
        return run
    for case in ET.parse(report).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        if "error" in kinds:
            outcome = "error"
        elif "failure" in kinds:
            outcome = "failed"
        elif "skipped" in kinds:
            outcome = "skipped"
        else:
            outcome = "passed"
        run.outcomes[test_id] = outcome
    report.unlink()
    return run


def same_outcome(theirs: Run, ours: Run) -> bool:
    """Every test the checkout's run has gives the same result in ours."""
    if not theirs.outcomes or theirs.note or ours.note:
        return theirs.note == ours.note and theirs.outcomes == ours.outcomes
    return all(ours.outcomes.get(k) == v for k, v in theirs.outcomes.items())


def _cell(run: Run, ids: set[str] | None = None) -> str:
    counts = "/".join(str(run.count(o, ids)) for o in OUTCOMES)
    return f"{counts} {run.cpu:5.1f}s" + (f" ({run.note})" if run.note else "")


def _best_of(
    repeat: int, python: str, theirs_root: Path, ours_root: Path, name: str, timeout: float
) -> tuple[Run, Run]:
    """Both runs ``repeat`` times, alternating; each side keeps its least CPU and wall time.

    One pytest run's CPU time moves by a tenth with what else the machine does; the least
    of a few alternating runs is what each suite costs. Outcomes come from the first run and
    a test whose outcome changes between runs is named in the note.
    """
    best: list[Run] = []
    for root in (theirs_root, ours_root):
        best.append(run_tests(python, root, name, timeout))
    for _ in range(repeat - 1):
        for i, root in enumerate((theirs_root, ours_root)):
            again = run_tests(python, root, name, timeout)
            first = best[i]
            first.cpu = min(first.cpu, again.cpu)
            first.seconds = min(first.seconds, again.seconds)
            moved = [k for k, v in first.outcomes.items() if again.outcomes.get(k) != v]
            if moved and not first.note:
                first.note = f"flaky: {moved[0].rsplit('::', 1)[-1]}"
    return best[0], best[1]


def compare_suites(
    upstream: Path, python: str, only: list[str], timeout: float, repeat: int = 1
) -> int:
    with tempfile.TemporaryDirectory(prefix="skillpack-compat-") as tmp:
        theirs_root = copy_checkout(upstream, Path(tmp) / "theirs")
        ours_root = copy_checkout(upstream, Path(tmp) / "ours")
        names = [n for n in connectors(theirs_root) if not only or n in only]
        print(f"{'connector':28} {'theirs p/f/s/e':>20} {'ours p/f/s/e':>20}  same  extra")
        same = 0
        t_theirs = t_ours = wall_theirs = wall_ours = 0.0
        for name in names:
            rewrite_suite_imports(ours_root / TESTS / name)
            theirs, ours = _best_of(repeat, python, theirs_root, ours_root, name, timeout)
            shared = set(theirs.outcomes)
            extra = {k: v for k, v in ours.outcomes.items() if k not in shared}
            ok = same_outcome(theirs, ours)
            same += ok
            t_theirs += theirs.cpu
            t_ours += ours.cpu
            wall_theirs += theirs.seconds
            wall_ours += ours.seconds
            extra_cell = "/".join(str(sum(1 for v in extra.values() if v == o)) for o in OUTCOMES)
            print(
                f"{name:28} {_cell(theirs):>20} {_cell(ours, shared):>20}  "
                f"{'yes' if ok else 'NO ':4}  +{extra_cell}",
                flush=True,
            )
            if not ok:
                diffs = [k for k, v in sorted(theirs.outcomes.items()) if ours.outcomes.get(k) != v]
                for k in diffs[:6]:
                    short = k.rsplit(".", 1)[-1]
                    print(f"    {short}: theirs {theirs.outcomes[k]}, ours {ours.outcomes.get(k)}")
        ratio = t_ours / t_theirs if t_theirs else float("nan")
        wall = wall_ours / wall_theirs if wall_theirs else float("nan")
        print(
            f"compat: {same}/{len(names)} same outcome, time ratio {ratio:.2f} "
            f"(CPU {t_ours:.1f}s / {t_theirs:.1f}s; wall-clock ratio {wall:.2f})"
        )
        return 0 if same == len(names) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, type=Path, help="checkout to compare with")
    parser.add_argument("--python", default=sys.executable, help="Python with both installed")
    parser.add_argument("--mode", choices=("suites", "tools"), default="suites")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per pytest run")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per side; the least CPU time counts"
    )
    parser.add_argument("only", nargs="*", help="connector names (default: all)")
    args = parser.parse_args(argv)
    upstream = args.upstream.expanduser().resolve()
    if not (upstream / SOURCES).is_dir():
        print(f"`{upstream}` is not a Lakeflow Community Connectors checkout", file=sys.stderr)
        return 2
    if args.mode == "tools":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from compat_tools import compare_tools

        return compare_tools(upstream, args.only)
    return compare_suites(upstream, args.python, args.only, args.timeout, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
