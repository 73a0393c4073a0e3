"""Stable cause codes: the first thing in every failure message of the suites.

A failure reads ``[cursor-stalled] table `orders`: ...``. Tools (``run_suite``'s
diagnosis) classify failures by this code instead of parsing prose, so codes never
change meaning once published; add new ones instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cause:
    """One failure cause: its code, what went wrong, and where to look for the fix."""

    code: str
    title: str
    fix: str


_CAUSES = [
    Cause(
        "config-missing",
        "no connector config was found",
        "set CONNECTOR_TEST_CONFIG_JSON or "
        "CONNECTOR_TEST_CONFIG_PATH, or write the source's configs/dev_config.json",
    ),
    Cause(
        "connector-init",
        "the connector could not be constructed from the config",
        "check __init__ and the config keys it reads",
    ),
    Cause(
        "tables-invalid",
        "list_tables() did not return unique table names",
        "return a list of unique strings",
    ),
    Cause(
        "unknown-table-accepted",
        "a method accepted a table name the source does not have",
        "raise an error for unknown table names",
    ),
    Cause(
        "schema-invalid",
        "get_table_schema() returned no usable schema",
        "return a StructType with unique, non-empty fields",
    ),
    Cause(
        "metadata-invalid",
        "read_table_metadata() returned an invalid dict",
        "return primary_keys, cursor_field and a legal ingestion_type",
    ),
    Cause(
        "primary-key-missing",
        "a primary key is not a field of the schema",
        "add the key to the schema or fix primary_keys",
    ),
    Cause(
        "cursor-missing",
        "the cursor field is missing from the schema or the records",
        "add the cursor to the schema and make every record carry it",
    ),
    Cause(
        "deletes-missing",
        "a cdc_with_deletes table has no read_table_deletes",
        "implement read_table_deletes or change the ingestion type",
    ),
    Cause(
        "read-shape",
        "read_table() did not return (iterator of dicts, offset dict)",
        "return a tuple (iterator of record dicts, offset dict)",
    ),
    Cause(
        "schema-violation",
        "a record does not conform to the table schema",
        "fix the parsing of that field or its type in the schema",
    ),
    Cause(
        "empty-read",
        "the first read of a table returned no records",
        "seed the source with data, or set allow_empty_first_read = True",
    ),
    Cause(
        "column-always-null",
        "a schema column was empty in every sampled record",
        "fill the column, drop it from the schema, or set allow_null_columns = True",
    ),
    Cause(
        "null-key", "a record has no value for a primary key", "make every record carry its keys"
    ),
    Cause(
        "cursor-stalled",
        "the offset never stopped changing, or moved without new data",
        "return the start offset unchanged when there is nothing new",
    ),
    Cause(
        "cursor-regressed",
        "the offset moved backwards",
        "never return an offset older than the one given",
    ),
    Cause(
        "reread-not-empty",
        "reading again from the final offset returned records",
        "filter strictly after the cursor (e.g. `>` not `>=`) or advance the offset",
    ),
    Cause(
        "read-timeout",
        "a read did not finish in time",
        "look for a pagination loop or a request without a timeout",
    ),
    Cause(
        "pagination-loop",
        "the connector kept requesting the same page",
        "follow the next-page token the API returns and stop when it is absent",
    ),
    Cause(
        "options-mutated",
        "the connector changed the table_options dict it was given",
        "copy options before changing them",
    ),
    Cause(
        "mapping-empty",
        "column_mapping is empty",
        "map each written field to its path in the records read back",
    ),
    Cause(
        "mapping-path-missing",
        "a column_mapping path is absent from the records read",
        "fix the dot-path (nesting, renaming) in column_mapping",
    ),
    Cause(
        "write-shape",
        "a write-back utility returned the wrong shape",
        "return (success, rows, column_mapping)",
    ),
    Cause(
        "write-failed",
        "the source rejected a write",
        "check the write endpoint, payload and permissions in the write-back API doc",
    ),
    Cause(
        "written-row-missing",
        "a written row did not appear in the read, in time",
        "check the cursor filter and the source's commit delay; raise the eventually() timeout",
    ),
    Cause(
        "delete-missing",
        "a deleted row did not appear in read_table_deletes",
        "check the delete feed, tombstone handling and the delete column_mapping",
    ),
    Cause(
        "insertable-unknown",
        "an insertable or deletable table is not in list_tables()",
        "list only tables the connector reads",
    ),
    Cause(
        "deletable-not-cdc",
        "a deletable table is not cdc_with_deletes",
        "list only cdc_with_deletes tables in list_deletable_tables()",
    ),
    Cause(
        "production-config",
        "the config is marked as production",
        "point the write-back tests at a non-production environment",
    ),
    Cause("auth", "the source rejected the credentials", "fix the credentials in the config"),
    Cause(
        "connector-error",
        "a connector method raised an exception",
        "read the exception and the connector line it names",
    ),
    Cause(
        "partition-contract",
        "a connector with a partition mix-in is not a LakeflowConnect",
        "inherit both: class X(LakeflowConnect, SupportsPartition)",
    ),
    Cause(
        "partition-invalid",
        "get_partitions() did not return a stable, non-empty list of JSON-serialisable dicts",
        "return the same list of plain dicts (strings, numbers, booleans) on every call",
    ),
    Cause(
        "partition-read",
        "read_partition() failed, returned no iterator of dicts, or no partition had records",
        "make read_partition self-contained: it gets only the table, the descriptor and options",
    ),
    Cause(
        "offset-invalid",
        "latest_offset() did not return a non-empty JSON-serialisable dict",
        "return a dict of primitive values describing how far the data goes",
    ),
    Cause(
        "offset-not-converged",
        "latest_offset(start_offset=X) never returned X",
        "return the start offset unchanged when there is nothing new; cap at the init time",
    ),
    Cause(
        "batch-too-large",
        "a read returned more records than the table option max_records_per_batch allows",
        "stop each read at max_records_per_batch records and return the offset of the last one",
    ),
    Cause(
        "simulator-miss",
        "the simulator has no recorded answer for a request",
        "re-record the cassette with CONNECTOR_TEST_MODE=record",
    ),
]

CAUSES: dict[str, Cause] = {c.code: c for c in _CAUSES}


def tagged(code: str, message: str) -> str:
    """Prefix ``message`` with its cause code; unknown codes are a bug in the suite."""
    if code not in CAUSES:
        raise KeyError(f"undocumented cause code {code!r}")
    return f"[{code}] {message}"
