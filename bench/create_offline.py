"""Run `skillpack create` offline on every API doc of a Lakeflow Community Connectors checkout.

    python bench/create_offline.py /path/to/checkout [--only a,b] [--json OUT]

Each doc goes into a fresh workspace of our own layout under a temporary folder (nothing is
written to the checkout) and `create` runs without credentials: doc, lint, spec, implement
and the generic suite in simulate mode against the simulator spec synthesised from the doc.
Per source it prints the step the run stopped at, the tables, the to-do list's size, whether
every to-do names its table, field and doc line, and the time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from accuracy import find_docs

STEP = "test_simulate"


def run_one(source: str, doc: Path, base: Path) -> dict:
    """One offline `create` in its own process, so a stuck run cannot stop the others."""
    workspace = base / source
    started = time.perf_counter()
    args = ["create", source, "--doc", str(doc), "--workspace", str(workspace), "--until", STEP]
    proc = subprocess.run(
        [sys.executable, "-m", "skillpack", *args],
        capture_output=True,
        text=True,
        timeout=900,
    )
    took = time.perf_counter() - started
    row = read_row(workspace / ".skillpack" / f"{source}.state.json", proc.stderr)
    row.update(source=source, seconds=round(took, 1), exit=proc.returncode)
    return row


def read_row(state_file: Path, stderr: str) -> dict:
    """What a run's state file says: steps passed, where it stopped, tables, to-dos, suite."""
    row: dict = {}
    if not state_file.exists():
        row["error"] = (stderr.strip().splitlines() or ["no state"])[-1][:200]
        return row
    state = json.loads(state_file.read_text())
    steps = {s["name"]: s for s in state["steps"]}
    row["passed"] = [n for n, s in steps.items() if s["status"] == "passed"]
    stopped = next((n for n, s in steps.items() if s["status"] in ("failed", "running")), None)
    row["stopped_at"] = stopped
    row["message"] = steps[stopped]["message"][:200] if stopped else ""
    doc_msg = steps["doc"]["message"]
    row["tables"] = int(doc_msg.split()[0]) if doc_msg[:1].isdigit() else 0
    # a failed suite's to-dos place its failures; else implement's list what is left to do
    todo = (steps[stopped].get("todo") if stopped else None) or steps["implement"].get("todo") or []
    row["todo"] = len(todo)
    row["todo_guessed"] = sum(1 for t in todo if t.get("guessed"))
    row["todo_complete"] = sum(
        1 for t in todo if t.get("table") and t.get("field") and t.get("doc_line")
    )
    row["todo_source_level"] = sum(1 for t in todo if not t.get("table"))
    row["todo_source_complete"] = sum(
        1 for t in todo if not t.get("table") and t.get("field") and t.get("doc_line")
    )
    row["simulate_passed"] = steps[STEP]["status"] == "passed"
    row["suite_message"] = steps[STEP].get("message", "")
    row["reason"] = steps[STEP].get("reason") or {}
    row["blocking"] = [
        f"{t.get('table')}.{t.get('field')}: {t.get('what', '')[:90]}"
        for t in todo
        if t.get("blocking")
    ]
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout")
    ap.add_argument("--only", help="comma-separated sources")
    ap.add_argument("--json", help="write the rows to this file")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    docs = find_docs(Path(args.checkout).resolve())
    if args.only:
        docs = {k: v for k, v in docs.items() if k in set(args.only.split(","))}
    with (
        tempfile.TemporaryDirectory(prefix="create-offline-") as tmp,
        ThreadPoolExecutor(max_workers=args.jobs) as pool,
    ):
        rows = list(pool.map(lambda s: run_one(s, docs[s], Path(tmp)), docs))
    print(
        f"{'source':<28} {'tables':>6} {'todo':>5} {'named':>5} {'src':>4} {'guess':>5} "
        f"{'simulate':>8} {'s':>6}  stopped at"
    )
    for r in rows:
        if "error" in r:
            print(f"{r['source']:<28} ERROR {r['error']}")
            continue
        print(
            f"{r['source']:<28} {r['tables']:>6} {r['todo']:>5} {r['todo_complete']:>5} "
            f"{r['todo_source_level']:>4} {r['todo_guessed']:>5} "
            f"{'green' if r['simulate_passed'] else 'red':>8} {r['seconds']:>6.1f}  "
            f"{r['stopped_at'] or '-'} {r['message'][:90]}"
        )
    ok = [r for r in rows if "error" not in r]
    reached = [r for r in ok if "implement" in r["passed"]]
    green = [r for r in ok if r["simulate_passed"]]
    named = [r for r in reached if r["todo_complete"] + r["todo_source_level"] == r["todo"]]
    print(
        f"\n{len(rows)} docs: {len(reached)} reach implement, {len(green)} green in simulate, "
        f"{len(named)} with every to-do naming table (or the source), field and doc line; "
        f"total {sum(r.get('seconds', 0) for r in rows):.0f} s"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
