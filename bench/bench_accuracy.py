"""The parser's accuracy on a Lakeflow checkout's API docs (`make bench` line).

Runs only when ``UPSTREAM`` names a checkout (and ``UPSTREAM_PYTHON`` a Python that has it
installed, for the ground truth); see bench/accuracy.py for what is measured.
"""

from __future__ import annotations

import os
from pathlib import Path

import accuracy


def run() -> list[str]:
    root = os.environ.get("UPSTREAM")
    if not root:
        return ["skipped: set UPSTREAM=DIR (a Lakeflow checkout) and UPSTREAM_PYTHON=PY"]
    python = os.environ.get("UPSTREAM_PYTHON", "python3")
    docs = accuracy.find_docs(Path(root).resolve())
    rows = [
        accuracy.score_doc(path, accuracy.read_truth(Path(root).resolve(), source, python))
        for source, path in docs.items()
    ]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in docs.values()]
    tok, parse, _ = accuracy.time_parse(texts)
    summary = accuracy.summarise(rows)
    ma = summary["macro"]
    return [
        f"docs: {summary['docs']}, crashes: {summary['crashes']}",
        "macro: " + ", ".join(f"{k} {accuracy._fmt(v)}" for k, v in ma.items()),
        f"parse vs markdown-it-py tokenising: {parse / tok:.2f}x (goal <= 1.5x)",
    ]
