"""What the generator assumes where a doc leaves a fact open, and how it says so.

One fixture doc (``quarry_assumed.md``) leaves open what real docs often do: a path
placeholder no option names, a required filter with no value, paging never described, and a
token endpoint among links to other pages. Each becomes a working default and a non-blocking,
guessed to-do naming table, field and doc line; the generated connector is then read from a
local stub answering as such an API would.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from skillpack.errors import ConfigError
from skillpack.testing._spec_model import load_spec
from skillpack.tools import ImplementConnectorIn, RunSuiteIn, implement_connector, run_suite
from tests.implement.test_implement_connector import REPO, load_module, ruff
from tests.sdk._servers import Reply, servers

CHECKOUT = REPO / "tests" / "fixtures" / "upstream_checkout"
DOC = Path(__file__).resolve().parents[1] / "fixtures" / "apidocs_shapes" / "quarry_assumed.md"


@pytest.fixture(scope="module")
def quarry(tmp_path_factory):
    ws = tmp_path_factory.mktemp("quarry")
    out = implement_connector(
        ImplementConnectorIn(path=str(DOC), source="quarry", workspace=str(ws))
    )
    return ws, out


def _todo(out, field):
    return next(t for t in out.todo if t.field == field)


def test_nothing_left_open_blocks_and_every_assumption_is_named(quarry):
    _, out = quarry
    assert out.ready_to_test, [t.what for t in out.todo if t.blocking]
    for field, table in (("workspace", None), ("survey_id", "answers"), ("pagination", "sites")):
        item = _todo(out, field)
        assert (item.table, item.blocking, item.guessed) == (table, False, True), item
        assert item.doc_line and f"line {item.doc_line}" in item.what, item


def test_the_token_endpoint_is_the_url_ending_in_a_token_segment(quarry):
    _, out = quarry
    module = load_module(Path(out.connector_module))
    assert module._TOKEN_URL == "https://login.quarry.test/{tenant_id}/oauth2/token"
    options = {"client_id": "c", "client_secret": "s", "tenant_id": "t1", "workspace": "w"}
    auth = module.QuarryLakeflowConnect(options)._client.auth
    assert auth.token_url == "https://login.quarry.test/t1/oauth2/token"


def test_the_simulator_serves_the_token_and_the_filters_stand_ins(quarry):
    ws, _ = quarry
    spec = load_spec(ws / "sources" / "quarry" / "simulator_spec.yaml")
    assert [(e.method, e.path) for e in spec.endpoints] == [("POST", "/{tenant_id}/oauth2/token")]
    assert spec.config["token_url"] == "{simulator_url}/simulator-tenant_id/oauth2/token"
    assert spec.config["workspace"] == "simulator-workspace"
    assert spec.tables["answers"].table_options == {"survey_id": "simulator-survey-id"}
    assert spec.tables["answers"].required_params == ("survey_id",)


def test_the_connector_reads_what_the_stub_serves_with_the_assumed_parts(quarry):
    _, out = quarry
    module = load_module(Path(out.connector_module))
    pages = {None: ([1, 2], "p2"), "p2": ([3], None)}

    def api(seen):
        if seen.path.endswith("/oauth2/token"):
            return Reply(200, {"access_token": "tok", "expires_in": 3600})
        assert seen.headers["Authorization"] == "Bearer tok"
        if seen.path == "/v2/answers":
            assert seen.query["survey_id"] == "s-9"
            return Reply(200, {"items": [{"id": "a1", "value": "yes", "extra": 1}]})
        assert seen.path == "/v2/workspaces/w%201/sites"
        ids, nxt = pages[seen.query.get("pageToken")]
        return Reply(200, {"items": [{"id": str(i)} for i in ids], "nextPageToken": nxt})

    with servers() as start:
        stub = start(api)
        options = {
            "client_id": "c",
            "client_secret": "s",
            "tenant_id": "t",
            "workspace": "w 1",
            "base_url": stub.url + "/v2",
            "token_url": stub.url + "/t/oauth2/token",
        }
        connector = module.QuarryLakeflowConnect(options)
        sites, _ = connector.read_table("sites", None, {})
        assert [r["id"] for r in sites] == ["1", "2", "3"]
        answers, _ = connector.read_table("answers", None, {"survey_id": "s-9"})
        assert list(answers) == [{"id": "a1", "value": "yes"}]
        with pytest.raises(ConfigError, match="survey_id"):
            connector.read_table("answers", None, {})


def test_an_all_snapshot_oauth_connector_is_ruff_clean_at_both_line_lengths(quarry):
    ws, out = quarry
    text = Path(out.connector_module).read_text(encoding="utf-8")
    # no table has a cursor: the read needs none of the offset helpers, and names none
    assert "CursorTracker" not in text and "ReadWindow" not in text
    config = str(REPO / "pyproject.toml")
    for args in (
        ["check", "--config", config],
        ["format", "--check", "--config", config],
        ["format", "--check", "--isolated", "--line-length", "88"],
    ):
        proc = subprocess.run([*ruff(), *args, str(ws)], capture_output=True, text=True)
        assert proc.returncode == 0, (args, proc.stdout[-3000:])


def _pacs_doc(doc: Path) -> None:
    rows = [
        ("studies", "https://pacs.example.test/dicom-web/studies"),
        ("series", "https://pacs.example.test/dicom-web/series"),
        ("audit", "https://audit.example.test/v1/events"),
    ]
    parts = ["# PACS API\n\nAuth: none.\n\n## Object List\n"]
    for name, url in rows:
        parts.append(
            f"\n### `{name}`\n\n`GET {url}` lists them. Primary key: `id`. "
            "Ingestion type: snapshot.\n\n| Field | Type |\n|---|---|\n| `id` | string |\n"
        )
    doc.write_text("".join(parts), encoding="utf-8")


def test_without_a_base_url_only_endpoints_off_the_usual_host_are_on_another_host(tmp_path):
    doc = tmp_path / "pacs_api_doc.md"
    _pacs_doc(doc)
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="pacs", workspace=str(tmp_path / "ws"))
    )
    # the standalone simulator stands in for the base URL alone: the read stays a to-do
    elsewhere = [t for t in out.todo if "another host" in t.what]
    assert [t.table for t in elsewhere] == ["audit"], [t.what for t in out.todo]
    assert "`audit.example.test`" in elsewhere[0].what and elsewhere[0].blocking


def test_in_a_checkout_a_read_on_another_host_keeps_its_url(tmp_path):
    root = tmp_path / "checkout"
    shutil.copytree(CHECKOUT, root, ignore=shutil.ignore_patterns("__pycache__"))
    doc = tmp_path / "pacs_api_doc.md"
    _pacs_doc(doc)
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="pacs", workspace=str(root))
    )
    # the checkout's simulator answers by path whatever the host: nothing is left to do
    assert not [t for t in out.todo if t.blocking], [t.what for t in out.todo]
    module = Path(out.connector_module).read_text(encoding="utf-8")
    assert '"path": "https://audit.example.test/v1/events"' in module
    spec = yaml.safe_load(Path(out.simulator_spec).read_text(encoding="utf-8"))
    assert "/v1/events" in [e["path"] for e in spec["endpoints"]]


def test_what_a_later_section_says_of_one_table_is_not_read_as_the_last_tables(tmp_path):
    doc = tmp_path / "pulse_api_doc.md"
    doc.write_text(
        """# Pulse API

Base URL: `https://pulse.example.test/v1`

## Object Schema

### 1. `events`

````text
```
# a shell comment in a fence of four, no heading
```
````

Each event is one JSON object per line (NDJSON). Primary key: `uuid`. Ingestion type: snapshot.

| Field | Type |
|---|---|
| `uuid` | string |

### 2. `props`

Primary key: `name`. Ingestion type: snapshot.

| Field | Type |
|---|---|
| `name` | string |

## Read API

### A. `events`

`GET /export` answers NDJSON, one event per line.

```bash
# one JSON document per line
curl https://pulse.example.test/v1/export
```

### B. `props`

`GET /props` lists them.
""",
        encoding="utf-8",
    )
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="pulse", workspace=str(tmp_path / "ws"))
    )
    spec = yaml.safe_load(Path(out.simulator_spec).read_text(encoding="utf-8"))
    lines = {name for name, t in spec["tables"].items() if t.get("format") == "jsonl"}
    assert lines == {"events"}


ARCHIVED_DOC = """# Desk API

Base URL: `https://desk.example.test/v3`

## Tables

| Table | Endpoint | Primary Key | Cursor Field |
|---|---|---|---|
| `contacts` | `GET /contacts` | `id` | `updatedAt` |
| `calls` | `GET /calls` | `id` | `updatedAt` |

Fields of both: `id` (string), `updatedAt` (timestamp), `name` (string).

### Deletes

The API answers `archived=true` queries on the following tables with their deleted records:

- `contacts`

`calls` cannot be archived.
"""


def test_a_feed_that_is_the_read_asked_for_deleted_records_is_read_and_simulated(tmp_path):
    doc = tmp_path / "desk_api_doc.md"
    doc.write_text(ARCHIVED_DOC, encoding="utf-8")
    ws = tmp_path / "ws"
    out = implement_connector(ImplementConnectorIn(path=str(doc), source="desk", workspace=str(ws)))
    assert not [t.what for t in out.todo if t.blocking]
    tables = load_module(Path(out.connector_module))._TABLES
    assert tables["contacts"]["metadata"]["ingestion_type"] == "cdc_with_deletes"
    assert tables["contacts"]["deletes"]["params"] == {"archived": "true"}
    assert tables["contacts"]["deletes"]["path"] == tables["contacts"]["path"]
    assert tables["calls"]["deletes"] is None
    # the standalone simulator answers the same path with deleted records only when asked
    suite = run_suite(RunSuiteIn(source="desk", workspace=str(ws), mode="simulate", timeout_s=120))
    assert suite.passed, suite.causes
    assert "test_read_table_deletes" in {t.name for t in suite.tests if t.outcome == "passed"}


def test_read_table_deletes_sends_the_feeds_fixed_parameters(tmp_path):
    doc = tmp_path / "desk_api_doc.md"
    doc.write_text(ARCHIVED_DOC, encoding="utf-8")
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="desk", workspace=str(tmp_path / "ws"))
    )
    module = load_module(Path(out.connector_module))
    live = [{"id": "1", "updatedAt": "2024-01-02T00:00:00Z", "name": "kept"}]
    gone = [{"id": "2", "updatedAt": "2024-01-03T00:00:00Z", "name": "archived"}]

    def answer(seen):
        return Reply(200, {"data": gone if seen.query.get("archived") == "true" else live})

    with servers() as start:
        api = start(answer)
        connector = module.DeskLakeflowConnect({"base_url": api.url})
        records, _ = connector.read_table_deletes("contacts", {}, {})
        assert [r["id"] for r in records] == ["2"]
        records, _ = connector.read_table("contacts", {}, {})
        assert [r["id"] for r in records] == ["1"]


def test_an_incremental_table_with_no_cursor_is_a_guessed_snapshot_to_confirm(tmp_path):
    doc = tmp_path / "votes_api_doc.md"
    doc.write_text(
        """# Votes API

Base URL: `https://votes.example.test/v1`

## Object List

| Table | Endpoint | Ingestion type | Cursor field | Primary key |
|---|---|---|---|---|
| `voters` | `GET /voters` | `cdc` | None | `id` |

### `voters`

- Cursor field: not applicable (no timestamp available)

| Field | Type |
|---|---|
| `id` | string |
""",
        encoding="utf-8",
    )
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="votes", workspace=str(tmp_path / "ws"))
    )
    (item,) = [t for t in out.todo if t.table == "voters" and t.field == "ingestion_type"]
    assert item.guessed and not item.blocking
    assert "read whole each time" in item.what and "confirm" in item.what
