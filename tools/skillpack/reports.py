"""The text the command line prints for a tool's output, one function per command.

Tools return models; these turn one into the few lines a person reads at a terminal
(``--json`` prints the model itself).
"""

from __future__ import annotations

from typing import Any

from skillpack.layout import echo


def suite_report(out: Any) -> str:
    """A compact table (test, outcome, time, cause), each cause's fix once, a summary line."""
    width = max([len(t.name) for t in out.tests] + [4])
    lines = [f"{'test'.ljust(width)}  {'outcome':8} {'time':>7}  cause"]
    fixes: dict[tuple[str, str | None], Any] = {}
    for t in out.tests:
        d = t.diagnosis
        cause = f"{d.cause}  {d.location or ''}".rstrip() if d else ""
        lines.append(f"{t.name.ljust(width)}  {t.outcome:8} {t.duration_s:6.2f}s  {cause}")
        if d and (t.outcome != "skipped" or not out.passed):
            fixes.setdefault((d.cause, d.location), d)
    for d in fixes.values():
        lines += [f"{d.cause}: {d.title}", f"  fix: {d.fix}", f"  evidence: {d.evidence}"]
    c = out.counts
    summary = f"{out.source}: {c.passed} passed, {c.failed} failed, {c.skipped} skipped"
    summary += f", {c.errors} errors" if c.errors else ""
    if out.timed_out:
        summary += f", stopped at the timeout in {out.running or 'start-up'}"
    if out.simulator_spec_origin:
        lines.append(f"answered by: {out.simulator_spec_origin}")
    lines.append(f"{summary} in {out.seconds:.1f}s")
    if not out.tests and out.output_tail:
        lines.insert(-1, out.output_tail.rstrip())
    return "\n".join(lines) + "\n"


def auth_report(out: Any) -> str:
    """Where the credentials went, which fields were set, and which required ones are missing."""
    secret = set(out.secret_fields_set)
    names = ", ".join(f"{n} (secret)" if n in secret else n for n in out.fields_set) or "none"
    text = f"saved to {out.path} (0600): {names}\n"
    if out.missing_required:
        text += f"still missing (required): {', '.join(out.missing_required)}\n"
    return text


def review_report(out: Any) -> str:
    """The score, the first five findings and where the report is."""
    lines = [f"{out.source}: score {out.score:.1f}/100, {out.band}"]
    for f in out.findings[:5]:
        lines.append(f"  {f.severity:7} {f.check_id}  {f.citation or '-'}  {f.message}")
    if len(out.findings) > 5:
        lines.append(f"  ... {len(out.findings) - 5} more in the report")
    lines.append(f"report: {out.report_path}")
    return "\n".join(lines) + "\n"


def package_report(out: Any) -> str:
    """The artifacts, dependencies, checks and notes, then passed or FAILED."""
    lines = [f"{out.distribution} {out.version} (import {out.connector_import})"]
    lines += [f"  {a.kind:11} {a.path}" for a in out.artifacts]
    lines.append(f"  depends on: {', '.join(out.dependencies) or 'nothing'}")
    lines += [f"  [{c.status}] {c.name}: {c.detail}" for c in out.checks]
    lines += [f"  note: {n}" for n in out.notes]
    lines.append("passed" if out.passed else "FAILED")
    return "\n".join(lines) + "\n"


def incremental_report(out: Any) -> str:
    """A line per check that did not pass, a line per table, then passed or FAILED."""
    marks = {"passed": "ok", "failed": "FAIL", "skipped": "skip"}
    lines = []
    for t in out.tables:
        cells = " ".join(f"{c.name}={marks[c.status]}" for c in t.checks)
        lines.append(f"{t.table} ({t.ingestion_type}, offset {t.offset_shape}): {cells}")
        for c in t.checks:
            if c.status == "failed":
                lines.append(
                    f"  {c.message}" + (f"\n    fix at {c.location}" if c.location else "")
                )
            elif c.status == "skipped":
                lines.append(f"  {c.name} skipped: {c.message}")
    if out.report_path:
        lines.append(f"report: {out.report_path}")
    lines.append(f"{'passed' if out.passed else 'FAILED'} in {out.seconds:.1f}s")
    return "\n".join(lines) + "\n"


def where_report(found: dict[str, Any]) -> str:
    """The flavour, the root and every path of a source, each marked as there or not."""
    head = f"{found['name']}: {found['flavour_description']} ({found['flavour']})"
    lines = [f"{head} at {found['root']}"]
    for key, entry in found["paths"].items():
        for e in entry if isinstance(entry, list) else [entry]:
            lines.append(f"  {key:20} {'ok ' if e['exists'] else '-- '} {e['path']}")
    return "\n".join(lines) + "\n"


def describe_os_error(exc: BaseException) -> str:
    """One short line for an OS or decoding error, quoting at most 80 characters of a path."""
    if isinstance(exc, OSError):
        where = f" `{echo(exc.filename)}`" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}"
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply"
    return f"{type(exc).__name__}: {echo(exc, 120)}"
