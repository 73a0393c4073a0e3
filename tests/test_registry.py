"""The tool registry: one registration, sound schemas, one input vocabulary."""

from __future__ import annotations

import ast
import subprocess
import sys

import jsonschema
import pytest
from pydantic import BaseModel

import skillpack.tools as tools_pkg
from skillpack import registry as registry_mod
from skillpack.errors import InputError
from skillpack.inputs import ModeArgs, SourceArgs, resolve_paths
from skillpack.tools import all_tools, get_tool, tool

TOOLS = all_tools()
TOOL_IDS = [t.name for t in TOOLS]

#: the shared input vocabulary: one spelling and one description each
VOCABULARY = {
    "source": SourceArgs.model_fields["source"].description,
    "workspace": SourceArgs.model_fields["workspace"].description,
    "source_dir": SourceArgs.model_fields["source_dir"].description,
    "mode": ModeArgs.model_fields["mode"].description,
    "timeout_s": ModeArgs.model_fields["timeout_s"].description,
}


def test_every_tool_module_is_registered():
    assert {"parse_api_doc", "lint_api_doc", "generate_connector_spec"} <= set(TOOL_IDS)
    assert len(TOOL_IDS) == len(set(TOOL_IDS))


@pytest.mark.parametrize("t", TOOLS, ids=TOOL_IDS)
def test_schemas_pass_the_json_schema_meta_schema(t):
    for schema in (t.input_schema(), t.output_schema()):
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["type"] == "object"


@pytest.mark.parametrize("t", TOOLS, ids=TOOL_IDS)
def test_naming_and_descriptions_follow_the_style(t):
    camel = "".join(part.title() for part in t.name.split("_"))
    assert t.input_model.__name__ == f"{camel}In"
    assert t.output_model.__name__ == f"{camel}Out"
    assert t.summary and t.summary.endswith(".")
    for model in (t.input_model, t.output_model):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


@pytest.mark.parametrize("t", TOOLS, ids=TOOL_IDS)
def test_vocabulary_fields_are_spelled_and_described_alike(t):
    for name, field in t.input_model.model_fields.items():
        if name in VOCABULARY:
            assert field.description == VOCABULARY[name], f"{t.name}.{name}"


def test_tools_import_from_the_package_as_plain_functions():
    from skillpack.tools import ParseApiDocIn, parse_api_doc

    assert callable(parse_api_doc) and parse_api_doc.__name__ == "parse_api_doc"
    assert get_tool("parse_api_doc").func is parse_api_doc
    assert get_tool("parse_api_doc").input_model is ParseApiDocIn
    assert "parse_api_doc" in tools_pkg.__all__


def test_unknown_tool_lists_the_known_ones():
    with pytest.raises(InputError) as err:
        get_tool("parse_the_doc")
    assert "`parse_api_doc`" in str(err.value)
    assert err.value.exit_code == 2


class _In(BaseModel):
    x: int


class _Out(BaseModel):
    y: int


def test_decorator_rejects_tools_it_cannot_serve():
    def no_doc(inp: _In) -> _Out:
        return _Out(y=inp.x)

    def two_args(inp: _In, other: int) -> _Out:
        """Doc."""
        return _Out(y=inp.x)

    def not_models(inp: int) -> int:
        """Doc."""
        return inp

    def Bad(inp: _In) -> _Out:
        """Doc."""
        return _Out(y=inp.x)

    with pytest.raises(ValueError, match="docstring"):
        tool(no_doc)
    with pytest.raises(TypeError, match="exactly one"):
        tool(two_args)
    with pytest.raises(TypeError, match="pydantic model"):
        tool(not_models)
    with pytest.raises(ValueError, match="snake_case"):
        tool(Bad)
    assert not {"no_doc", "two_args", "not_models"} & {t.name for t in all_tools()}


def test_registering_returns_the_function_and_serves_json(monkeypatch):
    monkeypatch.setattr(registry_mod, "_REGISTRY", dict(registry_mod._REGISTRY))

    def double_it(inp: _In) -> _Out:
        """Double a number."""
        return _Out(y=inp.x * 2)

    assert tool(double_it) is double_it
    assert get_tool("double_it").call_json({"x": 4}) == {"y": 8}

    def other():
        def double_it(inp: _In) -> _Out:
            """Another."""
            return _Out(y=0)

        return double_it

    with pytest.raises(ValueError, match="registered twice"):
        tool(other())


def test_resolve_paths_prefers_source_dir_and_checks_the_name(tmp_path):
    folder = tmp_path / "sources" / "shop"
    folder.mkdir(parents=True)
    assert resolve_paths(source_dir=str(folder)).name == "shop"
    assert resolve_paths("shop", str(tmp_path)).source_dir == folder.resolve()
    with pytest.raises(InputError, match="does not match"):
        resolve_paths("other", source_dir=str(folder))


# --- the manifest and lazy loading --------------------------------------------------------------


def test_manifest_matches_the_tools():
    from skillpack.registry import describe, manifest

    live = [describe(t) for t in all_tools()]
    assert manifest() == live, "tool_manifest.json is stale: run `python -m skillpack.registry`"


_STEP_PACKAGES = (
    "apidoc", "implement", "writeback", "suite", "auth", "package", "review", "incremental",
)  # fmt: skip


def _loaded_steps(code: str) -> list[str]:
    """Step packages imported by running ``code`` in a fresh interpreter."""
    probe = (
        "import sys\n" + code + "\n"
        f"print(sorted(p for p in {_STEP_PACKAGES!r} if 'skillpack.' + p in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def test_version_and_tool_list_import_no_tool():
    assert _loaded_steps("from skillpack import cli\ncli.build_parser()") == []
    listing = "import contextlib, io\nfrom skillpack import cli\n"
    listing += "with contextlib.redirect_stdout(io.StringIO()): cli.main(['tool', 'list'])"
    assert _loaded_steps(listing) == []


def test_one_tool_imports_its_own_step_only():
    code = "from skillpack.registry import get_tool\nget_tool('lint_api_doc')"
    assert _loaded_steps(code) == ["apidoc"]
    code = "from skillpack.mcp import list_tools\nassert len(list_tools()) > 5"
    assert _loaded_steps(code) == []
