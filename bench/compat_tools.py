"""Every tool once on every connector of a Lakeflow Community Connectors checkout.

Part of ``bench/compat.py`` (``--mode tools``; ``make compat-tools UPSTREAM=DIR``). Works on a
copy of the checkout, since several tools write. A tool that raises a ``SkillpackError`` (or a
pydantic validation error) has answered with the usual one-line error; anything else is a
crash and its traceback is printed. One row per connector, then::

    tools: C crashes over T calls; review mean S (READY a, ALMOST b, NOT READY c)
"""

from __future__ import annotations

import shutil
import tempfile
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from skillpack.errors import SkillpackError
from skillpack.layout import list_sources, source_paths
from skillpack.testing._netguard import block_network
from skillpack.tools import get_tool


def _calls(ws: Path, name: str, scratch: Path) -> list[tuple[str, dict[str, Any]]]:
    """The tool calls for one connector: read-only ones first, the review last."""
    paths = source_paths(name, ws)
    src = {"source": name, "workspace": str(ws)}
    return [
        ("parse_api_doc", {"path": str(paths.api_doc)}),
        ("lint_api_doc", {"path": str(paths.api_doc), "write_back": True}),
        # the spec tool writes only inside the workspace: a scratch folder in the copy
        ("generate_connector_spec", {**src, "out_dir": str(ws / ".compat-scratch" / name)}),
        ("implement_connector", {**src}),
        ("write_test_utils", {**src}),
        ("write_credentials", {**src, "values": {}, "merge": True}),
        ("validate_auth", {**src, "config": {}, "read_sample": False, "timeout_s": 10}),
        ("run_suite", {**src, "mode": "simulate", "timeout_s": 600}),
        ("package_connector", {**src, "verify": False, "out_dir": str(scratch / "dist" / name)}),
        ("review_connector", {**src}),
    ]


def run_tool(tool: str, data: dict[str, Any]) -> tuple[str, Any]:
    """("ok", output) | ("error", one line) | ("crash", traceback)."""
    try:
        # Nothing here may reach a real source: the connectors are built with empty configs.
        with block_network(why="compat-tools runs offline"):
            return "ok", get_tool(tool).call_json(data)
    except SkillpackError as exc:
        return "error", f"{exc}" + (f" (hint: {exc.hint})" if getattr(exc, "hint", "") else "")
    except ValidationError as exc:
        return "error", str(exc).splitlines()[0]
    except Exception:
        return "crash", traceback.format_exc()


def compare_tools(upstream: Path, only: list[str]) -> int:
    crashes = calls = 0
    scores: list[float] = []
    bands: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="skillpack-compat-tools-") as tmp:
        ws = Path(tmp) / "checkout"
        shutil.copytree(upstream, ws, ignore=shutil.ignore_patterns(".git", "__pycache__"))
        scratch = Path(tmp) / "scratch"
        names = [n for n in list_sources(ws) if not only or n in only]
        for name in names:
            cells, review = [], None
            for tool, data in _calls(ws, name, scratch):
                kind, out = run_tool(tool, data)
                calls += 1
                cells.append(f"{tool}={kind}")
                if kind == "crash":
                    crashes += 1
                    print(f"--- {name} {tool} crashed:\n{out}", flush=True)
                if tool == "review_connector" and kind == "ok":
                    review = out
            if review is not None:
                scores.append(review["score"])
                bands[review["band_code"]] += 1
                blockers = sum(1 for f in review["findings"] if f["severity"] == "BLOCKER")
                verdict = f"{review['score']:5.1f} {review['band_code']:9} blockers={blockers}"
            else:
                verdict = "no review"
            errors = [c.split("=")[0] for c in cells if c.endswith("=error")]
            print(f"{name:28} {verdict}  errors: {', '.join(errors) or '-'}", flush=True)
    mean = sum(scores) / len(scores) if scores else float("nan")
    band_text = ", ".join(f"{b} {n}" for b, n in sorted(bands.items()))
    print(f"tools: {crashes} crashes over {calls} calls; review mean {mean:.1f} ({band_text})")
    return 1 if crashes else 0
