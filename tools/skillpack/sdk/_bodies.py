"""Bodies an export endpoint answers besides one JSON document: JSON lines (one record per
line), gzipped, or as the files of a ZIP archive (each perhaps gzipped in turn).

Each form is told by its bytes, never by a flag the connector must set: a ZIP archive and
a gzip stream open with their magic numbers, and JSON lines are what fails to parse as one
document yet parses line by line. A body that is one JSON document is returned unchanged.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from typing import Any

_ZIP = b"PK\x03\x04"
_GZIP = b"\x1f\x8b"
#: the most an archive may unpack to; a larger one is refused rather than filling memory
MAX_UNPACKED = 512 * 1024 * 1024


class BodyTooLarge(ValueError):
    """An archive unpacks to more than :data:`MAX_UNPACKED` bytes."""


def _payloads(content: bytes, budget: list[int]) -> list[bytes]:
    """The files a body holds: a ZIP archive's members, a gunzipped body, or the body."""
    if content.startswith(_ZIP):
        out: list[bytes] = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                budget[0] -= info.file_size
                if budget[0] < 0:
                    raise BodyTooLarge("the archive unpacks to more than the limit")
                out += _payloads(archive.read(info), budget)
        return out
    if content.startswith(_GZIP):
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
            data = stream.read(budget[0] + 1)
        budget[0] -= len(data)
        if budget[0] < 0:
            raise BodyTooLarge("the gzip stream unpacks to more than the limit")
        return _payloads(data, budget)
    return [content]


def _records_of(payload: bytes) -> Any:
    """One file's content: its JSON document, else its JSON lines as a list."""
    try:
        return json.loads(payload)
    except ValueError:
        return [json.loads(line) for line in payload.splitlines() if line.strip()]


def decode_body(content: bytes) -> Any:
    """The JSON a body carries, in any of the module's forms.

    One document comes back as it is (an archive of one file too); JSON lines, and the
    files of an archive together, come back as one list of records. Raises ``ValueError``
    when some part is neither JSON nor JSON lines, ``BodyTooLarge`` past the limit.
    """
    parts = _payloads(content, [MAX_UNPACKED])
    if len(parts) == 1:
        return _records_of(parts[0])
    records: list[Any] = []
    for part in parts:
        found = _records_of(part)
        if isinstance(found, list):
            records += found
        else:
            records.append(found)
    return records
