"""Export bodies read by the client: JSON lines, gzipped, and ZIP archives of them."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import pytest

from skillpack.errors import SourceError
from skillpack.sdk import _bodies
from skillpack.sdk.http import RestClient
from skillpack.sdk.pagination import SinglePage
from tests.sdk._servers import Reply, servers

ROWS = [{"id": i, "name": f"n{i}"} for i in range(5)]
LINES = "".join(json.dumps(r) + "\n" for r in ROWS).encode()
#: the lines as two hourly files would hold them
HOURS = (b"".join(LINES.splitlines(keepends=True)[:2]), b"".join(LINES.splitlines(True)[2:]))


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "body",
    [
        LINES,
        gzip.compress(LINES),
        # an hourly export: one gzipped file of lines per hour
        _zip({"h00.json.gz": gzip.compress(HOURS[0]), "h01.json.gz": gzip.compress(HOURS[1])}),
        _zip({"all.json": json.dumps(ROWS).encode()}),
    ],
    ids=["lines", "gzipped", "zip-of-gzipped-lines", "zip-of-one-document"],
)
def test_every_export_form_reads_as_the_same_records(body):
    with servers() as start:
        api = start(lambda seen: Reply(200, body, {"Content-Type": "application/octet-stream"}))
        with RestClient(api.url) as client:
            pages = list(client.paginate("/export", paginator=SinglePage(), records_path=None))
    assert [r for page in pages for r in page] == ROWS


def test_a_split_line_is_no_record_and_says_the_body_is_not_json():
    body = _zip({"a.json": LINES[:30], "b.json": LINES[30:]})
    with servers() as start:
        api = start(lambda seen: Reply(200, body))
        with RestClient(api.url) as client, pytest.raises(SourceError) as info:
            client.get_json("/export")
    assert info.value.code == "bad-json"


def test_an_archive_past_the_limit_is_refused_before_it_fills_memory(monkeypatch):
    monkeypatch.setattr(_bodies, "MAX_UNPACKED", 1000)
    body = gzip.compress(b"{}\n" * 10_000)
    with servers() as start:
        api = start(lambda seen: Reply(200, body))
        with RestClient(api.url) as client, pytest.raises(SourceError) as info:
            client.get_json("/export")
    assert info.value.code == "body-too-large"


def _zip_with(data: bytes, method: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr("all.json", data)
    return buffer.getvalue()


def _lying_zip(data: bytes, method: int) -> bytes:
    """A ZIP whose one member's header states a size of 10 bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        archive.writestr("big.json", data)
    raw = bytearray(buffer.getvalue())
    # the local header's and the central directory's uncompressed size fields
    local = raw.find(b"PK\x03\x04")
    raw[local + 22 : local + 26] = (10).to_bytes(4, "little")
    central = raw.find(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")
    return bytes(raw)


def _get(body: bytes, headers: dict | None = None):
    with servers() as start:
        api = start(lambda seen: Reply(200, body, headers or {}))
        with RestClient(api.url) as client:
            return client.get_json("/export")


@pytest.mark.parametrize(
    ("body", "codes"),
    [
        (_zip({"big.json": b"{}\n" * 10_000}), {"body-too-large"}),
        (_zip({"inner.gz": gzip.compress(b"{}\n" * 10_000)}), {"body-too-large"}),
        # a header stating a small size: zipfile's own check or the limit stops it
        (_lying_zip(b"{}\n" * 10_000, zipfile.ZIP_DEFLATED), {"body-too-large", "bad-json"}),
    ],
    ids=["zip", "nested", "header-lies"],
)
def test_the_limit_counts_what_unpacking_produces(monkeypatch, body, codes):
    monkeypatch.setattr(_bodies, "MAX_UNPACKED", 1000)
    with pytest.raises(SourceError) as info:
        _get(body)
    assert info.value.code in codes


@pytest.mark.parametrize(
    "body",
    [
        gzip.compress(LINES)[:-12] + b"\x00" * 12,  # a damaged stream
        _zip_with(LINES, zipfile.ZIP_BZIP2),  # a method exports do not use: refused
        # archives nested past the limit
        gzip.compress(gzip.compress(gzip.compress(gzip.compress(LINES)))),
    ],
    ids=["damaged", "bzip2", "nested-too-deep"],
)
def test_an_unreadable_archive_is_one_bad_json_error(body):
    with pytest.raises(SourceError) as info:
        _get(body)
    assert info.value.code == "bad-json"


def test_one_exported_record_is_a_list_of_one():
    one = b'{"id": 1}\n'
    with servers() as start:
        api = start(lambda seen: Reply(200, gzip.compress(one)))
        other = start(lambda seen: Reply(200, one, {"Content-Type": "application/x-ndjson"}))
        plain = start(lambda seen: Reply(200, one, {"Content-Type": "application/json"}))
        for server in (api, other):
            with RestClient(server.url) as client:
                pages = client.paginate("/e", paginator=SinglePage(), records_path=None)
                assert list(pages) == [[{"id": 1}]]
        # an API answering one object where a list was expected is still an error
        with RestClient(plain.url) as client, pytest.raises(SourceError):
            list(client.paginate("/e", paginator=SinglePage(), records_path=None))
