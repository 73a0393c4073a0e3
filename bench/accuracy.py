"""Score parse_api_doc on a Lakeflow Community Connectors checkout's own API docs.

    make accuracy UPSTREAM=/path/to/lakeflow-community-connectors
    python bench/accuracy.py /path/to/checkout [--python PY] [--json OUT] [--only a,b]

Ground truth is read at run time from each connector of that checkout: its ``list_tables()``
and ``read_table_metadata()``, with the stand-in config its test class declares, inside the
checkout's simulator (``bench/_upstream_truth.py``, run by ``--python``: a Python with the
checkout installed; default ``UPSTREAM_PYTHON`` or ``python3``). Nothing of the checkout is
copied here. For each doc: table recall and precision (names compared the way the parser
merges them: case, ``_`` and plural ``s`` aside), and, on matched tables, whether primary
keys, cursor field (on tables not read as a snapshot) and ingestion type agree (field names
with case and ``_`` aside, since connectors often rename ``createTime`` to ``create_time``);
then micro (all tables pooled) and macro (mean of per-doc figures) totals, crashes, and
parse time against markdown-it-py's tokenising of the same docs (best of a few rounds,
measured alternately in this process; the parser's memos start empty for every doc, so a
later round reads a doc as the first did). The baseline is markdown-it's full tokenising;
the parser runs its block pass and, on inline text holding markup, its inline pass, and
reads the same tree (tests/apidoc/test_read_tokens.py).

Table recall and precision count only what a doc can say:
- recall is over the served tables the doc names somewhere (in any words); a served table
  the doc never names (a report list kept in a JSON file beside the connector) cannot be
  read from it. The row's ``named`` column shows how many that is, and a doc that names
  none of its connector's tables gets no table figures (its facts still count).
- when the connector's ``list_tables()`` asks the API (``discovered``), the served names are
  whatever the test account holds and the doc can only give examples: such docs get no
  table recall or precision in the totals; instead the bench says whether the parser read
  their list as discovered. Their table figures are still printed on their rows.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from skillpack.apidoc._companions import companion_paths
from skillpack.apidoc._sections import name_key
from skillpack.apidoc._tree import build_tree, tokenize
from skillpack.apidoc.parse import parse_markdown, read_doc

HERE = Path(__file__).resolve().parent
SOURCES = Path("src/databricks/labs/community_connector/sources")
ROUNDS = 5
TRUTH_TIMEOUT_S = 120


def find_docs(root: Path) -> dict[str, Path]:
    """``{source: doc path}`` for every source folder with an API doc."""
    out = {}
    for folder in sorted((root / SOURCES).iterdir()):
        if not folder.is_dir():
            continue
        for name in (f"{folder.name}_api_doc.md", f"{folder.name}_source_api_doc.md"):
            if (folder / name).exists():
                out[folder.name] = folder / name
                break
    return out


def read_truth(root: Path, source: str, python: str) -> dict:
    """The tables the checkout's connector serves, from a subprocess in its venv."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("CONNECTOR_TEST_MODE", None)
    try:
        # A fresh temp folder each time: a connector that caches the API's answers on disk
        # (a metadata file) would otherwise list its tables without asking the API, and a
        # discovered list would look static.
        with tempfile.TemporaryDirectory(prefix="truth-") as tmp:
            proc = subprocess.run(
                [python, str(HERE / "_upstream_truth.py"), str(root), source],
                capture_output=True,
                text=True,
                timeout=TRUTH_TIMEOUT_S,
                env=dict(env, TMPDIR=tmp),
                cwd=str(root),
            )
    except subprocess.TimeoutExpired:
        return {"source": source, "error": f"timed out after {TRUTH_TIMEOUT_S}s"}
    try:
        return json.loads(proc.stdout)
    except ValueError:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"source": source, "error": last[:200]}


_WORDS = re.compile(r"[A-Za-z_][\w\-]*")


def _field_key(name: str | None) -> str:
    """Connectors often rename the API's ``createTime`` to ``create_time``: one field."""
    return "".join(ch for ch in (name or "").lower() if ch.isalnum())


def _same_cursor(a: str | None, b: str | None) -> bool:
    return _field_key(a) == _field_key(b)


def _same_keys(a: list[str], b: list[str]) -> bool:
    return sorted(map(_field_key, a)) == sorted(map(_field_key, b))


_FIELD = {"pk": "primary_keys", "cursor": "cursor_field", "ingestion": "ingestion_type"}


def _left_open(table, fact: str, todo: set[str]) -> bool:
    """A missed fact the parser did not pretend to know: no value and a to-do naming it
    (ingestion has a value always; it counts as open when marked as a guess)."""
    name = _FIELD[fact]
    if fact == "pk":
        return not table.primary_keys and name in todo
    if fact == "cursor":
        return table.cursor_field is None and name in todo
    return name in table.inferred


def score_doc(doc_path: Path, truth: dict) -> dict:
    """Per-doc figures; ``error`` when the parse crashed or truth is missing."""
    row: dict = {"source": truth.get("source"), "doc": str(doc_path)}
    if "error" in truth:
        row["truth_error"] = truth["error"]
        return row
    text = doc_path.read_text(encoding="utf-8", errors="replace")
    try:
        doc = read_doc(str(doc_path))
    except Exception as exc:
        row["crash"] = f"{type(exc).__name__}: {exc}"[:200]
        return row
    want = truth["tables"]
    want_keys = {name_key(n): n for n in want}
    got = {name_key(t.name): t for t in doc.tables}
    matched = [k for k in want_keys if k in got]
    words = {name_key(w) for w in _WORDS.findall(text)}
    row.update(
        table_list=doc.table_list,
        truth_list=truth.get("list", "static"),
        truth_tables=len(want),
        named=sum(1 for k in want_keys if k in words),
        parsed_tables=len(got),
        matched=len(matched),
        missed=sorted(want_keys[k] for k in want_keys if k not in got),
        extra=sorted(got[k].name for k in got if k not in want_keys),
    )
    facts = {"pk": [0, 0], "cursor": [0, 0], "ingestion": [0, 0]}
    opened = {"pk": 0, "cursor": 0, "ingestion": 0}
    wrong: list[str] = []
    for k in matched:
        w, t = want[want_keys[k]], got[k]
        if "error" in w:
            continue
        checks = {
            "pk": _same_keys(t.primary_keys, w["primary_keys"]),
            "cursor": _same_cursor(t.cursor_field, w["cursor_field"]),
            "ingestion": t.ingestion_type == w["ingestion_type"],
        }
        if w["ingestion_type"] == "snapshot":
            # A snapshot is read whole every time: the connector never reads its cursor
            # field (some still return one), so there is no cursor to get right.
            del checks["cursor"]
        todo = {w_.field for w_ in doc.warnings if w_.table == t.name and w_.field}
        for fact, ok in checks.items():
            facts[fact][1] += 1
            facts[fact][0] += ok
            if not ok and _left_open(t, fact, todo):
                opened[fact] += 1
            if not ok:
                value = {
                    "pk": (t.primary_keys, w["primary_keys"]),
                    "cursor": (t.cursor_field, w["cursor_field"]),
                    "ingestion": (t.ingestion_type, w["ingestion_type"]),
                }[fact]
                wrong.append(f"{want_keys[k]}.{fact}: got {value[0]!r}, want {value[1]!r}")
    row["facts"] = facts
    row["open"] = opened
    row["wrong"] = wrong
    return row


def time_parse(texts: list[str]) -> tuple[float, float, list[float]]:
    """Tokenise and parse time (sums of each doc's best of ``ROUNDS``), and each doc's best
    parse time. Each doc is tokenised and parsed back to back, so a burst of load on a
    shared machine hits both alike, and the per-doc best drops the bursts."""
    tok_best = [float("inf")] * len(texts)
    per_doc = [float("inf")] * len(texts)
    for _ in range(ROUNDS):
        for i, t in enumerate(texts):
            s = time.perf_counter()
            tokenize(t)
            tok_best[i] = min(tok_best[i], time.perf_counter() - s)
            s = time.perf_counter()
            with contextlib.suppress(Exception):  # crashes are counted by score_doc
                parse_markdown(t)
            per_doc[i] = min(per_doc[i], time.perf_counter() - s)
    return sum(tok_best), sum(per_doc), per_doc


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _table_scored(r: dict) -> bool:
    """Whether a row's table recall and precision count in the totals (see the module doc)."""
    return r["truth_list"] != "discovered" and r["named"] > 0


def summarise(rows: list[dict]) -> dict:
    """Micro and macro figures over the scored docs."""
    scored = [r for r in rows if "matched" in r]
    tabled = [r for r in scored if _table_scored(r)]
    crashes = [r for r in rows if "crash" in r]
    micro: dict = {}
    macro: dict = {}
    micro["recall"] = _ratio(sum(r["matched"] for r in tabled), sum(r["named"] for r in tabled))
    micro["precision"] = _ratio(
        sum(r["matched"] for r in tabled), sum(r["parsed_tables"] for r in tabled)
    )
    # A doc that yields no table has precision 0: nothing it produced was usable.
    precisions = [r["matched"] / r["parsed_tables"] if r["parsed_tables"] else 0.0 for r in tabled]
    # A crashed doc counts as 0 on every macro figure.
    pad = [0.0] * len(crashes)
    macro["recall"] = _mean([r["matched"] / r["named"] for r in tabled] + pad)
    macro["precision"] = _mean(precisions + pad)
    for fact in ("pk", "cursor", "ingestion"):
        ok = sum(r["facts"][fact][0] for r in scored)
        n = sum(r["facts"][fact][1] for r in scored)
        micro[fact] = _ratio(ok, n)
        per = [r["facts"][fact][0] / r["facts"][fact][1] for r in scored if r["facts"][fact][1]]
        macro[fact] = _mean(per + pad)
    opened = {
        fact: (
            sum(r["open"][fact] for r in scored),
            sum(r["facts"][fact][1] - r["facts"][fact][0] for r in scored),
        )
        for fact in ("pk", "cursor", "ingestion")
    }
    # Every served table, named in the doc or not, for comparison.
    served = [r for r in scored if r["truth_list"] != "discovered"]
    everything = {
        "micro": _ratio(sum(r["matched"] for r in served), sum(r["truth_tables"] for r in served)),
        "macro": _mean([r["matched"] / r["truth_tables"] for r in served if r["truth_tables"]]),
    }
    discovered = [r for r in scored if r["truth_list"] == "discovered"]
    return {
        "docs": len(rows),
        "scored": len(scored),
        "crashes": len(crashes),
        "micro": micro,
        "macro": macro,
        "tabled": len(tabled),
        "open": opened,
        "recall_of_every_served_table": everything,
        "discovered": sorted(r["source"] for r in discovered),
        "discovered_read_as_such": sorted(
            r["source"] for r in discovered if r["table_list"] == "discovered"
        ),
        "named_none": sorted(
            r["source"] for r in scored if r["truth_list"] != "discovered" and not r["named"]
        ),
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _fmt(v: float | None) -> str:
    # three places: the bars are 0.9, and 0.899 must not print as 0.90
    return "  -  " if v is None else f"{v:.3f}"


def report(rows: list[dict], summary: dict, timing: dict) -> list[str]:
    lines = [
        f"{'source':<28} {'truth':>5} {'named':>5} {'parsed':>6} {'match':>5} {'pk':>5} "
        f"{'cur':>5} {'ing':>5} {'ms':>7} list (doc / connector)"
    ]
    for r in rows:
        ms = timing["per_doc_ms"].get(r["source"], 0.0)
        if "truth_error" in r:
            lines.append(f"{r['source']:<28} no ground truth: {r['truth_error']}")
            continue
        if "crash" in r:
            lines.append(f"{r['source']:<28} CRASH: {r['crash']}")
            continue
        f = r["facts"]
        note = "" if _table_scored(r) else "  (tables not scored)"
        lines.append(
            f"{r['source']:<28} {r['truth_tables']:>5} {r['named']:>5} {r['parsed_tables']:>6} "
            f"{r['matched']:>5} "
            + " ".join(f"{f[k][0]:>2}/{f[k][1]:<2}" for k in ("pk", "cursor", "ingestion"))
            + f" {ms:>7.1f} {r.get('table_list', '')} / {r['truth_list']}{note}"
        )
    lines.append("")
    for kind in ("micro", "macro"):
        s = summary[kind]
        lines.append(
            f"{kind}: recall {_fmt(s['recall'])}  precision {_fmt(s['precision'])}  "
            f"pk {_fmt(s['pk'])}  cursor {_fmt(s['cursor'])}  ingestion {_fmt(s['ingestion'])}"
        )
    opened = summary["open"]
    lines.append(
        "of the facts missed, left open as a to-do (no value, a warning naming table and "
        "field; a guessed ingestion type marked as inferred): "
        + ", ".join(f"{k} {opened[k][0]} of {opened[k][1]}" for k in ("pk", "cursor", "ingestion"))
    )
    every = summary["recall_of_every_served_table"]
    lines.append(
        f"table recall and precision over {summary['tabled']} docs; recall counts the served "
        "tables each doc names. Recall of every served table, named or not: "
        f"micro {_fmt(every['micro'])}, macro {_fmt(every['macro'])}"
    )
    disc, read = summary["discovered"], summary["discovered_read_as_such"]
    lines.append(
        f"connector lists its tables from the API ({', '.join(disc) or 'none'}): the doc can "
        f"only give examples, so no table figures; the parser read {len(read)} of {len(disc)} "
        "of those lists as discovered"
    )
    if summary["named_none"]:
        lines.append(
            "doc names none of the tables its connector serves, so no table figures: "
            + ", ".join(summary["named_none"])
        )
    lines.append(
        f"docs {summary['docs']}, scored {summary['scored']}, crashes {summary['crashes']}"
    )
    lines.append(
        f"time: tokenising {timing['tokenise_s']:.3f} s, parse {timing['parse_s']:.3f} s, "
        f"ratio {timing['ratio']:.2f}x (each doc's best of {ROUNDS})"
    )
    comp = timing.get("companions")
    if comp:
        lines.append(
            f"companion docs the docs link to ({comp['files']} files, read with their doc; "
            f"not in the ratio above): tokenising {comp['tokenise_s']:.3f} s, parse "
            f"{comp['parse_s']:.3f} s, ratio {comp['parse_s'] / comp['tokenise_s']:.2f}x"
        )
    return lines


def _companions_of(doc_path: Path) -> list[Path]:
    """The companion docs ``read_doc`` reads along with ``doc_path``."""
    text = doc_path.read_text(encoding="utf-8", errors="replace")
    return companion_paths(doc_path, build_tree(tokenize(text)).links)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkout", help="a Lakeflow Community Connectors checkout")
    ap.add_argument(
        "--python",
        default=os.environ.get("UPSTREAM_PYTHON", "python3"),
        help="a Python with the checkout installed (reads the ground truth)",
    )
    ap.add_argument("--json", help="also write every figure to this JSON file")
    ap.add_argument("--only", help="comma-separated sources to score")
    ap.add_argument(
        "--truth-cache",
        help="read the ground truth from this JSON file if it exists, else write it there",
    )
    ap.add_argument("--verbose", "-v", action="store_true", help="list misses and wrong facts")
    args = ap.parse_args(argv)
    root = Path(args.checkout).resolve()
    if not (root / SOURCES).is_dir():
        print(f"error: `{root}` is not a Lakeflow Community Connectors checkout", file=sys.stderr)
        return 2
    docs = find_docs(root)
    if args.only:
        wanted = set(args.only.split(","))
        docs = {k: v for k, v in docs.items() if k in wanted}
    cache = Path(args.truth_cache) if args.truth_cache else None
    if cache is not None and cache.exists():
        truths = json.loads(cache.read_text())
        missing = [s for s in docs if s not in truths]
    else:
        truths, missing = {}, list(docs)
    with ThreadPoolExecutor(max_workers=2) as pool:
        truths.update(
            zip(missing, pool.map(lambda s: read_truth(root, s, args.python), missing), strict=True)
        )
    if cache is not None and missing:
        cache.write_text(json.dumps(truths, indent=1))
    rows = [score_doc(docs[s], truths[s]) for s in docs]
    texts = [docs[s].read_text(encoding="utf-8", errors="replace") for s in docs]
    tok, parse, per_doc = time_parse(texts)
    timing = {
        "tokenise_s": tok,
        "parse_s": parse,
        "ratio": parse / tok if tok else 0.0,
        "per_doc_ms": {s: t * 1000 for s, t in zip(docs, per_doc, strict=True)},
    }
    companions = [c for s in docs for c in _companions_of(docs[s])]
    if companions:
        ctexts = [c.read_text(encoding="utf-8", errors="replace") for c in companions]
        ctok, cparse, _ = time_parse(ctexts)
        timing["companions"] = {"files": len(ctexts), "tokenise_s": ctok, "parse_s": cparse}
    summary = summarise(rows)
    print("\n".join(report(rows, summary, timing)))
    if args.verbose:
        for r in rows:
            if r.get("missed") or r.get("extra") or r.get("wrong"):
                print(f"\n{r['source']}:")
                if r.get("missed"):
                    print(f"  missed: {', '.join(r['missed'][:40])}")
                if r.get("extra"):
                    print(f"  extra:  {', '.join(r['extra'][:40])}")
                for w in r.get("wrong", [])[:40]:
                    print(f"  wrong:  {w}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"rows": rows, "summary": summary, "timing": timing}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
