"""Name the cause of a failed connector test, with a fix hint and the file:line to look at.

Classification goes from the most to the least reliable evidence:

1. the suite's cause code, the ``[code]`` every suite failure message starts with
   (``skillpack.testing.causes``); the generic codes ``read-shape`` and
   ``connector-init`` are refined by the exception they wrap;
2. the exception's type and message (``AuthError``, ``answered 400``, ``could not
   connect``, ``pagination loop`` ...), for failures raised outside the suite's checks;
3. nothing else: a failure that matches neither is ``unknown``, never guessed.

Every diagnosis lists its ``candidates``, most likely first, each with the evidence it rests
on. No fix ever suggests loosening a contract: a record missing its primary key or cursor, or
a record that fits another table's schema, points at the path, the records path or the
simulator spec, never at making the key, the cursor or the field nullable.

Where to look is ``_suite_locate``'s business: the innermost traceback frame in the
source's own files when there is one, else the line the cause points at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from skillpack.layout import SourcePaths
from skillpack.sdk.redaction import redact_text
from skillpack.suite._locate import LocationKind, locate
from skillpack.testing.causes import CAUSES

_EVIDENCE_WIDTH = 300


@dataclass(frozen=True)
class Category:
    """One diagnosis: what went wrong and the usual fix."""

    title: str
    fix: str


#: the diagnoses run_suite reports, by stable id; suite codes not listed pass through as-is
CATEGORIES: dict[str, Category] = {
    "auth": Category(
        "the source rejected the credentials (401/403)",
        "check the credential in the config and how the connector sends it "
        "(header name, scheme, query parameter)",
    ),
    "config-missing": Category(
        "no connector config, or a required option is missing",
        "set CONNECTOR_TEST_CONFIG_JSON or CONNECTOR_TEST_CONFIG_PATH, or write the "
        "source's configs/dev_config.json with every option the connector reads",
    ),
    "config-invalid": Category(
        "the connector config holds a wrong value",
        "fix the option named in the evidence, or how the connector reads it",
    ),
    "schema-mismatch": Category(
        "a field's value does not have the type the schema declares",
        "change the field's type in the schema, or convert the value when building records",
    ),
    "record-violates-schema": Category(
        "a record lacks a required value or carries a field the schema lacks",
        "check that the connector reads the documented endpoint and records path, and fills "
        "the field from the source; add a documented extra field to the schema. Loosen a "
        "type only for a field the doc calls optional, never for a key or the cursor",
    ),
    "records-of-another-table": Category(
        "the records read for this table are another table's",
        "the read endpoint serves another table's records: check the connector's path and "
        "the parameters that select this table (tables sharing a path are told apart by "
        "them), or, in simulate mode, the simulator spec's endpoint for the table; the "
        "schema and keys are right, do not loosen them",
    ),
    "metadata-invalid": Category(
        "read_table_metadata() is invalid or disagrees with the schema",
        "return primary_keys and cursor_field that are schema fields and a legal ingestion_type",
    ),
    "cursor-stalled": Category(
        "the cursor does not advance correctly: the offset never becomes stable",
        "derive the offset from the records read and return the start offset unchanged "
        "when there is nothing new; if the connector does, the source (or simulator) "
        "ignores the filter parameter it sends: check that parameter's name in the doc",
    ),
    "pagination-loop": Category(
        "the connector kept requesting the same page",
        "follow the next-page token the API returns, under the parameter name it expects",
    ),
    "mapping-path-missing": Category(
        "a column_mapping path is absent from the records read back",
        "fix the dot-path in the utilities' column_mapping (nesting, renaming)",
    ),
    "write-rejected": Category(
        "the source rejected a write (4xx)",
        "fix the write endpoint or the payload the test utilities send (required fields, "
        "types), as the API doc's write-back section says",
    ),
    "eventual-consistency-timeout": Category(
        "a written row never showed up in a read, within the wait",
        "check that the utilities really write, that the read's cursor filter includes the "
        "new row, or raise write_visibility_timeout_s for a slow source",
    ),
    "simulator-miss": Category(
        "the simulator has no answer for a request the connector made",
        "re-record the cassette (mode `record`), or extend the simulator spec; against a "
        "checkout's curated spec (`--simulator-source`), a table that spec does not serve "
        "cannot be checked there: compare the request with the spec's paths",
    ),
    "network": Category(
        "the source could not be reached or did not answer in time",
        "check base_url (host, port, path) and that the service is up; in simulate mode "
        "every request must go to the simulator",
    ),
    "source-error": Category(
        "the source answered an error status",
        "check the endpoint path and parameters the connector sends",
    ),
    "suite-timeout": Category(
        "the run was stopped at its timeout while this test was running",
        "a call never returned: look for a loop without an exit or a request without a "
        "timeout; raise timeout_s only if the source is merely slow",
    ),
    "import-error": Category(
        "the test file or the connector failed to import",
        "fix the error at the location shown (syntax, a missing import or name)",
    ),
    "unknown": Category(
        "the failure matches no known cause",
        "read the evidence and the traceback; fix the connector, never the test",
    ),
}

#: suite cause codes folded into a diagnosis; every other documented code is its own
_SUITE_TO_CATEGORY = {
    "auth": "auth",
    "config-missing": "config-missing",
    "metadata-invalid": "metadata-invalid",
    "primary-key-missing": "metadata-invalid",
    "deletes-missing": "metadata-invalid",
    "null-key": "record-violates-schema",
    "cursor-stalled": "cursor-stalled",
    "cursor-regressed": "cursor-stalled",
    "reread-not-empty": "cursor-stalled",
    "pagination-loop": "pagination-loop",
    "mapping-path-missing": "mapping-path-missing",
    "mapping-empty": "mapping-path-missing",
    "write-failed": "write-rejected",
    "written-row-missing": "eventual-consistency-timeout",
    "delete-missing": "eventual-consistency-timeout",
    "simulator-miss": "simulator-miss",
}
#: generic suite codes whose wrapped exception usually says more
_REFINED_CODES = ("read-shape", "connector-init", "connector-error")
#: codes of a polled check that gave up; the last failure seen may carry its own code
_POLLED_CODES = ("written-row-missing", "delete-missing")

_TAG = re.compile(r"(?m)^\[([a-z][a-z0-9-]*)\] ")
_LAST_TAG = re.compile(r"\blast: \[([a-z][a-z0-9-]*)\] ")
_INNER_EXC = re.compile(
    r"(?:raised |: )([A-Z][A-Za-z0-9_]*(?:Error|Exception|Blocked|Timeout|Failure))\b"
)
_HTTP_ANSWER = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE|HEAD) \S+ answered (\d{3})\b")
_VIOLATION = re.compile(
    r"table `(?P<table>[^`]+)` record #\d+(?: from \w+\(\))?: `(?P<field>[^`]+)`"
    r"(?: \((?P<role>primary key|cursor)\))?: "
    r"expected (?P<expected>.+?), got (?P<got>.+?)(?:; `|; the record fits|$)",
    re.M,
)
_TWIN = re.compile(r"the record fits table (?P<twins>`[^']+)'s schema")
_KEY_ROLE = re.compile(r"has no (?:value for key|cursor) `(?P<field>[^`]+)`")
_MAPPING = re.compile(r"column_mapping `(?P<field>[^`]+)` -> `(?P<path>[^`]+)`")
_INGESTION = re.compile(r"ingestion_type `(?P<value>[^`]*)`")
_NETWORK_TYPES = frozenset(
    {"ConnectionError", "ConnectTimeout", "ReadTimeout", "Timeout", "TimeoutError"}
    | {"ConnectionRefusedError", "ConnectionResetError", "NewConnectionError"}
)
_IMPORT_TYPES = frozenset({"ImportError", "ModuleNotFoundError", "SyntaxError", "IndentationError"})


class Candidate(BaseModel):
    """One possible cause of a failure and the evidence for it."""

    cause: str = Field(description="Stable id of the cause.")
    title: str = Field(description="What would have gone wrong.")
    evidence: str = Field(description="What in the failure points at this cause.")


class Diagnosis(BaseModel):
    """Why one test failed and where to fix it."""

    cause: str = Field(description="Stable id of the cause, e.g. `auth`; `unknown` if unmatched.")
    title: str = Field(description="What went wrong, in a few words.")
    fix: str = Field(description="What to change, naming the file:line to look at.")
    location: str | None = Field(
        None, description="`path:line` to look at, relative to the workspace when inside it."
    )
    location_kind: LocationKind | None = Field(
        None,
        description="How the location was found: traceback frame, stack of a hung run, the "
        "line the cause points at (anchor), the cassette, or the test file as a fallback.",
    )
    evidence: str = Field(description="First line of the failure message, secrets masked.")
    suite_code: str | None = Field(
        None, description="The suite's own cause code (`[code]` in the message), if any."
    )
    details: dict[str, str] = Field(
        default_factory=dict,
        description="Facts pulled from the message: table, field, expected, got, status ...",
    )
    candidates: list[Candidate] = Field(
        default_factory=list,
        description="Possible causes, most likely first, each with its evidence; the first "
        "is `cause`.",
    )


@dataclass
class Failure:
    """What a diagnosis reads: one test's failure as the events plugin reported it."""

    nodeid: str
    outcome: str
    message: str
    exc_type: str | None = None
    #: ``(path, line, function)`` frames, innermost last
    frames: Sequence[Sequence[object]] = field(default_factory=list)
    #: pytest's full report text (used for frames when the exception itself is gone)
    text: str = ""
    #: faulthandler's dump of a hung run
    stack_dump: str = ""
    #: what relative paths in ``text`` are relative to (pytest's rootdir)
    base: Path | None = None


def diagnose(failure: Failure, paths: SourcePaths, secrets: Iterable[str] = ()) -> Diagnosis:
    """Classify ``failure`` and locate it in ``paths``' files; secrets never reach the text."""
    secrets = frozenset(secrets)
    cause, code, details = _classify(failure)
    category = CATEGORIES.get(cause)
    if category is None:  # a documented suite code that stands for itself
        documented = CAUSES[cause]
        category = Category(documented.title, documented.fix)
    fix = _specific_fix(cause, code, details) or category.fix
    location, kind = locate(failure, cause, code, details, paths)
    if location:
        fix = f"{fix} (see {location})"
    evidence = _evidence(failure, secrets)
    return Diagnosis(
        cause=cause,
        title=category.title,
        fix=redact_text(fix, secrets),
        location=location,
        location_kind=kind,
        evidence=evidence,
        suite_code=code,
        details={k: redact_text(v, secrets) for k, v in details.items()},
        candidates=[
            Candidate(cause=c, title=_title(c), evidence=redact_text(e, secrets))
            for c, e in _ranked(cause, code, details, evidence)
        ],
    )


def _title(cause: str) -> str:
    category = CATEGORIES.get(cause)
    return category.title if category else CAUSES[cause].title if cause in CAUSES else cause


def _ranked(
    cause: str, code: str | None, details: dict[str, str], evidence: str
) -> list[tuple[str, str]]:
    """The causes worth checking, most likely first, each with what points at it."""
    first = f"suite code `{code}`: {evidence}" if code else evidence
    ranked = [(cause, first)]
    if cause == "records-of-another-table":
        ranked.append(
            (
                "simulator-miss",
                "in simulate mode the simulator spec may serve two tables sharing a path "
                "alike: give each the parameters that tell them apart",
            )
        )
    elif cause == "record-violates-schema" and details.get("role"):
        ranked.append(
            (
                "source-error",
                f"`{details.get('field')}` is the {details['role']}: a record without it "
                "comes from the wrong endpoint or records path, not from a nullable column",
            )
        )
    elif cause == "cursor-stalled":
        ranked.append(
            (
                "source-error",
                "the source or simulator may ignore the filter parameter the connector sends "
                "(a wrong parameter name returns everything again)",
            )
        )
    return ranked


# --- classification --------------------------------------------------------------------------


def _first_block(message: str) -> tuple[str | None, str]:
    """The first ``[code]`` of ``message`` and the text of its block (up to the next code)."""
    found = _TAG.search(message)
    if found is None:
        return None, message
    rest = message[found.end() :]
    following = _TAG.search(rest)
    return found.group(1), rest[: following.start()] if following else rest


def _classify(f: Failure) -> tuple[str, str | None, dict[str, str]]:
    if f.outcome == "timeout":
        return "suite-timeout", None, {}
    code, block = _first_block(f.message)
    if code in _POLLED_CODES:
        # A check that failed on every poll is the real cause, not the wait that ended it.
        inner = _LAST_TAG.search(block)
        if inner and inner.group(1) in CAUSES:
            code, block = inner.group(1), block[inner.end() :]
    if code is not None and code in CAUSES:
        if code in _REFINED_CODES:
            inner = _INNER_EXC.search(block)
            refined = _from_exception(inner.group(1) if inner else None, block)
            if refined is not None:
                return refined[0], code, refined[1]
            return code, code, {}
        twin = _TWIN.search(block)
        if twin and code in ("schema-violation", "null-key", "cursor-missing"):
            table = re.search(r"table `([^`]+)`", block)
            details = {"twins": twin.group("twins").replace("`", "")}
            if table:
                details["table"] = table.group(1)
            return "records-of-another-table", code, details
        if code == "schema-violation":
            return _schema_violation(block)
        if code == "cursor-missing":
            # In a record it is a data problem; in the metadata, a declaration problem.
            cause = "record-violates-schema" if "record #" in block else "metadata-invalid"
            return cause, code, {}
        details = _code_details(code, block)
        return _SUITE_TO_CATEGORY.get(code, code), code, details
    refined = _from_exception(f.exc_type, f.message or f.text)
    if refined is not None:
        return refined[0], None, refined[1]
    return "unknown", None, {}


def _from_exception(exc_type: str | None, text: str) -> tuple[str, dict[str, str]] | None:
    """The cause an exception's type and message name, or ``None`` when they name none."""
    answer = _HTTP_ANSWER.search(text)
    status = answer.group(2) if answer else None
    details = {"status": status, "method": answer.group(1)} if answer else {}
    if (
        exc_type == "NetworkBlocked"
        or "[simulator-miss]" in text
        or "no recorded answer" in text
        # a Lakeflow checkout's simulator, curated spec or not
        or "No endpoint spec matches" in text
    ):
        return "simulator-miss", {}
    if "Non-nullable field(s) are None" in text or "failed schema parsing" in text:
        # the checkout suite's own words for a record its schema does not admit
        return "record-violates-schema", {}
    if exc_type == "AuthError" or status in ("401", "403"):
        return "auth", details
    if "pagination loop" in text:
        return "pagination-loop", {}
    if answer and answer.group(1) != "GET" and status.startswith("4") and status != "404":
        return "write-rejected", details
    if (
        exc_type in _NETWORK_TYPES
        or "could not connect" in text
        or re.search(r"\btimed out after\b", text)
        # the SDK's deadline and cut-short-body errors (codes `deadline`, `truncated`)
        or re.search(r"did not finish within its \S+ deadline", text)
        or "the server closed the connection after" in text
    ):
        return "network", {}
    if answer:
        return "source-error", details
    if exc_type == "ConfigError":
        lowered = text.lower()
        missing = any(w in lowered for w in ("missing", "does not exist", "no config"))
        return ("config-missing" if missing else "config-invalid"), {}
    if exc_type in _IMPORT_TYPES:
        return "import-error", {}
    return None


def _schema_violation(block: str) -> tuple[str, str | None, dict[str, str]]:
    found = _VIOLATION.search(block)
    if found is None:
        return "schema-mismatch", "schema-violation", {}
    details = {k: v.strip() for k, v in found.groupdict().items() if v is not None}
    shape = details["got"] in ("missing", "None") or details["expected"] == "no such field"
    return ("record-violates-schema" if shape else "schema-mismatch"), "schema-violation", details


def _code_details(code: str, block: str) -> dict[str, str]:
    table = re.search(r"table `([^`]+)`", block)
    details = {"table": table.group(1)} if table else {}
    mapping = _MAPPING.search(block)
    if mapping:
        details.update(mapping.groupdict())
    ingestion = _INGESTION.search(block)
    if ingestion and code == "metadata-invalid":
        details["ingestion_type"] = ingestion.group("value")
    return details


def _specific_fix(cause: str, code: str | None, details: dict[str, str]) -> str | None:
    """A fix naming the field or value at fault, where the message gave one."""
    field_name, expected, got = details.get("field"), details.get("expected"), details.get("got")
    if cause == "schema-mismatch" and field_name and expected and got:
        return (
            f"`{field_name}` is declared {expected} but the source sends {got}: change its type "
            f"in the schema or convert the value when building records"
        )
    if cause == "records-of-another-table" and details.get("twins"):
        return (
            f"the records read for `{details.get('table', 'this table')}` fit table "
            f"`{details['twins']}`'s schema: the connector (or the simulator spec) reads that "
            "table's endpoint for this one; fix the path or the parameters that select the "
            "table, and keep the schema and keys as they are"
        )
    if cause == "record-violates-schema" and field_name:
        if expected == "no such field":
            return f"records carry `{field_name}`, which the schema lacks: add it to the schema"
        if details.get("role"):
            return (
                f"records lack the {details['role']} `{field_name}`: the connector reads the "
                "wrong endpoint or records path (or the simulator serves records without "
                f"it); a {details['role']} stays non-nullable"
            )
        return (
            f"records lack a value for non-nullable `{field_name}`: fill it from the source "
            "(check the endpoint and records path); make it nullable only if the doc calls "
            "it optional"
        )
    if cause == "mapping-path-missing" and details.get("path"):
        return (
            f"no record read back has the path `{details['path']}` mapped from "
            f"`{details.get('field')}`: fix the dot-path in column_mapping"
        )
    if cause == "write-rejected" and details.get("status"):
        return (
            f"the source answered {details['status']} to {details.get('method', 'a write')}: fix "
            "the payload the test utilities send (required fields, types) or the endpoint"
        )
    folded = code in CAUSES and code not in _REFINED_CODES and cause != code
    if folded and cause not in ("auth", "simulator-miss"):
        return CAUSES[code].fix  # the suite's own fix is the most specific one
    return None


def _evidence(f: Failure, secrets: frozenset[str]) -> str:
    text = (f.message or f.text or "").strip()
    first = text.splitlines()[0] if text else ""
    if f.outcome == "timeout" and not first:
        first = f"stopped at the timeout while running {f.nodeid}"
    first = redact_text(first, secrets)
    return first[:_EVIDENCE_WIDTH] + ("..." if len(first) > _EVIDENCE_WIDTH else "")
