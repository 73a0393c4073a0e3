"""The simulator plays what the doc says of an endpoint: its method, required parameters,
JSON lines, a bare list, tables sharing a path told apart by their parameters, and an
operator written before the cursor value."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import requests

from skillpack.testing._spec_model import load_spec
from skillpack.testing._spec_simulator import serve_spec
from skillpack.tools import ImplementConnectorIn, implement_connector

SPEC = """\
base_url_option: base_url
tables:
  cohorts:
    endpoint: /cohorts/list
    method: POST
    records: [{id: 1}, {id: 2}]
  exports:
    endpoint: /export
    required_params: [from_date, to_date]
    format: jsonl
    records: [{id: 1}, {id: 2}, {id: 3}]
  projects:
    endpoint: /projects
    records_path: null
    records: [{id: 7}]
  profiles:
    endpoint: /engage
    match_params: {kind: profiles}
    records: [{distinct_id: a}]
  engage_cohorts:
    endpoint: /engage
    match_params: {kind: cohorts}
    records: [{cohort_id: 9}]
  resources:
    endpoint: /resources
    cursor_field: updated
    since_param: _updated
    since_prefix: gt
    records: [{id: 1, updated: 10}, {id: 2, updated: 20}]
"""


def _serve(tmp_path: Path):
    path = tmp_path / "simulator_spec.yaml"
    path.write_text(textwrap.dedent(SPEC))
    return serve_spec(load_spec(path), {})


def test_a_post_read_is_served_to_post_and_refused_to_get(tmp_path):
    with _serve(tmp_path) as sim:
        sim.prepare(lambda: None)
        got = requests.post(f"{sim.url}/cohorts/list", json={}, timeout=5)
        refused = requests.get(f"{sim.url}/cohorts/list", timeout=5)
    assert got.status_code == 200 and got.json()["data"] == [{"id": 1}, {"id": 2}]
    assert refused.status_code == 405 and "read with POST" in refused.json()["message"]


def test_required_parameters_are_answered_400_when_missing_and_jsonl_when_given(tmp_path):
    with _serve(tmp_path) as sim:
        sim.prepare(lambda: None)
        missing = requests.get(f"{sim.url}/export", params={"from_date": "2024-01-01"}, timeout=5)
        given = requests.get(
            f"{sim.url}/export",
            params={"from_date": "2024-01-01", "to_date": "2024-01-31"},
            timeout=5,
        )
    assert missing.status_code == 400 and "to_date is required" in missing.json()["message"]
    assert given.status_code == 200
    assert [json.loads(line) for line in given.text.splitlines()] == [
        {"id": 1},
        {"id": 2},
        {"id": 3},
    ]


def test_a_bare_list_is_served_without_an_envelope(tmp_path):
    with _serve(tmp_path) as sim:
        sim.prepare(lambda: None)
        body = requests.get(f"{sim.url}/projects", timeout=5).json()
    assert body == [{"id": 7}]


def test_tables_sharing_a_path_are_told_apart_by_their_parameters(tmp_path):
    with _serve(tmp_path) as sim:
        sim.prepare(lambda: None)
        profiles = requests.get(f"{sim.url}/engage", params={"kind": "profiles"}, timeout=5)
        cohorts = requests.get(f"{sim.url}/engage", params={"kind": "cohorts"}, timeout=5)
        neither = requests.get(f"{sim.url}/engage", timeout=5)
    assert profiles.json()["data"] == [{"distinct_id": "a"}]
    assert cohorts.json()["data"] == [{"cohort_id": 9}]
    assert neither.status_code == 400


def test_a_cursor_sent_after_the_docs_operator_filters_and_one_without_it_is_refused(tmp_path):
    with _serve(tmp_path) as sim:
        sim.prepare(lambda: None)
        after = requests.get(f"{sim.url}/resources", params={"_updated": "gt10"}, timeout=5)
        bare = requests.get(f"{sim.url}/resources", params={"_updated": "10"}, timeout=5)
    assert [r["id"] for r in after.json()["data"]] == [2]
    assert bare.status_code == 400 and "takes `gt` before" in bare.json()["message"]


def _no_connector():
    raise AssertionError("the simulator consulted the connector")


def test_a_generated_spec_serves_records_made_from_the_doc_without_the_connector(tmp_path):
    doc = Path(__file__).resolve().parents[1] / "fixtures" / "apidocs_impl" / "widgets_api_doc.md"
    out = implement_connector(
        ImplementConnectorIn(path=str(doc), source="widgets", workspace=str(tmp_path / "ws"))
    )
    spec = load_spec(Path(out.simulator_spec))
    assert spec.tables["widgets"].primary_key == ("id",)
    assert spec.tables["widgets"].cursor_field == "updated_at"
    with serve_spec(spec, {"tenant": "t"}) as sim:
        sim.prepare(_no_connector)
        body = requests.get(
            f"{sim.url}/widgets", headers={"X-Widget-Key": "k"}, params={"per_page": 2}, timeout=5
        ).json()
    record = body["items"][0]
    assert set(record) == {"id", "color", "in_stock", "made_on", "owner", "updated_at"}
    assert set(record["owner"]) == {"id", "name"}
