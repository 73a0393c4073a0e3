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
