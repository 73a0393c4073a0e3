"""Parse time of parse_api_doc against markdown-it-py's own tokenising of the same docs.

    python bench/bench_apidoc.py

Generates 30 API docs of about 1,000 lines each (tables with field tables, prose, lists and
code blocks), then times, in the same run and best of a few rounds, (a) markdown-it-py
tokenising every doc and (b) the whole parse. The goal is a ratio of at most 1.5. The
baseline is markdown-it's full tokenising; the parse runs its block pass and, only on inline
text holding markup, its inline pass, reading the same tree (tests/apidoc/test_read_tokens.py).
"""

from __future__ import annotations

import time

from skillpack.apidoc._tree import tokenize
from skillpack.apidoc.parse import parse_markdown

DOCS = 30
TARGET_LINES = 1000
ROUNDS = 3
GOAL = 1.5

_TYPES = ["string", "integer", "number", "boolean", "timestamp", "date", "object", "array<string>"]


def _table(n: int) -> list[str]:
    name = f"table_{n}"
    lines = [
        f"### `{name}`",
        "",
        f"Records of {name}. They are identified by `id` and change over time; use "
        "`updated_at` for incremental sync.",
        "",
        "- **Primary key:** `id`",
        "- **Cursor field:** `updated_at`",
        f"- **Ingestion type:** `{'cdc_with_deletes' if n % 2 else 'cdc'}`",
        f"- **Read endpoint:** `GET /{name}`",
        "- **Pagination:** `cursor` (send `next_cursor` back as `cursor`)",
    ]
    if n % 2:
        lines.append(f"- **Delete feed:** `GET /{name}/deleted`")
    lines += [
        "",
        "Query parameters of the read endpoint:",
        "",
        "| Parameter | Type | Required | Description |",
        "|---|---|---|---|",
        "| `updated_since` | timestamp | no | Only records changed since then. |",
        "| `cursor` | string | no | Page cursor. |",
        "| `limit` | integer | no | Page size. |",
        "",
        "Fields:",
        "",
        "| Field | Type | Description |",
        "|---|---|---|",
        "| `id` | string | Unique id. |",
        "| `updated_at` | timestamp | Last change. |",
    ]
    for i in range(18):
        lines.append(f"| `field_{i}` | {_TYPES[i % len(_TYPES)]} | Field {i} of {name}, *as is*. |")
    lines += [
        "",
        "Example request:",
        "",
        "```http",
        f"GET /{name}?limit=100",
        "```",
        "",
    ]
    return lines


def make_doc(seed: int) -> str:
    """One synthetic API doc of about ``TARGET_LINES`` lines."""
    lines = [
        f"# Bench Source {seed} API",
        "",
        "## Overview",
        "",
        f"- **Source name:** `bench_{seed}`",
        "- **Base URL:** `https://api.bench.test/v1`",
        "",
        "## Authentication",
        "",
        "- **Kind:** `bearer`",
        "",
        "| Parameter | Type | Required | Secret | Description |",
        "|---|---|---|---|---|",
        "| `api_token` | string | yes | yes | The token. |",
        "",
        "## Tables",
        "",
    ]
    n = 0
    while len(lines) < TARGET_LINES - 10:
        lines += _table(n)
        n += 1
    lines += ["## Write-back", "", "### `table_0`", "", "- **Insert:** `POST /table_0`", ""]
    return "\n".join(lines) + "\n"


def _time(fn, docs: list[str]) -> float:
    start = time.perf_counter()
    for d in docs:
        fn(d)
    return time.perf_counter() - start


def _best_of(docs: list[str]) -> tuple[float, float]:
    """Best tokenise and parse times, the two measured alternately so load hits both alike."""
    tokenise = parse = float("inf")
    for _ in range(ROUNDS):
        tokenise = min(tokenise, _time(tokenize, docs))
        parse = min(parse, _time(parse_markdown, docs))
    return tokenise, parse


def run() -> list[str]:
    """Time both and return the lines to print."""
    docs = [make_doc(i) for i in range(DOCS)]
    total_lines = sum(d.count("\n") for d in docs)
    tokenise, parse = _best_of(docs)
    ratio = parse / tokenise
    verdict = "ok" if ratio <= GOAL else "over goal"
    return [
        f"docs: {DOCS}, lines: {total_lines} (about {total_lines // DOCS} each)",
        f"markdown-it-py tokenising: {tokenise:.3f} s (best of {ROUNDS})",
        f"parse_api_doc (whole parse): {parse:.3f} s (best of {ROUNDS})",
        f"ratio: {ratio:.2f}x (goal <= {GOAL}x: {verdict})",
    ]


if __name__ == "__main__":
    print("\n".join(run()))
