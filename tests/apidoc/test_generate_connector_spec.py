"""generate_connector_spec: a schema-valid, idempotent connector_spec.yaml in either layout."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from skillpack.apidoc.spec import SCHEMA_PATH, display_name, spec_schema
from skillpack.errors import InputError
from skillpack.layout import UPSTREAM_SOURCES
from skillpack.tools import (
    GenerateConnectorSpecIn,
    ParseApiDocIn,
    generate_connector_spec,
    parse_api_doc,
)

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "skills" / "implement" / "references" / "api-doc-template.md"


def test_writes_spec_beside_a_doc_named_after_its_source(tmp_path):
    folder = tmp_path / "sources" / "my_source"
    folder.mkdir(parents=True)
    doc = folder / "my_source_api_doc.md"
    shutil.copy(TEMPLATE, doc)
    out = generate_connector_spec(GenerateConnectorSpecIn(path=str(doc)))
    assert Path(out.spec_path) == folder / "connector_spec.yaml"
    data = yaml.safe_load(Path(out.spec_path).read_text(encoding="utf-8"))
    assert data["source_name"] == "my_source"
    assert data["connection"]["parameters"][0] == {
        "name": "api_token",
        "type": "string",
        "required": True,
        "secret": True,
        "description": "Personal API token, created under Settings > API tokens.",
    }
    assert data["external_options_allowlist"] == "category"
    assert [o["name"] for o in data["table_options"]["items"]] == ["category"]
    jsonschema.validate(data, spec_schema())


def test_second_run_is_idempotent(tmp_path):
    inp = GenerateConnectorSpecIn(path=str(TEMPLATE), out_dir=str(tmp_path))
    first = generate_connector_spec(inp)
    before = (tmp_path / "connector_spec.yaml").read_bytes()
    second = generate_connector_spec(inp)
    assert (first.changed, second.changed) == (True, False)
    assert (tmp_path / "connector_spec.yaml").read_bytes() == before
    assert first.spec == second.spec


def test_accepts_a_parsed_doc_and_a_source_in_a_workspace(tmp_path):
    doc = parse_api_doc(ParseApiDocIn(path=str(TEMPLATE)))
    inp = GenerateConnectorSpecIn(api_doc=doc, source="shop", workspace=str(tmp_path))
    out = generate_connector_spec(inp)
    assert Path(out.spec_path) == tmp_path.resolve() / "sources" / "shop" / "connector_spec.yaml"
    assert out.spec.source_name == "shop"


def test_upstream_layout_puts_spec_in_the_upstream_source_folder(tmp_path):
    src = tmp_path / UPSTREAM_SOURCES / "my_source"
    src.mkdir(parents=True)
    out = generate_connector_spec(
        GenerateConnectorSpecIn(path=str(TEMPLATE), source="my_source", workspace=str(tmp_path))
    )
    assert Path(out.spec_path) == src.resolve() / "connector_spec.yaml"


def test_reads_the_sources_own_doc_when_no_path_given(tmp_path):
    folder = tmp_path / "sources" / "my_source"
    folder.mkdir(parents=True)
    shutil.copy(TEMPLATE, folder / "my_source_api_doc.md")
    out = generate_connector_spec(GenerateConnectorSpecIn(source_dir=str(folder)))
    assert Path(out.spec_path) == folder.resolve() / "connector_spec.yaml"


def test_doc_without_source_name_needs_a_source(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("## Tables\n\n### `a`\n\n- **Primary key:** `id`\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        generate_connector_spec(GenerateConnectorSpecIn(path=str(doc), out_dir=str(tmp_path)))
    assert err.value.code == "no-source-name"


def test_nothing_to_read_is_a_validation_error():
    with pytest.raises(ValidationError, match="give `path` or `api_doc`"):
        GenerateConnectorSpecIn()


def test_shipped_schema_is_a_valid_json_schema_and_rejects_bad_specs():
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = {"source_name": "X!", "connection": {"parameters": []}, "external_options_allowlist": ""}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Example Source API Documentation", "Example"),
        ("GitHub REST API", "GitHub"),
        ("Microsoft Teams Connector: API docs", "Microsoft Teams"),
        ("HubSpot", "HubSpot"),
        ("API Reference", "My Shop"),
    ],
)
def test_the_display_name_is_the_title_without_api_documentation_words(title, name):
    assert display_name(title, "my_shop") == name


def test_an_oauth_source_also_takes_a_token_the_connection_holds(tmp_path):
    doc = REPO / "tests" / "fixtures" / "apidocs" / "helpdesk_openapi_style.md"
    parsed = parse_api_doc(ParseApiDocIn(path=str(doc)))
    inp = GenerateConnectorSpecIn(api_doc=parsed, source="helpdesk", workspace=str(tmp_path))
    out = generate_connector_spec(inp)
    params = {p.name: p for p in out.spec.connection.parameters}
    token = params["access_token"]
    assert (token.required, token.secret) == (False, True)
    # either the token or the exchange's credentials: neither is required alone
    assert params["client_id"].required is False and params["client_secret"].required is False
    # what the connector needs in any case stays required
    assert params["subdomain"].required is True
    jsonschema.validate(yaml.safe_load(Path(out.spec_path).read_text()), spec_schema())
