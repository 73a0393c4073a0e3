"""lint_api_doc: what an implementer would trip on in an API doc, each with its fix."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, Field

from skillpack.apidoc.models import ApiDoc, Table
from skillpack.apidoc.parse import read_doc
from skillpack.inputs import DocPath, ToolIn
from skillpack.registry import tool

Severity = Literal["error", "warning", "info"]

#: how to fix what the parser warns about, by warning code
_PARSER_FIXES = {
    "no-base-url": "add `- **Base URL:** `https://...`` to the overview",
    "source-name-guessed": "add `- **Source name:** `NAME`` to the overview",
    "no-source-name": "add `- **Source name:** `NAME`` to the overview",
    "no-auth": "add an `## Authentication` section with `Kind:` and a parameter table",
    "unknown-auth-kind": "state `- **Kind:** `bearer`` (or api_key, basic, oauth2_..., none)",
    "no-auth-fields": "list the credentials in a table: Parameter | Type | Required | Secret",
    "no-read-endpoint": "add `- **Read endpoint:** `GET /path`` to the table's section",
    "no-primary-key": "add `- **Primary key:** `id`` to the table's section",
    "unknown-primary-key": "list the key among the fields, or correct the key's name",
    "unknown-cursor": "list the cursor among the fields, or correct its name",
    "no-cursor": "add `- **Cursor field:** `updated_at`` or state `Ingestion type: snapshot`",
    "no-pagination": "add `- **Pagination:** `cursor`` (or page_number, offset, next_url, "
    "link_header, none) with how the next page is requested",
    "no-fields": "add a field table: Field | Type | Description",
    "untyped-fields": "give every field a type (string, integer, number, boolean, date, "
    "timestamp, object, array<...>)",
    "fields-from-example": "add a field table: Field | Type | Description",
    "write-back-unmatched": "name the write-back subsection after a table (`### `items``)",
    "no-tables": "add one `###` section per table under `## Tables`",
}
_ERRORS = {"no-read-endpoint", "no-primary-key", "no-tables", "no-auth-fields", "no-base-url"}


class Finding(BaseModel):
    """One thing to fix in the doc."""

    severity: Severity = Field(description="error: blocks implementation; warning; info.")
    code: str = Field(description="Stable id of the kind of finding.")
    line: int | None = Field(None, description="1-based line in the doc, when known.")
    table: str | None = Field(None, description="The table it concerns, if any.")
    message: str = Field(description="What is wrong.")
    fix: str = Field(description="How to fix it.")


class LintApiDocIn(ToolIn):
    """Input of ``lint_api_doc``."""

    path: DocPath
    write_back: bool = Field(
        False, description="Whether write-back testing is wanted (requires write endpoints)."
    )


class LintApiDocOut(BaseModel):
    """Findings, most severe first; ``passed`` is true when there is no error."""

    GATE: ClassVar[str] = "passed"

    path: str = Field(description="The doc that was linted.")
    passed: bool = Field(description="True when no finding is an error.")
    errors: int = Field(description="Number of error findings.")
    warnings: int = Field(description="Number of warning findings.")
    findings: list[Finding] = Field(description="What to fix, most severe first.")


def _table_findings(t: Table, write_back: bool) -> list[Finding]:
    out: list[Finding] = []

    def add(severity: Severity, code: str, message: str, fix: str, line: int | None = None):
        finding = Finding(
            severity=severity,
            code=code,
            line=line or t.line,
            table=t.name,
            message=message,
            fix=fix,
        )
        out.append(finding)

    if t.ingestion_type == "cdc_with_deletes" and t.delete_endpoint is None:
        add(
            "error",
            "deletes-without-feed",
            f"`{t.name}` is `cdc_with_deletes` but no delete feed is documented",
            "add `- **Delete feed:** `GET /path`` listing deleted records, or use `cdc`",
        )
    if t.ingestion_type == "cdc" and t.delete_endpoint is not None:
        add(
            "info",
            "feed-unused",
            f"`{t.name}` documents a delete feed but is `cdc`",
            "use `cdc_with_deletes` so deletes are read too",
        )
    if t.ingestion_type == "append" and t.write and (t.write.update or t.write.delete):
        add(
            "warning",
            "append-but-mutable",
            f"`{t.name}` is `append` but documents update or delete endpoints",
            "use `cdc` (or `cdc_with_deletes`) if records change after they are written",
        )
    if t.ingestion_type == "snapshot" and t.cursor_field and "cursor_field" not in t.inferred:
        add(
            "info",
            "cursor-unused",
            f"`{t.name}` states a cursor `{t.cursor_field}` but is `snapshot`",
            "use `cdc` to read incrementally, or drop the cursor",
        )
    if t.ingestion_type == "snapshot" and "ingestion_type" in t.inferred:
        add(
            "warning",
            "no-sync-story",
            f"`{t.name}` states neither a cursor nor an ingestion type; read as `snapshot`",
            "state `- **Cursor field:** `...`` or `- **Ingestion type:** `snapshot``",
        )
    if "primary_keys" in t.inferred:
        add(
            "info",
            "primary-key-inferred",
            f"primary key of `{t.name}` was guessed as {t.primary_keys}",
            "state `- **Primary key:** `...``",
        )
    if write_back and (t.write is None or t.write.insert is None):
        add(
            "warning",
            "no-insert-endpoint",
            f"`{t.name}` has no documented insert endpoint; write-back tests cannot create rows",
            "document `- **Insert:** `POST /path`` for the table under `## Write-back`",
        )
    return out


def lint(doc: ApiDoc, *, write_back: bool = False) -> list[Finding]:
    """Findings for a parsed doc, most severe first."""
    findings: list[Finding] = []
    for w in doc.warnings:
        severity: Severity = "error" if w.code in _ERRORS else "warning"
        findings.append(
            Finding(
                severity=severity,
                code=w.code,
                line=w.line,
                table=w.table,
                message=w.message,
                fix=_PARSER_FIXES.get(w.code, "state it in the doc"),
            )
        )
    for m in doc.auth:
        if m.kind != "none" and m.fields and not any(f.secret for f in m.fields):
            findings.append(
                Finding(
                    severity="warning",
                    code="no-secret-field",
                    line=m.line,
                    message=f"`{m.kind}` authentication marks no parameter as secret",
                    fix="add a Secret column and mark credentials `yes`",
                )
            )
    for t in doc.tables:
        findings.extend(_table_findings(t, write_back))
    if write_back and not any(t.write for t in doc.tables):
        findings.append(
            Finding(
                severity="error",
                code="no-write-back",
                line=None,
                message="write-back testing is wanted but the doc has no write-back section",
                fix="add `## Write-back` with insert/update/delete endpoints and body fields "
                "per table",
            )
        )
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.line or 0))


@tool
def lint_api_doc(inp: LintApiDocIn) -> LintApiDocOut:
    """List what an implementer would trip on in an API doc, each finding with its fix.

    Checks every table for a primary key and a cursor story, ingestion types that contradict
    the endpoints, pagination, auth parameters and (with ``write_back``) write endpoints.
    Run it after ``parse_api_doc``; fix errors before implementing.
    """
    doc = read_doc(inp.path)
    findings = lint(doc, write_back=inp.write_back)
    errors = sum(f.severity == "error" for f in findings)
    return LintApiDocOut(
        path=inp.path,
        passed=errors == 0,
        errors=errors,
        warnings=sum(f.severity == "warning" for f in findings),
        findings=findings,
    )
