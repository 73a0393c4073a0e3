"""The mutation check's score (see bench/mutants.py): pinned behaviours whose mutant is killed."""

from __future__ import annotations

from mutants import run_all


def run() -> list[str]:
    results, killed = run_all()
    survived = [m.what for m, r in results if r != "killed"]
    lines = [f"mutation score: {killed}/{len(results)} mutants killed"]
    lines += [f"not killed: {what}" for what in survived]
    return lines
