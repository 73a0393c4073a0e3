"""Offline `create` on every API doc of a Lakeflow checkout, tested against the checkout's own
hand-curated simulator spec for that source (`--simulator-source`).

    python bench/create_simsource.py CHECKOUT --python PY [--clone DIR] [--only a,b] [--json OUT]

The checkout is never written to. Its sources with both an API doc and
``source_simulator/specs/SRC/endpoints.yaml`` are run one after another in a single clone
(``--clone DIR``, else a fresh ``git clone`` in a temporary folder), reset between sources:
``create SRC_new --doc <copy of SRC's doc> --simulator-source SRC --until test_simulate``.
``SRC_new`` keeps the generated connector apart from the checkout's own ``SRC``; the curated
spec it is tested against came from no generator, so a green suite is an honest measure.

``PY`` is a Python with the pack and the clone installed (``pip install -e PACK -e CLONE[dev]``
plus the per-source extras); with ``--clone`` absent the fresh clone is installed into it
(``--no-deps``) first. Per source it prints the step the run stopped at, the tables, the suite's
pass/fail counts, the to-do list's size, how many to-dos name table, field and doc line
(``named``) and how many concern the whole source (``src``: authentication, no table), the
tables left unchecked because the curated spec serves no read path for them (``unchk``) and
the time; then the totals.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from accuracy import find_docs
from create_offline import read_row

from skillpack.apidoc import linked_docs
from skillpack.create.simsource import unchecked_tables
from skillpack.layout import source_paths

SPECS = Path("src/databricks/labs/community_connector/source_simulator/specs")
STEP = "test_simulate"
SUFFIX = "_new"


def _git(clone: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(clone), *args], capture_output=True, text=True)
    return proc.stdout.strip()


def _reset(clone: Path, base: str, name: str) -> None:
    """Put the clone back where it started: no generated files, state or run branch."""
    _git(clone, "checkout", "-qf", base)
    _git(clone, "clean", "-fdq")
    shutil.rmtree(clone / ".skillpack", ignore_errors=True)
    _git(clone, "branch", "-D", f"connector/{name}")


def _counts(message: str) -> dict[str, int]:
    """``{'passed': 9, 'failed': 2}`` from a suite step's message (``9 passed, 2 failed``)."""
    return {k: int(n) for n, k in re.findall(r"(\d+) (passed|failed|error|skipped)", message)}


def run_one(python: str, clone: Path, base: str, source: str, doc: Path) -> dict:
    """One `create` in its own process, against the curated spec of ``source``."""
    name = source + SUFFIX
    _reset(clone, base, name)
    with tempfile.TemporaryDirectory(prefix="simsource-doc-") as tmp:
        copy = Path(tmp) / doc.name.replace(source, name, 1)
        copy.write_bytes(doc.read_bytes())
        # the docs it links to beside it (per-module keys and fields), as a user's would be
        for linked in linked_docs(doc):
            target = Path(tmp) / linked.relative_to(doc.resolve().parent)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(linked.read_bytes())
        args = ["create", name, "--doc", str(copy), "--workspace", str(clone)]
        args += ["--simulator-source", source, "--until", STEP]
        started = time.perf_counter()
        try:
            proc = subprocess.run(
                [python, "-m", "skillpack", *args], capture_output=True, text=True, timeout=900
            )
            stderr, code = proc.stderr, proc.returncode
        except subprocess.TimeoutExpired:
            stderr, code = "timed out after 900 s", -1
        took = time.perf_counter() - started
    row = read_row(clone / ".skillpack" / f"{name}.state.json", stderr)
    row.update(source=source, seconds=round(took, 1), exit=code)
    # tables the curated spec serves no read path for: left out of the suite, said here
    row["unchecked"] = unchecked_tables(source_paths(name, str(clone)).test_file)
    if "error" not in row:
        row["suite"] = _counts(row["suite_message"])
    return row


def _print(rows: list[dict]) -> None:
    print(
        f"{'source':<28} {'tables':>6} {'unchk':>5} {'pass':>4} {'fail':>4} {'todo':>4} "
        f"{'named':>5} {'src':>4} {'simulate':>8} {'s':>6}  stopped at"
    )
    for r in rows:
        if "error" in r:
            print(f"{r['source']:<28} ERROR {r['error']}")
            continue
        suite = r["suite"]
        fails = suite.get("failed", 0) + suite.get("error", 0)
        print(
            f"{r['source']:<28} {r['tables']:>6} {len(r['unchecked']):>5} "
            f"{suite.get('passed', 0):>4} {fails:>4} "
            f"{r['todo']:>4} {r['todo_complete']:>5} {r['todo_source_level']:>4} "
            f"{'green' if r['simulate_passed'] else 'red':>8} "
            f"{r['seconds']:>6.1f}  {r['stopped_at'] or '-'} {r['message'][:80]}"
        )
    ok = [r for r in rows if "error" not in r]
    green = [r for r in ok if r["simulate_passed"]]
    at_implement = [r for r in ok if r["stopped_at"] == "implement"]
    named = [r for r in at_implement if r["todo_complete"] + r["todo_source_complete"] == r["todo"]]
    red = [r for r in ok if r["stopped_at"] == STEP]
    placed = [r for r in red if r["todo"] and r["todo_complete"] == r["todo"]]
    partly = [r for r in green if r["unchecked"]]
    print(
        f"\n{len(rows)} sources with a curated spec: {len(green)} green in simulate "
        f"({len(green) - len(partly)} on every table; {len(partly)} on the tables their curated "
        f"spec serves, {sum(len(r['unchecked']) for r in partly)} tables it serves no read "
        "path for left unchecked), "
        f"{len(at_implement)} stop at implement ({len(named)} with every to-do naming its "
        f"table (or the whole source), field and doc line), {len(red)} red suites "
        f"({len(placed)} with every failure placed at table, field and doc line), "
        f"{len(rows) - len(ok)} errors; total {sum(r.get('seconds', 0) for r in rows):.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout")
    ap.add_argument("--python", required=True, help="a Python with the pack and the clone")
    ap.add_argument("--clone", help="a clone of the checkout to reuse (reset per source)")
    ap.add_argument("--only", help="comma-separated sources")
    ap.add_argument("--json", help="write the rows to this file")
    args = ap.parse_args(argv)
    checkout = Path(args.checkout).resolve()
    docs = {s: d for s, d in find_docs(checkout).items() if (checkout / SPECS / s).is_dir()}
    if args.only:
        docs = {k: v for k, v in docs.items() if k in set(args.only.split(","))}
    with tempfile.TemporaryDirectory(prefix="simsource-") as tmp:
        clone = Path(args.clone).resolve() if args.clone else Path(tmp) / "checkout"
        if not args.clone:
            subprocess.run(["git", "clone", "-q", str(checkout), str(clone)], check=True)
            subprocess.run(
                [args.python, "-m", "pip", "install", "-q", "--no-deps", "-e", str(clone)],
                check=True,
            )
        # a branch name, else (a detached HEAD) the commit: each source starts from it
        base = _git(clone, "rev-parse", "--abbrev-ref", "HEAD")
        if base == "HEAD":
            base = _git(clone, "rev-parse", "HEAD")
        rows = []
        for source, doc in docs.items():
            rows.append(run_one(args.python, clone, base, source, doc))
            print(f"  {source}: {rows[-1].get('stopped_at') or rows[-1].get('error')}", flush=True)
        _reset(clone, base, "")
    _print(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
