"""Time review_connector on the bundled example connector against a 0.5 s goal.

    python bench/bench_review.py

Copies the bundled workspace to a temporary folder (the review writes SELF_REVIEW.md there,
never into the package), warms up once, then takes the best of a few rounds. The same rounds
also time parse_api_doc on the example's doc alone, as a baseline for the review's cost.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from skillpack.create.demo import copy_bundled_workspace
from skillpack.tools import (
    GenerateConnectorSpecIn,
    ParseApiDocIn,
    ReviewConnectorIn,
    generate_connector_spec,
    parse_api_doc,
    review_connector,
)

ROUNDS = 7
GOAL_S = 0.5


def _best(fn) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> list[str]:
    """Time the review and return the lines to print."""
    with tempfile.TemporaryDirectory(prefix="bench-review-") as tmp:
        ws = copy_bundled_workspace(Path(tmp) / "ws")
        generate_connector_spec(GenerateConnectorSpecIn(source="example", workspace=str(ws)))
        inp = ReviewConnectorIn(source="example", workspace=str(ws))
        doc = ParseApiDocIn(path=str(ws / "sources" / "example" / "example_api_doc.md"))
        out = review_connector(inp)  # warm-up: imports, rubric, caches
        review = _best(lambda: review_connector(inp))
        parse = _best(lambda: parse_api_doc(doc))
    verdict = "ok" if review <= GOAL_S else "over goal"
    return [
        f"checks: {len(out.checks)}, score {out.score:.1f}, {out.band}",
        f"parse_api_doc alone (baseline): {parse * 1000:.1f} ms (best of {ROUNDS})",
        f"review_connector: {review * 1000:.1f} ms (best of {ROUNDS}), "
        f"{review / parse:.1f}x the doc parse",
        f"goal <= {GOAL_S * 1000:.0f} ms: {verdict}",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
