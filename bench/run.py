"""Run every benchmark in bench/ and print its figures (`make bench`).

Each ``bench_*.py`` module defines ``run() -> list[str]``; ratios inside a module
compare against a baseline measured in the same process, so figures are
comparable across machines.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    wanted = set(argv)
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    failed = 0
    for name in names:
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            lines = importlib.import_module(name).run()
        except Exception as exc:  # one broken bench must not hide the others
            failed += 1
            print(f"  FAILED: {type(exc).__name__}: {exc}", flush=True)
            continue
        for line in lines:
            print(f"  {line}", flush=True)
        print(f"  ({time.perf_counter() - started:.1f}s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
