"""A source reached through a Python client, whose API describes its own tables.

The doc (tests/fixtures/apidocs_inprocess/shelf_api_doc.md) shows the client being made with
the credentials, reads every table through one endpoint named by a `{collection}`
placeholder, leaves columns and keys to two describing endpoints, and hides one table from
them. ``shelf_client.py`` beside it is that source. The connector generated from the doc
must read every table of it correctly with no hand edit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skillpack.apidoc.parse import read_doc
from skillpack.layout import source_paths
from skillpack.suite.run import _harness_mode
from skillpack.tools import ImplementConnectorIn, implement_connector
from tests.implement.test_upstream_flavour import SOURCES, SPECS, _checkout, _ruff

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apidocs_inprocess"
DOC = FIXTURES / "shelf_api_doc.md"


@pytest.fixture(scope="module")
def doc():
    return read_doc(str(DOC))


def _tables(doc) -> dict:
    return {t.name: t for t in doc.tables}


def test_the_client_construction_is_the_authentication(doc):
    method = doc.auth[0]
    assert method.kind == "client"
    assert method.client is not None
    assert (method.client.module, method.client.factory) == ("shelf_client", "open_shelf")
    # "acme", "s3cr3t" in the example are the parameters the table lists, in order
    assert method.client.args == ["account", "secret"]
    # a client has no host: no base URL to ask the doc for
    assert "no-base-url" not in {w.code for w in doc.warnings}
    assert [(p.name, p.required, p.secret) for p in method.fields] == [
        ("account", True, False),
        ("secret", True, True),
    ]


def test_one_endpoint_named_by_the_table_reads_every_table(doc):
    tables = _tables(doc)
    assert {n: t.read_endpoint.path for n, t in tables.items()} == {
        n: f"/collections/{n}/items" for n in ("books", "loans", "visits", "audits")
    }
    # only the table with deletes gets the delete feed
    assert tables["loans"].delete_endpoint.path == "/collections/loans/deleted"
    assert all(t.delete_endpoint is None for n, t in tables.items() if n != "loans")
    assert {t.pagination.style for t in tables.values()} == {"page_number"}


def test_a_per_table_parameter_table_gives_each_table_its_own_parameters(doc):
    tables = _tables(doc)
    params = {n: [p.name for p in t.read_endpoint.query_params] for n, t in tables.items()}
    assert params == {
        "books": ["page"],
        "loans": ["after", "page"],
        "visits": ["after", "limit", "page"],
        "audits": ["after", "page"],
    }
    after = tables["loans"].read_endpoint.query_params[0]
    assert after.description == "after is an exclusive lower bound on changed_at."


def test_the_describing_endpoints_and_the_type_mapping_are_read(doc):
    d = doc.describe
    assert d.schema_endpoint.path == "/collections/{collection}/columns"
    assert d.metadata_endpoint.path == "/collections/{collection}/metadata"
    assert d.types == {"text": "string", "whole": "bigint", "moment": "timestamp"}


def test_metadata_bullets_are_no_columns_of_the_hidden_table(doc):
    audits = _tables(doc)["audits"]
    assert [f.name for f in audits.fields] == ["audit_id", "action", "changed_at"]
    assert audits.primary_keys == ["audit_id"] and audits.cursor_field == "changed_at"


# --- the generated connector, read against the source ------------------------------------

_READ_ALL = r"""
import json, sys
import shelf_client
from sources.shelf.shelf import ShelfLakeflowConnect

c = ShelfLakeflowConnect({"account": "acme", "secret": "s"})
shelf = shelf_client.OPENED["acme"]
out = {"tables": c.list_tables(), "schema": {}, "meta": {}, "read": {}}
for t in c.list_tables():
    out["schema"][t] = c.get_table_schema(t, {}).simpleString()
    out["meta"][t] = c.read_table_metadata(t, {})
shelf.busy = 2  # the next two answers are 503: the client must retry them
for t in c.list_tables():
    rows, offset = c.read_table(t, None, {})
    again, final = c.read_table(t, offset, {})
    out["read"][t] = [len(list(rows)), offset, len(list(again)), final]
gone, _ = c.read_table_deletes("loans", None, {})
out["deleted"] = [r["loan_id"] for r in gone]
out["params"] = sorted({k for _path, p in shelf.calls for k in p})
print(json.dumps(out))
"""


def _run(code: str, cwd: Path, *roots: Path) -> dict:
    path = os.pathsep.join(str(r) for r in (*roots, FIXTURES))
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": path},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_generated_connector_reads_every_table_of_the_source(tmp_path):
    out = implement_connector(
        ImplementConnectorIn(path=str(DOC), source="shelf", workspace=str(tmp_path))
    )
    assert out.ready_to_test, [t.what for t in out.todo if t.blocking]
    # the open keys and columns are notes the API settles, not stops
    settled = [t for t in out.todo if "to the API" in t.what]
    assert {(t.table, t.field) for t in settled} >= {
        ("books", "primary_keys"),
        ("visits", "schema"),
    }
    got = _run(_READ_ALL, tmp_path, tmp_path)
    assert got["tables"] == ["books", "loans", "visits", "audits"]
    # columns from the API, its own type names mapped as the doc's table says
    assert got["schema"]["books"] == "struct<book_id:string,title:string,pages:bigint>"
    assert got["schema"]["loans"] == (
        "struct<loan_id:string,book_id:string,changed_at:timestamp,"
        "reader:struct<name:string,visits:bigint>>"
    )
    # the hidden table keeps the doc's columns and keys (the API answers 404)
    assert got["schema"]["audits"] == "struct<audit_id:string,action:string,changed_at:timestamp>"
    assert got["meta"]["books"] == {
        "primary_keys": ["book_id"],
        "cursor_field": None,
        "ingestion_type": "snapshot",
    }
    assert got["meta"]["visits"]["primary_keys"] == ["visit_id"]
    assert got["meta"]["visits"]["ingestion_type"] == "append"  # stated by the doc
    assert got["meta"]["audits"]["primary_keys"] == ["audit_id"]
    # every record, over several pages; the final offset reads nothing new
    assert got["read"]["books"] == [6, {}, 6, {}]
    for table, count in (("loans", 9), ("visits", 7), ("audits", 5)):
        first, offset, again, final = got["read"][table]
        assert (first, again) == (count, 0), table
        assert offset and final == offset, table
    assert got["deleted"] == ["l90"]
    # the source refuses unknown parameters with 400: the page size went to visits only
    assert got["params"] == ["after", "limit", "page"]


def test_in_a_checkout_the_test_file_reads_the_client_and_no_spec_is_written(tmp_path):
    root = _checkout(tmp_path)
    out = implement_connector(
        ImplementConnectorIn(path=str(DOC), source="shelf", workspace=str(root))
    )
    assert out.ready_to_test
    assert not (root / SPECS / "shelf").exists()
    test_file = root / "tests/unit/sources/shelf/test_shelf_lakeflow_connect.py"
    text = test_file.read_text()
    assert "simulator_source" not in text and "replay_config" in text
    assert "base_url" not in text  # a client has no host
    module = (root / SOURCES / "shelf" / "shelf.py").read_text()
    assert "from shelf_client import open_shelf" in module
    assert "skillpack" not in module.split('"""', 2)[2]
    paths = source_paths("shelf", root)
    # offline, the checkout's harness runs the class as it is, with the network refused
    assert _harness_mode(paths, "simulate") == ("live", True)
    assert _harness_mode(paths, "live") == ("live", False)
    done = subprocess.run(
        [*_ruff(), "check", "--no-cache", str(root / SOURCES / "shelf"), str(test_file)],
        capture_output=True,
        text=True,
        cwd=root,
    )
    assert done.returncode == 0, done.stdout
    # a regeneration changes nothing
    again = implement_connector(
        ImplementConnectorIn(path=str(DOC), source="shelf", workspace=str(root))
    )
    assert again.files_written == []


def test_a_checkout_class_with_a_simulator_spec_keeps_simulate(tmp_path):
    root = _checkout(tmp_path)
    paths = source_paths("ledger", root)
    assert _harness_mode(paths, "simulate") == ("simulate", False)


def test_the_checkout_connector_reads_the_source_through_its_helpers(tmp_path):
    pytest.importorskip(
        "pyspark", reason="pyspark missing: pip install 'connector-skillpack[spark]'"
    )
    root = _checkout(tmp_path)
    implement_connector(ImplementConnectorIn(path=str(DOC), source="shelf", workspace=str(root)))
    code = _READ_ALL.replace(
        "from sources.shelf.shelf", "from databricks.labs.community_connector.sources.shelf.shelf"
    )
    got = _run(code, root, root / "src", root)
    assert got["schema"]["books"] == "struct<book_id:string,title:string,pages:bigint>"
    assert got["read"]["loans"][0] == 9 and got["deleted"] == ["l90"]
    shutil.rmtree(root)
