"""A scripted mutation check (`make mutants`): does each pinned behaviour have a test?

Each mutant is one small change to one file (``old`` -> ``new``), applied alone to a
temporary copy of the repository; the test file named beside it then runs against that
copy. A mutant is *killed* when the tests fail, *survived* when they pass. The list names
behaviours that once went untested; add a mutant whenever a bug slipped past the tests.

    python bench/mutants.py            # every mutant; exit 1 if one survived
    python bench/mutants.py pagination # only mutants whose file or test contains the word
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = "tools/skillpack/"


@dataclass(frozen=True)
class Mutant:
    """One change to one file, and the test file that must notice it."""

    file: str
    old: str
    new: str
    tests: str
    what: str


MUTANTS: tuple[Mutant, ...] = (
    Mutant(PKG + "testing/write_back.py",
           "all(_same(v, resolve_path(rec, p))", "any(_same(v, resolve_path(rec, p))",
           "tests/testing/test_write_back_mapping.py",
           "a written row is found only when one record has every mapped value"),
    Mutant(PKG + "testing/_cassette.py",
           "found |= {json.dumps(s)[1:-1] for s in list(found)}", "pass",
           "tests/testing/test_cassette_secrets.py",
           "cassettes mask secrets in their JSON-escaped form"),
    Mutant(PKG + "tools/_package_verify.py",
           "    if declared != wanted:", "    if False:",
           "tests/tools/test_package_verify.py",
           "package verification compares Requires-Dist"),
    Mutant(PKG + "tools/_package_verify.py",
           "    if missing:\n        return check(\"wheel_contents\"",
           "    if False:\n        return check(\"wheel_contents\"",
           "tests/tools/test_package_verify.py",
           "a staged file missing from the wheel fails verification"),
    Mutant(PKG + "sdk/pagination.py",
           "if mark is not None and mark == self._last_page:", "if False:",
           "tests/sdk/test_pagination.py",
           "a page repeating the previous page's records is a pagination loop"),
    Mutant(PKG + "sdk/pagination.py",
           "self.pages >= self.page_cap", "self.pages > self.page_cap",
           "tests/sdk/test_pagination.py",
           "page-number paging without a total stops at the page cap"),
    Mutant(PKG + "sdk/pagination.py",
           "        if not records:\n            # an empty page ends every walk",
           "        if False:\n            # an empty page ends every walk",
           "tests/sdk/test_pagination.py",
           "an empty page ends every walk"),
    Mutant(PKG + "testing/_spec_simulator.py",
           "    if pagination.ignores_params:\n        start = 0",
           "    if False:\n        start = 0",
           "tests/testing/test_simulator_paging.py",
           "the simulator can play a server ignoring paging parameters"),
    Mutant(PKG + "tools/review_connector.py",
           "passed=band_code in PASSING_BANDS and not sinking and not errors",
           "passed=band_code in PASSING_BANDS and not errors",
           "tests/tools/test_review_truth.py",
           "a pending judgement that can sink the connector keeps the gate shut"),
    Mutant(PKG + "tools/_review_checks.py",
           'return Outcome("error",', 'return Outcome("unchecked",',
           "tests/tools/test_review_truth.py",
           "a check that raises is an error of the review, not unchecked"),
    Mutant(PKG + "tools/_review_rubric.py",
           'if status not in ("pass", "fail", "error"):', 'if status not in ("pass", "fail"):',
           "tests/tools/test_review_truth.py",
           "a check that raised scores as a failure"),
    Mutant(PKG + "tools/_review_judgements.py",
           'if verdict.verdict == "na" and not checks[check_id].na_allowed:', "if False:",
           "tests/tools/test_review_truth.py",
           "`na` is refused where the check always applies"),
    Mutant(PKG + "cli.py",
           "    if not found.gate_passed(out):", "    if False:",
           "tests/test_gates.py",
           "`skillpack tool` exits 1 when the tool's gate fails"),
    Mutant(PKG + "orchestrator.py",
           "changed = [k for k in step.inputs if record.inputs.get(k) != now[k]]",
           "changed = []",
           "tests/test_gates.py",
           "--resume runs again a step whose doc changed"),
    Mutant(PKG + "tools/parse_api_doc.py",
           'and "primary_keys" not in t.inferred', "",
           "tests/test_gates.py",
           "the doc gate needs primary keys the doc states, not guessed ones"),
    Mutant(PKG + "tools/_diagnose.py",
           'if twin and code in ("schema-violation", "null-key", "cursor-missing"):',
           "if False:",
           "tests/tools/test_diagnose.py",
           "a record fitting another table's schema points at the path, not nullability"),
)  # fmt: skip


def _copy(target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "dist", "build")
    for name in ("tools", "tests", "agents", "skills"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "AGENTS.md"):
        shutil.copy2(ROOT / name, target / name)


def _pytest(copy: Path, tests: list[str]) -> subprocess.CompletedProcess[str]:
    # The copy's own package comes first on the path, ahead of the editable install.
    env = {**os.environ, "PYTHONPATH": str(copy / "tools"), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def run_mutant(mutant: Mutant, copy: Path) -> str:
    """``killed``, ``survived`` or ``stale`` (the old text is no longer in the file once)."""
    path = copy / mutant.file
    original = path.read_text(encoding="utf-8")
    if original.count(mutant.old) != 1:
        return "stale"
    path.write_text(original.replace(mutant.old, mutant.new), encoding="utf-8")
    try:
        proc = _pytest(copy, [mutant.tests])
    finally:
        path.write_text(original, encoding="utf-8")
    return "survived" if proc.returncode == 0 else "killed"


def run_all(words: list[str] | None = None) -> tuple[list[tuple[Mutant, str]], int]:
    """Every (selected) mutant and its outcome, and how many were killed."""
    chosen = [m for m in MUTANTS if not words or any(w in m.file or w in m.tests for w in words)]
    with tempfile.TemporaryDirectory(prefix="skillpack-mutants-") as tmp:
        copy = Path(tmp)
        _copy(copy)
        # Unmutated, the tests must pass in the copy, or every mutant would look killed.
        baseline = _pytest(copy, sorted({m.tests for m in chosen}))
        if baseline.returncode != 0:
            tail = "\n".join(baseline.stdout.splitlines()[-15:])
            raise RuntimeError(f"the tests fail without any mutant:\n{tail}")
        results = [(m, run_mutant(m, copy)) for m in chosen]
    return results, sum(1 for _, r in results if r == "killed")


def main(argv: list[str]) -> int:
    results, killed = run_all(argv)
    for mutant, outcome in results:
        print(f"{outcome:8}  {mutant.file.removeprefix(PKG)}: {mutant.what}", flush=True)
    print(f"mutation score: {killed}/{len(results)} killed")
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
