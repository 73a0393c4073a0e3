"""Bodies an export endpoint answers besides one JSON document: JSON lines (one record per
line), gzipped, or as the files of a ZIP archive (each perhaps gzipped in turn).

Each form is told by its bytes, never by a flag the connector must set: a ZIP archive and
a gzip stream open with their magic numbers, and JSON lines are what fails to parse as one
document yet parses line by line. A body that is one JSON document is returned unchanged.

Unpacking is bounded: the bytes actually produced are counted against :data:`MAX_UNPACKED`
(a ZIP header's stated size is not trusted), archives nest at most :data:`MAX_DEPTH` deep,
and only the ZIP methods exports use (stored, deflate) are opened.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
import zlib
from typing import Any

_ZIP = b"PK\x03\x04"
_GZIP = b"\x1f\x8b"
#: the most an archive may unpack to; a larger one is refused rather than filling memory
MAX_UNPACKED = 512 * 1024 * 1024
#: archives within archives (a ZIP of gzipped files is 2)
MAX_DEPTH = 3
_CHUNK = 64 * 1024
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
#: what a damaged or unsupported archive raises while it is read
UNREADABLE = (ValueError, zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError)


class BodyTooLarge(ValueError):
    """An archive unpacks to more than :data:`MAX_UNPACKED` bytes."""


class _Budget:
    """The bytes an unpacking may still produce."""

    def __init__(self) -> None:
        self.left = MAX_UNPACKED

    def read(self, stream: io.BufferedIOBase) -> bytes:
        out = bytearray()
        while chunk := stream.read(min(_CHUNK, self.left + 1)):
            out += chunk
            self.left -= len(chunk)
            if self.left < 0:
                raise BodyTooLarge(f"the archive unpacks to more than {MAX_UNPACKED:,} bytes")
        return bytes(out)


def _payloads(content: bytes, budget: _Budget, depth: int = 0) -> list[bytes]:
    """The files a body holds: a ZIP archive's members, a gunzipped body, or the body."""
    if is_packed(content) and depth >= MAX_DEPTH:
        raise ValueError(f"archives nested more than {MAX_DEPTH} deep")
    if content.startswith(_ZIP):
        out: list[bytes] = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                if info.compress_type not in _ZIP_METHODS:
                    raise ValueError(f"ZIP member `{info.filename}` uses an unsupported method")
                with archive.open(info) as member:
                    out += _payloads(budget.read(member), budget, depth + 1)
        return out
    if content.startswith(_GZIP):
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as stream:
            return _payloads(budget.read(stream), budget, depth + 1)
    return [content]


def _records_of(payload: bytes) -> Any:
    """One file's content: its JSON document, else its JSON lines as a list."""
    try:
        return json.loads(payload)
    except ValueError:
        return [json.loads(line) for line in payload.splitlines() if line.strip()]


def is_packed(content: bytes) -> bool:
    """Whether a body is a ZIP archive or a gzip stream (an export, not an API answer)."""
    return content.startswith((_ZIP, _GZIP))


def decode_body(content: bytes) -> Any:
    """The JSON a body carries, in any of the module's forms.

    One document comes back as it is (an archive of one file too); JSON lines, and the
    files of an archive together, come back as one list of records. Raises ``BodyTooLarge``
    past the limit, and one of :data:`UNREADABLE` when some part is neither JSON nor JSON
    lines or the archive cannot be read.
    """
    parts = _payloads(content, _Budget())
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
