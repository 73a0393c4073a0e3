"""What a Spark read asks for: the table, the connector's options and the adapter's switches.

Spark hands a Python Data Source every ``.option(...)`` in one case-insensitive map whose
keys arrive in lower case. The adapter reserves a few names (``tableName``, ``tableOptions``,
``readDeletes``, ``maxReadsPerBatch``); everything else is a connector option. Table options
are the connector options minus credentials, plus the entries of the ``tableOptions`` JSON
object, so a connector that reads its table options from the same map (as upstream
connectors do) and one that expects them apart both work.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from skillpack.errors import ConfigError, InputError
from skillpack.sdk.redaction import RedactingFilter, is_secret_key, secret_values

#: the option naming the table to read (required)
TABLE_NAME = "tableName"
#: a JSON object of table options, e.g. ``{"num_rows": "10"}`` (optional)
TABLE_OPTIONS = "tableOptions"
#: ``true`` reads the table's deletes (key columns plus ``_deleted``) instead of its rows
READ_DELETES = "readDeletes"
#: the most ``read_table`` calls one streaming micro-batch makes; the rest waits for the next
MAX_READS_PER_BATCH = "maxReadsPerBatch"
#: the column marking delete rows
DELETED_COLUMN = "_deleted"

DEFAULT_MAX_READS_PER_BATCH = 1000
_RESERVED = {n.lower() for n in (TABLE_NAME, TABLE_OPTIONS, READ_DELETES, MAX_READS_PER_BATCH)}
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


@dataclass(frozen=True)
class ReadRequest:
    """One read as the user asked for it; picklable, and its repr shows no option value."""

    table: str | None
    connector_options: dict[str, str] = field(repr=False)
    table_options: dict[str, str] = field(repr=False)
    read_deletes: bool = False
    max_reads_per_batch: int = DEFAULT_MAX_READS_PER_BATCH
    secret_keys: tuple[str, ...] = ()

    def secrets(self) -> frozenset[str]:
        """The credential values in the options: values of secret-looking or declared names."""
        return frozenset(secret_values(self.connector_options, self.secret_keys))

    def scrubber(self) -> RedactingFilter:
        """A filter that masks this read's credentials (and secret URL parts) in text."""
        return RedactingFilter(self.secrets())


def parse_request(
    options: Mapping[str, Any],
    *,
    option_names: Iterable[str] = (),
    secret_keys: Iterable[str] = (),
) -> ReadRequest:
    """Split Spark's option map into a :class:`ReadRequest`.

    ``option_names`` gives the spelling the connector expects for names Spark lowercased
    (``clientId`` arrives as ``clientid``); ``secret_keys`` names options that hold
    credentials even though their names do not look secret.
    """
    spelling = {name.lower(): name for name in option_names}
    declared = tuple(spelling.get(k.lower(), k) for k in secret_keys)
    reserved: dict[str, str] = {}
    connector_options: dict[str, str] = {}
    for key, value in options.items():
        if key.lower() in _RESERVED:
            reserved[key.lower()] = value
        else:
            connector_options[spelling.get(key.lower(), key)] = value
    secret_names = set(declared)
    table_options = {
        k: v for k, v in connector_options.items() if k not in secret_names and not is_secret_key(k)
    }
    table_options.update(_table_options(reserved.get(TABLE_OPTIONS.lower())))
    table = reserved.get(TABLE_NAME.lower())
    return ReadRequest(
        table=str(table) if table else None,
        connector_options=connector_options,
        table_options=table_options,
        read_deletes=_flag(READ_DELETES, reserved.get(READ_DELETES.lower())),
        max_reads_per_batch=_positive(
            MAX_READS_PER_BATCH, reserved.get(MAX_READS_PER_BATCH.lower())
        ),
        secret_keys=declared,
    )


def _table_options(raw: str | None) -> dict[str, str]:
    if raw is None or raw == "":
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise ConfigError(
            f"option `{TABLE_OPTIONS}` is not a JSON object",
            hint=f'pass the table options as JSON, e.g. .option("{TABLE_OPTIONS}", '
            '\'{"num_rows": "10"}\'), or as plain options',
            code="bad-table-options",
        )
    # Spark options are strings; table options follow suit so both channels look alike.
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in parsed.items()}


def _flag(name: str, raw: str | None) -> bool:
    text = "" if raw is None else str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(
        f"option `{name}` is `{raw}`, not a boolean",
        hint=f'use .option("{name}", "true") or leave it out',
        code="bad-option",
    )


def _positive(name: str, raw: str | None) -> int:
    if raw is None or str(raw).strip() == "":
        return DEFAULT_MAX_READS_PER_BATCH
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value < 1:
        raise InputError(
            f"option `{name}` is `{raw}`, not a positive whole number",
            hint=f'use e.g. .option("{name}", "{DEFAULT_MAX_READS_PER_BATCH}")',
            code="bad-option",
        )
    return value
