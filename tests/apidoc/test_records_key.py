"""The response field a doc says holds a table's records is kept, and the generated read
looks there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skillpack.apidoc.parse import parse_markdown
from skillpack.tools import ImplementConnectorIn, implement_connector

SUMMARY = """# Desk API

Base URL: `https://desk.example/api/v2`

Authentication: Bearer token in the `Authorization` header.

## Tables

| Table | Endpoint | Response key | Primary Key | Ingestion |
|---|---|---|---|---|
| `tickets` | `GET /tickets.json` | `tickets` | `id` | snapshot |
| `ticket_comments` | `GET /ticket_events.json` | `ticket_events` | `id` | snapshot |
| `brands` | `GET /brands.json` | — | `id` | snapshot |
| `groups` | `GET /groups.json` | `$.data.groups[*]` | `id` | snapshot |
"""

SECTIONS = """# Shop API

Base URL: `https://shop.example/v1`

## Tables

### orders

- **Endpoint:** `GET /orders`
- **Primary key:** `id`
- **Ingestion type:** snapshot
- **Records key:** `results`

| Field | Type |
|---|---|
| `id` | string |
"""


def test_a_response_key_column_names_where_each_table_keeps_its_records():
    doc = parse_markdown(SUMMARY)
    keys = {t.name: t.records_key for t in doc.tables}
    assert keys == {
        "tickets": "tickets",
        "ticket_comments": "ticket_events",
        "brands": None,
        "groups": "data.groups",  # a JSONPath spelling, read as the dotted path
    }
    # the column is no key, no note read as prose
    assert all(t.primary_keys == ["id"] for t in doc.tables)


def test_a_records_key_label_in_a_table_section_is_kept():
    (orders,) = parse_markdown(SECTIONS).tables
    assert orders.records_key == "results"


def test_the_generated_read_takes_the_records_from_the_stated_key(tmp_path: Path):
    doc = tmp_path / "desk_api_doc.md"
    doc.write_text(SUMMARY, encoding="utf-8")
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="desk", workspace=str(tmp_path / "ws"))
    )
    text = Path(out.connector_module).read_text(encoding="utf-8")
    comments = text[text.index('"ticket_comments": {') :]
    assert '"records_path": "ticket_events"' in comments[: comments.index('"brands": {')]
    brands = text[text.index('"brands": {') : text.index('"groups": {')]
    assert '"records_path": None' in brands  # no key stated: found from the answer


PROSE = """# Board API

Base URL: `https://board.example/v1`

Records are listed under `data`. A request that pages past the end results in `404`.

## Tables

### cards

- **Endpoint:** `GET /cards`
- **Primary key:** `id`

Each answer holds one page. The `items` array holds the records.

### lanes

- **Endpoint:** `GET /lanes`
- **Primary key:** `id`

Lanes of a board. Response key: `lanes`.

### tags

- **Endpoint:** `GET /tags`
- **Primary key:** `id`
- **Records key:** `values`

In version 1, results are returned in `entries`.

### boards

- **Endpoint:** `GET /boards`
- **Primary key:** `id`
"""


def test_a_sentence_says_where_records_sit_and_the_overview_speaks_for_the_rest():
    doc = parse_markdown(PROSE)
    keys = {t.name: t.records_key for t in doc.tables}
    assert keys == {
        "cards": "items",  # "the `items` array holds the records"
        "lanes": "lanes",  # "Response key: `lanes`" after a sentence
        "tags": "values",  # a label wins over a sentence
        "boards": None,  # nothing of its own ...
    }
    assert doc.records_key == "data"  # ... the doc says it once for every table


@pytest.mark.parametrize(
    "sentence",
    [
        "Passing an expired cursor results in `invalid_cursor`.",
        "A request that pages past the end results in `404`.",
        "Add items in `cart` before checkout.",
        "Items in `draft` state are left out.",
        "Results are returned in `created_at` order.",
        "Results are returned in `JSON` format.",
        "The `limit` field contains the items per page.",
        "The schema of the records is in `boards.json`; results are returned in `boards.md`.",
    ],
)
def test_sentences_that_name_no_place_for_the_records_give_no_records_key(sentence):
    doc = parse_markdown(PROSE.replace("Records are listed under `data`.", sentence))
    assert doc.records_key is None


def test_a_response_key_label_outside_the_tables_wins_over_a_sentence():
    text = PROSE.replace(
        "Records are listed under `data`.",
        "Records are listed under `data` in version 1.\n\nResponse key: `results`",
    )
    assert parse_markdown(text).records_key == "results"


def test_a_table_answering_with_a_bare_list_reads_no_doc_wide_key(tmp_path: Path):
    text = PROSE + "\nThe response is a bare JSON array of boards.\n"
    doc = tmp_path / "board_api_doc.md"
    doc.write_text(text, encoding="utf-8")
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="board", workspace=str(tmp_path / "ws"))
    )
    code = Path(out.connector_module).read_text(encoding="utf-8")

    def records_path(table: str) -> str:
        return re.search(r'"records_path": ([^,\n]+)', code[code.index(f'"{table}": {{') :])[1]

    assert records_path("boards") == "None"  # its own words: a bare list
    assert records_path("lanes") == '"lanes"'
    assert records_path("cards") == '"items"'
