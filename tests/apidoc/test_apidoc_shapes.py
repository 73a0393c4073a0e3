"""parse_api_doc on the shapes real API docs take: object lists, group headings, doc-wide
facts, discovered lists; and bad docs that must end in one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillpack.apidoc.parse import parse_markdown
from skillpack.errors import InputError
from skillpack.limits import MAX_DOC_BYTES
from skillpack.tools import ParseApiDocIn, parse_api_doc

SHAPES = Path(__file__).resolve().parents[1] / "fixtures" / "apidocs_shapes"


def parse(name: str):
    return parse_api_doc(ParseApiDocIn(path=str(SHAPES / name)))


def facts(doc) -> dict[str, tuple]:
    return {t.name: (t.primary_keys, t.cursor_field, t.ingestion_type) for t in doc.tables}


def open_facts(doc) -> set[tuple]:
    return {(w.table, w.field) for w in doc.warnings if w.field}


# --- an object list as a Markdown table --------------------------------------------------


def test_a_label_ends_where_the_next_label_of_its_line_begins():
    text = """# Clips API

Base URL: `https://clips.example/v1`

## Object List

### `clips`

`GET /clips` lists the clips.

- **Primary key**: `id`. **Pagination (connector)**: `max_pages` caps `read_table`.
- **Ingestion type (Lakeflow)**: `snapshot`. Notes: none.

| Field | Type |
|---|---|
| `id` | string |
"""
    doc = parse_markdown(text)
    assert facts(doc)["clips"] == (["id"], None, "snapshot")


def test_object_table_decides_the_tables_and_skips_rows_used_internally():
    doc = parse("orbit_object_table.md")
    # "Known quirks" and "Read API" are headings, not tables; audit_log is used internally.
    assert [t.name for t in doc.tables] == ["tasks", "task_events", "labels"]
    assert doc.table_list == "static"


def test_per_table_statements_outside_the_tables_section_give_keys():
    doc = parse("orbit_object_table.md")
    assert facts(doc)["task_events"][0] == ["task_id", "seq"]
    assert facts(doc)["labels"][0] == ["id"]


def test_paging_token_is_no_cursor_and_a_snapshot_has_none():
    doc = parse("orbit_object_table.md")
    assert facts(doc)["tasks"] == (["id"], "modified_at", "cdc")
    assert facts(doc)["labels"] == (["id"], None, "snapshot")
    assert all(t.cursor_field not in ("pageToken", "nextPageToken") for t in doc.tables)


def test_an_open_cursor_names_table_field_line_and_the_candidates_seen():
    doc = parse("orbit_object_table.md")
    (w,) = [w for w in doc.warnings if w.code == "no-cursor"]
    assert (w.table, w.field, w.candidates) == ("task_events", "cursor_field", ["happened_at"])
    lines = (SHAPES / "orbit_object_table.md").read_text().splitlines()
    assert "task_events" in lines[w.line - 1]


# --- bullet lists under group headings ---------------------------------------------------


def test_group_headings_state_ingestion_and_items_carry_endpoints():
    doc = parse("relay_grouped_lists.md")
    assert facts(doc) == {
        "conversations": (["id"], None, "cdc"),
        "agents": (["id"], None, "cdc"),
        "teams": (["id"], None, "snapshot"),
        "macros": (["id"], None, "snapshot"),
    }
    teams = next(t for t in doc.tables if t.name == "teams")
    assert teams.read_endpoint is not None and teams.read_endpoint.path == "/teams"


def test_window_end_is_no_cursor_and_stays_open():
    doc = parse("relay_grouped_lists.md")
    assert {t.cursor_field for t in doc.tables} == {None}
    assert {("conversations", "cursor_field"), ("agents", "cursor_field")} <= open_facts(doc)


def test_records_key_column_is_no_primary_key():
    doc = parse("relay_grouped_lists.md")
    assert all(t.primary_keys == ["id"] for t in doc.tables)


# --- a run of names in prose, facts stated once for all tables ----------------------------


def test_comma_separated_names_and_doc_wide_key_cursor_and_ingestion():
    doc = parse("clinic_name_run.md")
    assert facts(doc) == {
        name: (["id"], "updated", "cdc")
        for name in ("Patient", "Visit", "LabResult", "Prescription")
    }
    assert all(not t.inferred for t in doc.tables)


# --- a list discovered at run time -------------------------------------------------------


def test_discovered_list_takes_names_from_the_json_example():
    doc = parse("mesh_discovered.md")
    assert doc.table_list == "discovered"
    assert [t.name for t in doc.tables] == ["shipments", "carriers"]
    # Nothing states their keys: open facts, each with its table and line, not a stop.
    assert {("shipments", "primary_keys"), ("carriers", "primary_keys")} <= open_facts(doc)
    assert all(w.line for w in doc.warnings if w.field)


def test_discovered_list_naming_no_table_gives_none_with_a_reason():
    doc = parse_markdown(
        "# Lake API\n\n## Object List\n\nThe list is dynamic, discovered at runtime.\n\n"
        "## Endpoints\n\n### Load objects\n\n`GET /objects/{type}` returns records.\n"
    )
    assert doc.tables == []
    (w,) = [w for w in doc.warnings if w.code == "no-tables"]
    assert "discovered at run time" in w.message


def test_deletes_heading_naming_tables_makes_them_cdc_with_deletes():
    doc = parse_markdown(
        "# Crm API\n\n## Tables\n\n| Table | Endpoint | Primary Key | Cursor Field |\n"
        "|---|---|---|---|\n| `leads` | `GET /leads` | `id` | `updatedAt` |\n"
        "| `calls` | `GET /calls` | `id` | `updatedAt` |\n\n### Deletes\n\n"
        "Archived records can be read for:\n\n- `leads`\n\n`calls` cannot be archived.\n"
    )
    assert facts(doc) == {
        "leads": (["id"], "updatedAt", "cdc_with_deletes"),
        "calls": (["id"], "updatedAt", "cdc"),
    }


# --- bad docs: one line or an empty result with a reason -----------------------------------


def test_doc_without_tables_parses_to_none_with_a_reason():
    doc = parse("notes_no_tables.md")
    assert doc.tables == []
    (w,) = [w for w in doc.warnings if w.code == "no-tables"]
    assert w.message.startswith("no tables found: ")


@pytest.mark.parametrize("text", ["", "\n\n", "   ", "#", "|", "```"])
def test_empty_docs_give_an_empty_result_with_a_reason(text):
    doc = parse_markdown(text)
    assert doc.tables == []
    assert any(w.code == "no-tables" for w in doc.warnings)


def test_binary_file_is_one_input_error(tmp_path):
    path = tmp_path / "logo.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(InputError, match="binary") as err:
        parse_api_doc(ParseApiDocIn(path=str(path)))
    assert "\n" not in str(err.value)


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "dump.md"
    with path.open("wb") as f:  # sparse: no 50 MB written to disk
        f.truncate(50 * 1_000_000)
    assert path.stat().st_size > MAX_DOC_BYTES
    with pytest.raises(InputError, match=r"is 48 MB; the limit is 4 MB") as err:
        parse_api_doc(ParseApiDocIn(path=str(path)))
    assert err.value.hint and "\n" not in str(err.value)


def test_five_thousand_headings_parse_to_tables_without_error():
    text = "\n".join(f"### `t{i}`\n\n- Primary key: `id`\n" for i in range(5000))
    doc = parse_markdown(text)
    assert len(doc.tables) == 5000
    assert {tuple(t.primary_keys) for t in doc.tables} == {("id",)}


def test_table_options_are_keys_a_user_sets_not_api_query_syntax():
    doc = parse_markdown(
        "# Repo API\n\n## Tables\n\n### `commits`\n\n- Read endpoint: `GET /commits`\n"
        "- Primary key: `id`\n\n#### Table options\n\n| Option | Type | Description |\n"
        "|---|---|---|\n| `repository` | string | Which repository. |\n"
        "| `$expand` | string | OData expansion. |\n"
    )
    assert [o.name for o in doc.tables[0].options] == ["repository"]


def test_one_endpoint_for_every_table_gives_each_table_its_read_endpoint():
    doc = parse("clinic_name_run.md")
    reads = {t.name: (t.read_endpoint.path, [p.name for p in t.read_endpoint.query_params])
             for t in doc.tables}  # fmt: skip
    assert reads["LabResult"] == ("/LabResult", ["_updated"])
    derived = [w for w in doc.warnings if w.code == "read-endpoint-from-template"]
    assert {w.table for w in derived} == {"Patient", "Visit", "LabResult", "Prescription"}
    assert all(w.field == "read_endpoint" and w.line == 27 for w in derived)


# --- detail sections, metadata examples and parameter columns -------------------------------


def test_a_metadata_example_under_a_detail_heading_states_key_and_cursor():
    # "Sample: shipments metadata" is no table of the list: its JSON still speaks for
    # `shipments`, and beats a sentence that names a field beside the word "primary key".
    doc = parse("harbor_detail_sections.md")
    assert [t.name for t in doc.tables] == ["shipments", "berths", "cranes"]
    shipments = next(t for t in doc.tables if t.name == "shipments")
    assert shipments.primary_keys == ["shipment_ref"]
    assert "primary_keys" not in shipments.inferred


def test_a_parameter_column_names_no_cursor():
    # A "params" column makes the table a per-table summary, whose notes name the cursor;
    # `yard_id` sits in the parameters cell after `since`: a filter, not the cursor.
    doc = parse("harbor_detail_sections.md")
    assert facts(doc)["cranes"][1:] == ("moved_at", "cdc")
    assert facts(doc)["berths"][1] is None


# --- numbered table headings, asides in a name cell, a paragraph about every table ---------


def test_numbered_table_headings_name_their_table():
    # "Table 1: wells" is the section of `wells`, not a heading to drop.
    doc = parse("delta_numbered_tables.md")
    assert [t.name for t in doc.tables] == ["wells", "cores"]
    assert facts(doc)["wells"][0] == ["wellId"]
    assert facts(doc)["cores"][0] == ["coreId"]


def test_an_aside_in_a_name_cell_is_not_part_of_the_name():
    # "cores (lab samples)": the row states the ingestion type of `cores`.
    doc = parse("delta_numbered_tables.md")
    cores = next(t for t in doc.tables if t.name == "cores")
    assert cores.ingestion_type == "cdc"
    assert "ingestion_type" not in cores.inferred


def test_a_paragraph_about_every_table_names_their_cursor_in_a_later_sentence():
    doc = parse("delta_numbered_tables.md")
    assert {t.name: t.cursor_field for t in doc.tables} == {
        "wells": "revisionNo",
        "cores": "revisionNo",
    }
    assert not [t.name for t in doc.tables if "cursor_field" in t.inferred]


# --- companion docs ----------------------------------------------------------------------


def test_linked_companion_docs_fill_keys_cursor_and_ingestion_the_doc_leaves_open():
    doc = parse("quarry/quarry_api_doc.md")
    assert facts(doc) == {
        "Pit": (["pitCode"], "changedAt", "cdc"),
        "Blast": (["blastNo", "pitCode"], "firedAt", "append"),
        "Truck": (["plate", "depotCode"], None, "snapshot"),
    }
    assert not [t.inferred for t in doc.tables if t.inferred]
    assert {fact for _, fact in open_facts(doc)} == {"read_endpoint"}  # no doc names one
    # Each table says where its facts came from; the link leaving the doc's folder is
    # not followed.
    notes = {w.table: w.message for w in doc.warnings if w.code == "facts-from-companion-doc"}
    assert "modules/sites_api_doc.md" in notes["Pit"]
    assert "modules/fleet_api_doc.md" in notes["Truck"]
    assert all("orbit" not in m for m in notes.values())


def test_without_its_file_a_doc_leaves_those_facts_open():
    text = (SHAPES / "quarry" / "quarry_api_doc.md").read_text()
    doc = parse_markdown(text)
    assert ("Pit", "primary_keys") in open_facts(doc)


def test_key_fields_listed_under_a_tables_heading_in_a_keys_section():
    doc = parse("quarry/modules/sites_api_doc.md")
    assert facts(doc)["Blast"][0] == ["blastNo", "pitCode"]
    fleet = parse("quarry/modules/fleet_api_doc.md")
    assert facts(fleet)["Truck"][0] == ["plate", "depotCode"]


def test_an_open_cursor_lists_a_name_the_prose_offers_beyond_the_field_list():
    # `revisionMark` is not among the listed fields, so it is no cursor the parser may set;
    # the to-do still offers it, the field list may be partial.
    doc = parse("kite_open_cursor.md")
    assert facts(doc)["flights"][1:] == (None, "cdc")
    (w,) = [w for w in doc.warnings if w.code == "no-cursor"]
    assert (w.table, w.field, w.candidates) == ("flights", "cursor_field", ["revisionMark"])


def test_fields_and_warnings_built_without_validation_equal_validated_ones():
    doc = parse("orbit_object_table.md")
    built = [f for t in doc.tables for f in t.fields] + list(doc.warnings)
    assert built and any(doc.warnings)
    for item in built:
        again = type(item).model_validate(item.model_dump())
        assert again == item and again.model_dump_json() == item.model_dump_json()
        assert item.model_fields_set == set(type(item).model_fields)


SHOP_DOC = """# Shop API

Base URL: `https://shop.example/api`

## Tables

### products

**Note**: the older listing (`GET /legacy/products.json`) is deprecated.

#### Endpoint

```
GET https://shop.example/api/products.json
```

#### Product record fields

| Field | Type | Notes |
|---|---|---|
| `id` | integer | Product id; primary key |
| `updated_at` | ISO 8601 datetime | Last change; use as cursor |
| `secret` | string | **Deprecated** |
| `variants` | array | See below |

**Nested: `variants` array** (each element):

| Field | Type | Notes |
|---|---|---|
| `id` | integer | Variant id |
| `sku` | string | Stock keeping unit |
"""


def test_the_tables_own_endpoint_nested_fields_and_fields_never_returned():
    doc = parse_markdown(SHOP_DOC)
    (table,) = doc.tables
    # the endpoint under the table's "Endpoint" heading, not the one mentioned in a note
    assert table.read_endpoint is not None and table.read_endpoint.path == "/products.json"
    names = [f.name for f in table.fields]
    # the lead-in's field holds the next table's fields; its `id` is no key of the table
    assert names == ["id", "updated_at", "variants", "variants.id", "variants.sku"]
    assert table.primary_keys == ["id"]
    (left,) = [w for w in doc.warnings if w.code == "field-not-returned"]
    assert "`secret`" in left.message and left.table == "products" and left.line


def test_a_composite_key_written_as_one_tuple_in_prose_and_an_interval_that_is_none():
    text = """# Stock API

Base URL: `https://stock.example/v1`

## Object List

### `levels`

`GET /levels` lists the stock levels. It reads `[cursor - lookback, now]` on each run.

| Field | Type |
|---|---|
| `item_id` | integer |
| `location_id` | integer |
| `updated_at` | timestamp |

There is no `id` field. The composite key is `(item_id, location_id)`.
Ingestion type: `cdc`.
"""
    doc = parse_markdown(text)
    # the interval names no field: the cursor is the one the field list offers
    assert facts(doc)["levels"] == (["item_id", "location_id"], "updated_at", "cdc")


def test_a_code_span_list_is_a_key_only_when_every_member_is_a_name():
    from skillpack.apidoc._extract import code_names

    assert code_names(["(item_id, location_id)", "[a, b]", "id"]) == [
        "item_id",
        "location_id",
        "a",
        "b",
        "id",
    ]
    assert code_names(["[cursor - lookback, connector-init-time]", "(see below)"]) == []


def test_keys_offered_as_alternatives_and_a_key_line_for_several_tables():
    text = """# Repo API

Base URL: `https://repo.example/v1`

## Object List

| Table | Endpoint | Ingestion type |
|---|---|---|
| `members` | `GET /members` | `snapshot` |
| `guests` | `GET /guests` | `snapshot` |
| `labels` | `GET /labels` | `snapshot` |
| `teams` | `GET /teams` | `snapshot` |

### `labels`

| Field | Type |
|---|---|
| `name` | string |
| `slug` | string |
| `color` | string |

Labels are keyed by `slug` (or `name`, which is unique too) or the numeric `color`.

### `teams`

Teams are keyed by `(org, slug)` or the numeric `id` plus the org.

| Field | Type |
|---|---|
| `org` | string |
| `slug` | string |
| `id` | integer |

## Primary keys

- `members` / `guests`: a composite of `org`, and `id` (or `login`), one row per org.

### `members` and `guests`

These are modeled as tables keyed by `(org, login)` or the numeric `id` plus the org.

| Field | Type |
|---|---|
| `org` | string |
| `id` | integer |
| `login` | string |
"""
    doc = parse_markdown(text)
    found = facts(doc)
    # the key line under the keys heading speaks for both tables; the aside offers no key
    assert found["members"][0] == found["guests"][0] == ["org", "id"]
    assert found["labels"][0] == ["slug"]
    # of two alternatives, the first
    assert found["teams"][0] == ["org", "slug"]


def test_an_incremental_table_the_doc_says_has_no_cursor_is_read_whole():
    text = """# Votes API

Base URL: `https://votes.example/v1`

## Object List

| Table | Endpoint | Ingestion type | Cursor field |
|---|---|---|---|
| `votes` | `GET /votes` | `cdc` | `changed_at` |
| `voters` | `GET /voters` | `cdc` | None |

### `votes`

| Field | Type |
|---|---|
| `id` | string |
| `changed_at` | timestamp |

Primary key: `id`

### `voters`

- Primary key: `id`
- Cursor field: not applicable (no timestamp available)

| Field | Type |
|---|---|
| `id` | string |
| `changed_at` | timestamp |
"""
    doc = parse_markdown(text)
    assert facts(doc) == {
        "votes": (["id"], "changed_at", "cdc"),
        "voters": (["id"], None, "snapshot"),
    }
    assert ("voters", "ingestion_type") in open_facts(doc)


def test_of_a_rows_endpoint_columns_the_plain_get_lists_the_records():
    text = """# Desk API

Base URL: `https://desk.example/v3`

## Tables

| Table | Endpoint (full refresh) | Endpoint (incremental search) | Primary Key |
|---|---|---|---|
| `contacts` | `GET /contacts` | `POST /contacts/search` | `id` |
| `reports` | — | `POST /reports/search` | `id` |
"""
    doc = parse_markdown(text)
    reads = {t.name: (t.read_endpoint.method, t.read_endpoint.path) for t in doc.tables}
    assert reads == {"contacts": ("GET", "/contacts"), "reports": ("POST", "/reports/search")}


def test_a_paging_token_stated_under_a_cursor_heading_is_no_cursor():
    text = """# Graph API

Base URL: `https://graph.example/v2`

## Object List

| Table | Endpoint | Ingestion type |
|---|---|---|
| `edges` | `GET /edges` | `cdc` |
| `nodes` | `GET /nodes` | `cdc` |

### `edges`

| Field | Type |
|---|---|
| `id` | string |
| `changedOn` | timestamp |

Primary key: `id`. Cursor field: `changedOn`.

### `nodes`

| Field | Type |
|---|---|
| `id` | string |
| `changedOn` | timestamp |

Primary key: `id`. Cursor field: `changedOn`.

## Cursor

- `/edges`, `/nodes`: the same pattern, `nextCursor` returned in the response.
"""
    doc = parse_markdown(text)
    assert {t: f[1] for t, f in facts(doc).items()} == {"edges": "changedOn", "nodes": "changedOn"}


def test_a_key_unique_only_within_its_parent_widens_to_the_composite_the_prose_gives():
    text = """# Lists API

Base URL: `https://lists.example/v3`

## Object List

### `members`

`GET /lists/{list_id}/members` lists the members of one list.

| Field | Type | Notes |
|---|---|---|
| `id` | string | **Primary key.** Hash of the email address. |
| `list_id` | string | The list. |

Because `id` is unique only within a list, the connector keys members by `(list_id, id)`.
"""
    doc = parse_markdown(text)
    assert facts(doc)["members"][0] == ["list_id", "id"]


def test_a_key_that_orders_nothing_is_no_cursor():
    text = """# Code API

Base URL: `https://code.example/v1`

## Object List

### `commits`

`GET /commits` lists commits. They are append-only, keyed by `sha`. Read incrementally by
tracking the last `sha` seen.

| Field | Type |
|---|---|
| `sha` | string |
| `message` | string |

### `builds`

`GET /builds` lists builds. They are append-only, keyed by `number`. Read incrementally by
tracking the last `number` seen.

| Field | Type |
|---|---|
| `number` | integer |
| `status` | string |

### `daily`

`GET /daily` lists one row per day, keyed by `date`. Read incrementally by tracking the last
`date` seen.

| Field | Type |
|---|---|
| `date` | string (YYYY-MM-DD) |
| `count` | integer |
"""
    found = facts(parse_markdown(text))
    assert found["commits"][1] is None  # a hash orders nothing: left open
    assert found["builds"][1] == "number"
    assert found["daily"][1] == "date"  # a day written as text still orders


def test_an_archived_filter_is_a_delete_feed_only_where_the_doc_says_so():
    text = """# Repo API

Base URL: `https://repo.example/v1`

## Object List

### `repos`

`GET /repos` lists repositories. Primary key: `id`. Cursor field: `updated_at`.

| Parameter | Type | Description |
|---|---|---|
| `archived` | boolean | Only archived repositories. |

### `tickets`

`GET /tickets` lists tickets. Primary key: `id`. Cursor field: `updated_at`.

## Deletes

Pages hold up to `limit=100` records; the API answers `archived=true` queries on these tables:

- `tickets`
"""
    doc = parse_markdown(text)
    tables = {t.name: t for t in doc.tables}
    assert tables["repos"].delete_endpoint is None
    assert tables["repos"].ingestion_type == "cdc"
    feed = tables["tickets"].delete_endpoint
    assert (feed.path, [(p.name, p.value) for p in feed.query_params]) == (
        "/tickets",
        [("archived", "true")],
    )
    assert tables["tickets"].ingestion_type == "cdc_with_deletes"


def test_cursor_labels_under_per_table_lead_ins_are_no_default_for_other_tables():
    text = """# Code Host API

Base URL: `https://code.example/v1`

## Object List

| Table | Endpoint | Primary key | Ingestion |
|---|---|---|---|
| `commits` | `GET /commits` | `sha` | `append` |
| `revisions` | `GET /revisions` | `id` | `append` |
| `labels` | `GET /labels` | `name` | `snapshot` |

## Object's Ingestion Type

**For `commits` (append)**:
- **Cursor field**: `authored_at` (timestamp)

**For `revisions` (append)**:
- **Cursor field**: `continuationToken` (for pagination)

**For `labels` (snapshot)**:
- **Cursor field**: not applicable

## Read API

`continuationToken` is the paging token of `GET /revisions`.
"""
    doc = parse_markdown(text)
    found = facts(doc)
    assert found["commits"] == (["sha"], "authored_at", "append")
    # Each label speaks for the table its lead-in names: `revisions` states only a paging
    # token, which orders nothing, so it borrows no neighbour's cursor.
    assert found["revisions"][1] is None
    assert found["labels"] == (["name"], None, "snapshot")


def test_a_single_cursor_label_outside_the_tables_speaks_for_every_table():
    text = """# Notes API

Base URL: `https://notes.example/v1`

## Object List

| Table | Endpoint | Primary key | Ingestion |
|---|---|---|---|
| `notes` | `GET /notes` | `id` | `cdc` |
| `folders` | `GET /folders` | `id` | `cdc` |

## Incremental reads

Cursor field: `modified`
"""
    found = facts(parse_markdown(text))
    assert found == {"notes": (["id"], "modified", "cdc"), "folders": (["id"], "modified", "cdc")}


@pytest.mark.parametrize("key", ["name", "nation", "notes_id"])
def test_a_key_whose_name_begins_like_none_or_n_a_is_a_key(key):
    text = f"""# Tags API

Base URL: `https://tags.example/v1`

## Object List

| Table | Endpoint | Primary key | Cursor | Ingestion |
|---|---|---|---|---|
| `tags` | `GET /tags` | `{key}` | n/a | `snapshot` |
| `colors` | `GET /colors` | `id` | none | `snapshot` |
"""
    assert facts(parse_markdown(text)) == {
        "tags": ([key], None, "snapshot"),
        "colors": (["id"], None, "snapshot"),
    }


def test_a_cursor_label_under_a_lead_in_naming_one_table_is_that_tables_alone():
    text = """# Forge API

Base URL: `https://forge.example/v1`

## Object List

| Table | Endpoint | Primary key | Ingestion |
|---|---|---|---|
| `issues` | `GET /issues` | `id` | `cdc` |
| `commits` | `GET /commits` | `sha` | `append` |

## Object's Ingestion Type

For `issues`:
- **Cursor field**: `updated_at`
- **Deletes**: none; closing an issue is an update.
"""
    doc = parse_markdown(text)
    tables = {t.name: t for t in doc.tables}
    assert facts(doc)["issues"] == (["id"], "updated_at", "cdc")
    assert "cursor_field" not in tables["issues"].inferred
    # `commits` states no cursor: whatever it gets is a guess, marked as one
    commits = tables["commits"]
    assert commits.cursor_field is None or "cursor_field" in commits.inferred


@pytest.mark.parametrize(
    ("described", "lead"),
    [
        ("Dynamic field collection.", "**Nested `fields` struct** (common keys):"),
        ("Field values.", "**Nested `fields` struct** (keys vary by item type):"),
        ("Field values.", "**Nested `fields` struct** (common keys):"),
    ],
)
def test_an_object_whose_keys_vary_stays_one_json_field(described, lead):
    text = f"""# Board API

Base URL: `https://board.example/v1`

## Object List

### `items`

`GET /items` lists the items. Primary key: `id`.

| Field | Type | Description |
|---|---|---|
| `id` | integer | Item id. |
| `fields` | struct | {described} |

{lead}

| Field | Type | Description |
|---|---|---|
| `System.Title` | string | Title. |
| `System.State` | string | State. |
"""
    (table,) = parse_markdown(text).tables
    names = [f.name for f in table.fields]
    if "vary" in lead or "Dynamic" in described:
        # `System.Title` is one key of the object, written with a dot, not a path; and the
        # set of keys differs per record, so no fixed struct holds them
        assert names == ["id", "fields"]
    else:
        assert names == ["id", "fields", "fields.System.Title", "fields.System.State"]


def test_a_field_the_doc_says_orders_changes_is_the_cursor_guess_of_a_table_naming_none():
    text = """# Mailbox API

Base URL: `https://mail.example/v1`

## Object List

| Table | Endpoint | Primary key | Cursor | Ingestion |
|---|---|---|---|---|
| `messages` | `GET /messages` | `id` | `historyId` | `cdc` |
| `threads` | `GET /threads` | `id` | | `cdc` |
| `labels` | `GET /labels` | `id` | | `snapshot` |

## Object Schema

### `threads`

| Field | Type |
|---|---|
| `id` | string |
| `historyId` | string |
| `snippet` | string |

## Field Type Mapping

- **`historyId`**: Monotonically increasing; use for cursor comparison.
"""
    doc = parse_markdown(text)
    tables = {t.name: t for t in doc.tables}
    assert facts(doc)["threads"] == (["id"], "historyId", "cdc")
    assert "cursor_field" in tables["threads"].inferred  # a guess, and marked as one
    assert facts(doc)["labels"] == (["id"], None, "snapshot")


def test_a_doc_wide_cursor_where_a_table_has_it_yields_to_the_fields_a_companion_lists(
    tmp_path,
):
    (tmp_path / "hr_api_doc.md").write_text(
        """# HR API

Base URL: `https://hr.example/odata`

- Cursor field for incremental tables: `lastModifiedDateTime` (where the
  module exposes it).

## Tables

Field lists: [modules](groups_api_doc.md).

| Table | Endpoint | Primary key | Ingestion |
|---|---|---|---|
| `Group` | `GET /Group` | `groupId` | `cdc` |
| `Person` | `GET /Person` | `personId` | `cdc` |
| `Badge` | `GET /Badge` | `badgeId` | `cdc` |
| `Shift` | `GET /Shift` | `shiftId` | `cdc` |
"""
    )
    (tmp_path / "groups_api_doc.md").write_text(
        """# Group module

## Object List

### `Group`

| Field | Type |
|---|---|
| `groupId` | string |
| `lastModifiedDate` | datetime |

### `Person`

| Field | Type |
|---|---|
| `personId` | string |
| `lastModifiedDateTime` | datetime |

### `Shift`

| Field | Type |
|---|---|
| `shiftId` | string |
| `eventTime` | datetime |
"""
    )
    doc = parse_api_doc(ParseApiDocIn(path=str(tmp_path / "hr_api_doc.md")))
    cursors = {t.name: (t.cursor_field, "cursor_field" in t.inferred) for t in doc.tables}
    assert cursors == {
        # the module lacks the doc-wide field: its own change-time field is the guess
        "Group": ("lastModifiedDate", True),
        "Person": ("lastModifiedDateTime", True),
        # no field list anywhere: the doc-wide field may or may not be there
        "Badge": ("lastModifiedDateTime", True),
        # neither the doc-wide field nor a change-time field of its own: left open
        "Shift": (None, False),
    }
    (open_cursor,) = [w for w in doc.warnings if w.table == "Shift" and w.field]
    assert open_cursor.field == "cursor_field" and open_cursor.candidates == ["eventTime"]


def test_a_change_feed_guessed_from_a_doc_wide_cursor_falls_when_the_table_lacks_it(tmp_path):
    (tmp_path / "hr_api_doc.md").write_text(
        """# HR API

Base URL: `https://hr.example/odata`

- Cursor field for incremental tables: `lastModifiedDateTime` (where the
  module exposes it).

## Tables

Field lists: [modules](roles_api_doc.md).

| Table | Endpoint | Primary key |
|---|---|---|
| `Role` | `GET /Role` | `roleId` |
| `Grant` | `GET /Grant` | `grantId` |
| `Badge` | `GET /Badge` | — |
"""
    )
    (tmp_path / "roles_api_doc.md").write_text(
        """# Role module

## Object List

### `Role`

| Field | Type |
|---|---|
| `roleId` | string |
| `label` | string |

### `Grant`

| Field | Type |
|---|---|
| `grantId` | string |
| `lastModifiedDateTime` | datetime |

### `Badge`

| Field | Type |
|---|---|
| `id` | string |
| `label` | string |
"""
    )
    doc = parse_api_doc(ParseApiDocIn(path=str(tmp_path / "hr_api_doc.md")))
    tables = {t.name: t for t in doc.tables}
    # no type stated: the doc-wide cursor made each a guessed change feed; `Role` turns
    # out not to have it, so it is read whole, still marked a guess, with no open cursor
    assert (tables["Role"].ingestion_type, tables["Role"].cursor_field) == ("snapshot", None)
    assert "ingestion_type" in tables["Role"].inferred
    assert not [w for w in doc.warnings if w.table == "Role" and w.field == "cursor_field"]
    assert (tables["Grant"].ingestion_type, tables["Grant"].cursor_field) == (
        "cdc",
        "lastModifiedDateTime",
    )
    # no key stated anywhere: the fields a companion lists give the usual guess, marked
    assert tables["Badge"].primary_keys == ["id"]
    assert "primary_keys" in tables["Badge"].inferred
    assert not [w for w in doc.warnings if w.table == "Badge" and w.field == "primary_keys"]


def test_of_two_companions_describing_a_table_the_one_on_its_api_path_fills_it(tmp_path):
    (tmp_path / "hr_api_doc.md").write_text(
        """# HR API

Base URL: `https://hr.example`

Field lists: [identity](scim_api_doc.md), [users](users_api_doc.md).

## Tables

| Table | Endpoint | Ingestion |
|---|---|---|
| `User` | `GET /odata/v2/User` | `snapshot` |
"""
    )
    (tmp_path / "scim_api_doc.md").write_text(
        """# Identity module

### `User`

`GET /rest/scim/v2/Users`

Primary key: `id`

| Field | Type |
|---|---|
| `id` | string |
"""
    )
    (tmp_path / "users_api_doc.md").write_text(
        """# Users module

### `User`

`GET /odata/v2/User`

Primary key: `userId`

| Field | Type |
|---|---|
| `userId` | string |
| `email` | string |
"""
    )
    doc = parse_api_doc(ParseApiDocIn(path=str(tmp_path / "hr_api_doc.md")))
    (user,) = doc.tables
    # the OData module, read at the table's own path, not the first doc linked
    assert user.primary_keys == ["userId"]
    assert [f.name for f in user.fields] == ["userId", "email"]


def test_a_file_the_prose_names_in_backticks_is_read_as_a_companion(tmp_path):
    # a file outside the doc's folder, named too, states another cursor: never read
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "README.md").write_text(
        "# Other\n\n## Supported Objects\n\n### Tickets\n"
        "- **Incremental Strategy**: Cursor-based on `modified_at`\n"
    )
    tmp_path = tmp_path / "desk"
    tmp_path.mkdir()
    (tmp_path / "desk_api_doc.md").write_text(
        """# Desk API

Tables are described in `README.md`; the notes in `../other/README.md` and
`missing.md` are not read.

## Base URL

```
https://<subdomain>.desk.example/api/v2
```

## Tables

| Table | Endpoint | Primary Key | Cursor Field | Ingestion |
|---|---|---|---|---|
| `tickets` | `GET /api/v2/incremental/tickets.json` | `id` | `end_time` | `cdc` |
"""
    )
    (tmp_path / "README.md").write_text(
        """# Desk connector

## Supported Objects

### Tickets
- **Primary Key**: `id`
- **Incremental Strategy**: Cursor-based on `updated_at`
"""
    )
    doc = parse_api_doc(ParseApiDocIn(path=str(tmp_path / "desk_api_doc.md")))
    (tickets,) = doc.tables
    # the doc's own cursor is a window end of the response; the README names the field
    assert tickets.cursor_field == "updated_at"
    notes = [w.message for w in doc.warnings if w.code == "facts-from-companion-doc"]
    assert notes == ["cursor field of `tickets` read from `README.md` line 5"]
    # an angle-bracket placeholder is the option-templated spelling of the base URL
    assert doc.base_url == "https://{subdomain}.desk.example/api/v2"


#: a doc naming a README and linking a module doc, both beside it
_HR_DOC = """# HR API

Base URL: `https://hr.example`

Setup is in `README.md`; fields in [the cost module](cost_api_doc.md).

## Tables

| Table | Module |
|---|---|
| `CostAssignment` | EC |
"""


def _hr_docs(tmp_path, readme: str, more_fields: str = ""):
    """The HR doc parsed with its README (``readme``) and its module doc, which keys
    `CostAssignment` and lists its fields (and ``more_fields`` rows)."""
    (tmp_path / "hr_api_doc.md").write_text(_HR_DOC)
    (tmp_path / "README.md").write_text(f"# HR connector\n\n{readme}")
    (tmp_path / "cost_api_doc.md").write_text(
        f"""# Cost module

### `CostAssignment`

Primary key: `worker`, `effectiveStartDate`

| Field | Type |
|---|---|
| `worker` | string |
| `effectiveStartDate` | datetime |
{more_fields}"""
    )
    return parse_api_doc(ParseApiDocIn(path=str(tmp_path / "hr_api_doc.md")))


def test_of_two_companions_on_no_path_the_one_stating_the_key_fills_it(tmp_path):
    # a README that only lists the table, named first, and the module doc that keys it
    doc = _hr_docs(tmp_path, "| Module | Table |\n|---|---|\n| EC | CostAssignment |\n")
    (cost,) = doc.tables
    assert cost.primary_keys == ["worker", "effectiveStartDate"]


def test_what_the_best_companion_leaves_open_the_next_one_fills(tmp_path):
    # the module doc keys the table and lists its fields; only the README says how it
    # changes: each companion fills what those before it left open
    readme = (
        "| Table | Cursor Field | Ingestion Type |\n|---|---|---|\n"
        "| CostAssignment | lastModified | CDC |\n"
    )
    doc = _hr_docs(tmp_path, readme, "| `lastModified` | datetime |\n")
    (cost,) = doc.tables
    assert cost.primary_keys == ["worker", "effectiveStartDate"]
    assert [f.name for f in cost.fields] == ["worker", "effectiveStartDate", "lastModified"]
    assert (cost.cursor_field, cost.ingestion_type) == ("lastModified", "cdc")
    assert "ingestion_type" not in cost.inferred
    notes = [w.message for w in doc.warnings if w.code == "facts-from-companion-doc"]
    assert any("cost_api_doc.md" in n for n in notes)
    assert any("README.md" in n and "cursor field" in n for n in notes)


@pytest.mark.parametrize("where", ["row", "label"])
def test_a_cursor_the_record_lacks_gives_way_to_the_alternative_it_has(where):
    cell = "`System.ChangedDate` or `rev`"
    row_cursor, label = (cell, "") if where == "row" else ("", f"- **Cursor field**: {cell}")
    text = f"""# Board API

Base URL: `https://board.example/v1`

## Object List

| Table | Endpoint | Primary key | Cursor | Ingestion |
|---|---|---|---|---|
| `items` | `GET /items` | `id` | {row_cursor} | `cdc` |
| `revisions` | `GET /revisions` | `id` | `continuationToken` or `revisedDate` | `append` |
| `notes` | `GET /notes` | `id` | `changed` or `rev` | `cdc` |

## Object Schema

### `items`

{label}

| Field | Type | Description |
|---|---|---|
| `id` | integer | Item id. |
| `rev` | integer | Revision number. |
| `fields` | struct | Dynamic field collection (`System.ChangedDate` among them). |

### `revisions`

`continuationToken` is the query parameter that resumes the listing.

| Field | Type |
|---|---|
| `id` | integer |
| `revisedDate` | datetime |

### `notes`

| Field | Type |
|---|---|
| `id` | integer |
| `changed` | datetime |
| `rev` | integer |
"""
    found = facts(parse_markdown(text))
    # the first choice is not a field of the record: the one offered in its place is
    assert found["items"] == (["id"], "rev", "cdc")
    # the doc's first choice stands when the record has it
    assert found["notes"] == (["id"], "changed", "cdc")
    # a paging token as first choice means the listing resumes by token: no record cursor
    assert found["revisions"][1] is None


def test_angle_bracket_placeholders_and_the_notes_under_a_key_statement():
    text = """# Reports API

Base URL: `https://reports.example`

## Object List

| Object Name | Primary Endpoint | Ingestion Type |
|---|---|---|
| `apps` | `GET /api/apps` | `snapshot` |
| `installs` | `GET /api/export/app/<app_id>/installs/v5` | `cdc` |

## Object Schema

### `apps`

- `app_id` (string): App id.
- `name` (string): App name.

## Get Object Primary Keys

- **Primary key for `apps`**: `app_id`
  - Type: string
  - Property: Unique identifier for each app
"""
    doc = parse_markdown(text)
    tables = {t.name: t for t in doc.tables}
    # `<app_id>` is a path placeholder, written as some docs write `{app_id}`
    assert tables["installs"].read_endpoint.path == "/api/export/app/{app_id}/installs/v5"
    # the lines under the key statement describe the key: they are no fields
    assert [f.name for f in tables["apps"].fields] == ["app_id", "name"]
    assert tables["apps"].primary_keys == ["app_id"]


def test_bare_paths_in_the_table_list_a_key_named_in_plain_text_and_an_offered_composite():
    text = """# Plant API

Base URL: `https://plant.example/api`

## Connector Tables

- `servers` — `/api/servers`
- `points` — `/api/servers/{webId}/points`
- `links` — described in `/guide/links.md`

## Object Primary Keys

In this API, the WebID serves as the unique identifier for all objects.

## Object List

| Object | Primary Key(s) | Notes |
|---|---|---|
| `pages` | `id` | Unique within a survey; a composite key could be `(survey_id, id)` |
| `members` | `id` | Composite key `(list_id, id)`, as ids may repeat across lists |

### `pages`

| Field | Type |
|---|---|
| `id` | string |
| `survey_id` | string |

### `members`

| Field | Type |
|---|---|
| `id` | string |
| `list_id` | string |
"""
    doc = parse_markdown(text)
    tables = {t.name: t for t in doc.tables}
    # a table-list item giving a path and no method names the table's read endpoint
    assert (tables["points"].read_endpoint.method, tables["points"].read_endpoint.path) == (
        "GET",
        "/api/servers/{webId}/points",
    )
    # a path to a page of the docs is no endpoint
    assert tables["links"].read_endpoint is None
    # the key every object shares, named without a code span
    assert tables["servers"].primary_keys == ["WebID"]
    # a composite the notes only offer does not widen the key the table states; one they
    # state does, whatever follows it
    assert tables["pages"].primary_keys == ["id"]
    assert tables["members"].primary_keys == ["list_id", "id"]


def test_fields_every_table_shares_and_an_operator_written_before_the_cursor():
    text = """# Records API

Base URL: `https://records.example/r4`

## Object List

- `Patient`
- `Visit`

## Object Schema

All resources share these fields:
- `id` (string): the resource id
- `lastUpdated` (timestamp): from `meta.lastUpdated`

### `Visit`

Each visit has the following fields:
- `id` (string): the visit id
- `reason` (string): why

## Read API

`GET /{ResourceType}?_lastUpdated=gt{cursor}&_count=50`
"""
    doc = parse_markdown(text)
    fields = {t.name: [f.name for f in t.fields] for t in doc.tables}
    # the shared fields follow a table's own, once each; one table's list stays its own
    assert fields == {"Patient": ["id", "lastUpdated"], "Visit": ["id", "reason", "lastUpdated"]}
    for table in doc.tables:
        params = {p.name: p.value for p in table.read_endpoint.query_params}
        # the operator before the placeholder is kept; an example value is not
        assert params == {"_lastUpdated": "gt{cursor}", "_count": None}


def test_a_key_table_whose_name_column_is_named_two_ways():
    text = """# Sheets API

Base URL: `https://sheets.example/v4`

## Object List

- `spreadsheets` — `GET /spreadsheets/{spreadsheetId}`
- `documents` — `GET /documents/{documentId}`

## Primary Keys

| Object / concept | Primary key | Notes |
|---|---|---|
| Spreadsheet | `spreadsheetId` | Same as the file id |
| Document | `documentId` | Same as the file id |
"""
    doc = parse_markdown(text)
    assert {t.name: t.primary_keys for t in doc.tables} == {
        "spreadsheets": ["spreadsheetId"],
        "documents": ["documentId"],
    }


def test_entity_names_beside_display_names_and_an_odata_key_predicate():
    text = """# HR API

Base URL: `https://hr.example/odata/v2`

## Object List

| Entity Name | API Entity | Description |
|---|---|---|
| Grievances | cust_grievances | Employee grievances |
| Cost Assignments | EmpCostAssignment | Cost centers of each worker |

## Object Schema

### cust_grievances

| Field | Type |
|---|---|
| externalCode | string |

### EmpCostAssignment

| Field | Type |
|---|---|
| worker | string |
| effectiveStartDate | string |

## Get Object Primary Keys

Composite key format: `EmpCostAssignment(effectiveStartDate=datetime'{d}',worker='{w}')`
"""
    doc = parse_markdown(text)
    tables = {t.name: t for t in doc.tables}
    # the column of names written as identifiers names the tables, not the display names
    assert sorted(tables) == ["EmpCostAssignment", "cust_grievances"]
    # OData's key predicate names every key field of its entity
    assert tables["EmpCostAssignment"].primary_keys == ["effectiveStartDate", "worker"]


def test_a_column_headed_table_names_the_tables_beside_an_api_resource_column():
    text = """# Video API

Base URL: `https://video.example/v3`

## Object List

| Object (table) | API resource | Notes |
|---|---|---|
| playlist_items | playlistItem | Items |
| search | searchResult | Results |
"""
    doc = parse_markdown(text)
    assert [t.name for t in doc.tables] == ["playlist_items", "search"]


def test_an_operator_in_the_endpoint_survives_a_parameter_table_describing_it():
    text = """# Records API

Base URL: `https://records.example/r4`

## Object List

### `Patient`

`GET /Patient?_lastUpdated=gt{cursor}`

Query parameters:

| Parameter | Type | Required | Description |
|---|---|---|---|
| `_lastUpdated` | string | no | Only resources changed after this time. |
"""
    (patient,) = parse_markdown(text).tables
    (param,) = patient.read_endpoint.query_params
    assert (param.name, param.value, param.description) == (
        "_lastUpdated",
        "gt{cursor}",
        "Only resources changed after this time.",
    )


def test_a_read_api_section_showing_a_tables_own_path_is_about_that_table():
    text = """# Plant API

Base URL: `https://{server}/piwebapi`

## Connector Tables

- `readings` — `/piwebapi/streams/{webId}/recorded`
- `multi_readings` — `/piwebapi/streamsets/recorded`
- `servers` — `/piwebapi/dataservers`

## Read API

### Stream API

#### 1. Get Recorded Values

Retrieves stored values in a time range.

**Endpoint:**
```
GET /streams/{webId}/recorded
```

**Parameters:**
- `startTime` (string, optional): Start of the window
- `boundaryType` (string, optional): How to handle the window's edges
  - `Inside`: first value after the start
  - `Outside`: last value before the start
- `maxCount` (integer, optional): Most values returned

Results are always returned in ascending timestamp order; values are never changed.

**Example Response:**
```json
{"Items": [{"Timestamp": "2024-01-01T00:00:00Z", "Value": 72.5, "Good": true}]}
```

### StreamSet API

#### 1. Get Recorded Values (Multiple Streams)

**Endpoint:**
```
GET /streamsets/recorded
```

**Parameters:**
- `webId` (string[], required): The streams
"""
    doc = parse_markdown(text)
    tables = {t.name: t for t in doc.tables}
    readings = tables["readings"]
    # the section's endpoint is the table's own (the base path aside): its parameters,
    # the items a "Parameters:" lead-in introduces, are the read's query parameters, the
    # items under a parameter its values; its example response gives the fields
    assert [p.name for p in readings.read_endpoint.query_params] == [
        "startTime",
        "boundaryType",
        "maxCount",
    ]
    assert [f.name for f in readings.fields] == ["Timestamp", "Value", "Good"]
    assert (readings.cursor_field, readings.ingestion_type) == ("Timestamp", "append")
    # the next section shows another table's own endpoint: what follows is that table's
    assert [p.name for p in tables["multi_readings"].read_endpoint.query_params] == ["webId"]
    assert tables["servers"].fields == []


def test_an_example_request_filtering_past_a_value_names_the_cursor_a_range_does_not():
    text = """# Events API

Base URL: `https://hr.example/odata/v2`

## Object List

- `Event`
- `Process`
- `Incident`

## Object Schema

### Event

| Field | Type |
|---|---|
| id | string |
| eventTime | datetime |

Ingestion type: `cdc`

```http
GET https://hr.example/odata/v2/Event?$filter=eventTime gt datetime'2024-01-01T00:00:00'
```

### Process

| Field | Type |
|---|---|
| id | string |
| firstEventTime | datetime |
| lastEventTime | datetime |

Ingestion type: `cdc`

```http
GET https://hr.example/odata/v2/Process?$filter=lastEventTime%20ge%20datetime'2024-01-01'&$orderby=lastEventTime
```

### Incident

| Field | Type |
|---|---|
| id | string |
| incidentDate | datetime |

Ingestion type: `cdc`

```http
GET /Incident?$filter=incidentDate ge datetime'2024-01-01' and incidentDate le datetime'2024-12-31'
```
"""
    tables = {t.name: t for t in parse_markdown(text).tables}
    assert tables["Event"].cursor_field == "eventTime"
    assert tables["Process"].cursor_field == "lastEventTime"
    # a window with both ends is a range the example asks for, not the order of changes
    assert tables["Incident"].cursor_field is None
    assert "cursor_field" not in tables["Event"].inferred


def test_own_path_matching_ignores_host_and_placeholder_names_and_stops_at_other_endpoints():
    text = """# Plant API

Base URL: `https://{server}/piwebapi`

## Connector Tables

- `trend_lines` — `/streams/{id}/plot`
- `inventory` — `/api/items`
- `servers` — `/piwebapi/dataservers`
- `line_items` — `/items`
- `news` — `GET https://{server}/feeds`

## Read API

### Trend values

```
GET https://{server}/piwebapi/streams/{webId}/plot?intervals=10
```

Parameters:
- `intervals` (integer, optional): How many intervals

```
GET /streams/{webId}/interpolated
```

Parameters:
- `interval` (string, required): Spacing of the values

### Stock

```
GET /items
```

Parameters:
- `color` (string, optional): Only items of this color

### Order lines

```
GET /orders/{id}/items
```

Parameters:
- `orderId` (string, required): The order

### Feed

```
GET https://{server}/feeds
```

Parameters:
- `topic` (string, optional): Only this topic

### Servers and their points

The `servers` table, read with `GET /piwebapi/dataservers`, also shows:

```
GET /streams/{webId}/plot
```

Parameters:
- `serverName` (string, optional): Only this server
"""
    tables = {t.name: t for t in parse_markdown(text).tables}
    plots = [p.name for p in tables["trend_lines"].read_endpoint.query_params]
    # the full URL with another placeholder name is the table's shorter own path; the next
    # endpoint, no table's, ends what the section says of it
    assert "intervals" in plots and "interval" not in plots
    # one literal segment (`/items`) is too little to call a path a table's own
    assert [p.name for p in tables["inventory"].read_endpoint.query_params] == []
    # a section naming a table keeps its blocks when it shows another table's endpoint
    assert "serverName" in [p.name for p in tables["servers"].read_endpoint.query_params]
    assert "serverName" not in plots
    # a table's own path of one name, the host aside, is too little to own a section
    assert tables["line_items"].read_endpoint.query_params == []
    assert tables["news"].read_endpoint.query_params == []


def test_parameters_after_a_lead_in_in_a_read_api_section_are_query_parameters():
    text = """# Shop API

Base URL: `https://shop.example/api`

## Object List

| Table | Endpoint |
|---|---|
| `orders` | `GET /orders` |
| `refunds` | `GET /refunds` |

## Read API

To read `orders`, call `GET /orders`.

Parameters:
- `since` (string, optional): Only orders changed after this time
"""
    orders = {t.name: t for t in parse_markdown(text).tables}["orders"]
    assert [p.name for p in orders.read_endpoint.query_params] == ["since"]
    assert "since" not in [f.name for f in orders.fields]


@pytest.mark.parametrize(
    ("request_line", "cursor"),
    [
        ("GET /Order?$filter=Quantity ge 10", None),  # selects; orders nothing
        ("GET /Order?%24filter=changedAt%20gt%20X", "changedAt"),
        ("GET /Order?$filter=changedAt%20ge%20X%20and%20changedAt%20le%20Y", None),
        ("GET /Order?$filter=ownerId gt 5", None),  # a number that is no time
    ],
)
def test_only_a_time_filtered_past_a_value_is_a_cursor(request_line, cursor):
    text = f"""# Orders API

Base URL: `https://shop.example/odata`

## Object List

- `Order`

## Object Schema

### Order

| Field | Type |
|---|---|
| id | string |
| Quantity | integer |
| ownerId | integer |
| changedAt | datetime |

Ingestion type: `cdc`

```http
{request_line}
```
"""
    order = parse_markdown(text).tables[0]
    assert order.cursor_field == cursor


@pytest.mark.parametrize("flag", ["Optional", "Filterable", "Nullable"])
def test_a_field_table_with_a_flag_column_is_a_field_table(flag):
    text = f"""# Shop API

Base URL: `https://shop.example/api`

## Object List

### `orders`

Read endpoint: `GET /orders`

| Field | Type | {flag} | Description |
|---|---|---|---|
| `id` | string | No | Order id |
| `total` | number | Yes | Order total |

| Option | Type | Description |
|---|---|---|
| `region` | string | Only this region |
"""
    orders = parse_markdown(text).tables[0]
    assert [f.name for f in orders.fields] == ["id", "total"]
    assert [p.name for p in orders.read_endpoint.query_params] == []
    assert [o.name for o in orders.options] == ["region"]


def test_a_stated_http_method_goes_with_the_bare_endpoint_after_it_over_a_describing_one():
    text = """# Reports API

Base URL: `https://reports.example/v1`

## Object List

- `report`

## Read API

### Metadata endpoint

- **HTTP method**: `GET`
- **Endpoint**: `/properties/{property}/metadata`

### Primary endpoint

- **HTTP method**: `POST`
- **Endpoint**: `/properties/{property}:runReport`
"""
    report = parse_markdown(text).tables[0]
    # the endpoint describing the report's columns yields to the one that lists its rows,
    # with the method said just before it
    assert (report.read_endpoint.method, report.read_endpoint.path) == (
        "POST",
        "/properties/{property}:runReport",
    )


def test_a_parameter_the_path_names_is_no_query_parameter_and_each_is_listed_once():
    text = """# Survey API

Base URL: `https://survey.example/v3`

## Object List

### `responses`

Read endpoint: `GET /surveys/{survey_id}/responses`

Path parameters:
- `survey_id` (string, required): The survey

Query parameters:
- `page` (integer, optional): Page number

Example with the same parameters:
- `page` (integer, optional): Page number, from 1
"""
    responses = parse_markdown(text).tables[0]
    assert [p.name for p in responses.read_endpoint.query_params] == ["page"]


@pytest.mark.parametrize(
    ("line", "url"),
    [
        (
            "Base URL: https://<subdomain>.desk.example/api/v2",
            "https://{subdomain}.desk.example/api/v2",
        ),
        ("Base URL: https://api.desk.example/v1<br>Sandbox: none", "https://api.desk.example/v1"),
        ("Base URL: https://api.desk.example/<tenant>/v1", "https://api.desk.example/{tenant}/v1"),
    ],
)
def test_an_angle_bracket_placeholder_is_part_of_a_url_and_an_html_tag_ends_it(line, url):
    doc = parse_markdown(f"# Desk API\n\n{line}\n\n## Tables\n\n### `tickets`\n\n`GET /tickets`\n")
    assert doc.base_url == url


def test_a_parenthetical_in_a_heading_does_not_make_a_table_group_a_pagination_section():
    doc = parse_markdown(
        """# Desk API

Base URL: `https://desk.example/api/v2`

## Tables

### Snapshot tables (paginated, full refresh per run)

Each run reads every page; the connector keeps a sentinel offset after the first call.

| Table | Endpoint | Primary Key |
|---|---|---|
| `brands` | `GET /brands.json` | `id` |

## Pagination

- Pages are numbered: send `page` (from 1) and `per_page` (up to 100).
"""
    )
    (brands,) = doc.tables
    assert brands.pagination is not None
    # the Pagination section states it, once; the table group's "sentinel offset" does not
    assert (brands.pagination.style, brands.pagination.line) == ("page_number", 17)
    assert brands.pagination.description.count("Pages are numbered") == 1


def test_a_pagination_sections_blocks_are_read_once():
    from skillpack.apidoc._sections import sort_sections
    from skillpack.apidoc._tree import build_tree, tokenize

    text = "# Desk connector\n\n## Pagination\n\n- Send `page`.\n- Stop at an empty page.\n"
    parts = sort_sections(build_tree(tokenize(text)))
    assert [b.text for b in parts.pagination] == ["Send `page`.", "Stop at an empty page."]


def test_each_doc_is_read_with_empty_caches():
    # memos of one doc's text never carry into the next doc's parse (nor a timed re-run)
    from skillpack.apidoc import _vocab

    first = (SHAPES / "quarry_assumed.md").read_text(encoding="utf-8")
    second = SHOP_DOC

    def sizes() -> list[int]:
        return [c.cache_info().currsize for c in _vocab._PER_DOC]

    parse_markdown(second)
    alone = sizes()
    parse_markdown(first)
    parse_markdown(second)
    assert sizes() == alone
    assert sum(alone) > 0  # the parse did use them


def test_a_cursor_one_companion_drops_and_the_next_states_leaves_no_open_note(tmp_path):
    # the doc-wide cursor is a guess where the module lists no such field; the module doc
    # drops it, the README then states the table's own: no "no cursor" note is left
    (tmp_path / "hr_api_doc.md").write_text(
        """# HR API

Base URL: `https://hr.example/odata`

- Cursor field for incremental tables: `lastModifiedDateTime` (where the
  module exposes it).

## Tables

Field lists: [modules](shifts_api_doc.md); setup in [README](README.md).

| Table | Endpoint | Primary key | Ingestion |
|---|---|---|---|
| `Shift` | `GET /Shift` | `shiftId` | `cdc` |
"""
    )
    (tmp_path / "shifts_api_doc.md").write_text(
        "# Shift module\n\n## Object List\n\n### `Shift`\n\n| Field | Type |\n|---|---|\n"
        "| `shiftId` | string |\n| `eventTime` | datetime |\n"
    )
    (tmp_path / "README.md").write_text(
        "# HR connector\n\n| Table | Cursor Field | Ingestion Type |\n|---|---|---|\n"
        "| Shift | eventTime | CDC |\n"
    )
    doc = parse_api_doc(ParseApiDocIn(path=str(tmp_path / "hr_api_doc.md")))
    (shift,) = doc.tables
    assert (shift.cursor_field, shift.ingestion_type) == ("eventTime", "cdc")
    assert not [w for w in doc.warnings if w.code == "no-cursor"]
