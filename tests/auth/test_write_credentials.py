"""write_credentials: checked against the spec, 0600, merged, and never echoing a value."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest
import yaml

from skillpack.cli import main
from skillpack.create.demo import copy_bundled_workspace
from skillpack.errors import ConfigError, InputError
from skillpack.layout import UPSTREAM_SOURCES, source_paths
from skillpack.tools import (
    GenerateConnectorSpecIn,
    WriteCredentialsIn,
    generate_connector_spec,
    get_tool,
    write_credentials,
)

SECRET = "PLANTED-api-key-5f1c9e"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The bundled workspace with the example source's connector_spec.yaml generated."""
    ws = copy_bundled_workspace(tmp_path / "ws")
    generate_connector_spec(GenerateConnectorSpecIn(source="example", workspace=str(ws)))
    return ws


def _config(ws: Path) -> Path:
    return source_paths("example", ws).dev_config


def test_writes_values_to_the_dev_config_with_mode_0600(workspace):
    out = write_credentials(
        WriteCredentialsIn(
            source="example",
            workspace=str(workspace),
            values={"api_key": SECRET, "base_url": "http://127.0.0.1:9/v1", "page_size": 50},
        )
    )
    path = _config(workspace)
    assert Path(out.path) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {
        "api_key": SECRET,
        "base_url": "http://127.0.0.1:9/v1",
        "page_size": "50",
    }
    assert out.fields_set == ["api_key", "base_url", "page_size"]
    assert out.secret_fields_set == ["api_key"]
    assert (out.missing_required, out.complete) == ([], True)
    # Only the config itself is left: the temporary file was moved into place.
    assert [p.name for p in path.parent.iterdir()] == ["dev_config.json"]


def test_output_and_repr_never_hold_the_secret(workspace):
    inp = WriteCredentialsIn(source="example", workspace=str(workspace), values={"api_key": SECRET})
    out = write_credentials(inp)
    assert SECRET not in out.model_dump_json()
    assert SECRET not in repr(inp) and SECRET not in str(inp)
    assert out.missing_required == ["base_url"] and out.complete is False


def test_merges_with_the_keys_already_in_the_file(workspace):
    path = _config(workspace)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"environment": "dev", "base_url": "http://old/v1"}))
    write_credentials(
        WriteCredentialsIn(
            source="example",
            workspace=str(workspace),
            values={"api_key": SECRET, "base_url": "http://127.0.0.1:9/v1"},
        )
    )
    assert json.loads(path.read_text()) == {
        "environment": "dev",
        "base_url": "http://127.0.0.1:9/v1",
        "api_key": SECRET,
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_merge_false_replaces_the_file(workspace):
    path = _config(workspace)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"environment": "dev"}))
    out = write_credentials(
        WriteCredentialsIn(
            source="example", workspace=str(workspace), values={"api_key": SECRET}, merge=False
        )
    )
    assert json.loads(path.read_text()) == {"api_key": SECRET}
    assert out.missing_required == ["base_url"]


def test_reads_named_environment_variables(workspace, monkeypatch):
    monkeypatch.setenv("EXAMPLE_KEY_FOR_TEST", SECRET)
    out = write_credentials(
        WriteCredentialsIn(
            source="example",
            workspace=str(workspace),
            values={"base_url": "http://127.0.0.1:9/v1"},
            from_env={"api_key": "EXAMPLE_KEY_FOR_TEST"},
        )
    )
    assert json.loads(_config(workspace).read_text())["api_key"] == SECRET
    assert out.secret_fields_set == ["api_key"] and out.complete


def test_unset_environment_variable_names_the_variable_and_writes_nothing(workspace, monkeypatch):
    monkeypatch.delenv("EXAMPLE_KEY_UNSET", raising=False)
    with pytest.raises(InputError, match="`EXAMPLE_KEY_UNSET` \\(for `api_key`\\)"):
        write_credentials(
            WriteCredentialsIn(
                source="example",
                workspace=str(workspace),
                from_env={"api_key": "EXAMPLE_KEY_UNSET"},
            )
        )
    assert not _config(workspace).exists()


def test_wrong_type_names_the_field_not_the_value_and_keeps_the_file(workspace):
    path = _config(workspace)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"api_key": "kept-key-value"}))
    with pytest.raises(InputError) as err:
        write_credentials(
            WriteCredentialsIn(
                source="example",
                workspace=str(workspace),
                values={"api_key": SECRET, "page_size": "fifty-PLANTED"},
            )
        )
    assert "`page_size` must be a whole number" in str(err.value)
    assert "fifty-PLANTED" not in str(err.value) and SECRET not in str(err.value)
    assert json.loads(path.read_text()) == {"api_key": "kept-key-value"}


def test_unknown_parameter_lists_the_known_ones(workspace):
    with pytest.raises(InputError) as err:
        write_credentials(
            WriteCredentialsIn(source="example", workspace=str(workspace), values={"apikey": "x"})
        )
    assert "`apikey`" in str(err.value) and "`api_key`" in str(err.value)
    assert err.value.code == "unknown-parameter"


def test_missing_spec_says_how_to_generate_it(tmp_path):
    ws = copy_bundled_workspace(tmp_path / "ws")
    source_paths("example", ws).connector_spec.unlink()
    with pytest.raises(InputError) as err:
        write_credentials(WriteCredentialsIn(source="example", workspace=str(ws), values={}))
    assert "connector_spec.yaml" in str(err.value)
    assert "generate_connector_spec" in err.value.hint


def test_broken_dev_config_is_refused_not_overwritten(workspace):
    path = _config(workspace)
    path.parent.mkdir(parents=True)
    path.write_text('{"api_key": "kept", ')
    with pytest.raises(ConfigError, match="not valid JSON"):
        write_credentials(
            WriteCredentialsIn(source="example", workspace=str(workspace), values={"api_key": "x"})
        )
    assert path.read_text() == '{"api_key": "kept", '


def test_same_input_twice_leaves_the_same_file(workspace):
    inp = WriteCredentialsIn(
        source="example",
        workspace=str(workspace),
        values={"api_key": SECRET, "base_url": "http://127.0.0.1:9/v1", "page_size": "7"},
    )
    write_credentials(inp)
    first = _config(workspace).read_bytes()
    write_credentials(inp)
    assert _config(workspace).read_bytes() == first


def test_upstream_layout_writes_beside_the_tests(tmp_path):
    src = tmp_path / UPSTREAM_SOURCES / "my_source"
    src.mkdir(parents=True)
    spec = {
        "source_name": "my_source",
        "connection": {
            "parameters": [
                {"name": "token", "type": "string", "required": True, "secret": True},
                {"name": "verbose", "type": "boolean", "required": False, "default": False},
            ]
        },
        "external_options_allowlist": "",
    }
    (src / "connector_spec.yaml").write_text(yaml.safe_dump(spec))
    out = write_credentials(
        WriteCredentialsIn(
            source_dir=str(src), values={"token": SECRET, "verbose": True}, from_env={}
        )
    )
    expected = tmp_path / "tests" / "unit" / "sources" / "my_source" / "configs" / "dev_config.json"
    assert Path(out.path) == expected.resolve()
    assert json.loads(expected.read_text()) == {"token": SECRET, "verbose": "true"}


def test_cli_prints_names_only_and_bad_input_exits_2_without_the_secret(workspace, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    data = {"source": "example", "workspace": str(workspace), "values": {"api_key": SECRET}}
    # written, but a required parameter is still missing: the gate `complete` fails (exit 1)
    assert main(["tool", "write_credentials", "--input", json.dumps(data)]) == 1
    ok = capsys.readouterr()
    assert json.loads(ok.out)["secret_fields_set"] == ["api_key"]
    assert json.loads(ok.out)["complete"] is False and "gate failed: `complete`" in ok.err
    # A value of the wrong shape: pydantic refuses it, and must not echo it.
    bad = {**data, "values": {"api_key": [SECRET]}}
    assert main(["tool", "write_credentials", "--input", json.dumps(bad)]) == 2
    refused = capsys.readouterr()
    assert "`values`" in refused.err and "`api_key` must be a string" in refused.err
    for text in (ok.out, ok.err, refused.out, refused.err, caplog.text):
        assert SECRET not in text


def test_validation_error_of_the_input_model_never_shows_a_value():
    tool = get_tool("write_credentials")
    with pytest.raises(Exception) as err:
        tool.call_json({"source": "example", "values": {"api_key": {"nested": SECRET}}})
    assert SECRET not in str(err.value)
